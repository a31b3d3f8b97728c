import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyReply } from 'fastify';
import type { SandboxContext } from './context.ts';
import { latencyMs, TRANSIENT_FAILURES, type ActiveFaults } from './faults.ts';

/** How a standard spells the errors transient faults answer with. */
export interface TransientErrors {
  /** 429, with `retry-after: 1`. */
  rateLimited(): Error;
  /** 503. */
  unavailable(message: string): Error;
}

/**
 * The transient faults of a sandbox bank's resource API, shared by its OBIE and UAE routes, in
 * this order, each counting only the requests that reach it: `latency`, `timeouts` (hang until
 * the client gives up), `rate_limited`, `server_errors`; the returned boolean says whether to send
 * a broken body (`malformed_json`). Counted per fault from its switch-on and per `key` (one
 * consent, one path), so switching a fault off and on makes it bite again.
 */
export function transientFaults(ctx: SandboxContext, errors: TransientErrors) {
  const pause = async (ms: number, signal: AbortSignal) => {
    try {
      await sleep(ms, undefined, { signal });
    } catch {
      throw errors.unavailable('The request was abandoned');
    }
  };

  /** Until `hangMs` passes, the client gives up or the server closes, whichever comes first. */
  const hang = async (reply: FastifyReply) => {
    const gone = new AbortController();
    const onClose = () => gone.abort();
    reply.raw.once('close', onClose);
    try {
      await pause(ctx.hangMs, AbortSignal.any([ctx.closing, gone.signal]));
    } finally {
      reply.raw.off('close', onClose);
    }
  };

  return async (reply: FastifyReply, faults: ActiveFaults, key: string): Promise<boolean> => {
    const hits = (fault: keyof typeof TRANSIENT_FAILURES) => faults.has(fault) && ctx.counters.next(fault, `${faults.get(fault)} ${key}`) <= TRANSIENT_FAILURES[fault];
    if (faults.has('latency')) await pause(latencyMs(key, ctx.counters.next('latency', key)), ctx.closing);
    if (hits('timeouts')) await hang(reply);
    if (hits('rate_limited')) throw errors.rateLimited();
    if (hits('server_errors')) throw errors.unavailable('The bank is temporarily unavailable');
    return hits('malformed_json');
  };
}

/** Writes a JSON body out; under `malformed_json` only its first half goes, as a broken proxy would send it. */
export function sendJson(reply: FastifyReply, body: unknown, malformed = false) {
  const text = JSON.stringify(body);
  return reply.type('application/json; charset=utf-8').send(malformed ? text.slice(0, Math.floor(text.length / 2)) : text);
}
