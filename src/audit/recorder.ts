import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { openSqliteAuditSink } from '../store/audit-events.ts';
import { isPostgresUrl, sqliteFile } from '../store/database-url.ts';
import type { Store } from '../store/database.ts';
import type { DB } from '../store/schema.ts';
import { encodeSegments, SegmentBatch, type AuditEventInput, type EncodedSegment } from './segment.ts';
import { kyselySink, writeAuditSegments } from './write-batch.ts';

export type { AuditEventInput } from './segment.ts';

/**
 * Records audit events off the request path (docs/decisions/017-audit-trail.md, 021): `record` only
 * appends to an in-process buffer; the buffer is encoded into one segment per application and
 * written every `flushMs` or as soon as it holds `batchSize` records, and at `close`. A process that dies loses what its buffer held and
 * the batch being written: at most the last `flushMs` of records.
 */
export interface AuditRecorder {
  /** False with `AUDIT=off`: `record` does nothing, and the HTTP reads install no hook. */
  readonly enabled: boolean;
  /** Buffers one record; never throws, never waits. */
  record(event: AuditEventInput): void;
  /** Writes everything buffered so far; resolves once it is in the database (or was given up, logged). */
  flush(): Promise<void>;
  /** Stops the timer, writes what is buffered and closes its own connection, if any; records made after it are not written. */
  close(): Promise<void>;
}

export interface AuditRecorderOptions {
  store: Store;
  log: Logger;
  /** The time a record is made, in ms since the epoch (`Date.now`, or the injected clock's). */
  nowMs: () => number;
  enabled: boolean;
  /** Most time a record waits in the buffer, in ms. */
  flushMs: number;
  /** Records that trigger a write at once. */
  batchSize: number;
  /** The store's database URL: a SQLite file is written through a connection of the recorder's own (else through `store`). */
  databaseUrl?: string;
  /** The `rand_b` of the request ids this process makes (`REQUEST_ID_NODE`): stored as numbers; else every id as it is. */
  requestIdNode?: string;
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

/**
 * Records one read of bank data through the context's recorder, off the caller's path: the one
 * function every surface calls (REST routes through `src/api/audit-trail.ts`, the MCP tools, …).
 * Consent changes use `recordInTransaction` instead.
 *
 * @example recordAccess(ctx, { app_id, kind: 'data.read', entity_id, operation: 'getAccounts', resource: 'accounts', subject: clientId, request_id, status: 200, outcome: 'OK' })
 */
export function recordAccess(ctx: { audit: AuditRecorder }, event: AuditEventInput): void {
  ctx.audit.record(event);
}

/** What a read of bank data was, as its audit record names it. */
export interface DataRead {
  appId: string;
  /** The access token's subject (`sub`, the client_id). */
  subject: string;
  requestId: string | null;
  entityId: string | null;
  /** The route's `operationId`, or `mcp:<tool>`. */
  operation: string | null;
  resource: string | null;
  accountId: string | null;
  /** The HTTP status it was answered with (or would have been, for an MCP tool). */
  status: number;
  /** The problem's `code` when it was refused or failed. */
  errorCode: string | null;
}

/**
 * The audit record of one read of bank data, for every surface that answers one (the REST routes'
 * hook, the cached read path, the MCP tools): its outcome is OK below 400, REFUSED below 500, else
 * FAILED (docs/decisions/017).
 */
export function dataReadEvent(read: DataRead): AuditEventInput {
  const { status } = read;
  return {
    app_id: read.appId,
    kind: 'data.read',
    entity_id: read.entityId,
    operation: read.operation,
    resource: read.resource,
    account_id: read.accountId,
    subject: read.subject,
    request_id: read.requestId,
    status,
    outcome: status < 400 ? 'OK' : status < 500 ? 'REFUSED' : 'FAILED',
    error_code: read.errorCode,
  };
}

/**
 * Writes one record at once, inside the caller's transaction: for consent changes, which commit
 * with the change they record (rare, and never to be lost with a buffer).
 */
export async function recordInTransaction(trx: Kysely<DB>, event: AuditEventInput, now: Date): Promise<void> {
  await writeAuditSegments(kyselySink(trx), encodeSegments([event], [now.getTime()]));
}

/** Writes one batch's segments; rejects when they were not written. */
type BatchWriter = { write(segments: EncodedSegment[]): Promise<void>; close(): Promise<void> };

/** Writes through the store: PostgreSQL (asynchronous, through the pool), and tests and tools. */
function storeWriter(store: Store): BatchWriter {
  const sink = kyselySink(store.db);
  return { write: (segments) => writeAuditSegments(sink, segments), close: async () => {} };
}

/**
 * Writes to a SQLite file through a connection of its own that never waits for a lock: SQLite
 * calls block the thread, and this is the thread that answers reads. A batch that finds the file
 * locked (a refresh writing) stays buffered for the next flush; writing one is one or two rows
 * (decision 021), a fraction of a millisecond.
 */
function sqliteWriter(file: string): BatchWriter {
  const sink = openSqliteAuditSink(file);
  return { write: (segments) => writeAuditSegments(sink, segments), close: async () => sink.close() };
}

/** Whether `err` is SQLite's "the database is locked": a batch to retry, not a failure. */
function isBusy(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'SQLITE_BUSY';
}

/**
 * The recorder of a process. With `databaseUrl` of a SQLite file, batches are written through a
 * connection of their own that never waits for a lock (the server's choice); otherwise through
 * `store`.
 */
export function createAuditRecorder(options: AuditRecorderOptions): AuditRecorder {
  const { log, nowMs, batchSize } = options;
  if (!options.enabled) {
    return { enabled: false, record() {}, flush: async () => {}, close: async () => {} };
  }
  const writer = options.databaseUrl && !isPostgresUrl(options.databaseUrl) ? sqliteWriter(sqliteFile(options.databaseUrl)) : storeWriter(options.store);
  // What waits for the next write, encoded as it is recorded.
  const batch = new SegmentBatch(options.requestIdNode ?? null);
  // Writes run one after another, in the order they were asked for.
  let chain: Promise<void> = Promise.resolve();

  // One write of everything buffered when it runs: looping until the buffer was empty wrote back to
  // back, under load, batches of the few records that arrived during the previous write, each a
  // database transaction of its own.
  async function writeBuffered(): Promise<void> {
    const records = batch.records;
    if (records === 0) return;
    const segments = batch.take();
    try {
      await writer.write(segments.map((b) => b.finish()));
    } catch (err) {
      // Kept for the next write, still open to more records (a SQLite write is synchronous: none
      // came meanwhile), the oldest dropped beyond what a few batches hold.
      batch.restore(segments);
      const dropped = batch.dropOldest(RETRY_BATCHES * batchSize);
      if (dropped > 0) log.error({ err, records, dropped }, 'could not write audit records; the oldest were dropped');
      else if (isBusy(err)) log.debug({ records }, 'the database is locked; audit records wait for the next flush');
      else log.error({ err, records }, 'could not write audit records; retrying at the next flush');
    }
  }

  function flush(): Promise<void> {
    const next = chain.then(writeBuffered);
    chain = next.catch(() => {});
    return next;
  }

  const timer = setInterval(() => {
    if (batch.records > 0) void flush();
  }, options.flushMs);
  // The timer alone never keeps a process alive; `close` writes what is left.
  timer.unref();

  return {
    enabled: true,
    record(event) {
      batch.add(event, nowMs());
      if (batch.records === batchSize) void flush();
    },
    flush,
    async close() {
      clearInterval(timer);
      await flush();
      await writer.close();
    },
  };
}
