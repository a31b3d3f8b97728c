import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Migrator } from 'kysely/migration';
import { createApplication } from '../../src/applications/create-application.ts';
import { decodeSegment, encodeSegments, MAX_SEGMENT_RECORDS, recordId, SegmentBatch, segmentId, type AuditEventInput } from '../../src/audit/segment.ts';
import { kyselySink, writeAuditSegments } from '../../src/audit/write-batch.ts';
import { ownRequestId, requestIdNode } from '../../src/domain/request-id.ts';
import { exportAuditEvents, listAuditEvents, pruneAuditEvents, type AuditFilter } from '../../src/store/audit-events.ts';
import { migrate, openStore, type Store } from '../../src/store/database.ts';
import { MIGRATIONS } from '../../src/store/migrations/index.ts';
import type { AuditEventRow } from '../../src/store/schema.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { describeDialects } from '../helpers/dialects.ts';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');

describe('a batch of segments being built (SegmentBatch)', () => {
  const read = (appId: string, n: number): AuditEventInput => ({ app_id: appId, kind: 'data.read', outcome: 'OK', request_id: `r${n}` });
  const requestIds = (batch: SegmentBatch) => batch.take().map((b) => decodeSegment(segmentId(T0), b.appId, b.finish().records.toString(), new Map()).map((r) => r.request_id));

  it('keeps one open segment per application and begins another when one is full', () => {
    const [a, b] = [randomUUID(), randomUUID()];
    const batch = new SegmentBatch();
    for (let i = 0; i < MAX_SEGMENT_RECORDS + 1; i++) batch.add(read(a, i), T0);
    batch.add(read(b, 0), T0);
    assert.equal(batch.records, MAX_SEGMENT_RECORDS + 2);
    const segments = batch.take();
    assert.deepEqual(segments.map((s) => [s.appId, s.count]), [[a, MAX_SEGMENT_RECORDS], [a, 1], [b, 1]]);
    assert.equal(batch.records, 0);
    assert.deepEqual(batch.take(), []);
  });

  it('keeps any request id and time as given: quotes, backslashes, non-ASCII, none, and a clock stepped back', () => {
    const a = randomUUID();
    const ids = [randomUUID(), 'quote"back\\slash', 'zeilenumbruch\n', 'مرحبا', null, 'plain.id_-9', ''];
    const batch = new SegmentBatch();
    ids.forEach((request_id, i) => batch.add({ app_id: a, kind: 'data.read', outcome: 'OK', request_id }, T0 + (i === 3 ? -5 : i)));
    const [segment] = batch.take();
    const rows = decodeSegment(segmentId(T0), a, segment!.finish().records.toString(), new Map());
    assert.deepEqual(rows.map((r) => r.request_id), ids);
    assert.deepEqual(rows.map((r) => Date.parse(r.at) - T0), [0, 1, 2, -5, 4, 5, 6]);
    // Larger than the builder's first buffer: it grows without losing what it held.
    const big = new SegmentBatch();
    for (let i = 0; i < MAX_SEGMENT_RECORDS; i++) big.add({ app_id: a, kind: 'data.read', outcome: 'OK', request_id: `${i}-${'x'.repeat(40)}` }, T0 + i);
    const decoded = decodeSegment(segmentId(T0), a, big.take()[0]!.finish().records.toString(), new Map());
    assert.equal(decoded.length, MAX_SEGMENT_RECORDS);
    assert.equal(decoded[MAX_SEGMENT_RECORDS - 1]!.request_id, `${MAX_SEGMENT_RECORDS - 1}-${'x'.repeat(40)}`);
    // Ids that escape to six bytes a character, and times far apart, growing the buffer as they are written.
    const escaped = new SegmentBatch();
    const odd = (i: number) => `${i}\u0001${'\u0002'.repeat(300)}"`;
    for (let i = 0; i < 100; i++) escaped.add({ app_id: a, kind: 'data.read', outcome: 'OK', request_id: odd(i) }, T0 + i * 1e9);
    const back = decodeSegment(segmentId(T0), a, escaped.take()[0]!.finish().records.toString(), new Map());
    assert.deepEqual(back.map((r) => r.request_id), Array.from({ length: 100 }, (_, i) => odd(i)));
    assert.deepEqual(back.map((r) => Date.parse(r.at)), Array.from({ length: 100 }, (_, i) => T0 + i * 1e9));
  });

  it("stores this process's own request ids as numbers and gives them back, beside any other id", () => {
    const a = randomUUID();
    const node = requestIdNode(randomBytes(8));
    const other = requestIdNode(randomBytes(8));
    const ids = [ownRequestId(T0 + 3, 17, node), ownRequestId(T0 + 3, 18, node), 'caller-id', ownRequestId(T0 - 2, 4095, node), null, ownRequestId(T0, 1, other), randomUUID(), ownRequestId(T0 + 9_000, 0, node)];
    const batch = new SegmentBatch(node);
    ids.forEach((request_id, i) => batch.add({ app_id: a, kind: 'data.read', outcome: 'OK', request_id }, T0 + i));
    const text = batch.take()[0]!.finish().records.toString();
    assert.deepEqual(decodeSegment(segmentId(T0), a, text, new Map()).map((r) => r.request_id), ids);
    // Own ids cost a few digits: none of them is in the text as a string.
    for (const own of [ids[0], ids[1], ids[3], ids[7]]) assert.ok(!text.includes(own!), own!);
    assert.ok(text.includes(ids[5]!) && text.includes(ids[6]!));
    // Past 2039 an id's 48-bit ms times 4096 is no longer a safe integer; numbered from the segment's time, they stay small.
    const late = Date.parse('2071-05-01T00:00:00.000Z');
    const lateIds = [ownRequestId(late, 5, node), ownRequestId(late + 1, 4095, node)];
    const lateBatch = new SegmentBatch(node);
    lateIds.forEach((request_id, i) => lateBatch.add({ app_id: a, kind: 'data.read', outcome: 'OK', request_id }, late + i));
    assert.deepEqual(decodeSegment(segmentId(late), a, lateBatch.take()[0]!.finish().records.toString(), new Map()).map((r) => r.request_id), lateIds);
    // A number where no node was stored, or not a safe integer, is a corrupt segment.
    const parsed = JSON.parse(text);
    assert.throws(() => decodeSegment(segmentId(T0), a, JSON.stringify({ ...parsed, node: null }), new Map()), /cannot read/);
    assert.throws(() => decodeSegment(segmentId(T0), a, JSON.stringify({ ...parsed, r: [0, 0, 1.5] }), new Map()), /cannot read/);
  });

  it('reads a version 1 segment, stored before ids were numbers', () => {
    const a = randomUUID();
    const id = randomUUID();
    const v1 = JSON.stringify({ v: 1, base: T0, s: ['data.read', 'OK'], shapes: [[0, -1, -1, -1, -1, -1, 1, -1, -1, 200]], r: [0, 0, id, 5, 0, null] });
    const rows = decodeSegment(segmentId(T0), a, v1, new Map());
    assert.deepEqual(rows.map((r) => [r.request_id, Date.parse(r.at) - T0, r.kind, r.outcome, r.status]), [[id, 0, 'data.read', 'OK', 200], [null, 5, 'data.read', 'OK', 200]]);
  });

  it('takes segments back after a failed write, before what came since, and adds to them again', () => {
    const [a, b] = [randomUUID(), randomUUID()];
    const batch = new SegmentBatch();
    batch.add(read(a, 1), T0);
    const failed = batch.take();
    batch.add(read(b, 2), T0);
    batch.restore(failed);
    batch.add(read(a, 3), T0);
    assert.equal(batch.records, 3);
    assert.deepEqual(requestIds(batch), [['r1', 'r3'], ['r2']]);
  });

  it('drops the oldest segments whole until at most the limit remains, and says how many records went', () => {
    const [a, b] = [randomUUID(), randomUUID()];
    const batch = new SegmentBatch();
    batch.add(read(a, 1), T0);
    batch.add(read(a, 2), T0);
    batch.add(read(b, 3), T0);
    assert.equal(batch.dropOldest(3), 0);
    assert.equal(batch.dropOldest(1), 2);
    assert.equal(batch.records, 1);
    batch.add(read(a, 4), T0);
    assert.deepEqual(requestIds(batch), [['r3'], ['r4']]);
  });
});

describe('audit segments, encoded and decoded', () => {
  it('give back every field of every record, split by application, with ids in (time, id) order', () => {
    const [a, b, entity, customer] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    const events: AuditEventInput[] = [
      { app_id: a, kind: 'data.read', entity_id: entity, operation: 'getAccounts', resource: 'accounts', subject: 'client', request_id: 'r1', status: 200, outcome: 'OK' },
      { app_id: b, kind: 'data.read', entity_id: null, operation: 'getAccounts', resource: 'accounts', subject: 'other', request_id: 'r2', status: 404, outcome: 'REFUSED', error_code: 'ENTITY_NOT_FOUND' },
      { app_id: a, kind: 'consent.refreshed', entity_id: entity, customer_id: customer, outcome: 'FAILED', error_code: 'BANK_UNAVAILABLE', detail: 'تحديث "فشل"\n' },
      { app_id: a, kind: 'data.read', entity_id: entity, operation: 'getTransactions', resource: 'transactions', account_id: 'acc-1', subject: 'client', request_id: 'r4', status: 200, outcome: 'OK' },
    ];
    const times = [T0 + 5, T0, T0 + 5, T0 + 1];
    const segments = encodeSegments(events, times);
    assert.deepEqual(
      segments.map((s) => [s.app_id, s.count, s.first_ms, s.last_ms]),
      [
        [a, 3, T0 + 1, T0 + 5],
        [b, 1, T0, T0],
      ],
    );
    assert.deepEqual(segments[0]!.keys, [
      { entity_id: entity, kind: 'data.read', n: 2 },
      { entity_id: entity, kind: 'consent.refreshed', n: 1 },
    ]);
    assert.deepEqual(segments[0]!.customers, { [entity]: customer });

    const id = segmentId(T0 + 1);
    const rows = decodeSegment(id, a, segments[0]!.records.toString(), new Map([[entity, customer]]));
    const expected = [0, 2, 3].map((i, index) => ({
      id: recordId(id, index, times[i]!),
      app_id: a,
      customer_id: customer,
      entity_id: entity,
      kind: events[i]!.kind,
      operation: events[i]!.operation ?? null,
      resource: events[i]!.resource ?? null,
      account_id: events[i]!.account_id ?? null,
      subject: events[i]!.subject ?? null,
      request_id: events[i]!.request_id ?? null,
      status: events[i]!.status ?? null,
      outcome: events[i]!.outcome,
      error_code: events[i]!.error_code ?? null,
      detail: events[i]!.detail ?? null,
      at: new Date(times[i]!).toISOString(),
    }));
    assert.deepEqual(rows, expected);
    assert.equal(new Set(rows.map((r) => r.id)).size, 3);
    assert.match(rows[0]!.id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // Same time: the later record of the segment sorts after.
    assert.ok(recordId(id, 1, T0) > recordId(id, 0, T0));
    assert.throws(() => decodeSegment(id, a, '{"v":2}', new Map()), /not a version 1 or 2 segment/);
  });
});

describeDialects('audit segments in the store', (dialect) => {
  let dir: string;
  let database: TestDatabase;
  let store: Store;
  let appId: string;
  let otherAppId: string;
  const customers = [randomUUID(), randomUUID()];
  const entities: string[] = [randomUUID(), randomUUID(), randomUUID()];
  let all: AuditEventRow[];

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openlean-segments-'));
    database = await createTestDatabase(dir, dialect);
    store = openStore(database.url);
    // Migrated to the trail's first form, given records in it, then to the segments.
    await new Migrator({ db: store.db, provider: { getMigrations: async () => MIGRATIONS } }).migrateTo('014-audit-events');
    appId = (await createApplication(store.db, 'one')).app_id;
    otherAppId = (await createApplication(store.db, 'other')).app_id;
    const at = new Date(T0).toISOString();
    for (const [i, customer] of customers.entries()) await store.db.insertInto('customers').values({ id: customer, app_id: appId, app_user_id: `u${i}`, created_at: at }).execute();
    for (const [i, entity] of entities.entries()) {
      await store.db
        .insertInto('entities')
        .values({ id: entity, app_id: appId, customer_id: customers[i % 2]!, bank_identifier: 'B', permissions: '[]', status: 'ACTIVE', consent_expires_at: at, created_at: at, updated_at: at, synced_at: null })
        .execute();
    }
    const legacy = (n: number) => ({
      id: `0195${String(n).padStart(4, '0')}-0000-7000-8000-000000000000`,
      app_id: appId,
      customer_id: customers[0]!,
      entity_id: entities[0]!,
      kind: 'data.read',
      operation: 'getAccounts',
      resource: 'accounts',
      account_id: null,
      subject: 'legacy',
      request_id: `legacy-${n}`,
      status: 200,
      outcome: 'OK',
      error_code: null,
      detail: null,
      at: new Date(T0 - 86_400_000 + n).toISOString(),
    });
    await (store.db as any).insertInto('audit_events').values([legacy(1), legacy(2)]).execute();
    await migrate(store);

    // Two processes' batches overlapping in time, records of two applications, three entities.
    const batch = (process: number, from: number) => {
      const events: AuditEventInput[] = [];
      const times: number[] = [];
      for (let i = 0; i < 40; i++) {
        const entity = entities[(i + process) % 3]!;
        events.push({ app_id: i % 10 === 9 ? otherAppId : appId, kind: i % 7 === 0 ? 'consent.refreshed' : 'data.read', entity_id: entity, subject: `p${process}`, request_id: `p${process}-${from}-${i}`, status: 200, outcome: 'OK' });
        // Several records share a millisecond: (at, id) must still order them.
        times.push(T0 + from + Math.floor(i / 3) * 10 + process);
      }
      return encodeSegments(events, times);
    };
    for (const from of [0, 100, 250]) {
      await writeAuditSegments(kyselySink(store.db), batch(1, from));
      await writeAuditSegments(kyselySink(store.db), batch(2, from + 50));
    }
    const everything = await listAuditEvents(store.db, appId, {}, { offset: 0, limit: 10_000 });
    all = everything.rows;
  });
  after(async () => {
    await store.close();
    await database.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const matches = (filter: AuditFilter) => (r: AuditEventRow) =>
    (filter.entityId === undefined || r.entity_id === filter.entityId) &&
    (filter.customerId === undefined || r.customer_id === filter.customerId) &&
    (filter.kind === undefined || r.kind === filter.kind) &&
    (filter.from === undefined || r.at >= filter.from) &&
    (filter.to === undefined || r.at < filter.to);

  it('carries the records of the first form over, and lists every record newest first by (at, id)', () => {
    assert.equal(all.length, 2 + 6 * 36);
    const legacy = all.filter((r) => r.subject === 'legacy');
    assert.deepEqual(
      legacy.map((r) => [r.request_id, r.customer_id, r.at]),
      [
        ['legacy-2', customers[0], new Date(T0 - 86_400_000 + 2).toISOString()],
        ['legacy-1', customers[0], new Date(T0 - 86_400_000 + 1).toISOString()],
      ],
    );
    const sorted = [...all].sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : a.id < b.id ? 1 : -1));
    assert.deepEqual(all.map((r) => r.id), sorted.map((r) => r.id));
    assert.equal(new Set(all.map((r) => r.id)).size, all.length);
    assert.ok(all.every((r) => r.app_id === appId));
    assert.deepEqual(
      all.filter((r) => r.subject !== 'legacy').map((r) => r.customer_id),
      all.filter((r) => r.subject !== 'legacy').map((r) => customers[entities.indexOf(r.entity_id!) % 2]),
    );
  });

  it('pages by cursor and by offset through overlapping segments, each filter counting exactly', async () => {
    const cut = (ms: number) => new Date(T0 + ms).toISOString();
    const filters: AuditFilter[] = [
      {},
      { entityId: entities[1]! },
      { customerId: customers[0]! },
      { kind: 'consent.refreshed' },
      { from: cut(73), to: cut(281) },
      { entityId: entities[2]!, from: cut(120) },
      { customerId: customers[1]!, kind: 'data.read', to: cut(200) },
    ];
    for (const filter of filters) {
      const expected = all.filter(matches(filter));
      assert.ok(expected.length > 0, JSON.stringify(filter));
      const byCursor: AuditEventRow[] = [];
      let position: { at: string; id: string } | undefined;
      for (;;) {
        const { rows, total } = await listAuditEvents(store.db, appId, filter, { offset: 0, limit: 8, ...(position ? { after: position } : {}) });
        assert.equal(total, expected.length, JSON.stringify(filter));
        byCursor.push(...rows.slice(0, 7));
        if (rows.length < 8) break;
        position = { at: rows[6]!.at, id: rows[6]!.id };
      }
      assert.deepEqual(byCursor.map((r) => r.id), expected.map((r) => r.id), JSON.stringify(filter));
      const third = await listAuditEvents(store.db, appId, filter, { offset: 14, limit: 7 });
      assert.deepEqual(third.rows.map((r) => r.id), expected.slice(14, 21).map((r) => r.id), JSON.stringify(filter));
    }
    const other = await listAuditEvents(store.db, otherAppId, {}, { offset: 0, limit: 100 });
    assert.equal(other.total, 6 * 4);
    assert.ok(other.rows.every((r) => r.app_id === otherAppId && r.customer_id === null));
  });

  it('exports oldest first across applications, and prunes whole segments once their newest record is due', async () => {
    const exported: AuditEventRow[] = [];
    for await (const row of exportAuditEvents(store.db, { from: new Date(T0).toISOString(), to: new Date(T0 + 10_000).toISOString(), entityId: entities[0]! })) exported.push(row);
    const expected = all.filter((r) => r.entity_id === entities[0] && r.subject !== 'legacy').reverse();
    assert.deepEqual(exported.filter((r) => r.app_id === appId).map((r) => r.id), expected.map((r) => r.id));
    assert.ok(exported.some((r) => r.app_id === otherAppId));

    assert.equal(await pruneAuditEvents(store.db, new Date(T0).toISOString()), 2);
    const left = await listAuditEvents(store.db, appId, {}, { offset: 0, limit: 10_000 });
    assert.equal(left.total, all.length - 2);
    assert.ok(left.rows.every((r) => r.subject !== 'legacy'));
  });
});
