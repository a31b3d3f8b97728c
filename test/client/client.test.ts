import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, it } from 'node:test';
import { createOpenleanClient, ProblemError, TokenError, type OpenleanClient, type Refresh } from '../../clients/typescript/src/index.ts';
import { describeDialects } from '../helpers/dialects.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

/**
 * The typed client (clients/typescript) against the real server over HTTP: each of its methods
 * answers what the REST endpoint answers (read through the test helper, which validates every
 * answer against the published document), errors arrive as typed problems, tokens are renewed.
 */
describeDialects('TypeScript client', (dialect) => {
  let s: TestServer;
  let client: OpenleanClient;
  let token: string;
  /** The client's clock offset, moved with the server's. */
  let offset = 0;
  const tokenRequests: string[] = [];
  let customerId: string;
  let entityId: string;
  let accountId: string;

  before(async () => {
    s = await startTestServer({ dialect });
    token = await s.token();
    // The real fetch, with the token requests written down so renewal can be counted.
    const counting: typeof fetch = (input, init) => {
      if (String(input instanceof Request ? input.url : input).endsWith('/oauth2/token')) tokenRequests.push(new Date(Date.now() + offset).toISOString());
      return fetch(input, init);
    };
    client = createOpenleanClient({ baseUrl: s.url, clientId: s.app.client_id, clientSecret: s.app.client_secret, fetch: counting, now: () => Date.now() + offset });
  });
  after(() => s.close());

  const rest = async (path: string, entity?: string) => {
    const res = await s.request(path, { token, headers: entity ? { entity_id: entity } : {} });
    assert.equal(res.status, 200, res.text);
    return res.body;
  };

  it('customers: create, get, get by app_user_id, list page by page', async () => {
    const appUserId = `client-${randomUUID()}`;
    const created = await client.createCustomer(appUserId);
    customerId = created.customer_id;
    assert.equal(created.app_user_id, appUserId);
    assert.deepEqual(await client.getCustomer(customerId), await rest(`/customers/v1/${customerId}`));
    assert.deepEqual(await client.getCustomerByAppUserId(appUserId), created);
    await client.createCustomer(`client-${randomUUID()}`);
    const first = await client.listCustomers({ size: 1 });
    assert.equal(first.items.length, 1);
    assert.equal(first.total, 2);
    assert.deepEqual(first.next, { size: '1', page: '1' });
    const second = await client.listCustomers({ size: 1, page: Number(first.next!.page) });
    assert.equal(second.next, null);
    assert.deepEqual([...first.items, ...second.items].map((c) => c.customer_id).sort(), (await rest('/customers/v1')).map((c: any) => c.customer_id).sort());
  });

  it('a sandbox entity, its INITIAL refresh waited for with progress, and the entity reads', async () => {
    const created = await client.createSandboxEntity({ customer_id: customerId });
    entityId = created.id;
    const seen: Refresh[] = [];
    const done = await client.waitForRefresh(entityId, created.refresh_id, { intervalMs: 20, onProgress: (r) => seen.push(r) });
    assert.equal(done.status, 'FINISHED');
    assert.equal(done.trigger, 'INITIAL');
    assert.deepEqual(seen.at(-1), done, 'the last progress report is the finished refresh');
    assert.equal(new Set(seen.map((r) => JSON.stringify(r))).size, seen.length, 'progress is reported only when it changed');
    assert.deepEqual(await client.listEntities(customerId), await rest(`/customers/v1/${customerId}/entities`));
    assert.deepEqual(await client.getEntity(customerId, entityId), await rest(`/customers/v1/${customerId}/entities/${entityId}`));
  });

  it('every data read equals the REST answer', async () => {
    const accounts = await client.accounts(entityId);
    assert.deepEqual(accounts, await rest('/data/v2/accounts', entityId));
    accountId = accounts[0]!.account_id;
    const reads = {
      balances: client.balances,
      beneficiaries: client.beneficiaries,
      'direct-debits': client.directDebits,
      'scheduled-payments': client.scheduledPayments,
      'standing-orders': client.standingOrders,
      identities: client.accountIdentities,
    } as const;
    for (const [path, read] of Object.entries(reads)) {
      assert.deepEqual(await read(entityId, accountId), await rest(`/data/v2/accounts/${accountId}/${path}`, entityId), path);
    }
    assert.deepEqual(await client.identity(entityId), await rest('/data/v2/identity', entityId));
    const page = await client.transactions(entityId, accountId, { size: 5 });
    assert.deepEqual(page.items, await rest(`/data/v2/accounts/${accountId}/transactions?size=5`, entityId));
    assert.ok(page.next?.cursor, 'the next page goes by cursor');
    const all = [];
    for await (const t of client.allTransactions(entityId, accountId, { size: 7 })) all.push(t);
    assert.deepEqual(all, await s.allTransactions(token, entityId, accountId));
    assert.equal(all.length, page.total);
    const from = all.at(-1)!.timestamp.slice(0, 10);
    const to = all[0]!.timestamp.slice(0, 10);
    const ranged = [];
    for await (const t of client.allTransactions(entityId, accountId, { from: to, to, size: 3 })) ranged.push(t);
    assert.deepEqual(ranged, await rest(`/data/v2/accounts/${accountId}/transactions?start_date=${to}&end_date=${to}&size=1000`, entityId));
    assert.ok(from <= to);
    const sync = await client.sync(entityId, accountId, { count: 500 });
    assert.deepEqual(sync, await rest(`/data/v2/accounts/${accountId}/transactions/sync?count=500`, entityId));
  });

  it('the typed openapi-fetch client reaches the operations without a method (Lean\'s POST forms)', async () => {
    const lean = await client.http.POST('/data/v2/accounts', { body: { entity_id: entityId } });
    assert.equal(lean.response.status, 200);
    const res = await s.request('/data/v2/accounts', { method: 'POST', token, json: { entity_id: entityId } });
    assert.deepEqual({ ...lean.data, timestamp: null }, { ...res.body, timestamp: null });
  });

  it('banks: the list, and its filters', async () => {
    assert.deepEqual(await client.listBanks(), await rest('/banks/v1'));
    assert.deepEqual(await client.listBanks({ country: 'SA' }), await rest('/banks/v1?country=SA'));
  });

  it('refreshes: trigger (idempotent by key), list, status, wait', async () => {
    const key = randomUUID();
    const triggered = await client.refresh(entityId, { idempotencyKey: key });
    assert.equal(triggered.trigger, 'MANUAL');
    assert.equal((await client.refresh(entityId, { idempotencyKey: key })).refresh_id, triggered.refresh_id);
    const listed = await client.listRefreshes(entityId);
    assert.ok(listed.items.some((r) => r.refresh_id === triggered.refresh_id));
    assert.equal(listed.total, 2);
    assert.equal((await client.getRefresh(entityId, triggered.refresh_id)).refresh_id, triggered.refresh_id);
    const done = await client.waitForRefresh(entityId, triggered.refresh_id, { intervalMs: 20 });
    assert.equal(done.status, 'FINISHED');
    assert.deepEqual(done, await rest(`/data/v2/refreshes/${triggered.refresh_id}`, entityId));
  });

  it('errors are ProblemErrors with the stable code, status and request id', async () => {
    const missing = randomUUID();
    const notFound = await client.getCustomer(missing).then(
      () => assert.fail('no such customer'),
      (err: unknown) => err,
    );
    assert.ok(notFound instanceof ProblemError);
    assert.equal(notFound.code, 'NOT_FOUND');
    assert.equal(notFound.status, 404);
    assert.match(notFound.request_id, /.+/);
    const { request_id, ...problem } = notFound.toJSON();
    const { request_id: _, ...served } = (await s.request(`/customers/v1/${missing}`, { token })).body;
    assert.deepEqual(problem, served, 'the problem as the server renders it');
    assert.ok(request_id);

    // Another application's entity is not there for this one.
    const stranger = await s.newApp('stranger');
    const theirs = createOpenleanClient({ baseUrl: s.url, clientId: stranger.client_id, clientSecret: stranger.client_secret });
    await assert.rejects(theirs.accounts(entityId), (err: unknown) => err instanceof ProblemError && err.code === 'NOT_FOUND' && err.status === 404);
    await assert.rejects(client.transactions(entityId, accountId, { size: 0 }), (err: unknown) => err instanceof ProblemError && err.code === 'INVALID_PARAMETER' && err.param === 'size');

    const wrong = createOpenleanClient({ baseUrl: s.url, clientId: s.app.client_id, clientSecret: 'not-the-secret' });
    await assert.rejects(wrong.listBanks(), (err: unknown) => err instanceof TokenError && err.status === 401 && err.error === 'invalid_client');
  });

  it('one token serves every request until shortly before it expires, then a new one is asked for', async () => {
    const before = tokenRequests.length;
    await Promise.all([client.listBanks(), client.accounts(entityId), client.getCustomer(customerId)]);
    assert.equal(tokenRequests.length, before, 'the cached token is used');
    // Past the token's TTL (3600 s) on both clocks: the old token no longer passes, the client has renewed it.
    s.advanceClock(3_600_000);
    offset += 3_600_000;
    await Promise.all([client.listBanks(), client.accounts(entityId)]);
    assert.equal(tokenRequests.length, before + 1, 'one renewal shared by concurrent requests');
    // 59 minutes on: inside the 60 s renewal margin of the 3600 s token.
    s.advanceClock(3_541_000);
    offset += 3_541_000;
    await client.listBanks();
    assert.equal(tokenRequests.length, before + 2, 'renewed before it expired');
  });

  it('deleting the entity answers it; its data is gone', async () => {
    const deleted = await client.deleteEntity(customerId, entityId);
    assert.equal(deleted.id, entityId);
    await assert.rejects(client.accounts(entityId), (err: unknown) => err instanceof ProblemError && err.code === 'CONSENT_REVOKED');
  });
});
