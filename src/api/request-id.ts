import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { MAX_REQUEST_ID_LENGTH, REQUEST_ID_CHARACTER } from '../domain/request-id.ts';

/** What a caller's `x-request-id` may be to be adopted: short, and safe in a header and a log line. */
const REQUEST_ID = new RegExp(`^${REQUEST_ID_CHARACTER.source}{1,${MAX_REQUEST_ID_LENGTH}}$`);

/**
 * The id of a request, sent back as `x-request-id` and kept in its log lines and audit record: the
 * caller's own `x-request-id` when it is 1–128 characters of `A–Z a–z 0–9 . _ -`, else a new
 * UUID v4. The one rule for Fastify's `genReqId` and the cached fast path of data reads.
 */
export function requestIdOf(headers: IncomingHttpHeaders): string {
  const given = headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}
