import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { FastifyBaseLogger } from 'fastify';
import type { Store } from '../store/database.ts';
import type { JobRow } from '../store/schema.ts';
import { retryDelay } from './backoff.ts';
import { claimJob, extendLease, finishJob, retryJob } from './embedded-jobs.ts';
import type { JobHandler } from './queue.ts';

export interface WorkerOptions {
  store: Store;
  handlers: Record<string, JobHandler>;
  concurrency: number;
  leaseMs: number;
  pollMs: number;
  retryBaseMs: number;
  now: () => Date;
  log: FastifyBaseLogger;
}

export interface WorkerPool {
  /** Look for jobs now rather than at the next poll (this process just queued one). */
  wake(): void;
  /** Stops taking jobs, interrupts running ones (they are released to run again) and waits for the slots. */
  stop(): Promise<void>;
}

/**
 * `concurrency` slots, each leasing one job at a time from the embedded queue. A slot extends its
 * lease every third of the lease while the handler runs; if that fails, another worker has taken
 * the job over and the handler is told to stop. Handler bugs (throws) are retried with backoff and
 * dropped, logged, after the job's attempts.
 */
export function startWorkers(options: WorkerOptions): WorkerPool {
  const { store, log } = options;
  const workerId = `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const stopping = new AbortController();
  let wakers: Array<() => void> = [];

  const idle = () =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, options.pollMs);
      function done() {
        clearTimeout(timer);
        wakers = wakers.filter((w) => w !== done);
        resolve();
      }
      wakers.push(done);
    });

  async function runJob(job: JobRow): Promise<void> {
    const interrupt = new AbortController();
    const onStop = () => interrupt.abort(new Error('worker stopping'));
    stopping.signal.addEventListener('abort', onStop);
    const heartbeat = setInterval(() => {
      extendLease(store.db, job.id, workerId, new Date(options.now().getTime() + options.leaseMs)).then(
        (held) => held || interrupt.abort(new Error('lease lost')),
        (err: unknown) => log.warn({ err, job_id: job.id }, 'lease heartbeat failed'),
      );
    }, Math.max(50, Math.floor(options.leaseMs / 3)));
    try {
      const handler = options.handlers[job.kind];
      if (!handler) throw new Error(`no handler for job kind ${job.kind}`);
      const outcome = await handler(job.payload, { number: job.attempts, max: job.max_attempts, signal: interrupt.signal });
      if ('retryAt' in outcome) await retryJob(store.db, job.id, workerId, outcome.retryAt, outcome.reason, outcome.uncounted ?? false);
      else await finishJob(store.db, job.id, workerId);
    } catch (err) {
      if (job.attempts >= job.max_attempts) {
        log.error({ err, job_id: job.id, kind: job.kind }, 'job failed on its last attempt; dropped');
        await finishJob(store.db, job.id, workerId);
      } else {
        log.warn({ err, job_id: job.id, kind: job.kind, attempt: job.attempts }, 'job failed; will retry');
        await retryJob(store.db, job.id, workerId, new Date(options.now().getTime() + retryDelay(job.attempts, options.retryBaseMs)), String(err));
      }
    } finally {
      clearInterval(heartbeat);
      stopping.signal.removeEventListener('abort', onStop);
    }
  }

  async function slot(): Promise<void> {
    while (!stopping.signal.aborted) {
      try {
        const job = await claimJob(store.db, workerId, options.now(), options.leaseMs);
        if (job) await runJob(job);
        else await idle();
      } catch (err) {
        log.error({ err }, 'worker slot error');
        await idle();
      }
    }
  }

  const slots = Array.from({ length: options.concurrency }, slot);
  return {
    wake() {
      for (const w of wakers) w();
    },
    async stop() {
      stopping.abort();
      for (const w of wakers) w();
      await Promise.all(slots);
    },
  };
}
