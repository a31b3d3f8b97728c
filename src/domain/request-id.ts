/**
 * One character a caller's `x-request-id` may be made of to be adopted as the request's id
 * (src/api/request-id.ts): safe in a header and a log line, and its own JSON string body, so the
 * audit trail writes such an id without escaping (src/audit/segment.ts).
 */
export const REQUEST_ID_CHARACTER = /[A-Za-z0-9._-]/;

/** The longest `x-request-id` adopted, in characters. */
export const MAX_REQUEST_ID_LENGTH = 128;
