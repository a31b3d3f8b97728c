import type { RefreshConfig } from '../config.ts';
import type { Store } from '../store/database.ts';
import { createEmbeddedQueue } from './embedded-queue.ts';
import { createPgBossQueue } from './pg-boss-queue.ts';
import type { JobQueue } from './queue.ts';

/** The job backend that goes with the store: the embedded queue on SQLite, pg-boss on PostgreSQL. */
export function createJobQueue(
  store: Store,
  options: { databaseUrl: string; kinds: readonly string[]; refresh: Pick<RefreshConfig, 'workers' | 'leaseMs' | 'pollMs' | 'retryBaseMs'>; now: () => Date },
): JobQueue {
  const { workers, leaseMs, pollMs, retryBaseMs } = options.refresh;
  return store.dialect === 'postgres'
    ? createPgBossQueue({ databaseUrl: options.databaseUrl, kinds: options.kinds, concurrency: workers, leaseMs, pollMs, retryBaseMs, now: options.now })
    : createEmbeddedQueue(store, { leaseMs, pollMs, retryBaseMs, now: options.now });
}
