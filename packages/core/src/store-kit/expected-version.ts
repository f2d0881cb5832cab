import { err, ok, type Result } from 'neverthrow';
import { type ConcurrencyError, concurrencyError } from '../errors.js';
import type { ExpectedVersion } from '../expected-version.js';
import type { LogStreamKey } from '../ids.js';

/** `actual` is the stream's current version, 0 when it has no events. Every store enforces the same four options. */
export function checkExpectedVersion(stream: LogStreamKey, expected: ExpectedVersion, actual: number): Result<void, ConcurrencyError> {
  const satisfied = expected === 'any' || (expected === 'noStream' && actual === 0) || (expected === 'exists' && actual > 0) || expected === actual;
  return satisfied ? ok(undefined) : err(concurrencyError(stream, expected, actual));
}

/** Whether an append that succeeds with this expectation lands on exactly the head its caller read. */
export function isExact(expected: ExpectedVersion): boolean {
  return expected === 'noStream' || typeof expected === 'number';
}
