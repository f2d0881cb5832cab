import { query } from '@usher/core/store-kit';

export const SELECT_CHECKPOINT = query<[string], { position: number }>('SELECT position FROM checkpoints WHERE name = ?');

export const UPSERT_CHECKPOINT = query<[string, number]>(`
  INSERT INTO checkpoints (name, position) VALUES (?, ?)
  ON CONFLICT (name) DO UPDATE SET position = excluded.position`);
