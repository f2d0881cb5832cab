import * as crypto from 'node:crypto';

/**
 * SHA-256 of a text (UTF-8), in hex or base64: one call where this Node has it (20.12 and later), as
 * the Hash object of createHash costs more to make than a short text costs to hash, and every appended
 * event and every signed request body is hashed.
 */
export const sha256: (text: string, encoding: 'hex' | 'base64') => string =
  typeof crypto.hash === 'function'
    ? (text, encoding) => crypto.hash('sha256', text, encoding)
    : (text, encoding) => crypto.createHash('sha256').update(text, 'utf8').digest(encoding);
