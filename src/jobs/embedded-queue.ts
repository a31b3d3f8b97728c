import type { Store } from '../store/database.ts';
import { enqueueJob } from './embedded-jobs.ts';
import { startWorkers, type WorkerPool } from './embedded-worker.ts';
import type { JobQueue } from './queue.ts';

export interface EmbeddedQueueOptions {
  leaseMs: number;
  pollMs: number;
  retryBaseMs: number;
  now: () => Date;
}

/** Jobs as rows of the store's own `jobs` table: the single-machine default, no other service needed. */
export function createEmbeddedQueue(store: Store, options: EmbeddedQueueOptions): JobQueue {
  let pool: WorkerPool | null = null;
  return {
    async enqueue(trx, job) {
      await enqueueJob(trx, job);
    },
    async install() {},
    async work({ handlers, concurrency, log }) {
      if (pool || concurrency === 0) return;
      pool = startWorkers({ store, handlers, concurrency, log, ...options });
    },
    wake() {
      pool?.wake();
    },
    async stopWorking() {
      await pool?.stop();
      pool = null;
    },
    async close() {
      await this.stopWorking();
    },
  };
}
