import type { KeyRing } from '../auth/secret-box.ts';
import type { FastifyBaseLogger } from 'fastify';
import type { BankConnector } from '../banks/connector.ts';
import type { BankRegistry } from '../banks/registry.ts';
import type { RefreshConfig } from '../config.ts';
import type { Store } from '../store/database.ts';
import type { Kysely } from 'kysely';
import type { DB, EntityRow, RefreshRow, RefreshTrigger } from '../store/schema.ts';
import { REFRESH_JOB, requestRefresh, requestRefreshIn } from './request-refresh.ts';
import { runRefresh } from './run-refresh.ts';
import { startScheduler } from './scheduler.ts';
import type { Periodic } from '../jobs/periodic.ts';
import type { JobHandler, JobQueue } from '../jobs/queue.ts';

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
  /** Starts this process's workers and scheduler (none when `workers` is 0). */
  start(): Promise<void>;
  /**
   * Runs the scheduler's check now (after the one in progress, if any) and resolves when it has
   * requested every refresh due; nothing when this process runs no scheduler. For tests, which
   * move the clock instead of waiting for a tick.
   */
  runScheduledNow(): Promise<void>;
  stop(): Promise<void>;
}

export function createRefreshEngine(deps: {
  store: Store;
  jobs: JobQueue;
  connector: BankConnector;
  banks: BankRegistry;
  key: KeyRing;
  config: RefreshConfig;
  now: () => Date;
  log: FastifyBaseLogger;
  /** Handlers of the other job kinds the same workers run (webhook deliveries). */
  handlers?: Record<string, JobHandler>;
}): RefreshEngine {
  const { config } = deps;
  let scheduler: Periodic | null = null;
  let started = false;

  const engine: RefreshEngine = {
    async queueInitial(trx, entity) {
      return engine.queueRefresh(trx, entity, 'INITIAL');
    },
    async queueRefresh(trx, entity, trigger) {
      return (await requestRefreshIn(trx, { jobs: deps.jobs, entity, trigger, now: deps.now(), maxAttempts: config.maxAttempts })).refresh;
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
        maxAttempts: config.maxAttempts,
        ...(trigger === 'MANUAL' ? { manualDailyLimit: config.manualDailyLimit } : {}),
        ...(options.idempotencyKey ? { idempotencyKey: options.idempotencyKey } : {}),
      });
      if (result.created) deps.jobs.wake();
      return result;
    },
    async start() {
      if (config.workers === 0 || started) return;
      started = true;
      const refreshDeps = { ...deps, overlapDays: config.overlapDays, retryBaseMs: config.retryBaseMs };
      await deps.jobs.work({
        concurrency: config.workers,
        log: deps.log,
        handlers: {
          ...deps.handlers,
          [REFRESH_JOB]: (payload, attempt) => runRefresh(refreshDeps, (payload as { refresh_id: string }).refresh_id, attempt),
        },
      });
      if (config.scheduleHours > 0) {
        scheduler = startScheduler({
          store: deps.store,
          intervalHours: config.scheduleHours,
          tickMs: Math.min(60_000, Math.max(1_000, config.pollMs * 10)),
          now: deps.now,
          log: deps.log,
          request: (entity) => engine.request(entity, 'SCHEDULED'),
        });
      }
    },
    async runScheduledNow() {
      await scheduler?.runNow();
    },
    async stop() {
      await scheduler?.stop();
      scheduler = null;
      await deps.jobs.stopWorking();
      started = false;
    },
  };
  return engine;
}
