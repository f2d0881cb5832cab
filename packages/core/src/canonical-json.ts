/**
 * Canonical JSON for hashing: object keys sorted by UTF-16 code units, no white space, numbers and
 * strings as `JSON.stringify` writes them. For the JSON values events hold (no floats that need
 * special rendering), this is the JSON Canonicalization Scheme of RFC 8785.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError(`canonicalJson: ${value} has no JSON form`);
    const text = JSON.stringify(value);
    if (text === undefined) throw new TypeError(`canonicalJson: a ${typeof value} has no JSON form`);
    return text;
  }
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
  const entries = Object.entries(value)
    .filter(([, item]) => item !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
}
