import type { EntityRow } from './schema.ts';

/**
 * Entity rows for the read path, which looks one up on every data request. Correct under
 * concurrent writes without locks: every committed change to an entity bumps its generation
 * (`changed`), and an entry read under an older generation is ignored. A reader that fetched the
 * old row just before a commit therefore cannot leave it cached afterwards.
 *
 * With several processes on one database, `changed` is also called for the other processes'
 * commits as they are announced (store/entity-changes.ts). While announcements cannot be heard the
 * cache is `suspend`ed: it holds nothing, and every read goes to the database.
 */
export class EntityCache {
  readonly #rows = new Map<string, { row: EntityRow; generation: number }>();
  readonly #generations = new Map<string, number>();
  readonly #capacity: number;
  /** Bumped by `suspend`/`resume`, so a read begun before either cannot be cached after it. */
  #epoch = 0;
  #suspended = false;

  constructor(capacity = 100_000) {
    this.#capacity = capacity;
  }

  /** Taken before reading the row from the database; hand it to `set` with the row. */
  generation(entityId: string): number {
    // Per-entity generations stay far below 2^32 (one per committed change of that entity).
    return this.#epoch * 2 ** 32 + (this.#generations.get(entityId) ?? 0);
  }

  get(entityId: string): EntityRow | undefined {
    const entry = this.#rows.get(entityId);
    return entry && entry.generation === this.generation(entityId) ? entry.row : undefined;
  }

  /** Caches a row read while the entity was at `generation` (taken before the read began). */
  set(entityId: string, row: EntityRow, generation: number): void {
    if (this.#suspended || generation !== this.generation(entityId)) return;
    if (this.#rows.size >= this.#capacity) this.#rows.delete(this.#rows.keys().next().value!);
    this.#rows.set(entityId, { row, generation });
  }

  /** Call after a transaction that changed the entity committed. */
  changed(entityId: string): void {
    this.#generations.set(entityId, (this.#generations.get(entityId) ?? 0) + 1);
    this.#rows.delete(entityId);
  }

  /** Changes may go unheard from now on: forget everything and cache nothing until `resume`. */
  suspend(): void {
    this.#suspended = true;
    this.#forgetAll();
  }

  /** Changes are heard again; what was missed meanwhile is forgotten with everything else. */
  resume(): void {
    this.#suspended = false;
    this.#forgetAll();
  }

  #forgetAll(): void {
    this.#epoch++;
    this.#rows.clear();
    this.#generations.clear();
  }
}
