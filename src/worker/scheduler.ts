import type { FastifyBaseLogger } from 'fastify';
import { runPeriodically, type Periodic } from '../jobs/periodic.ts';
import type { Store } from '../store/database.ts';
import { getEntity } from '../store/entities.ts';
import { entitiesDueForRefresh } from '../store/refreshes.ts';
import type { EntityRow } from '../store/schema.ts';

const BATCH = 100;

/**
 * Refreshes active entities whose last refresh is older than `intervalHours`, checking every
 * `tickMs`. Idempotent across processes: an entity with a refresh waiting or running is skipped,
 * and requesting one coalesces with any that raced in.
 */
export function startScheduler(options: {
  store: Store;
  intervalHours: number;
  tickMs: number;
  now: () => Date;
  log: FastifyBaseLogger;
  request: (entity: EntityRow) => Promise<unknown>;
}): Periodic {
  return runPeriodically(
    async () => {
      const now = options.now();
      const cutoff = new Date(now.getTime() - options.intervalHours * 3_600_000).toISOString();
      for (const id of await entitiesDueForRefresh(options.store.db, cutoff, now.toISOString(), BATCH)) {
        const entity = await getEntity(options.store.db, id);
        if (entity) await options.request(entity);
      }
    },
    { everyMs: options.tickMs, onError: (err) => options.log.error({ err }, 'scheduled refreshes failed') },
  );
}
