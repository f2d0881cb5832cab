/** The ACS error body (`CommunicationErrorResponse`), with the status it travels with. */
export interface AcsErrorDetail {
  readonly code: string;
  readonly message: string;
  readonly target?: string;
}

export interface AcsError {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  readonly target?: string;
  readonly details?: readonly AcsErrorDetail[];
  /** ACS's calling subcode (5732 no room, 5828 not invited, 5829 outside the window), on the call API. */
  readonly subCode?: number;
}

export const MALFORMED = 'The request could not be understood by the server due to malformed syntax.';

export const acsError = (
  status: number,
  code: string,
  message: string,
  extra: Partial<Pick<AcsError, 'target' | 'details' | 'subCode'>> = {},
): AcsError => ({
  status,
  code,
  message,
  ...extra,
});

/** ACS's model-validation envelope: a generic 400 whose details say what is wrong. */
export const badArguments = (details: readonly AcsErrorDetail[]): AcsError => acsError(400, 'BadRequest', MALFORMED, { details });
export const badRequest = (message: string): AcsError => acsError(400, 'BadRequest', message);
export const notFound = (): AcsError => acsError(404, 'NotFound', 'The server cannot find the requested resource.');
export const denied = (message: string): AcsError => acsError(401, 'Denied', message);

export function errorBody(error: AcsError) {
  const { status: _status, ...body } = error;
  return { error: body };
}
