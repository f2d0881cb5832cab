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
