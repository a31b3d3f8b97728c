import type { Kysely } from 'kysely';
import type { JobQueue } from '../jobs/queue.ts';
import { readyResultsOf } from '../store/data-results.ts';
import type { DB, EntityRow } from '../store/schema.ts';
import { recordEvent, resultsReadyEvent } from '../webhooks/events.ts';

/** How long results stay fetchable once ready (Lean documents no lifetime; docs/decisions/015). */
export const RESULTS_TTL_MS = 86_400_000;

/**
 * The reads waiting for refresh `refreshId` become READY, each announced with `results.ready` in
 * the caller's transaction (the one that ends the refresh, or a results fetch that finds the
 * refresh ended), so the webhook exists if and only if the results can be fetched. A refresh that
 * failed readies them too: their fetch then tells why there is nothing.
 */
export async function settleResults(trx: Kysely<DB>, jobs: JobQueue, refreshId: string, entity: EntityRow, now: Date): Promise<void> {
  const ready = await readyResultsOf(trx, refreshId, now.toISOString(), new Date(now.getTime() + RESULTS_TTL_MS).toISOString());
  for (const row of ready) await recordEvent(trx, jobs, resultsReadyEvent(entity, row.id), now);
}
