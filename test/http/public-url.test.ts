import { describe, expect, it } from 'vitest';
import { publicOrigin, publicRequestUrl } from '../../packages/http-adapter/src/public-url.js';

const received = new URL('http://10.0.0.5:8080/rooms?api-version=2025-03-13&maxpagesize=2');
const headers = (entries: Record<string, string>) => new Headers(entries);

describe('the URL a client reached the server at', () => {
  it('is the request as received, without a public URL or a trusted proxy, whatever the headers claim', () => {
    const url = publicRequestUrl(received, headers({ forwarded: 'proto=https;host=evil.example.com' }), publicOrigin({}));
    expect(url.toString()).toBe(received.toString());
  });

  it('is under the public URL, base path included, when one is given', () => {
    const origin = publicOrigin({ publicUrl: 'https://api.example.com/usher' });
    expect(publicRequestUrl(received, headers({ 'x-forwarded-host': 'evil.example.com' }), origin).toString()).toBe(
      'https://api.example.com/usher/rooms?api-version=2025-03-13&maxpagesize=2',
    );
  });

  it('takes scheme and host from Forwarded (its first element), else X-Forwarded-*, behind a trusted proxy', () => {
    const trusted = publicOrigin({ trustProxy: true });
    expect(
      publicRequestUrl(received, headers({ forwarded: 'for=192.0.2.60;proto=https;host="rooms.example.com:8443", for=10.0.0.1' }), trusted).origin,
    ).toBe('https://rooms.example.com:8443');
    expect(publicRequestUrl(received, headers({ 'x-forwarded-proto': 'https, http', 'x-forwarded-host': 'rooms.example.com' }), trusted).origin).toBe(
      'https://rooms.example.com',
    );
    // Nothing said, or nonsense: the request as received.
    expect(publicRequestUrl(received, headers({}), trusted).origin).toBe('http://10.0.0.5:8080');
    expect(publicRequestUrl(received, headers({ 'x-forwarded-proto': 'gopher', 'x-forwarded-host': 'a b' }), trusted).origin).toBe(
      'http://10.0.0.5:8080',
    );
  });
});
