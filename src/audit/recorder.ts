import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { customersOfEntities, insertAuditEvents } from '../store/audit-events.ts';
import type { Store } from '../store/database.ts';
import type { AuditEventRow, AuditKind, DB } from '../store/schema.ts';

/** Every kind of audit record: reads of bank data, and the changes of an entity's consent. */
export const AUDIT_KINDS = ['data.read', 'consent.created', 'consent.reconnected', 'consent.refreshed', 'consent.revoked', 'consent.deleted'] as const satisfies readonly AuditKind[];

/**
 * An audit record to write: the row without its id. `at` defaults to the clock's now. A
 * `customer_id` left undefined is looked up when the record is written, from `entity_id`, among
 * the application's entities (null when the entity is not the application's: a refused read).
 */
export type AuditEventInput = Omit<Partial<AuditEventRow>, 'id' | 'app_id' | 'kind' | 'outcome'> & Pick<AuditEventRow, 'app_id' | 'kind' | 'outcome'>;

/**
 * Records audit events off the request path (docs/decisions/017-audit-trail.md): `record` only
 * appends to an in-process buffer; the buffer is written in one batch every `flushMs` or as soon as
 * it holds `batchSize` records, and at `close`. A process that dies loses what its buffer held:
 * at most the last `flushMs` of records (or one batch, whichever is less).
 */
export interface AuditRecorder {
  /** False with `AUDIT=off`: `record` does nothing, and the HTTP reads install no hook. */
  readonly enabled: boolean;
  /** Buffers one record; never throws, never waits. */
  record(event: AuditEventInput): void;
  /** Writes everything buffered so far; resolves once it is in the database (or was given up, logged). */
  flush(): Promise<void>;
  /** Stops the timer and writes what is buffered; later records are written by a final flush only if one is asked for. */
  close(): Promise<void>;
}

export interface AuditRecorderOptions {
  store: Store;
  log: Logger;
  now: () => Date;
  enabled: boolean;
  /** Most time a record waits in the buffer, in ms. */
  flushMs: number;
  /** Records that trigger a write at once. */
  batchSize: number;
}

/** Records kept for another try when a write fails (the database is down), as batches: beyond them, the oldest are dropped and logged. */
const RETRY_BATCHES = 10;

/** Who made a consent change, when it was made through a request (else openlean did, on its own). */
export interface AuditActor {
  /** The access token's subject (`sub`, the client_id). */
  subject: string | null;
  request_id: string | null;
  /** How, in words (e.g. the Link journey's session). */
  detail?: string;
}

/** `recordAccess(ctx, event)`: records one read or consent change through the context's recorder, for any surface (REST, MCP, CLI). */
export function recordAccess(ctx: { audit: AuditRecorder }, event: AuditEventInput): void {
  ctx.audit.record(event);
}

/** The row `event` stands for, with a new id; `customer_id` stays undefined when it is to be looked up. */
export function auditRow(event: AuditEventInput, now: Date): AuditEventRow {
  return {
    id: randomUUID(),
    app_id: event.app_id,
    customer_id: event.customer_id as string | null,
    entity_id: event.entity_id ?? null,
    kind: event.kind,
    operation: event.operation ?? null,
    resource: event.resource ?? null,
    account_id: event.account_id ?? null,
    subject: event.subject ?? null,
    request_id: event.request_id ?? null,
    status: event.status ?? null,
    outcome: event.outcome,
    error_code: event.error_code ?? null,
    detail: event.detail ?? null,
    at: event.at ?? now.toISOString(),
  };
}

/**
 * Writes one record at once, inside the caller's transaction: for consent changes, which commit
 * with the change they record (rare, and never to be lost with a buffer).
 */
export async function recordInTransaction(trx: Kysely<DB>, event: AuditEventInput, now: Date): Promise<void> {
  const row = auditRow(event, now);
  await insertAuditEvents(trx, [{ ...row, customer_id: row.customer_id ?? null }]);
}

/** Fills the `customer_id`s left to look up, one query per application in the batch. */
async function withCustomers(db: Kysely<DB>, rows: AuditEventRow[]): Promise<AuditEventRow[]> {
  const wanted = new Map<string, Set<string>>();
  for (const row of rows) {
    if (row.customer_id !== undefined || row.entity_id === null) continue;
    let ids = wanted.get(row.app_id);
    if (!ids) wanted.set(row.app_id, (ids = new Set()));
    ids.add(row.entity_id);
  }
  const found = new Map<string, Map<string, string>>();
  for (const [appId, ids] of wanted) found.set(appId, await customersOfEntities(db, appId, [...ids]));
  return rows.map((row) => (row.customer_id !== undefined ? row : { ...row, customer_id: (row.entity_id && found.get(row.app_id)?.get(row.entity_id)) || null }));
}

export function createAuditRecorder(options: AuditRecorderOptions): AuditRecorder {
  const { store, log, now, batchSize } = options;
  if (!options.enabled) {
    return { enabled: false, record() {}, flush: async () => {}, close: async () => {} };
  }
  let buffer: AuditEventRow[] = [];
  // Writes run one after another, in the order they were asked for.
  let chain: Promise<void> = Promise.resolve();

  async function writeBuffered(): Promise<void> {
    while (buffer.length > 0) {
      const batch = buffer;
      buffer = [];
      try {
        await insertAuditEvents(store.db, await withCustomers(store.db, batch));
      } catch (err) {
        const kept = [...batch, ...buffer];
        const dropped = Math.max(0, kept.length - RETRY_BATCHES * batchSize);
        buffer = kept.slice(dropped);
        log.error({ err, records: batch.length, dropped }, dropped > 0 ? 'could not write audit records; the oldest were dropped' : 'could not write audit records; retrying at the next flush');
        return;
      }
    }
  }

  function flush(): Promise<void> {
    const next = chain.then(writeBuffered);
    chain = next.catch(() => {});
    return next;
  }

  const timer = setInterval(() => {
    if (buffer.length > 0) void flush();
  }, options.flushMs);
  // The timer alone never keeps a process alive; `close` writes what is left.
  timer.unref();

  return {
    enabled: true,
    record(event) {
      buffer.push(auditRow(event, now()));
      if (buffer.length === batchSize) void flush();
    },
    flush,
    async close() {
      clearInterval(timer);
      await flush();
    },
  };
}
