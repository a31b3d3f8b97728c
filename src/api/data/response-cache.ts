import { LRUCache } from 'lru-cache';

export interface CachedResponse {
  body: Buffer;
  headers: Record<string, string>;
}

/**
 * Finished data responses, keyed by entity, data version and request URL. Every write of an
 * entity's data bumps its version, so an entry can never be served for data it does not show;
 * old versions simply age out. Bounded by bytes; a capacity of 0 turns it off.
 */
export class ResponseCache {
  readonly #lru: LRUCache<string, CachedResponse> | null;

  constructor(maxBytes: number) {
    this.#lru =
      maxBytes > 0
        ? new LRUCache<string, CachedResponse>({ maxSize: maxBytes, sizeCalculation: (v, k) => v.body.length + k.length + 64 })
        : null;
  }

  static key(entityId: string, dataVersion: number, url: string): string {
    return `${entityId}.${dataVersion} ${url}`;
  }

  get(key: string): CachedResponse | undefined {
    return this.#lru?.get(key);
  }

  set(key: string, value: CachedResponse): void {
    this.#lru?.set(key, value);
  }
}
