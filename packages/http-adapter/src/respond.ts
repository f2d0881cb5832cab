import type { Result, ResultAsync } from 'neverthrow';
import { type ApiError, errorResponse, type Surface } from './errors.js';

/** The route's answer: `success` on Ok, the error in ACS's shape otherwise. */
export async function respond<T>(
  work: ResultAsync<T, ApiError> | Result<T, ApiError>,
  success: (value: T) => Response,
  surface: Surface = 'rest',
): Promise<Response> {
  const result = await work;
  return result.isOk() ? success(result.value) : errorResponse(result.error, surface);
}
