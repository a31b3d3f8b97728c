import type { EntityRow } from './schema.ts';

/**
 * Entity rows for the read path, which looks one up on every data request. Correct under
 * concurrent writes without locks: every committed change to an entity bumps its generation
 * (`changed`), and an entry read under an older generation is ignored. A reader that fetched the
 * old row just before a commit therefore cannot leave it cached afterwards.
 */
export class EntityCache {
  readonly #rows = new Map<string, { row: EntityRow; generation: number }>();
  readonly #generations = new Map<string, number>();
  readonly #capacity: number;

  constructor(capacity = 100_000) {
    this.#capacity = capacity;
  }

  generation(entityId: string): number {
    return this.#generations.get(entityId) ?? 0;
  }

  get(entityId: string): EntityRow | undefined {
    const entry = this.#rows.get(entityId);
    return entry && entry.generation === this.generation(entityId) ? entry.row : undefined;
  }

  /** Caches a row read while the entity was at `generation` (taken before the read began). */
  set(entityId: string, row: EntityRow, generation: number): void {
    if (generation !== this.generation(entityId)) return;
    if (this.#rows.size >= this.#capacity) this.#rows.delete(this.#rows.keys().next().value!);
    this.#rows.set(entityId, { row, generation });
  }

  /** Call after a transaction that changed the entity committed. */
  changed(entityId: string): void {
    this.#generations.set(entityId, this.generation(entityId) + 1);
    this.#rows.delete(entityId);
  }
}
