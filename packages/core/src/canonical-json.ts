/**
 * Canonical JSON for hashing: object keys sorted by UTF-16 code units, no white space, numbers and
 * strings as `JSON.stringify` writes them. For the JSON values events hold (no floats that need
 * special rendering), this is the JSON Canonicalization Scheme of RFC 8785.
 */
export function canonicalJson(value: unknown): string {
  // The events a command appends are built with their keys in order: JSON.stringify then writes them as they are, at a third of the cost.
  return isInCanonicalOrder(value) ? JSON.stringify(value) : writeCanonically(value);
}

/**
 * Whether JSON.stringify writes `value` canonically as it is: plain objects and arrays only, every
 * object's keys already sorted, numbers finite, nothing JSON has no form for (a function, a symbol, a
 * bigint, or a `toJSON` of any kind, which only a non-plain object or a function-valued key could carry).
 */
function isInCanonicalOrder(value: unknown): boolean {
  if (value === null) return true;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object':
      break;
    default:
      return false;
  }
  const prototype: unknown = Object.getPrototypeOf(value);
  if (Array.isArray(value)) {
    if (prototype !== Array.prototype) return false;
    for (const item of value) if (item !== undefined && !isInCanonicalOrder(item)) return false;
    return true;
  }
  if (prototype !== Object.prototype && prototype !== null) return false;
  const record = value as Record<string, unknown>;
  let previous: string | undefined;
  for (const key of Object.keys(record)) {
    if (previous !== undefined && !(previous < key)) return false;
    previous = key;
    const item = record[key];
    if (item !== undefined && !isInCanonicalOrder(item)) return false;
  }
  return true;
}

function writeCanonically(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError(`canonicalJson: ${value} has no JSON form`);
    const text = JSON.stringify(value);
    if (text === undefined) throw new TypeError(`canonicalJson: a ${typeof value} has no JSON form`);
    return text;
  }
  // Loops and string concatenation rather than entries/filter/map/join: every appended event is hashed, on the write path.
  if (Array.isArray(value)) {
    let out = '[';
    for (let index = 0; index < value.length; index += 1) {
      if (index > 0) out += ',';
      const item: unknown = value[index];
      out += item === undefined ? 'null' : writeCanonically(item);
    }
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  // The default sort compares UTF-16 code units, as RFC 8785 asks.
  const keys = Object.keys(record).sort();
  let out = '{';
  for (const key of keys) {
    const item = record[key];
    if (item === undefined) continue;
    if (out.length > 1) out += ',';
    out += `${JSON.stringify(key)}:${writeCanonically(item)}`;
  }
  return `${out}}`;
}
