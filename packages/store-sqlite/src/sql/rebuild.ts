import { query } from '@usher/core/store-kit';

export const CLEAR_PROJECTIONS = query<[]>(`
  DELETE FROM streams;
  DELETE FROM participants;
  DELETE FROM requests;`);
