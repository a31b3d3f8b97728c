import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { decodeSyncCursor, encodeSyncCursor } from '../../src/domain/transactions-sync.ts';
import { pruneTombstones } from '../../src/store/transaction-sync.ts';
import { describeDialects } from '../helpers/dialects.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const BANK = 'SANDBOX_FALCON_AE';

/**
 * `GET /data/v2/accounts/{account_id}/transactions/sync` over HTTP, on SQLite and on PostgreSQL:
 * paging, its errors, expired cursors and the read's access rules.
 * Every answer is validated against the published OpenAPI document by the test server.
 */
describeDialects('transactions sync feed', (dialect) => {
  let s: TestServer;
  let token: string;
  let customerId: string;
  let entityId: string;
  let accountId: string;
  let otherAccountId: string;

  const sync = (query: string, headers: Record<string, string> = { entity_id: entityId }, account = accountId) =>
    s.request(`/data/v2/accounts/${account}/transactions/sync${query}`, { token, headers });

  before(async () => {
    s = await startTestServer({ dialect });
    token = await s.token();
    customerId = await s.createCustomer(token);
    const entity = await s.createSandboxEntity(token, { customer_id: customerId, bank_identifier: BANK, login: 'sync-api' });
    entityId = entity.id;
    const accounts = (await s.request('/data/v2/accounts', { token, headers: { entity_id: entityId } })).body;
    accountId = accounts[0].account_id;
    otherAccountId = accounts[1].account_id;
  });
  after(() => s.close());

  it('without a cursor pages through every transaction as added, in pages of `count`, never repeating one', async () => {
    const stored = await s.allTransactions(token, entityId, accountId);
    const seen: any[] = [];
    let cursor: string | undefined;
    let pages = 0;
    for (;;) {
      const res = await sync(`?count=40${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(res.status, 200, res.text);
      assert.equal(res.headers.get('cache-control'), 'no-store');
      assert.equal(res.headers.get('etag'), null);
      assert.ok(res.body.added.length <= 40);
      assert.deepEqual([res.body.modified, res.body.removed], [[], []]);
      seen.push(...res.body.added);
      cursor = res.body.next_cursor;
      pages++;
      if (!res.body.has_more) break;
    }
    assert.equal(pages, Math.ceil(stored.length / 40) + (stored.length % 40 === 0 ? 1 : 0));
    assert.equal(new Set(seen.map((t) => t.id)).size, seen.length);
    assert.deepEqual(seen.map((t) => JSON.stringify(t)).sort(), stored.map((t: any) => JSON.stringify(t)).sort());
    const idle = await sync(`?cursor=${cursor}`);
    assert.deepEqual([idle.body.added, idle.body.modified, idle.body.removed, idle.body.has_more], [[], [], [], false]);
    assert.equal(idle.body.next_cursor, cursor, 'nothing new: the same cursor back');
  });

  it('refuses a malformed cursor, another account\'s cursor, one ahead of the data, and a bad count, naming the parameter', async () => {
    const mine = (await sync('')).body.next_cursor as string;
    const foreign = (await sync('', { entity_id: entityId }, otherAccountId)).body.next_cursor as string;
    const ahead = encodeSyncCursor({ ...decodeSyncCursor(mine)!, seq: 999_999, since: 999_999 });
    for (const [query, param] of [
      ['?cursor=not-a-cursor!', 'cursor'],
      [`?cursor=${Buffer.from('s1|x|1').toString('base64url')}`, 'cursor'],
      [`?cursor=${foreign}`, 'cursor'],
      [`?cursor=${ahead}`, 'cursor'],
      ['?count=0', 'count'],
      ['?count=501', 'count'],
      ['?size=10', 'size'],
    ] as const) {
      const res = await sync(query);
      assert.equal(res.status, 400, `${query}: ${res.text}`);
      assert.match(res.body.code, /^(INVALID_PARAMETER|UNKNOWN_PARAMETER)$/);
      assert.equal(res.body.param ?? param, param, query);
    }
  });

  it('answers 404 for an account that is not the entity\'s, and 404 for another application\'s entity', async () => {
    assert.equal((await sync('', { entity_id: entityId }, '00000000-0000-4000-8000-000000000000')).status, 404);
    const other = await s.newApp('other');
    const otherToken = await s.token(other);
    const res = await s.request(`/data/v2/accounts/${accountId}/transactions/sync`, { token: otherToken, headers: { entity_id: entityId } });
    assert.equal(res.status, 404);
  });

  it('answers 403 PERMISSION_NOT_GRANTED without the transactions permission', async () => {
    const entity = await s.createSandboxEntity(token, { customer_id: customerId, bank_identifier: BANK, login: 'sync-no-tx', permissions: ['accounts', 'balance'] });
    const account = (await s.request('/data/v2/accounts', { token, headers: { entity_id: entity.id } })).body[0].account_id;
    const res = await s.request(`/data/v2/accounts/${account}/transactions/sync`, { token, headers: { entity_id: entity.id } });
    assert.equal(res.status, 403);
    assert.equal(res.body.code, 'PERMISSION_NOT_GRANTED');
  });

  it('a cursor whose removals were pruned answers 400 CURSOR_EXPIRED; starting again without one works', async () => {
    const login = 'sync-expiry';
    const entity = await s.createSandboxEntity(token, { customer_id: customerId, bank_identifier: BANK, login, profile: 'high_volume' });
    const account = (await s.request('/data/v2/accounts', { token, headers: { entity_id: entity.id } })).body[0].account_id;
    const read = (query: string) => s.request(`/data/v2/accounts/${account}/transactions/sync${query}`, { token, headers: { entity_id: entity.id } });
    let cursor: string | undefined;
    for (;;) {
      const res = await read(`?count=500${cursor ? `&cursor=${cursor}` : ''}`);
      cursor = res.body.next_cursor;
      if (!res.body.has_more) break;
    }
    await s.setSandboxFaults(BANK, login, ['withdrawn_transactions']);
    const started = await s.request('/data/v2/refreshes', { method: 'POST', token, headers: { entity_id: entity.id } });
    assert.equal((await s.waitForRefresh(token, entity.id, started.body.refresh_id)).status, 'FINISHED');
    const removed = (await read(`?cursor=${cursor}&count=500`)).body.removed;
    assert.ok(removed.length > 0, 'the refresh removed transactions');

    assert.equal(await pruneTombstones(s.server.ctx.store.db, '2000-01-01T00:00:00.000Z'), 0, 'nothing is a year old');
    const pruned = await pruneTombstones(s.server.ctx.store.db, new Date(s.server.ctx.now().getTime() + 60_000).toISOString());
    assert.ok(pruned >= removed.length);
    const expired = await read(`?cursor=${cursor}`);
    assert.equal(expired.status, 400, expired.text);
    assert.equal(expired.body.code, 'CURSOR_EXPIRED');
    assert.equal(expired.body.param, 'cursor');
    const fresh = await read('?count=500');
    assert.equal(fresh.status, 200);
    assert.deepEqual(fresh.body.removed, []);
  });

  it('is in the published OpenAPI document', async () => {
    const doc = (await s.request('/openapi.json', { unchecked: true })).body;
    const op = doc.paths['/data/v2/accounts/{account_id}/transactions/sync']?.get;
    assert.equal(op?.operationId, 'syncTransactions');
    assert.deepEqual(Object.keys(op.responses['200'].content['application/json'].schema.properties).sort(), ['added', 'has_more', 'modified', 'next_cursor', 'removed']);
  });
});
