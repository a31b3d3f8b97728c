import type { AppContext } from '../context.ts';
import { reconcileStuckCallbacks } from '../link/reconcile-callbacks.ts';
import { pruneWebhookHistory } from '../webhooks/retention.ts';
import { runPeriodically } from './periodic.ts';

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
