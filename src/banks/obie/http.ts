import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { BrokenCircuitError, circuitBreaker, CircuitState, ConsecutiveBreaker, handleWhen, type CircuitBreakerPolicy } from 'cockatiel';
import { backoffDelay } from '../../domain/backoff.ts';
import type { DataResource } from '../../domain/permissions.ts';
import { BankError } from '../connector.ts';

/**
 * Calls to one bank, through its transport (mutual TLS): a timeout per attempt, retries with
 * exponential backoff and full jitter for what is likely to pass (5xx, timeouts, broken
 * connections, a 2xx body that is no JSON) on methods that are safe to repeat (GET, DELETE; a
 * POST is tried once, RFC 9110 §9.2.2), `Retry-After` honoured on 429, and a circuit breaker per bank so a bank that is down
 * is left alone for a while instead of being hammered by every refresh.
 *
 * The circuit breaker is cockatiel's. The retry loop is our own: cockatiel's retry policy sleeps
 * between attempts without listening to the caller's AbortSignal (a 30 s `Retry-After` would
 * hold a shutting-down worker for 30 s), and its backoff cannot take a delay from the failure.
 */

export interface HttpSettings {
  /** Per attempt, body included. */
  timeout_ms: number;
  /** Attempts per call, the first included. */
  max_attempts: number;
  /** The longest `Retry-After` waited out; a longer one fails the call as `rate_limited`. */
  max_retry_after_ms: number;
  /** The backoff ceiling before the first retry; it doubles per retry up to `max_backoff_ms`. */
  base_backoff_ms: number;
  max_backoff_ms: number;
  /** Failed attempts in a row that open a bank's circuit. */
  circuit_threshold: number;
  /** How long an open circuit refuses calls before one is let through to probe the bank. */
  circuit_half_open_after_ms: number;
}

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  body?: string | URLSearchParams;
  signal?: AbortSignal | undefined;
  /** The bank's transport (mutual TLS); global fetch when absent. */
  fetch?: (input: string, init: RequestInit) => Promise<Response>;
  /** Named in the error when the call fails. */
  resource?: DataResource | null;
}

export interface HttpResponse {
  status: number;
  /** The parsed JSON body; undefined when there is none, or an error status came with no JSON. */
  body: unknown;
  /** A signed answer (`Content-Type: application/jwt`, UAE v2.1), as sent; `body` is then undefined. */
  jwt?: string;
}

export type HttpEvent =
  | { type: 'retry'; bank: string; method: string; path: string; attempt: number; delay_ms: number; reason: string }
  | { type: 'circuit'; bank: string; state: 'open' | 'half_open' | 'closed' };

export interface BankHttp {
  send(bank: string, request: HttpRequest): Promise<HttpResponse>;
}

/** An attempt that failed in a way a later one may not. */
class TransientFailure extends Error {
  readonly status: number | null;
  /** For 429: how long the bank asked to wait, when it said. */
  readonly retryAfterMs: number | null;
  readonly rateLimited: boolean;
  /** A 2xx whose body is no JSON: likely cut on the way, so tried again; if it stays so, the answer is `malformed`. */
  readonly malformed: boolean;

  constructor(message: string, options: { status?: number; rateLimited?: boolean; malformed?: boolean; retryAfterMs?: number | null; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'TransientFailure';
    this.status = options.status ?? null;
    this.rateLimited = options.rateLimited ?? false;
    this.malformed = options.malformed ?? false;
    this.retryAfterMs = options.retryAfterMs ?? null;
  }

  toBankError(resource: DataResource | null, retryAfterMs: number | null): BankError {
    if (this.rateLimited) return new BankError('rate_limited', this.message, { resource, status: this.status, retry_after_ms: retryAfterMs, cause: this });
    return new BankError(this.malformed ? 'malformed' : 'unavailable', this.message, { resource, status: this.status, cause: this });
  }
}

/**
 * RFC 9110 `Retry-After` in milliseconds from `nowMs`: delay-seconds or an HTTP-date (a past date
 * is 0). Null when absent or unreadable.
 */
export function parseRetryAfter(value: string | null, nowMs: number): number | null {
  if (value === null) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP-date names its weekday and zone; plain numbers and ISO dates are not HTTP-dates.
  if (!/^[A-Za-z]{3},/.test(text)) return null;
  const at = Date.parse(text);
  return Number.isFinite(at) ? Math.max(0, at - nowMs) : null;
}

/** Where a call went, for events: no query string, which may carry dates or ids. */
const pathOf = (url: string) => {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
};

export function createBankHttp(settings: HttpSettings, onEvent: (event: HttpEvent) => void): BankHttp {
  const breakers = new Map<string, CircuitBreakerPolicy>();

  const breakerFor = (bank: string): CircuitBreakerPolicy => {
    let breaker = breakers.get(bank);
    if (!breaker) {
      // 429 is the bank managing its load, not failing: it neither opens nor closes the circuit.
      breaker = circuitBreaker(
        handleWhen((err) => err instanceof TransientFailure && !err.rateLimited),
        { halfOpenAfter: settings.circuit_half_open_after_ms, breaker: new ConsecutiveBreaker(settings.circuit_threshold) },
      );
      breaker.onStateChange((state) => {
        const name = state === CircuitState.Open ? 'open' : state === CircuitState.HalfOpen ? 'half_open' : state === CircuitState.Closed ? 'closed' : null;
        if (name) onEvent({ type: 'circuit', bank, state: name });
      });
      breakers.set(bank, breaker);
    }
    return breaker;
  };

  async function attempt(request: HttpRequest): Promise<HttpResponse> {
    const timeout = AbortSignal.timeout(settings.timeout_ms);
    const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
    let status: number;
    let text: string;
    let retryAfter: string | null;
    let contentType: string;
    try {
      const res = await (request.fetch ?? fetch)(request.url, {
        method: request.method,
        headers: { accept: 'application/json', 'x-fapi-interaction-id': randomUUID(), ...request.headers },
        ...(request.body === undefined ? {} : { body: request.body }),
        signal,
      });
      status = res.status;
      retryAfter = res.headers.get('retry-after');
      contentType = res.headers.get('content-type') ?? '';
      text = await res.text();
    } catch (err) {
      request.signal?.throwIfAborted();
      if (timeout.aborted) throw new TransientFailure(`no answer within ${settings.timeout_ms} ms`, { cause: err });
      const cause = (err as Error).cause;
      throw new TransientFailure(`could not reach the bank: ${cause instanceof Error ? cause.message : (err as Error).message}`, { cause: err });
    }
    if (status === 429) {
      throw new TransientFailure('the bank is rate limiting (429)', { status, rateLimited: true, retryAfterMs: parseRetryAfter(retryAfter, Date.now()) });
    }
    if (status >= 500) throw new TransientFailure(`the bank failed (${status})`, { status });
    if (text === '') return { status, body: undefined };
    if (/^application\/jwt\b/i.test(contentType)) return { status, body: undefined, jwt: text.trim() };
    try {
      return { status, body: JSON.parse(text) };
    } catch (err) {
      if (status >= 200 && status < 300) throw new TransientFailure(`the bank answered ${status} with a body that is not JSON`, { status, malformed: true, cause: err });
      return { status, body: undefined };
    }
  }

  return {
    async send(bank, request) {
      const breaker = breakerFor(bank);
      const resource = request.resource ?? null;
      for (let n = 1; ; n++) {
        try {
          return await breaker.execute(() => attempt(request));
        } catch (err) {
          request.signal?.throwIfAborted();
          if (err instanceof BrokenCircuitError) {
            throw new BankError('unavailable', `calls to ${bank} are paused after repeated failures (circuit open)`, { resource, cause: err });
          }
          if (!(err instanceof TransientFailure)) throw err;
          // A POST or PATCH that got no answer may have taken effect (a consent created twice): one attempt only.
          if (request.method === 'POST' || request.method === 'PATCH') throw err.toBankError(resource, err.retryAfterMs);
          if (err.retryAfterMs !== null && err.retryAfterMs > settings.max_retry_after_ms) throw err.toBankError(resource, err.retryAfterMs);
          const delay = err.retryAfterMs ?? backoffDelay(n, { baseMs: settings.base_backoff_ms, capMs: settings.max_backoff_ms, jitter: 'full' });
          if (n >= settings.max_attempts) throw err.toBankError(resource, delay);
          onEvent({ type: 'retry', bank, method: request.method, path: pathOf(request.url), attempt: n, delay_ms: delay, reason: err.message });
          try {
            await sleep(delay, undefined, request.signal ? { signal: request.signal } : {});
          } catch {
            request.signal!.throwIfAborted();
          }
        }
      }
    },
  };
}
