/**
 * The audit trail's writer, in a worker thread of its own (src/audit/recorder.ts): it holds its
 * own connection to the database and writes the batches the serving thread posts, so neither
 * building the INSERT nor, on SQLite, executing it ever takes the event loop that answers reads.
 *
 * Messages in: `{ seq, json }` (an `AuditBatch` as JSON; a `customer_id` left out is looked up
 * here), `{ close: true }`. Messages out: `{ seq, error? }` once a batch is written or failed.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openStore } from '../store/database.ts';
import { writeAuditBatch, type AuditBatch } from './write-batch.ts';

const port = parentPort!;
const store = openStore((workerData as { databaseUrl: string }).databaseUrl, { cacheEntities: false });

port.on('message', (message: { seq: number; json: string } | { close: true }) => {
  if ('close' in message) {
    void store.close().then(() => port.close());
    return;
  }
  writeAuditBatch(store.db, JSON.parse(message.json) as AuditBatch).then(
    () => port.postMessage({ seq: message.seq }),
    (err: unknown) => port.postMessage({ seq: message.seq, error: err instanceof Error ? err.message : String(err) }),
  );
});
