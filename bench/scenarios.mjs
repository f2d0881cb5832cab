// The benchmark table: each row a script of its own in bench/, run by bench/run.mjs in this order.
// Rows 1–10 are the benchmark issue's table; W rows hold the write path's own targets.
export const SCENARIOS = [
  { row: '1', file: 'append-ratios.mjs' },
  { row: '2', file: 'emmett-sqlite.mjs' },
  { row: '3', file: 'rebuild.mjs' },
  { row: '4', file: 'http-reads.mjs' },
  { row: '5', file: 'http-writes.mjs' },
  { row: '6', file: 'join-call.mjs' },
  { row: '7', file: 'list-depth.mjs' },
  { row: '8', file: 'postgres-writers.mjs' },
  { row: '9', file: 'rss.mjs' },
  { row: '10', file: 'import-postgres.mjs' },
  { row: 'W', file: 'write-path.mjs' },
];
