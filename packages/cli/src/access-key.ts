import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** An access key is base64 of at least 16 bytes, as ACS keys (32 bytes) are. */
export function checkAccessKey(key: string): string | null {
  if (!BASE64.test(key) || key.length % 4 !== 0) return 'The access key must be base64 (A-Z, a-z, 0-9, +, /, with = padding).';
  if (Buffer.from(key, 'base64').length < 16) return 'The access key must be at least 16 bytes long once decoded.';
  return null;
}

export function keyFileFor(databasePath: string): string {
  return `${databasePath}.access-key`;
}

/** The key kept next to the database, made on first start, so that a restart keeps the same connection string. */
export function persistedAccessKey(databasePath: string): { key: string; created: boolean } {
  const file = keyFileFor(databasePath);
  if (existsSync(file)) {
    const key = readFileSync(file, 'utf8').trim();
    const problem = checkAccessKey(key);
    if (problem !== null) throw new Error(`${file}: ${problem}`);
    return { key, created: false };
  }
  const key = randomBytes(32).toString('base64');
  writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  return { key, created: true };
}
