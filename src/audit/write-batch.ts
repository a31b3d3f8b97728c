import type { Kysely } from 'kysely';
import { customersOfEntities, insertAuditSegments, type StoredSegment } from '../store/audit-events.ts';
import type { DB } from '../store/schema.ts';
import { segmentId, type EncodedSegment } from './segment.ts';

/** Where segments go: the store through Kysely, or (the recorder's own SQLite connection) prepared statements. */
export interface AuditSink {
  /** The customer of each of `entityIds` that is application `appId`'s entity (entity id → customer id). */
  customersOf(appId: string, entityIds: string[]): Promise<Map<string, string>>;
  insert(segments: StoredSegment[]): Promise<void>;
}

/** The sink of a Kysely database (PostgreSQL, tests and tools, and consent changes in their transaction). */
export function kyselySink(db: Kysely<DB>): AuditSink {
  return { customersOf: (appId, ids) => customersOfEntities(db, appId, ids), insert: (segments) => insertAuditSegments(db, segments) };
}

/**
 * Writes encoded segments (ids made here), first finding the customer of each entity their records
 * named without one, among that segment's application's entities only (one lookup per segment): a
 * read of another application's entity records no customer.
 */
export async function writeAuditSegments(sink: AuditSink, segments: readonly EncodedSegment[]): Promise<void> {
  const stored: StoredSegment[] = [];
  for (const s of segments) {
    const unknown = s.keys.flatMap((k) => (k.entity_id !== null && !(k.entity_id in s.customers) ? [k.entity_id] : []));
    const found = unknown.length > 0 ? await sink.customersOf(s.app_id, [...new Set(unknown)]) : new Map<string, string>();
    const id = segmentId(s.first_ms);
    stored.push({
      segment: { id, app_id: s.app_id, first_at: new Date(s.first_ms).toISOString(), last_at: new Date(s.last_ms).toISOString(), count: s.count, records: s.records },
      keys: s.keys.map((k) => ({
        segment_id: id,
        app_id: s.app_id,
        entity_id: k.entity_id,
        customer_id: k.entity_id === null ? null : (s.customers[k.entity_id] ?? found.get(k.entity_id) ?? null),
        kind: k.kind,
        n: k.n,
      })),
    });
  }
  await sink.insert(stored);
}
