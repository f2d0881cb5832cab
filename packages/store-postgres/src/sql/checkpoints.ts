export const SELECT_CHECKPOINT = 'SELECT position FROM checkpoints WHERE name = $1';

export const UPSERT_CHECKPOINT = `
  INSERT INTO checkpoints (name, position) VALUES ($1, $2)
  ON CONFLICT (name) DO UPDATE SET position = excluded.position`;
