import type { AppContext } from '../context.ts';
import { reconcileStuckCallbacks } from '../link/reconcile-callbacks.ts';
import { pruneWebhookHistory } from '../webhooks/retention.ts';

interface Task {
  what: string;
  everyMs: number;
  run(): Promise<void>;
}

/**
 * What worker processes do on timers besides running jobs. Each task runs at start and then every
 * `everyMs`, one run at a time per process; every task is safe with any number of processes.
 */
export function startHousekeeping(ctx: AppContext): { stop(): Promise<void> } {
  const tasks: Task[] = [
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
  ];
  const running = new Map<Task, Promise<void>>();
  const tick = (task: Task) => {
    if (running.has(task)) return;
    const run = task
      .run()
      .catch((err) => ctx.log.error({ err }, `${task.what} failed`))
      .finally(() => running.delete(task));
    running.set(task, run);
  };
  const timers = tasks.map((task) => {
    tick(task);
    const timer = setInterval(() => tick(task), task.everyMs);
    timer.unref();
    return timer;
  });
  return {
    async stop() {
      for (const timer of timers) clearInterval(timer);
      await Promise.all(running.values());
    },
  };
}
