import type { AppContext } from '../context.ts';
import { reconcileStuckCallbacks } from '../link/reconcile-callbacks.ts';
import { pruneAuditEvents } from '../store/audit-events.ts';
import { pruneDataResults } from '../store/data-results.ts';
import { pruneTombstones } from '../store/transaction-sync.ts';
import { pruneWebhookHistory } from '../webhooks/retention.ts';
import { runPeriodically } from './periodic.ts';

/** Removed transactions are remembered this long, so sync cursors stay valid at least a year. */
export const TOMBSTONE_RETENTION_DAYS = 366;

/**
 * What worker processes do on timers besides running jobs. Each task runs at start and then every
 * so often; every task is safe with any number of processes.
 */
export function startHousekeeping(ctx: AppContext): { stop(): Promise<void> } {
  const tasks = [
    {
      what: 'pruning webhook events',
      everyMs: 3_600_000,
      async run() {
        const deleted = await pruneWebhookHistory(ctx.store, ctx.config.webhooks.retentionDays, ctx.now());
        if (deleted > 0) ctx.log.info({ deleted, retention_days: ctx.config.webhooks.retentionDays }, 'pruned webhook events');
      },
    },
    {
      what: 'pruning removed transactions',
      everyMs: 3_600_000,
      async run() {
        const before = new Date(ctx.now().getTime() - TOMBSTONE_RETENTION_DAYS * 86_400_000).toISOString();
        const deleted = await pruneTombstones(ctx.store.db, before);
        if (deleted > 0) ctx.log.info({ deleted, retention_days: TOMBSTONE_RETENTION_DAYS }, 'pruned removed transactions');
      },
    },
    {
      what: 'pruning expired data results',
      everyMs: 3_600_000,
      async run() {
        // Kept a week past expiry, so a late fetch hears 410 RESULTS_EXPIRED rather than 404.
        const deleted = await pruneDataResults(ctx.store.db, new Date(ctx.now().getTime() - 7 * 86_400_000).toISOString());
        if (deleted > 0) ctx.log.info({ deleted }, 'pruned expired data results');
      },
    },
    {
      what: 'pruning audit records',
      everyMs: 3_600_000,
      async run() {
        const days = ctx.config.audit.retentionDays;
        const deleted = await pruneAuditEvents(ctx.store.db, new Date(ctx.now().getTime() - days * 86_400_000).toISOString());
        if (deleted > 0) ctx.log.info({ deleted, retention_days: days }, 'pruned audit records');
      },
    },
    {
      what: 'settling Link callbacks cut short',
      everyMs: 60_000,
      async run() {
        await reconcileStuckCallbacks(ctx);
      },
    },
  ].map((task) => runPeriodically(task.run, { everyMs: task.everyMs, atStart: true, onError: (err) => ctx.log.error({ err }, `${task.what} failed`) }));
  return {
    async stop() {
      await Promise.all(tasks.map((task) => task.stop()));
    },
  };
}
