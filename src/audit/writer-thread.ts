/**
 * The audit trail's writer, in a worker thread of its own (src/audit/recorder.ts): it holds its
 * own connection to the database and writes the batches the serving thread posts, so neither
 * building the INSERT nor, on SQLite, executing it ever takes the event loop that answers reads.
 *
 * Messages in: `{ seq, meta, texts }` (segments encoded by `encodeSegments`, each one's `records`
 * text as UTF-8 bytes in `texts` and the rest in `meta`; customers not named are looked up here),
 * `{ close: true }`. Messages out: `{ seq, error? }` once a batch is written or failed.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isPostgresUrl, sqliteFile } from '../config.ts';
import { openSqliteAuditSink } from '../store/audit-events.ts';
import { openStore } from '../store/database.ts';
import type { EncodedSegment } from './segment.ts';
import { kyselySink, writeAuditSegments, type AuditSink } from './write-batch.ts';

const port = parentPort!;
const { databaseUrl } = workerData as { databaseUrl: string };

/** PostgreSQL through the store (a pool of its own); SQLite through prepared statements. */
function openSink(): AuditSink & { close(): Promise<void> } {
  if (isPostgresUrl(databaseUrl)) {
    const store = openStore(databaseUrl, { cacheEntities: false });
    return { ...kyselySink(store.db), close: () => store.close() };
  }
  const sink = openSqliteAuditSink(sqliteFile(databaseUrl));
  return { ...sink, close: async () => sink.close() };
}
const sink = openSink();

const decoder = new TextDecoder();

port.on('message', (message: { seq: number; meta: Array<Omit<EncodedSegment, 'records'>>; texts: Uint8Array[] } | { close: true }) => {
  if ('close' in message) {
    void sink.close().then(() => port.close());
    return;
  }
  const segments = message.meta.map((meta, i) => ({ ...meta, records: decoder.decode(message.texts[i]) }));
  writeAuditSegments(sink, segments).then(
    () => port.postMessage({ seq: message.seq }),
    (err: unknown) => port.postMessage({ seq: message.seq, error: err instanceof Error ? err.message : String(err) }),
  );
});
