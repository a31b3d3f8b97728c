import { LRUCache } from 'lru-cache';
import type { DataResource } from '../../domain/permissions.ts';

/** What a cached answer was a read of: all the cached fast path needs to check and audit it again (src/api/data/cached-read.ts). */
export interface CachedReadFacts {
  /** The resource read, whose permission the consent must grant. */
  resource: DataResource;
  /** The route's `operationId`, as its audit record names it. */
  operation: string | null;
  /** The path's `account_id`, as its audit record names it (null for reads of no account). */
  accountId: string | null;
}

export interface CachedResponse {
  /**
   * The body: bytes, as the cache keeps it; text (UTF-8 on the wire) only for an answer built on
   * the fast path when the cache is off (src/api/data/cold-page.ts), which would otherwise allocate
   * a buffer per read outside V8's young generation, and cost a major garbage collection every few
   * hundred reads.
   */
  body: Buffer | string;
  /** The read's own headers (a page's `x-total-count`, `Link`). */
  headers: Record<string, string>;
  /** The `ETag` of the entity data version the body shows, quoted (RFC 9110 §8.8.3). */
  etag: string;
  read: CachedReadFacts;
  /**
   * The 200's headers from `ETag` on, as `node:http`'s `writeHead` takes them (name, value, …) and
   * in the general path's order: `ETag`, the read's own, `Content-Type`, `Content-Length`.
   */
  tail: string[];
}

/** The `Content-Type` of every data read's 200. */
export const JSON_UTF8 = 'application/json; charset=utf-8';

/** A rendered read's answer as the cache keeps it; `bytes` is the body's length in bytes when the caller knows it (else it is measured). */
export function cachedResponse(body: Buffer | string, headers: Record<string, string>, etag: string, read: CachedReadFacts, bytes = Buffer.byteLength(body)): CachedResponse {
  const tail = ['etag', etag, ...Object.entries(headers).flat(), 'content-type', JSON_UTF8, 'content-length', String(bytes)];
  return { body, headers, etag, read, tail };
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

  /**
   * A rendered JSON text as the body of a response to keep here: bytes when the cache keeps
   * anything; the text itself when it is off, since a buffer per read, allocated outside V8's young
   * generation, costs a major garbage collection every few hundred reads (docs/decisions/024).
   */
  body(json: string): Buffer | string {
    return this.#lru === null ? json : Buffer.from(json);
  }

  get(key: string): CachedResponse | undefined {
    return this.#lru?.get(key);
  }

  set(key: string, value: CachedResponse): void {
    this.#lru?.set(key, value);
  }
}
