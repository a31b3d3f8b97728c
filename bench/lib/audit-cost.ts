import { randomUUID } from 'node:crypto';
import path from 'node:path';
import pino from 'pino';
import { createAuditRecorder, dataReadEvent } from '../../src/audit/recorder.ts';
import { migrate, openStore } from '../../src/store/database.ts';

/** Records per measurement: about 100 batches of the default size, a few seconds. */
const RECORDS = 400_000;
/** The default `AUDIT_BATCH_SIZE` and `AUDIT_FLUSH_MS` (src/config.ts). */
const BATCH_SIZE = 4096;
const FLUSH_MS = 1000;

/**
 * CPU µs (user + system) this process spends per audit record of a data read: building the record
 * (`dataReadEvent`, as the read paths do only with the trail on), encoding it into its segment, and
 * the batched writes to a SQLite file of its own (`dir/audit-cost.db`, migrated); less the same
 * loop without them. The request ids are made before: a server makes them with the trail off too.
 * One run after a warm-up.
 *
 * On a machine shared with other tenants, two runs of the same server differ in throughput by more
 * than the trail costs; what a read costs the trail is steadier measured alone and set against the
 * read's own CPU (docs/decisions/017).
 */
export async function auditCostPerRecordUs(dir: string): Promise<number> {
  const url = `sqlite:${path.join(dir, 'audit-cost.db')}`;
  const store = openStore(url);
  await migrate(store);
  const recorder = createAuditRecorder({ store, log: pino({ level: 'silent' }), nowMs: Date.now, enabled: true, flushMs: FLUSH_MS, batchSize: BATCH_SIZE, databaseUrl: url });
  // Request ids as the server makes them; made before, as the server makes them with the trail off too.
  const ids = Array.from({ length: BATCH_SIZE }, () => randomUUID());
  const event = (i: number) =>
    dataReadEvent({ appId: 'bench-app', subject: 'bench-client', requestId: ids[i % ids.length]!, entityId: 'bench-entity', operation: 'getAccounts', resource: 'accounts', accountId: null, status: 200, errorCode: null });
  /** CPU µs per read of `RECORDS` reads' records (none when not `record`); the event loop turns between batches, as a server's does. */
  const run = async (record: boolean) => {
    const before = process.cpuUsage();
    let chars = 0;
    for (let i = 0; i < RECORDS; i++) {
      if (record) recorder.record(event(i));
      else chars += ids[i % ids.length]!.length;
      if (i % BATCH_SIZE === BATCH_SIZE - 1) await new Promise((r) => setImmediate(r));
    }
    await recorder.flush();
    const used = process.cpuUsage(before);
    if (!record && chars === 0) throw new Error('no ids');
    return (used.user + used.system) / RECORDS;
  };
  try {
    await run(true);
    const recorded = await run(true);
    const bare = await run(false);
    return Math.max(0, recorded - bare);
  } finally {
    await recorder.close();
    await store.close();
  }
}
