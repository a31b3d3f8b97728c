import type { Logger } from 'pino';
import type { KeyRing } from '../auth/secret-box.ts';
import type { BankConnector } from '../banks/connector.ts';
import type { BankRegistry } from '../banks/registry.ts';
import type { Mode } from '../domain/mode.ts';
import type { JobQueue } from '../jobs/queue.ts';
import type { Periodic } from '../jobs/periodic.ts';
import type { RefreshEngine } from '../refresh/engine.ts';
import { REFRESH_JOB } from '../refresh/request-refresh.ts';
import { runRefresh } from '../refresh/run-refresh.ts';
import type { Store } from '../store/database.ts';
import { createDeliveryHandler, type DeliverySettings } from '../webhooks/deliver.ts';
import { WEBHOOK_JOB } from '../webhooks/events.ts';
import { startHousekeeping } from './housekeeping.ts';
import { startScheduler } from './scheduler.ts';

/** The configuration's settings a worker reads (src/config.ts: `WORKER_CONCURRENCY`, `JOB_POLL_MS`, `REFRESH_*`, `WEBHOOK_*`, `AUDIT_RETENTION_DAYS`). */
export interface WorkerSettings {
  refresh: { workers: number; pollMs: number; retryBaseMs: number; scheduleHours: number; overlapDays: number };
  webhooks: DeliverySettings & { retentionDays: number };
  audit: { retentionDays: number };
}

export interface WorkerDeps {
  store: Store;
  jobs: JobQueue;
  connector: BankConnector;
  banks: BankRegistry;
  /** Opens the sealed bank credentials and webhook secrets. */
  encryptionKey: KeyRing;
  /** The scheduler asks for refreshes through it, as the API does. */
  refreshes: Pick<RefreshEngine, 'request'>;
  mode: Mode;
  now: () => Date;
  log: Logger;
  settings: WorkerSettings;
}

/** Every kind of job a worker runs; on PostgreSQL each is a pg-boss queue, created when the queue is installed. */
export const JOB_KINDS = [REFRESH_JOB, WEBHOOK_JOB] as const;

export interface Worker {
  /**
   * Runs the scheduler's check now (after the one in progress, if any) and resolves when it has
   * requested every refresh due; nothing when `scheduleHours` is 0. For tests, which move the
   * clock instead of waiting for a tick.
   */
  runScheduledNow(): Promise<void>;
  /** Stops the timers, then the jobs (running ones are interrupted and run again later or elsewhere). */
  stop(): Promise<void>;
}

/**
 * Everything a worker process does: runs the queue's jobs (refreshes and webhook deliveries,
 * `settings.refresh.workers` at a time), schedules the periodic refreshes of active entities
 * (unless `scheduleHours` is 0), and keeps house on timers (src/worker/housekeeping.ts).
 */
export async function startWorker(deps: WorkerDeps): Promise<Worker> {
  const { store, jobs, now, log, settings } = deps;
  const refreshDeps = {
    store,
    jobs,
    connector: deps.connector,
    banks: deps.banks,
    key: deps.encryptionKey,
    overlapDays: settings.refresh.overlapDays,
    retryBaseMs: settings.refresh.retryBaseMs,
    now,
    log,
  };
  await jobs.work({
    concurrency: settings.refresh.workers,
    log,
    handlers: {
      [WEBHOOK_JOB]: createDeliveryHandler({ store, key: deps.encryptionKey, config: settings.webhooks, mode: deps.mode, now, log }),
      [REFRESH_JOB]: (payload, attempt) => runRefresh(refreshDeps, (payload as { refresh_id: string }).refresh_id, attempt),
    },
  });
  let scheduler: Periodic | null = null;
  if (settings.refresh.scheduleHours > 0) {
    scheduler = startScheduler({
      store,
      intervalHours: settings.refresh.scheduleHours,
      tickMs: Math.min(60_000, Math.max(1_000, settings.refresh.pollMs * 10)),
      now,
      log,
      request: (entity) => deps.refreshes.request(entity, 'SCHEDULED'),
    });
  }
  const housekeeping = startHousekeeping({ ...deps, retentionDays: { webhooks: settings.webhooks.retentionDays, audit: settings.audit.retentionDays } });
  return {
    async runScheduledNow() {
      await scheduler?.runNow();
    },
    async stop() {
      await housekeeping.stop();
      await scheduler?.stop();
      await jobs.stopWorking();
    },
  };
}
