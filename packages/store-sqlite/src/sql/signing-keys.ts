import { query, type SigningKeyRow } from '@usher/core/store-kit';

export const SELECT_SIGNING_KEYS = query<[], SigningKeyRow>(
  'SELECT kid, created_at, private_jwk, public_jwk FROM signing_keys ORDER BY created_at, kid',
);

export const INSERT_SIGNING_KEY = query<[string, string, string, string]>(`
  INSERT INTO signing_keys (kid, created_at, private_jwk, public_jwk) VALUES (?, ?, ?, ?)`);
