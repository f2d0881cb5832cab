/** Tuning every SQL store takes. */
export interface StoreTuning {
  /** Stream heads kept in the process, so that an append need not read the head it just wrote (default 1024; 0 keeps none). */
  readonly headCacheSize?: number | undefined;
  /** Events per read while rebuilding projections (default 10000). */
  readonly rebuildBatchSize?: number | undefined;
}
