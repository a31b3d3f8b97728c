import type { Kysely } from 'kysely';
import type { Store } from '../store/database.ts';
import type { RefreshTrigger } from '../domain/refresh.ts';
import type { DB, EntityRow, RefreshRow } from '../store/schema.ts';
import { requestRefresh, requestRefreshIn } from './request-refresh.ts';
import type { JobQueue } from '../jobs/queue.ts';

/**
 * Where refreshes are asked for: each becomes a row and a job in one transaction. The worker
 * (src/worker/) runs the jobs.
 */
export interface RefreshEngine {
  /**
   * Queues the INITIAL refresh of an entity being created, inside the transaction creating it;
   * call `wake` after it commits.
   */
  queueInitial(trx: Kysely<DB>, entity: EntityRow): Promise<RefreshRow>;
  /** Queues (or joins) a refresh inside the caller's transaction, without the manual limit; call `wake` after it commits. */
  queueRefresh(trx: Kysely<DB>, entity: EntityRow, trigger: RefreshTrigger): Promise<RefreshRow>;
  /** Tells this process's workers that jobs are waiting. */
  wake(): void;
  /** Starts (or joins) a refresh of the entity; wakes this process's workers when one was queued. */
  request(entity: EntityRow, trigger: RefreshTrigger, options?: { idempotencyKey?: string }): Promise<{ refresh: RefreshRow; created: boolean }>;
}

/** What binds a requested refresh: `REFRESH_MAX_ATTEMPTS` and `REFRESH_MANUAL_DAILY_LIMIT` (src/config.ts). */
export interface RefreshLimits {
  maxAttempts: number;
  manualDailyLimit: number;
}

export function createRefreshEngine(deps: { store: Store; jobs: JobQueue; limits: RefreshLimits; now: () => Date }): RefreshEngine {
  const { limits } = deps;
  const engine: RefreshEngine = {
    async queueInitial(trx, entity) {
      return engine.queueRefresh(trx, entity, 'INITIAL');
    },
    async queueRefresh(trx, entity, trigger) {
      return (await requestRefreshIn(trx, { jobs: deps.jobs, entity, trigger, now: deps.now(), maxAttempts: limits.maxAttempts })).refresh;
    },
    wake() {
      deps.jobs.wake();
    },
    async request(entity, trigger, options = {}) {
      const result = await requestRefresh(deps.store, {
        jobs: deps.jobs,
        entity,
        trigger,
        now: deps.now(),
        maxAttempts: limits.maxAttempts,
        ...(trigger === 'MANUAL' ? { manualDailyLimit: limits.manualDailyLimit } : {}),
        ...(options.idempotencyKey ? { idempotencyKey: options.idempotencyKey } : {}),
      });
      if (result.created) deps.jobs.wake();
      return result;
    },
  };
  return engine;
}
