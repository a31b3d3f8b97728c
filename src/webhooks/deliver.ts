import type { KeyRing } from '../auth/secret-box.ts';
import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import type { FastifyBaseLogger } from 'fastify';
import type { Mode } from '../domain/mode.ts';
import { timeOrderedId } from '../domain/ids.ts';
import type { Attempt, JobHandler, JobOutcome } from '../jobs/queue.ts';
import type { Store } from '../store/database.ts';
import { getEndpoint, getEvent, insertDelivery } from '../store/webhooks.ts';
import type { DeliveryJob } from './events.ts';
import { signingSecrets } from './endpoints.ts';
import { signatureHeaders } from './signature.ts';
import { guardedLookup, staticUrlProblem } from './url-policy.ts';

/** The configuration's webhook settings a delivery reads (`WEBHOOK_TIMEOUT_MS`, `WEBHOOK_RETRY_SCHEDULE_MS`). */
export interface DeliverySettings {
  /** Per-attempt timeout of a delivery. */
  timeoutMs: number;
  /** When the retries of a failed delivery are due, as offsets from its first attempt; after the last, it is given up. */
  retryScheduleMs: readonly number[];
}

export interface DeliveryDeps {
  store: Store;
  /** Opens the sealed signing secrets. */
  key: KeyRing;
  config: DeliverySettings;
  mode: Mode;
  now: () => Date;
  log: FastifyBaseLogger;
}

/**
 * When the retry after failed attempt number `attempt` (begun at `attemptedAt`) is due, so that
 * retry n comes the schedule's n-th offset after the first attempt, as Lean's do (the gaps are the
 * differences of the offsets, so a late attempt delays the later ones, never brings them forward);
 * null once the schedule is spent and the delivery is given up.
 */
export function nextAttemptAt(scheduleMs: readonly number[], attempt: number, attemptedAt: Date, now: Date): Date | null {
  const offset = scheduleMs[attempt - 1];
  if (offset === undefined) return null;
  const gap = offset - (scheduleMs[attempt - 2] ?? 0);
  return new Date(Math.max(attemptedAt.getTime() + gap, now.getTime()));
}

interface SendResult {
  status: number | null;
  error: string | null;
}

/**
 * One POST. No redirects are followed (a 3xx is a failure: it could point anywhere), and the
 * response body is drained unread. In production the socket connects only to addresses
 * `guardedLookup` accepted.
 */
function send(url: URL, body: string, headers: Record<string, string>, o: { timeoutMs: number; signal: AbortSignal; guarded: boolean }): Promise<SendResult> {
  const signal = AbortSignal.any([o.signal, AbortSignal.timeout(o.timeoutMs)]);
  const request = url.protocol === 'https:' ? https.request : http.request;
  return new Promise((resolve) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'user-agent': 'openlean-webhooks' },
        agent: false,
        signal,
        ...(o.guarded ? { lookup: guardedLookup } : {}),
      },
      (res) => {
        // The status is the answer; a body cut short afterwards (timeout, reset) changes nothing.
        res.on('error', () => {});
        res.resume();
        resolve({ status: res.statusCode ?? null, error: null });
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (signal.aborted && !o.signal.aborted) resolve({ status: null, error: `No response within ${o.timeoutMs} ms` });
      else resolve({ status: null, error: err.code && !err.message.includes(err.code) ? `${err.message} (${err.code})` : err.message });
    });
    req.end(body);
  });
}

/**
 * Runs one attempt of a delivery job: signs the event's stored body for this attempt, POSTs it
 * and records the attempt. 2xx is delivered; anything else is retried by the schedule, then given
 * up. An event whose application has no endpoint any more is dropped unrecorded.
 */
export function createDeliveryHandler(deps: DeliveryDeps): JobHandler {
  return async (payload, attempt) => deliver(deps, payload as DeliveryJob, attempt);
}

async function deliver(deps: DeliveryDeps, job: DeliveryJob, attempt: Attempt): Promise<JobOutcome> {
  const db = deps.store.db;
  const event = await getEvent(db, job.event_id);
  const endpoint = event && (await getEndpoint(db, event.app_id));
  if (!event || !endpoint) return { done: true };

  const at = deps.now();
  const url = new URL(endpoint.url);
  const refused = staticUrlProblem(url, deps.mode);
  const started = performance.now();
  const result: SendResult = refused
    ? { status: null, error: `Refused: ${refused}` }
    : await send(url, event.body, signatureHeaders({ id: event.id, at, body: event.body, secrets: signingSecrets(deps.key, endpoint, at) }), {
        timeoutMs: deps.config.timeoutMs,
        signal: attempt.signal,
        guarded: deps.mode === 'production',
      });
  if (attempt.signal.aborted) return { retryAt: deps.now(), reason: 'interrupted' };

  const delivered = result.status !== null && result.status >= 200 && result.status < 300;
  const retryAt = delivered ? null : nextAttemptAt(deps.config.retryScheduleMs, attempt.number, at, deps.now());
  const error = result.error ?? (delivered ? null : `The endpoint answered ${result.status}`);
  await insertDelivery(db, {
    id: timeOrderedId(at),
    app_id: event.app_id,
    event_id: event.id,
    attempt: attempt.number,
    status: delivered ? 'SUCCEEDED' : 'FAILED',
    url: endpoint.url,
    response_status: result.status,
    latency_ms: Math.round(performance.now() - started),
    error,
    attempted_at: at.toISOString(),
    next_attempt_at: retryAt?.toISOString() ?? null,
  });
  if (delivered) return { done: true };
  deps.log.info({ event_id: event.id, app_id: event.app_id, attempt: attempt.number, status: result.status, given_up: !retryAt }, 'webhook delivery failed');
  return retryAt ? { retryAt, reason: error! } : { done: true };
}
