import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { describeDialects } from '../helpers/dialects.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { startReceiver, verifyDelivery, type Receiver } from '../helpers/webhook-receiver.ts';

/**
 * Issue 16: code copied from Lean's own documentation (docs.leantech.me) runs against openlean.
 * Each call is made as the page shows it (method, URL, query, headers, body); decision 015 lists
 * the pages and what openlean does where they are unclear.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ENVELOPE_KEYS = ['data', 'message', 'meta', 'results_id', 'status', 'status_detail', 'timestamp'];

describeDialects('Lean\'s documented data calls', (dialect) => {
  let s: TestServer;
  let receiver: Receiver;
  let secret: string;
  let token: string;
  let entity: any;
  let accounts: any[];
  let accountId: string;

  const seedGet = (path: string) => s.request(path, { token, headers: { entity_id: entity.id } });

  before(async () => {
    s = await startTestServer({ dialect });
    receiver = await startReceiver();
    token = await s.token();
    const endpoint = await s.request('/webhooks/v1/endpoint', { method: 'PUT', token, json: { url: receiver.url } });
    assert.equal(endpoint.status, 200, endpoint.text);
    secret = endpoint.body.secret;
    const customerId = await s.createCustomer(token);
    entity = await s.createSandboxEntity(token, { customer_id: customerId, bank_identifier: 'SANDBOX_FALCON_AE' });
    accounts = (await seedGet('/data/v2/accounts')).body;
    assert.ok(accounts.length > 0);
    // The account with the most transactions, so paging has pages.
    let most = -1;
    for (const a of accounts) {
      const n = Number((await seedGet(`/data/v2/accounts/${a.account_id}/transactions?size=1`)).headers.get('x-total-count'));
      if (n > most) [most, accountId] = [n, a.account_id];
    }
    assert.ok(most >= 3, 'an account with a few transactions');
  });
  after(async () => {
    await s.close();
    await receiver.close();
  });

  it('getting started: GET /data/v2/accounts?entity_id=… answers the seed\'s plain list', async () => {
    // docs.leantech.me/docs/getting-started-with-data
    const res = await s.request(`/data/v2/accounts?entity_id=${entity.id}`, { token, headers: { accept: 'application/json' } });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, accounts);
  });

  it('asynchronous requests: POST /data/v2/accounts?async=false with the entity in the body answers Lean\'s envelope', async () => {
    // docs.leantech.me/docs/handling-asynchronous-requests (UAE, v2): Bearer JWT.
    const res = await s.request('/data/v2/accounts?async=false', {
      method: 'POST',
      token,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ entity_id: entity.id }),
    });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(Object.keys(res.body).sort(), ENVELOPE_KEYS);
    assert.equal(res.body.status, 'OK');
    assert.equal(res.body.results_id, null);
    assert.equal(res.body.status_detail, null);
    assert.equal(res.body.meta, null);
    assert.ok(!Number.isNaN(Date.parse(res.body.timestamp)));
    assert.deepEqual(res.body.data, accounts, 'the same data as the seed form');
  });

  it('KSA page: POST …?async=false&page=0&size=50&force_refresh=false&verbose=false with lean-app-token', async () => {
    // docs.leantech.me/v2.0-KSA/docs/handling-asynchronous-requests: the lean-app-token header.
    const res = await s.request('/data/v2/accounts?async=false&page=0&size=50&force_refresh=false&verbose=false', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'lean-app-token': token },
      body: JSON.stringify({ entity_id: entity.id }),
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.status, 'OK');
    assert.deepEqual(res.body.data, accounts);
  });

  it('lean-app-token holding a Lean application token is a 401 that names what openlean expects', async () => {
    const res = await s.request('/data/v2/accounts?async=false', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'lean-app-token': 'a1b2c3d4e5f6' },
      body: JSON.stringify({ entity_id: entity.id }),
    });
    assert.equal(res.status, 401);
    assert.equal(res.body.code, 'INVALID_TOKEN');
    assert.match(res.body.detail, /"lean-app-token" header must carry an openlean access token/);
    assert.match(res.body.detail, /Authorization: Bearer/);
  });

  it('every read has a POST form whose data is the GET form\'s', async () => {
    const post = (path: string) => s.request(path, { method: 'POST', token, json: { entity_id: entity.id } });
    for (const path of ['/data/v2/identity', ...['balances', 'beneficiaries', 'direct-debits', 'standing-orders', 'scheduled-payments', 'identities'].map((r) => `/data/v2/accounts/${accountId}/${r}`)]) {
      const [lean, seed] = await Promise.all([post(path), seedGet(path)]);
      assert.equal(seed.status, 200, `${path}: ${seed.text}`);
      assert.equal(lean.status, 200, `${path}: ${lean.text}`);
      assert.equal(lean.body.status, 'OK');
      assert.deepEqual(lean.body.data, seed.body, path);
    }
    const total = Number((await seedGet(`/data/v2/accounts/${accountId}/transactions?size=1`)).headers.get('x-total-count'));
    for (const page of [0, 1]) {
      const path = `/data/v2/accounts/${accountId}/transactions?page=${page}&size=2`;
      const [lean, seed] = await Promise.all([post(path), seedGet(path)]);
      assert.equal(lean.status, 200, lean.text);
      assert.deepEqual(lean.body.data, seed.body);
      assert.deepEqual(lean.body.meta, { page, size: 2, total });
    }
    const first = await post(`/data/v2/accounts/${accountId}/transactions?size=2`);
    assert.deepEqual(first.body.meta, { page: 0, size: 2, total }, 'the envelope pages by number from 0');
  });

  it('entity_id from the header, the query or the body; the same twice is fine, two different ones are a 400 naming both', async () => {
    const other = '00000000-0000-4000-8000-000000000000';
    const both = await s.request(`/data/v2/accounts?entity_id=${entity.id}`, { token, headers: { entity_id: entity.id } });
    assert.equal(both.status, 200);
    const clash = await s.request(`/data/v2/accounts?entity_id=${other}`, { token, headers: { entity_id: entity.id } });
    assert.equal(clash.status, 400);
    assert.equal(clash.body.code, 'INVALID_PARAMETER');
    assert.equal(clash.body.param, 'entity_id');
    assert.match(clash.body.detail, new RegExp(`header "entity_id" \\(${entity.id}\\) and the query parameter "entity_id" \\(${other}\\)`));
    const bodyClash = await s.request('/data/v2/accounts', { method: 'POST', token, headers: { entity_id: entity.id }, json: { entity_id: other } });
    assert.equal(bodyClash.status, 400);
    assert.match(bodyClash.body.detail, /header "entity_id" .* and the body field "entity_id"/);
    const queryBody = await s.request(`/data/v2/accounts?entity_id=${other}`, { method: 'POST', token, json: { entity_id: entity.id } });
    assert.equal(queryBody.status, 400);
    assert.match(queryBody.body.detail, /query parameter "entity_id" .* and the body field "entity_id"/);
    const none = await s.request('/data/v2/accounts', { token });
    assert.equal(none.status, 400);
    assert.equal(none.body.param, 'entity_id');
    assert.equal(none.body.detail, 'The header "entity_id" is required');
  });

  it('async=true answers PENDING with a results_id, then results.ready (signed), then the results, paged like the read', async () => {
    const path = `/data/v2/accounts/${accountId}/transactions?async=true&page=0&size=2`;
    const res = await s.request(path, { method: 'POST', token, json: { entity_id: entity.id } });
    assert.equal(res.status, 202, res.text);
    assert.equal(res.body.status, 'PENDING');
    assert.match(res.body.results_id, UUID);
    assert.equal(res.body.data, null);
    const resultsId = res.body.results_id;

    await receiver.waitFor((got) => got.some((r) => r.event.type === 'results.ready' && r.event.payload.id === resultsId));
    const hook = receiver.received.find((r) => r.event.type === 'results.ready' && r.event.payload.id === resultsId)!;
    verifyDelivery(hook, secret);
    assert.equal(hook.event.message, 'Your results are ready.');
    assert.equal(hook.event.payload.entity_id, entity.id);

    for (const page of [0, 1]) {
      const results = await s.request(`/data/v2/results/${resultsId}?page=${page}&size=2`, { token, headers: { 'content-type': 'application/json' } });
      assert.equal(results.status, 200, results.text);
      assert.equal(results.body.status, 'OK');
      assert.equal(results.body.results_id, resultsId);
      assert.deepEqual(results.body.data, (await seedGet(`/data/v2/accounts/${accountId}/transactions?page=${page}&size=2`)).body);
      assert.equal(results.body.meta.page, page);
    }

    const stranger = await s.token(await s.newApp('stranger'));
    assert.equal((await s.request(`/data/v2/results/${resultsId}`, { token: stranger })).status, 404, 'another application\'s results are not found');
    assert.equal((await s.request('/data/v2/results/00000000-0000-4000-8000-000000000000', { token })).status, 404);

    // GET form with async=true: Lean's envelope too.
    const viaGet = await s.request(`/data/v2/accounts?entity_id=${entity.id}&async=true`, { token });
    assert.equal(viaGet.status, 202, viaGet.text);
    assert.equal(viaGet.body.status, 'PENDING');
    const ready = await s.request(`/data/v2/results/${viaGet.body.results_id}`, { token });
    assert.equal(ready.status, 200);
    assert.deepEqual(ready.body.data, accounts);

    s.advanceClock(25 * 3600_000);
    try {
      const expired = await s.request(`/data/v2/results/${resultsId}`, { token: await s.token() });
      assert.equal(expired.status, 410);
      assert.equal(expired.body.code, 'RESULTS_EXPIRED');
    } finally {
      s.advanceClock(-25 * 3600_000);
    }
  });

  it('force_refresh=true fetches from the bank first: PENDING until the refresh ends, then results.ready and the results', async () => {
    const res = await s.request('/data/v2/accounts?async=false&force_refresh=true', { method: 'POST', token, json: { entity_id: entity.id } });
    assert.equal(res.status, 202, res.text);
    assert.equal(res.body.status, 'PENDING');
    const refreshId = res.body.status_detail.refresh_id;
    assert.match(refreshId, UUID);
    assert.ok(Number(res.headers.get('retry-after')) >= 1);
    const refresh = await s.request(`/data/v2/refreshes/${refreshId}`, { token, headers: { entity_id: entity.id } });
    assert.equal(refresh.body.trigger, 'MANUAL');

    await receiver.waitFor((got) => got.some((r) => r.event.type === 'results.ready' && r.event.payload.id === res.body.results_id));
    assert.equal((await s.request(`/data/v2/refreshes/${refreshId}`, { token, headers: { entity_id: entity.id } })).body.status, 'FINISHED', 'ready only once the refresh ended');
    const results = await s.request(`/data/v2/results/${res.body.results_id}`, { token });
    assert.equal(results.status, 200, results.text);
    assert.deepEqual(results.body.data, (await seedGet('/data/v2/accounts')).body);
  });

  it('a resource whose fetch failed answers FAILED in the envelope, as the GET form answers 409 RESOURCE_NOT_AVAILABLE', async () => {
    const bank = 'SANDBOX_FALCON_AE';
    const login = 'lean-docs-broken-transactions';
    const faults = await fetch(`${s.url}/sandbox-banks/${bank}/control/users/${login}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ faults: ['empty_transactions_body'] }),
    });
    assert.ok(faults.ok);
    const customerId = await s.createCustomer(token, 'lean-docs-broken');
    const broken = await s.createSandboxEntity(token, { customer_id: customerId, bank_identifier: bank, login, profile: 'thin' });
    const account = (await s.request('/data/v2/accounts', { token, headers: { entity_id: broken.id } })).body[0].account_id;
    const seed = await s.request(`/data/v2/accounts/${account}/transactions`, { token, headers: { entity_id: broken.id } });
    assert.equal(seed.status, 409);
    assert.equal(seed.body.code, 'RESOURCE_NOT_AVAILABLE');
    const lean = await s.request(`/data/v2/accounts/${account}/transactions?page=0&size=50`, { method: 'POST', token, json: { entity_id: broken.id } });
    assert.equal(lean.status, 409, lean.text);
    assert.deepEqual(Object.keys(lean.body).sort(), ENVELOPE_KEYS);
    assert.equal(lean.body.status, 'FAILED');
    assert.equal(lean.body.data, null);
    assert.equal(lean.body.status_detail.code, 'RESOURCE_NOT_AVAILABLE');
    assert.equal(lean.body.message, seed.body.detail);
    // Both refusals are in the audit trail with their code, the envelope's as the problem's.
    await s.server.ctx.audit.flush();
    const audited = await s.request(`/audit/v1/events?entity_id=${broken.id}&kind=data.read&size=100`, { token });
    const refused = audited.body.filter((e: { resource: string; status: number }) => e.resource === 'transactions' && e.status === 409);
    assert.deepEqual(refused.map((e: { error_code: string; outcome: string }) => [e.error_code, e.outcome]), [['RESOURCE_NOT_AVAILABLE', 'REFUSED'], ['RESOURCE_NOT_AVAILABLE', 'REFUSED']]);
  });

  it('the published OpenAPI document describes both forms, the results and the lean-app-token header', async () => {
    const doc = (await s.request('/openapi.json', { unchecked: true })).body;
    assert.ok(doc.paths['/data/v2/accounts'].get && doc.paths['/data/v2/accounts'].post);
    assert.ok(doc.paths['/data/v2/accounts/{account_id}/transactions'].post);
    assert.ok(doc.paths['/data/v2/identity'].post);
    assert.ok(doc.paths['/data/v2/results/{results_id}'].get);
    assert.equal(doc.components.securitySchemes.LeanAppToken.name, 'lean-app-token');
    const get = doc.paths['/data/v2/accounts'].get;
    assert.deepEqual(get.responses['200'].content['application/json'].schema, { type: 'array', items: { $ref: '#/components/schemas/Account' } }, 'the seed form still answers a plain list');
  });
});

describeDialects('Lean\'s calls while a refresh runs', (dialect) => {
  let s: TestServer;
  after(() => s.close());

  it('force_refresh joins the running refresh, a plain POST falls back to a results_id, and the seed GET still answers DataPending', async () => {
    // No worker in this process: the INITIAL refresh stays PENDING.
    s = await startTestServer({ dialect, env: { WORKER_CONCURRENCY: '0' } });
    const token = await s.token();
    const customerId = await s.createCustomer(token);
    const entity = await s.createSandboxEntity(token, { customer_id: customerId }, { wait: false });

    const forced = await s.request('/data/v2/accounts?force_refresh=true', { method: 'POST', token, json: { entity_id: entity.id } });
    assert.equal(forced.status, 202, forced.text);
    assert.equal(forced.body.status, 'PENDING');
    assert.equal(forced.body.status_detail.refresh_id, entity.refresh_id, 'joined the refresh already running');
    const refreshes = await s.request('/data/v2/refreshes', { token, headers: { entity_id: entity.id } });
    assert.deepEqual(refreshes.body.map((r: any) => r.refresh_id), [entity.refresh_id], 'no second refresh');

    const viaGet = await s.request(`/data/v2/identity?entity_id=${entity.id}&force_refresh=true`, { token });
    assert.equal(viaGet.status, 202);
    assert.equal(viaGet.body.status_detail.refresh_id, entity.refresh_id);

    const plain = await s.request('/data/v2/accounts?async=false', { method: 'POST', token, json: { entity_id: entity.id } });
    assert.equal(plain.status, 202);
    assert.match(plain.body.results_id, UUID);
    assert.equal(plain.headers.get('retry-after'), '2');

    const results = await s.request(`/data/v2/results/${forced.body.results_id}`, { token });
    assert.equal(results.status, 202, results.text);
    assert.equal(results.body.status, 'PENDING');

    const seed = await s.request('/data/v2/accounts', { token, headers: { entity_id: entity.id } });
    assert.equal(seed.status, 202);
    assert.deepEqual(seed.body, { status: 'PENDING', refresh_id: entity.refresh_id });
  });
});
