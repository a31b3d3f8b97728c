import type { Logger } from 'pino';
import { runPeriodically } from '../jobs/periodic.ts';
import { reconcileStuckCallbacks, type ReconcileDeps } from '../link/reconcile-callbacks.ts';
import { pruneAuditEvents } from '../store/audit-events.ts';
import { pruneDataResults } from '../store/data-results.ts';
import type { Store } from '../store/database.ts';
import { backfillTransactionJson } from '../store/transaction-json-backfill.ts';
import { pruneTombstones } from '../store/transaction-sync.ts';
import { pruneWebhookHistory } from '../webhooks/retention.ts';

/** Removed transactions are remembered this long, so sync cursors stay valid at least a year. */
export const TOMBSTONE_RETENTION_DAYS = 366;

export interface HousekeepingDeps extends ReconcileDeps {
  store: Store;
  log: Logger;
  now: () => Date;
  /** How many days webhook events and audit records are kept (`WEBHOOK_RETENTION_DAYS`, `AUDIT_RETENTION_DAYS`). */
  retentionDays: { webhooks: number; audit: number };
}

/**
 * What worker processes do on timers besides running jobs. Each task runs at start and then every
 * so often; every task is safe with any number of processes.
 */
export function startHousekeeping(deps: HousekeepingDeps): { stop(): Promise<void> } {
  // Set before waiting for the tasks: a long task checks it between its steps.
  let stopping = false;
  const tasks = [
    {
      what: 'pruning webhook events',
      everyMs: 3_600_000,
      async run() {
        const deleted = await pruneWebhookHistory(deps.store, deps.retentionDays.webhooks, deps.now());
        if (deleted > 0) deps.log.info({ deleted, retention_days: deps.retentionDays.webhooks }, 'pruned webhook events');
      },
    },
    {
      what: 'pruning removed transactions',
      everyMs: 3_600_000,
      async run() {
        const before = new Date(deps.now().getTime() - TOMBSTONE_RETENTION_DAYS * 86_400_000).toISOString();
        const deleted = await pruneTombstones(deps.store.db, before);
        if (deleted > 0) deps.log.info({ deleted, retention_days: TOMBSTONE_RETENTION_DAYS }, 'pruned removed transactions');
      },
    },
    {
      what: 'pruning expired data results',
      everyMs: 3_600_000,
      async run() {
        // Kept a week past expiry, so a late fetch hears 410 RESULTS_EXPIRED rather than 404.
        const deleted = await pruneDataResults(deps.store.db, new Date(deps.now().getTime() - 7 * 86_400_000).toISOString());
        if (deleted > 0) deps.log.info({ deleted }, 'pruned expired data results');
      },
    },
    {
      what: 'pruning audit records',
      everyMs: 3_600_000,
      async run() {
        const days = deps.retentionDays.audit;
        const deleted = await pruneAuditEvents(deps.store.db, new Date(deps.now().getTime() - days * 86_400_000).toISOString());
        if (deleted > 0) deps.log.info({ deleted, retention_days: days }, 'pruned audit records');
      },
    },
    {
      // Once per start: a new openlean's rendering, or rows an older one wrote (decision 022).
      what: 'rendering stored transactions\' JSON',
      everyMs: 86_400_000,
      async run() {
        const done = await backfillTransactionJson(deps.store, () => stopping);
        if (done.rendered > 0 || done.counted > 0 || done.unrenderable > 0 || done.chunked > 0) deps.log.info({ ...done }, 'rendered stored transactions\' JSON and chunks');
      },
    },
    {
      what: 'settling Link callbacks cut short',
      everyMs: 60_000,
      async run() {
        await reconcileStuckCallbacks(deps);
      },
    },
  ].map((task) => runPeriodically(task.run, { everyMs: task.everyMs, atStart: true, onError: (err) => deps.log.error({ err }, `${task.what} failed`) }));
  return {
    async stop() {
      stopping = true;
      await Promise.all(tasks.map((task) => task.stop()));
    },
  };
}
