import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { MAX_REQUEST_ID_LENGTH, REQUEST_ID_CHARACTER, REQUEST_IDS_PER_MS, requestIdCounter, requestIdNode, requestIdPrefix } from '../domain/request-id.ts';

/** What a caller's `x-request-id` may be to be adopted: short, and safe in a header and a log line. */
const REQUEST_ID = new RegExp(`^${REQUEST_ID_CHARACTER.source}{1,${MAX_REQUEST_ID_LENGTH}}$`);

/** This process's `rand_b` in the request ids it makes (src/domain/request-id.ts): what the audit trail knows its own ids by. */
export const REQUEST_ID_NODE = requestIdNode(randomBytes(8));

let lastMs = -1;
let counter = 0;
let prefix = '';

/**
 * A new request id (src/domain/request-id.ts): a UUID version 7 of the wall clock's ms (when the id
 * was made, whatever clock the application runs on), monotonic within the process: when the clock
 * goes back, or a millisecond has had `REQUEST_IDS_PER_MS` ids, it carries on from the last id's
 * millisecond (RFC 9562 §6.2).
 */
export function newRequestId(): string {
  const now = Date.now();
  if (now > lastMs) {
    lastMs = now;
    counter = 0;
    prefix = requestIdPrefix(now);
  } else if (++counter === REQUEST_IDS_PER_MS) {
    lastMs++;
    counter = 0;
    prefix = requestIdPrefix(lastMs);
  }
  return prefix + requestIdCounter(counter) + REQUEST_ID_NODE;
}

/**
 * The id of a request, sent back as `x-request-id` and kept in its log lines and audit record: the
 * caller's own `x-request-id` when it is 1–128 characters of `A–Z a–z 0–9 . _ -`, else a new one
 * (`newRequestId`). The one rule for Fastify's `genReqId` and the cached fast path of data reads.
 */
export function requestIdOf(headers: IncomingHttpHeaders): string {
  const given = headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : newRequestId();
}
