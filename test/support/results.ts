import type { Result } from 'neverthrow';

/** Awaits a result and returns its Ok value; throws with the stringified error when it is an Err. */
export async function okValue<T, E>(result: PromiseLike<Result<T, E>>): Promise<T> {
  const settled = await result;
  if (settled.isErr()) throw new Error(`expected Ok, got Err: ${JSON.stringify(settled.error)}`);
  return settled.value;
}

/** Awaits a result and returns its Err error; throws with the stringified value when it is an Ok. */
export async function errValue<T, E>(result: PromiseLike<Result<T, E>>): Promise<E> {
  const settled = await result;
  if (settled.isOk()) throw new Error(`expected Err, got Ok: ${JSON.stringify(settled.value)}`);
  return settled.error;
}

/** What the Azure SDKs throw: a RestError with the status and, for ACS errors, the parsed body. */
export interface RestErrorLike {
  statusCode?: number;
  code?: string;
  message: string;
  details?: { error?: { details?: { code: string; message: string; target: string }[] } };
}

/** Awaits an SDK call that must fail, and returns what it threw. */
export async function sdkFailure(work: Promise<unknown>): Promise<RestErrorLike> {
  try {
    await work;
  } catch (error) {
    return error as RestErrorLike;
  }
  throw new Error('expected the SDK call to fail');
}
