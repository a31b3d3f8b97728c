import type { FastifyBaseLogger } from 'fastify';
import type { Store } from '../store/database.ts';
import { deleteEventsBefore } from '../store/webhooks.ts';

const BATCH = 1000;
const EVERY_MS = 3_600_000;

/**
 * Deletes the events recorded more than `retentionDays` ago and their delivery attempts, as
 * Stripe keeps events 30 days; returns how many events went. Their deliveries are long finished:
 * the configuration keeps the retry schedule shorter than the retention.
 */
export async function pruneWebhookHistory(store: Store, retentionDays: number, now: Date): Promise<number> {
  const before = new Date(now.getTime() - retentionDays * 86_400_000).toISOString();
  let total = 0;
  for (let n = BATCH; n === BATCH; total += n) n = await deleteEventsBefore(store.db, before, BATCH);
  return total;
}

/** Prunes at once and then hourly, in a process running workers; any number of them may. */
export function startWebhookPruning(options: { store: Store; retentionDays: number; now: () => Date; log: FastifyBaseLogger }): { stop(): Promise<void> } {
  let running: Promise<void> | null = null;
  const tick = () => {
    running ??= pruneWebhookHistory(options.store, options.retentionDays, options.now())
      .then((deleted) => {
        if (deleted > 0) options.log.info({ deleted, retention_days: options.retentionDays }, 'pruned webhook events');
      })
      .catch((err) => options.log.error({ err }, 'pruning webhook events failed'))
      .finally(() => (running = null));
  };
  tick();
  const timer = setInterval(tick, EVERY_MS);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
