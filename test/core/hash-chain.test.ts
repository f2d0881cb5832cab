import { canonicalJson, chain, GENESIS_HASH, hashEvent, type NewEvent, verifyStream } from '@usher/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertProperty } from '../support/fast-check.js';
import { participant, sequentialIds, stream, T0 } from '../support/fixtures.js';

const ids = sequentialIds(7);
const key = stream('contoso', 1);
const events: NewEvent[] = [1, 2, 3].map((n) => ({
  type: 'ParticipantAdded',
  data: { participant: participant(n), role: 'Attendee' },
  eventId: ids.eventId(),
  schemaVersion: 1,
  meta: { at: T0.toISOString(), actor: 'test', requestId: `r${n}` },
}));

/** A JSON value with the keys of every object sorted by code unit. */
function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (value === null || typeof value !== 'object') return value;
  const keys = Object.keys(value).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(keys.map((name) => [name, sorted((value as Record<string, unknown>)[name])]));
}

describe('hash chain', () => {
  it('links each event to the previous hash, starting from 64 zeros', () => {
    const chained = chain(key, GENESIS_HASH, 1, events);
    expect(chained.map((event) => event.version)).toEqual([1, 2, 3]);
    expect(chained[0]?.prevHash).toBe(GENESIS_HASH);
    expect(chained[1]?.prevHash).toBe(chained[0]?.hash);
    expect(verifyStream(chained)._unsafeUnwrap()).toEqual({ version: 3, hash: chained[2]?.hash });
  });

  it('hashes canonical JSON, so key order does not matter', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] })).toBe('{"a":[{"c":3,"d":2}],"b":1}');
    const [first] = chain(key, GENESIS_HASH, 1, events);
    if (first === undefined) throw new Error('no event');
    const reordered = { ...first, meta: { requestId: 'r1', actor: 'test', at: T0.toISOString() } };
    expect(hashEvent(reordered)).toBe(first.hash);
  });

  it('writes any JSON value as JSON.stringify writes it with the keys of every object sorted by code unit', async () => {
    await assertProperty(
      fc.property(fc.jsonValue({ noUnicodeString: false }), (value) => {
        const text = canonicalJson(value);
        expect(text).toBe(JSON.stringify(sorted(value)));
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
    expect(canonicalJson({ kept: 1, dropped: undefined, list: [undefined, 2] })).toBe('{"kept":1,"list":[null,2]}');
  });

  it('writes a value whose keys are already in order as one whose keys are not', async () => {
    const reversed = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(reversed);
      if (value === null || typeof value !== 'object') return value;
      return Object.fromEntries(
        Object.entries(value)
          .reverse()
          .map(([name, item]) => [name, reversed(item)]),
      );
    };
    await assertProperty(
      fc.property(fc.jsonValue({ noUnicodeString: false }), (value) => {
        expect(canonicalJson(sorted(value))).toBe(canonicalJson(reversed(value)));
      }),
    );
    // In order, but with what JSON.stringify would write and canonical JSON refuses or writes otherwise.
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(TypeError);
    expect(() => canonicalJson({ a: () => 1 })).toThrow(TypeError);
    expect(canonicalJson({ a: 1, at: new Date(0) })).toBe('{"a":1,"at":{}}');
    expect(() => canonicalJson({ a: { toJSON: () => 'x' } })).toThrow(TypeError);
    expect(canonicalJson({ b: [undefined, 1], c: undefined })).toBe('{"b":[null,1]}');
    expect(canonicalJson({ 10: 'x', 2: 'y' })).toBe('{"10":"x","2":"y"}');
  });

  it('names the first broken event', () => {
    const chained = chain(key, GENESIS_HASH, 1, events);
    const tampered = chained.map((event, index) => (index === 1 ? { ...event, meta: { ...event.meta, actor: 'mallory' } } : event));
    expect(verifyStream(tampered)._unsafeUnwrapErr()).toMatchObject({ reason: 'hashMismatch', version: 2, eventId: events[1]?.eventId });
    const gap = [chained[0], chained[2]].filter((event) => event !== undefined);
    expect(verifyStream(gap)._unsafeUnwrapErr()).toMatchObject({ reason: 'versionGap', version: 3 });
    const relinked = chained.map((event, index) => (index === 2 ? { ...event, prevHash: GENESIS_HASH } : event));
    expect(verifyStream(relinked)._unsafeUnwrapErr()).toMatchObject({ reason: 'prevHashMismatch', version: 3 });
    const foreign = chain(stream('other', 1), chained[0]?.hash ?? '', 2, events.slice(1));
    expect(verifyStream([chained[0], ...foreign].filter((event) => event !== undefined))._unsafeUnwrapErr()).toMatchObject({ reason: 'wrongStream' });
  });
});
