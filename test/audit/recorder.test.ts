import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, it } from 'node:test';
import SQLite from 'better-sqlite3';
import pino from 'pino';
import { createApplication } from '../../src/applications/create-application.ts';
import { sqliteFile } from '../../src/store/database-url.ts';
import { createAuditRecorder, recordAccess, type AuditRecorderOptions } from '../../src/audit/recorder.ts';
import { migrate, openStore, type Store } from '../../src/store/database.ts';
import { auditRecords } from '../helpers/audit-records.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { describeDialects } from '../helpers/dialects.ts';
import { eventually } from '../helpers/eventually.ts';

const AT = '2026-03-01T10:00:00.000Z';

describeDialects('the audit recorder', (dialect) => {
  let dir: string;
  let database: TestDatabase;
  let store: Store;
  let appId: string;
  let otherAppId: string;
  const customerId = randomUUID();
  const entityId = randomUUID();
  const log = pino({ level: 'silent' });

  const options = (more: Partial<AuditRecorderOptions> = {}): AuditRecorderOptions => ({
    store,
    log,
    nowMs: () => Date.parse(AT),
    enabled: true,
    flushMs: 60_000,
    batchSize: 100,
    ...more,
  });
  const rowsOf = async (subject: string) => (await auditRecords(store.db, (r) => r.subject === subject)).sort((a, b) => a.request_id!.localeCompare(b.request_id!));
  const read = (subject: string, i: number, app?: string) => ({ app_id: app ?? appId, kind: 'data.read' as const, entity_id: entityId, subject, request_id: `r${String(i).padStart(4, '0')}`, status: 200, outcome: 'OK' as const });

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openlean-audit-'));
    database = await createTestDatabase(dir, dialect);
    store = openStore(database.url);
    await migrate(store);
    appId = (await createApplication(store.db, 'one')).app_id;
    otherAppId = (await createApplication(store.db, 'other')).app_id;
    await store.db.insertInto('customers').values({ id: customerId, app_id: appId, app_user_id: 'u', created_at: AT }).execute();
    await store.db
      .insertInto('entities')
      .values({ id: entityId, app_id: appId, customer_id: customerId, bank_identifier: 'B', permissions: '[]', status: 'ACTIVE', consent_expires_at: AT, created_at: AT, updated_at: AT, synced_at: null })
      .execute();
  });
  after(async () => {
    await store.close();
    await database.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes nothing until flushed, then every record, with the customer of the application\'s entity only', async () => {
    const recorder = createAuditRecorder(options());
    recordAccess({ audit: recorder }, read('s1', 1));
    recordAccess({ audit: recorder }, read('s1', 2, otherAppId));
    recordAccess({ audit: recorder }, { ...read('s1', 3), entity_id: null });
    assert.deepEqual(await rowsOf('s1'), []);
    await recorder.flush();
    const rows = await rowsOf('s1');
    assert.deepEqual(
      rows.map((r) => [r.request_id, r.app_id, r.customer_id, r.at]),
      [
        ['r0001', appId, customerId, AT],
        ['r0002', otherAppId, null, AT],
        ['r0003', appId, null, AT],
      ],
    );
    await recorder.close();
  });

  it('writes a full batch at once, without waiting for the timer', async () => {
    const recorder = createAuditRecorder(options({ batchSize: 5 }));
    for (let i = 0; i < 5; i++) recorder.record(read('s2', i));
    await eventually('a full batch written', async () => (await rowsOf('s2')).length === 5);
    // The records after it wait for the timer (a minute) or a flush: here, the close.
    recorder.record(read('s2', 5));
    recorder.record(read('s2', 6));
    assert.equal((await rowsOf('s2')).length, 5);
    await recorder.close();
    assert.equal((await rowsOf('s2')).length, 7);
  });

  it('writes what waits every flushMs', async () => {
    const recorder = createAuditRecorder(options({ flushMs: 10 }));
    recorder.record(read('s3', 1));
    await eventually('written by the timer', async () => (await rowsOf('s3')).length === 1);
    await recorder.close();
  });

  it('writes what its buffer holds when closed', async () => {
    const recorder = createAuditRecorder(options());
    for (let i = 0; i < 3; i++) recorder.record(read('s4', i));
    await recorder.close();
    assert.equal((await rowsOf('s4')).length, 3);
  });

  it('writes through a connection of its own when given the database URL; on SQLite a locked file delays a batch, never blocks or loses it', async () => {
    const recorder = createAuditRecorder(options({ databaseUrl: database.url }));
    recorder.record(read('s6', 1));
    recorder.record(read('s6', 2, otherAppId));
    await recorder.flush();
    assert.deepEqual(
      (await rowsOf('s6')).map((r) => [r.request_id, r.customer_id, r.at]),
      [
        ['r0001', customerId, AT],
        ['r0002', null, AT],
      ],
    );
    if (dialect === 'sqlite') {
      // Another connection holds the file's write lock, as a refresh writing does.
      const other = new SQLite(sqliteFile(database.url));
      other.exec('begin immediate');
      recorder.record(read('s6', 3));
      await recorder.flush();
      assert.equal((await rowsOf('s6')).length, 2);
      other.exec('rollback');
      other.close();
      recorder.record(read('s6', 4));
      await recorder.flush();
      assert.deepEqual((await rowsOf('s6')).map((r) => r.request_id), ['r0001', 'r0002', 'r0003', 'r0004']);
      // Bound as bytes, stored as text: what the store's own queries and a SQL reader expect.
      const reader = new SQLite(sqliteFile(database.url), { readonly: true });
      assert.deepEqual(reader.prepare('select distinct typeof(records) as type from audit_segments').all(), [{ type: 'text' }]);
      reader.close();
    }
    recorder.record(read('s6', 5));
    await recorder.close();
    assert.equal((await rowsOf('s6')).length, dialect === 'sqlite' ? 5 : 3);
  });

  it('records nothing when off', async () => {
    const recorder = createAuditRecorder(options({ enabled: false }));
    recorder.record(read('s5', 1));
    await recorder.close();
    assert.deepEqual(await rowsOf('s5'), []);
  });
});
