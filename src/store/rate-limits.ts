import type { Kysely } from 'kysely';
import type { WindowHits } from '../rate-limit/fixed-window.ts';
import type { DB } from './schema.ts';

/**
 * Adds this process's hits of `window` to the shared counts and returns every key's count in that
 * window, other processes' hits included.
 */
export async function exchangeHits(db: Kysely<DB>, window: number, hits: readonly WindowHits[]): Promise<WindowHits[]> {
  if (hits.length > 0) {
    // Sorted, so processes upserting the same keys lock their rows in one order and never deadlock.
    const rows = [...hits].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map((h) => ({ key: h.key, window_start: h.window, hits: h.hits }));
    await db
      .insertInto('rate_limit_windows')
      .values(rows)
      .onConflict((oc) => oc.columns(['key', 'window_start']).doUpdateSet((eb) => ({ hits: eb('rate_limit_windows.hits', '+', eb.ref('excluded.hits')) })))
      .execute();
  }
  const counts = await db.selectFrom('rate_limit_windows').select(['key', 'hits']).where('window_start', '=', window).execute();
  return counts.map((c) => ({ key: c.key, window, hits: c.hits }));
}

/** Windows that ended before `before` (ms since the epoch) count for nothing any more. */
export async function deleteWindowsBefore(db: Kysely<DB>, before: number): Promise<void> {
  await db.deleteFrom('rate_limit_windows').where('window_start', '<', before).execute();
}
