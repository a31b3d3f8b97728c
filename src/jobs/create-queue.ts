import type { Store } from '../store/database.ts';
import { createEmbeddedQueue } from './embedded-queue.ts';
import { createPgBossQueue } from './pg-boss-queue.ts';
import type { JobQueue } from './queue.ts';

/**
 * The job backend that goes with the store: the embedded queue on SQLite, pg-boss on PostgreSQL.
 * `concurrency` is how many jobs this process will run at once (0 in an API process); the timings
 * are in ms (`JOB_LEASE_MS`, `JOB_POLL_MS`, `REFRESH_RETRY_BASE_MS`).
 */
export function createJobQueue(
  store: Store,
  options: { databaseUrl: string; kinds: readonly string[]; concurrency: number; leaseMs: number; pollMs: number; retryBaseMs: number; now: () => Date },
): JobQueue {
  const { concurrency, leaseMs, pollMs, retryBaseMs, now } = options;
  return store.dialect === 'postgres'
    ? createPgBossQueue({ databaseUrl: options.databaseUrl, kinds: options.kinds, concurrency, leaseMs, pollMs, retryBaseMs, now })
    : createEmbeddedQueue(store, { leaseMs, pollMs, retryBaseMs, now });
}
