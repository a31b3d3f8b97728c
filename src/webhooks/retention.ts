import type { Store } from '../store/database.ts';
import { deleteEventsBefore } from '../store/webhooks.ts';

const BATCH = 1000;

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
