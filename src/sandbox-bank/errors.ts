import { STATUS_CODES } from 'node:http';

/** The OBIE error codes this bank answers with (a subset of `OBErrorResponse1.Errors[].ErrorCode`). */
export type ObieErrorCode =
  | 'UK.OBIE.Field.Invalid'
  | 'UK.OBIE.Field.InvalidDate'
  | 'UK.OBIE.Field.Missing'
  | 'UK.OBIE.Field.Unexpected'
  | 'UK.OBIE.Header.Invalid'
  | 'UK.OBIE.Header.Missing'
  | 'UK.OBIE.Resource.ConsentMismatch'
  | 'UK.OBIE.Resource.InvalidConsentStatus'
  | 'UK.OBIE.Resource.NotFound'
  | 'UK.OBIE.UnexpectedError';

/** An error the AIS, consent and control endpoints answer as `OBErrorResponse1`. */
export class ObieError extends Error {
  readonly status: number;
  readonly errorCode: ObieErrorCode;
  readonly path: string | undefined;
  readonly headers: Readonly<Record<string, string>>;

  constructor(status: number, errorCode: ObieErrorCode, message: string, options: { path?: string; headers?: Record<string, string> } = {}) {
    super(message);
    this.name = 'ObieError';
    this.status = status;
    this.errorCode = errorCode;
    this.path = options.path;
    this.headers = options.headers ?? {};
  }
}

export const notFound = (what: string) => new ObieError(404, 'UK.OBIE.Resource.NotFound', `${what} was not found`);

export function unauthorized(errorCode: 'UK.OBIE.Header.Missing' | 'UK.OBIE.Header.Invalid', message: string): ObieError {
  const error = errorCode === 'UK.OBIE.Header.Missing' ? '' : ', error="invalid_token"';
  return new ObieError(401, errorCode, message, { path: 'Authorization', headers: { 'www-authenticate': `Bearer realm="sandbox-bank"${error}` } });
}

/** `OBErrorResponse1`; `Id` is the interaction id, cut to the 40 characters the schema allows. */
export function obieErrorBody(status: number, errorCode: ObieErrorCode, message: string, interactionId: string, path?: string) {
  return {
    Code: `${status} ${STATUS_CODES[status] ?? 'Error'}`.slice(0, 40),
    Id: interactionId.slice(0, 40),
    Message: message.slice(0, 500),
    Errors: [{ ErrorCode: errorCode, Message: message.slice(0, 500), ...(path ? { Path: path } : {}) }],
  };
}

/** A problem with an authorisation request or journey step: shown to the user as a page, never redirected. */
export class JourneyError extends Error {
  readonly status: number;

  constructor(message: string, status = 400) {
    super(message);
    this.name = 'JourneyError';
    this.status = status;
  }
}
