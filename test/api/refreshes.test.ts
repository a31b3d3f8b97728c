import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { describeDialects } from '../helpers/dialects.ts';
import { assertSecured } from '../helpers/security.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const nextLink = (link: string | null) => (link ? /^<([^>]+)>; rel="next"$/.exec(link)![1]! : null);

describeDialects('refreshes API', (dialect) => {
  let s: TestServer;
  let token: string;
  let customerId: string;
  let entity: any;

  const call = (path: string, entityId: string, o: { method?: string; headers?: Record<string, string>; tok?: string } = {}) =>
    s.request(path, { method: o.method ?? 'GET', token: o.tok ?? token, headers: { entity_id: entityId, ...o.headers } });

  before(async () => {
    s = await startTestServer({ dialect, env: { REFRESH_MANUAL_DAILY_LIMIT: '3' } });
    token = await s.token();
    customerId = await s.createCustomer(token);
    entity = await s.createSandboxEntity(token, { customer_id: customerId, bank_identifier: 'SANDBOX_OASIS_AE', login: 'refresher' });
  });
  after(() => s.close());

  it('the INITIAL refresh finished with a count per resource the consent covers', async () => {
    const res = await call(`/data/v2/refreshes/${entity.refresh_id}`, entity.id);
    assert.equal(res.status, 200);
    assert.equal(res.body.refresh_id, entity.refresh_id);
    assert.equal(res.body.entity_id, entity.id);
    assert.equal(res.body.trigger, 'INITIAL');
    assert.equal(res.body.status, 'FINISHED');
    assert.equal(res.body.error, null);
    assert.ok(res.body.started_at <= res.body.finished_at);
    const byResource = Object.fromEntries(res.body.resources.map((r: any) => [r.resource, r]));
    assert.deepEqual(Object.keys(byResource).sort(), ['account_identities', 'accounts', 'balances', 'beneficiaries', 'direct_debits', 'identity', 'scheduled_payments', 'standing_orders', 'transactions']);
    for (const r of res.body.resources) assert.equal(r.status, 'FINISHED', r.resource);
    const accounts = (await call('/data/v2/accounts', entity.id)).body;
    assert.equal(byResource.accounts.records, accounts.length);
    let transactions = 0;
    for (const a of accounts) transactions += (await s.allTransactions(token, entity.id, a.account_id)).length;
    assert.equal(byResource.transactions.records, transactions);
    assert.equal(byResource.identity.records, 1);
  });

  it('POST answers 202 with a PENDING refresh, joins a refresh already running, and honours Idempotency-Key', async () => {
    const first = await call('/data/v2/refreshes', entity.id, { method: 'POST', headers: { 'idempotency-key': 'k-1' } });
    assert.equal(first.status, 202, first.text);
    assert.match(first.body.refresh_id, UUID);
    assert.equal(first.body.trigger, 'MANUAL');
    assert.ok(['PENDING', 'IN_PROGRESS'].includes(first.body.status));
    assert.equal(first.headers.get('location'), `/data/v2/refreshes/${first.body.refresh_id}`);
    const joined = await call('/data/v2/refreshes', entity.id, { method: 'POST' });
    assert.equal(joined.status, 202);
    assert.equal(joined.body.refresh_id, first.body.refresh_id, 'a second request while one runs joins it');

    const done = await s.waitForRefresh(token, entity.id, first.body.refresh_id);
    assert.equal(done.status, 'FINISHED');
    const again = await call('/data/v2/refreshes', entity.id, { method: 'POST', headers: { 'idempotency-key': 'k-1' } });
    assert.equal(again.status, 202);
    assert.equal(again.body.refresh_id, first.body.refresh_id, 'the same key answers the same refresh, even after it finished');
    assert.equal(again.body.status, 'FINISHED');

    const other = await s.createSandboxEntity(token, { customer_id: customerId, login: 'refresher-2' });
    const reused = await call('/data/v2/refreshes', other.id, { method: 'POST', headers: { 'idempotency-key': 'k-1' } });
    assert.equal(reused.status, 409);
    assert.equal(reused.body.code, 'IDEMPOTENCY_CONFLICT');

    const bad = await call('/data/v2/refreshes', entity.id, { method: 'POST', headers: { 'idempotency-key': 'x'.repeat(256) } });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.param, 'idempotency-key');
  });

  it('limits manual refreshes per entity per day with 429 and Retry-After', async () => {
    const limited = await s.createSandboxEntity(token, { customer_id: customerId, login: 'limited', profile: 'thin' });
    for (let i = 0; i < 3; i++) {
      const res = await call('/data/v2/refreshes', limited.id, { method: 'POST' });
      assert.equal(res.status, 202);
      await s.waitForRefresh(token, limited.id, res.body.refresh_id);
    }
    const refused = await call('/data/v2/refreshes', limited.id, { method: 'POST' });
    assert.equal(refused.status, 429);
    assert.equal(refused.body.code, 'REFRESH_LIMIT_REACHED');
    const retryAfter = Number(refused.headers.get('retry-after'));
    assert.ok(retryAfter > 0 && retryAfter <= 86_400, `Retry-After ${retryAfter}`);
  });

  it('lists refreshes newest first, by page and by cursor', async () => {
    const listed = await call('/data/v2/refreshes?size=1', entity.id);
    assert.equal(listed.status, 200);
    const total = Number(listed.headers.get('x-total-count'));
    assert.ok(total >= 2);
    const all = await call('/data/v2/refreshes?size=100', entity.id);
    assert.equal(all.body.length, total);
    for (let i = 1; i < all.body.length; i++) assert.ok(all.body[i - 1].created_at >= all.body[i].created_at);
    assert.equal(all.body.at(-1).trigger, 'INITIAL');

    const walked: string[] = [];
    let url: string | null = '/data/v2/refreshes?size=1';
    while (url) {
      const res = await call(url, entity.id);
      walked.push(...res.body.map((r: any) => r.refresh_id));
      url = nextLink(res.headers.get('link'));
    }
    assert.deepEqual(walked, all.body.map((r: any) => r.refresh_id));
    const page1 = await call('/data/v2/refreshes?size=1&page=1', entity.id);
    assert.equal(page1.body[0].refresh_id, all.body[1].refresh_id);

    for (const [query, param] of [['size=0', 'size'], ['cursor=nope', 'cursor'], ['status=x', 'status']]) {
      const res = await call(`/data/v2/refreshes?${query}`, entity.id);
      assert.equal(res.status, 400, query);
      assert.equal(res.body.param, param);
    }
  });

  it('answers 404 for unknown refreshes, another entity\'s refresh and another application\'s entity', async () => {
    assert.equal((await call('/data/v2/refreshes/00000000-0000-4000-8000-000000000000', entity.id)).status, 404);
    assert.equal((await call('/data/v2/refreshes/not-a-uuid', entity.id)).status, 400);
    const other = await s.createSandboxEntity(token, { customer_id: customerId, login: 'refresher-3', profile: 'thin' });
    assert.equal((await call(`/data/v2/refreshes/${entity.refresh_id}`, other.id)).status, 404);
    const intruder = await s.token(await s.newApp('intruder'));
    for (const [method, path] of [['GET', '/data/v2/refreshes'], ['POST', '/data/v2/refreshes'], ['GET', `/data/v2/refreshes/${entity.refresh_id}`]]) {
      const res = await call(path!, entity.id, { method: method!, tok: intruder });
      assert.equal(res.status, 404, `${method} ${path}`);
    }
  });

  it('refuses a refresh of a revoked entity', async () => {
    const doomed = await s.createSandboxEntity(token, { customer_id: customerId, login: 'doomed', profile: 'thin' });
    await s.request(`/customers/v1/${customerId}/entities/${doomed.id}`, { method: 'DELETE', token });
    const res = await call('/data/v2/refreshes', doomed.id, { method: 'POST' });
    assert.equal(res.status, 403);
    assert.equal(res.body.code, 'CONSENT_REVOKED');
  });

  it('is secured', async () => {
    for (const [method, path] of [['GET', '/data/v2/refreshes'], ['POST', '/data/v2/refreshes'], ['GET', `/data/v2/refreshes/${entity.refresh_id}`]] as const) {
      await assertSecured(s, (authorization) => s.request(path, { method, headers: { entity_id: entity.id, ...(authorization ? { authorization } : {}) } }), {
        apiOnly: true,
        customerId,
      });
    }
  });
});

describeDialects('reads before the first refresh finished', (dialect) => {
  let s: TestServer;
  after(() => s.close());

  it('answer 202 PENDING with the refresh id and Retry-After, never an empty list', async () => {
    // No worker in this process: the INITIAL refresh waits.
    s = await startTestServer({ dialect, env: { WORKER_CONCURRENCY: '0' } });
    const token = await s.token();
    const customerId = await s.createCustomer(token);
    const entity = await s.createSandboxEntity(token, { customer_id: customerId }, { wait: false });
    for (const path of ['/data/v2/accounts', '/data/v2/identity', '/data/v2/accounts/whatever/transactions', '/data/v2/accounts/whatever/balances']) {
      const res = await s.request(path, { token, headers: { entity_id: entity.id } });
      assert.equal(res.status, 202, `${path}: ${res.text}`);
      assert.deepEqual(res.body, { status: 'PENDING', refresh_id: entity.refresh_id });
      assert.equal(res.headers.get('retry-after'), '2');
      assert.equal(res.headers.get('etag'), null);
    }
    const refresh = await s.request(`/data/v2/refreshes/${entity.refresh_id}`, { token, headers: { entity_id: entity.id } });
    assert.equal(refresh.body.status, 'PENDING');
    assert.ok(refresh.body.resources.every((r: any) => r.status === 'PENDING' && r.records === null));
  });
});

describeDialects('the scheduler', (dialect) => {
  let s: TestServer;
  after(() => s.close());

  it('refreshes an active entity once its last refresh is older than REFRESH_SCHEDULE_HOURS, and only then', async () => {
    s = await startTestServer({ dialect, env: { REFRESH_SCHEDULE_HOURS: '6' } });
    const token = await s.token();
    const customerId = await s.createCustomer(token);
    const entity = await s.createSandboxEntity(token, { customer_id: customerId, profile: 'thin' });
    const list = async () => (await s.request('/data/v2/refreshes', { token: await s.token(), headers: { entity_id: entity.id } })).body;
    // A tick of the scheduler, run to its end: what it did not request by then, it did not request.
    const tick = () => s.server.worker!.runScheduledNow();

    await tick();
    assert.deepEqual((await list()).map((r: any) => r.trigger), ['INITIAL'], 'nothing is due yet');

    s.advanceClock(7 * 3600_000);
    await tick();
    const refreshes = await list();
    assert.equal(refreshes.length, 2, 'a second refresh');
    assert.equal(refreshes[0].trigger, 'SCHEDULED');
    const done = await s.waitForRefresh(await s.token(), entity.id, refreshes[0].refresh_id);
    assert.equal(done.status, 'FINISHED');
    await tick();
    await tick();
    assert.equal((await list()).length, 2, 'one scheduled refresh per interval, not one per tick');
  });
});
