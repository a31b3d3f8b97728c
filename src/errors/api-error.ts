/**
 * The closed set of error codes the API answers with, each bound to its HTTP status and title.
 * Clients switch on `code`; it never changes meaning once published.
 */
export const ERROR_CODES = {
  INVALID_PARAMETER: { status: 400, title: 'Invalid parameter' },
  MALFORMED_REQUEST: { status: 400, title: 'Malformed HTTP request' },
  UNKNOWN_PARAMETER: { status: 400, title: 'Unknown parameter' },
  CURSOR_EXPIRED: { status: 400, title: 'Sync cursor expired' },
  MALFORMED_BODY: { status: 400, title: 'Malformed request body' },
  WEBHOOK_URL_REFUSED: { status: 400, title: 'Webhook URL refused' },
  UNAUTHENTICATED: { status: 401, title: 'Authentication required' },
  INVALID_TOKEN: { status: 401, title: 'Invalid access token' },
  INSUFFICIENT_SCOPE: { status: 403, title: 'Token scope does not allow this operation' },
  PERMISSION_NOT_GRANTED: { status: 403, title: 'Permission not granted by the consent' },
  CONSENT_EXPIRED: { status: 403, title: 'Consent expired' },
  CONSENT_REVOKED: { status: 403, title: 'Consent revoked' },
  SANDBOX_DISABLED: { status: 403, title: 'Sandbox operations are disabled in production mode' },
  HOST_NOT_ALLOWED: { status: 403, title: 'Host or Origin not allowed' },
  NOT_FOUND: { status: 404, title: 'Not found' },
  ROUTE_NOT_FOUND: { status: 404, title: 'No such route' },
  METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed' },
  RESULTS_EXPIRED: { status: 410, title: 'The results of this asynchronous read expired' },
  NOT_ACCEPTABLE: { status: 406, title: 'Not acceptable' },
  REQUEST_TIMEOUT: { status: 408, title: 'Request not received in time' },
  CONFLICT: { status: 409, title: 'Conflict' },
  DUPLICATE_CUSTOMER: { status: 409, title: 'Customer already exists' },
  IDEMPOTENCY_CONFLICT: { status: 409, title: 'Idempotency-Key already used for another request' },
  RECONNECT_REQUIRED: { status: 409, title: 'The entity must be reconnected by its user' },
  DATA_NOT_AVAILABLE: { status: 409, title: 'No data yet: the first refresh failed' },
  RESOURCE_NOT_AVAILABLE: { status: 409, title: 'This resource was never stored: its fetch failed' },
  WEBHOOK_ENDPOINT_NOT_SET: { status: 409, title: 'No webhook endpoint is set' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'Request body too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported content type' },
  RATE_LIMITED: { status: 429, title: 'Too many requests' },
  HEADERS_TOO_LARGE: { status: 431, title: 'Request line and headers too large' },
  REFRESH_LIMIT_REACHED: { status: 429, title: 'Daily manual refresh limit reached' },
  INTERNAL_ERROR: { status: 500, title: 'Internal server error' },
  BANK_UNAVAILABLE: { status: 502, title: 'The bank did not answer as expected' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface ApiErrorOptions {
  /** The request parameter at fault, as the client named it (`size`, `entity_id`, `body.app_user_id`). */
  param?: string;
  headers?: Record<string, string>;
}

/** An error meant for the client. Thrown anywhere; rendered as problem+json in one place. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly param: string | undefined;
  readonly headers: Record<string, string>;

  constructor(code: ErrorCode, detail: string, options: ApiErrorOptions = {}) {
    super(detail);
    this.name = 'ApiError';
    this.code = code;
    this.status = ERROR_CODES[code].status;
    this.param = options.param;
    this.headers = options.headers ?? {};
  }
}

/** 404 for anything the caller may not see, so another tenant's ids are indistinguishable from missing ones. */
export function notFound(what: string, id: string): ApiError {
  return new ApiError('NOT_FOUND', `${what} ${id} was not found`);
}
