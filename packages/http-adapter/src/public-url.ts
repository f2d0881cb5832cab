/** Where a request came in, as its client sees it: what signatures were made for and what links must point at. */
export type PublicOrigin =
  /** Behind a proxy whose public URL is known: its scheme, host and base path. */
  | { readonly kind: 'fixed'; readonly base: URL }
  /** Behind a proxy trusted to say it: `Forwarded`, else `X-Forwarded-Proto` / `X-Forwarded-Host`. */
  | { readonly kind: 'forwarded' }
  /** The request as received. */
  | { readonly kind: 'direct' };

export function publicOrigin(options: { readonly publicUrl?: string | URL | undefined; readonly trustProxy?: boolean | undefined }): PublicOrigin {
  if (options.publicUrl !== undefined) {
    const base = new URL(options.publicUrl);
    if (!base.pathname.endsWith('/')) base.pathname = `${base.pathname}/`;
    return { kind: 'fixed', base };
  }
  return options.trustProxy === true ? { kind: 'forwarded' } : { kind: 'direct' };
}

/** RFC 7239: the first (client-side) element's `proto` and `host`, quoted or not. */
function forwarded(header: string): { proto?: string; host?: string } {
  const first = header.split(',')[0] ?? '';
  const found: { proto?: string; host?: string } = {};
  for (const pair of first.split(';')) {
    const [name = '', raw = ''] = pair.split('=', 2).map((part) => part.trim());
    const value = raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw;
    if (name.toLowerCase() === 'proto') found.proto = value.toLowerCase();
    if (name.toLowerCase() === 'host') found.host = value;
  }
  return found;
}

const firstOf = (value: string | null) => value?.split(',')[0]?.trim() || undefined;

/** The request's URL as its client addressed it. */
export function publicRequestUrl(received: URL, headers: Headers, origin: PublicOrigin): URL {
  if (origin.kind === 'direct') return received;
  if (origin.kind === 'fixed') return new URL(`${received.pathname.replace(/^\//, '')}${received.search}`, origin.base);
  const standard = forwarded(headers.get('forwarded') ?? '');
  const proto = standard.proto ?? firstOf(headers.get('x-forwarded-proto'));
  const host = standard.host ?? firstOf(headers.get('x-forwarded-host'));
  const url = new URL(received);
  if (proto === 'https' || proto === 'http') url.protocol = `${proto}:`;
  if (host !== undefined) {
    try {
      const parsed = new URL(`${url.protocol}//${host}`);
      // Both parts: setting `host` alone keeps the port the request came in on when the header names none.
      url.hostname = parsed.hostname;
      url.port = parsed.port;
    } catch {
      // A host header no URL can carry is ignored, as if it were not sent.
    }
  }
  return url;
}
