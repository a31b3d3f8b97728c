import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { DB } from '../store/schema.ts';

/** A job to run once the transaction queueing it commits. */
export interface NewJob {
  /** Which handler runs it (`refresh`, `webhook`). */
  kind: string;
  payload: unknown;
  runAt: Date;
  /** Runs (crashes included) after which the handler is told this is the last one. */
  maxAttempts: number;
}

export interface Attempt {
  /** 1 for the first run of the job, counting runs cut short by a crash. */
  number: number;
  max: number;
  /** Aborted when this worker lost the job or is shutting down. */
  signal: AbortSignal;
}

/**
 * What a handler decided: done, or run again at `retryAt` (its own schedule, not the queue's).
 * `uncounted`: this run is not one of the job's attempts (it was told to wait, it did not fail),
 * so the next run gets the same attempt number.
 */
export type JobOutcome = { done: true } | { retryAt: Date; reason: string; uncounted?: boolean };

/** Throwing is a bug, retried with backoff and dropped, logged, after the job's attempts. */
export type JobHandler = (payload: unknown, attempt: Attempt) => Promise<JobOutcome>;

export interface WorkOptions {
  handlers: Record<string, JobHandler>;
  /** Jobs this process runs at once. */
  concurrency: number;
  log: FastifyBaseLogger;
}

/**
 * Durable, at-least-once jobs, queued inside the transaction of the change that needs them. The
 * store picks the backend with the dialect: the embedded queue on SQLite, pg-boss on PostgreSQL
 * (docs/decisions/008-jobs-on-pg-boss.md). Handlers must be idempotent.
 */
export interface JobQueue {
  /** Queues the job in the caller's transaction: it exists if and only if that commits. */
  enqueue(trx: Kysely<DB>, job: NewJob): Promise<void>;
  /** Creates or upgrades the queue's own storage, when it has any beside the migrations. */
  install(): Promise<void>;
  /** Starts running jobs in this process. */
  work(options: WorkOptions): Promise<void>;
  /** Jobs were queued by this process: look now rather than at the next poll. */
  wake(): void;
  /** Stops taking jobs and interrupts running ones (they run again elsewhere or later). */
  stopWorking(): Promise<void>;
  close(): Promise<void>;
}
