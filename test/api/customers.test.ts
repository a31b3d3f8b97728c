import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { describeDialects } from '../helpers/dialects.ts';
import { assertSecured } from '../helpers/security.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describeDialects('customers', (dialect) => {
  let s: TestServer;
  let token: string;
  before(async () => {
    s = await startTestServer({ dialect });
    token = await s.token();
  });
  after(() => s.close());

  describe('POST /customers/v1', () => {
    it('creates a customer', async () => {
      const res = await s.request('/customers/v1', { token, json: { app_user_id: 'alice@example.com' } });
      assert.equal(res.status, 201);
      assert.match(res.body.customer_id, UUID);
      assert.equal(res.body.app_user_id, 'alice@example.com');
      assert.equal(res.body.app_id, s.app.app_id);
      assert.ok(Math.abs(Date.parse(res.body.created_at) - Date.now()) < 60_000);
    });

    it('answers 409 for a duplicate app_user_id in the same application, but not across applications', async () => {
      await s.createCustomer(token, 'dup-user');
      const dup = await s.request('/customers/v1', { token, json: { app_user_id: 'dup-user' } });
      assert.equal(dup.status, 409);
      assert.equal(dup.body.code, 'DUPLICATE_CUSTOMER');
      assert.equal(dup.body.param, 'app_user_id');

      const other = await s.token(await s.newApp('other'));
      const res = await s.request('/customers/v1', { token: other, json: { app_user_id: 'dup-user' } });
      assert.equal(res.status, 201);
    });

    it('validates the body and names the field at fault', async () => {
      const cases: Array<[unknown, string, string]> = [
        [{}, 'INVALID_PARAMETER', 'app_user_id'],
        [{ app_user_id: '' }, 'INVALID_PARAMETER', 'app_user_id'],
        [{ app_user_id: 42 }, 'INVALID_PARAMETER', 'app_user_id'],
        [{ app_user_id: ' padded ' }, 'INVALID_PARAMETER', 'app_user_id'],
        [{ app_user_id: 'x'.repeat(256) }, 'INVALID_PARAMETER', 'app_user_id'],
        [{ app_user_id: 'ok', extra: true }, 'UNKNOWN_PARAMETER', 'extra'],
        [[], 'INVALID_PARAMETER', 'body'],
        ['just a string', 'INVALID_PARAMETER', 'body'],
      ];
      for (const [body, code, param] of cases) {
        const res = await s.request('/customers/v1', { token, json: body });
        assert.equal(res.status, 400, `${JSON.stringify(body)} → ${res.text}`);
        assert.equal(res.body.code, code, JSON.stringify(body));
        assert.equal(res.body.param, param, JSON.stringify(body));
        assert.match(res.headers.get('content-type')!, /^application\/problem\+json/);
        assert.equal(res.body.request_id, res.headers.get('x-request-id'));
      }
    });

    it('refuses malformed JSON, other content types and oversized bodies with 4xx', async () => {
      const malformed = await s.request('/customers/v1', { method: 'POST', token, headers: { 'content-type': 'application/json' }, body: '{"app_user_id":' });
      assert.equal(malformed.status, 400);
      assert.equal(malformed.body.code, 'MALFORMED_BODY');

      const text = await s.request('/customers/v1', { method: 'POST', token, headers: { 'content-type': 'text/plain' }, body: 'hello' });
      assert.equal(text.status, 415);
      assert.equal(text.body.code, 'UNSUPPORTED_MEDIA_TYPE');

      const big = await s.request('/customers/v1', { method: 'POST', token, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ app_user_id: 'x'.repeat(2 * 1024 * 1024) }) });
      assert.equal(big.status, 413);
      assert.equal(big.body.code, 'PAYLOAD_TOO_LARGE');

      const empty = await s.request('/customers/v1', { method: 'POST', token, headers: { 'content-type': 'application/json' }, body: '' });
      assert.equal(empty.status, 400);
    });

    it('is secured', async () => {
      const customerId = await s.createCustomer(token);
      await assertSecured(s, (authorization) => s.request('/customers/v1', { json: { app_user_id: 'sec' }, headers: authorization ? { authorization } : {} }), {
        apiOnly: true,
        customerId,
      });
    });
  });

  describe('GET /customers/v1/{customer_id} and /customers/v1/app-user-id/{app_user_id}', () => {
    it('reads a customer by id and by app_user_id', async () => {
      const id = await s.createCustomer(token, 'bob/with spaces');
      const byId = await s.request(`/customers/v1/${id}`, { token });
      assert.equal(byId.status, 200);
      assert.deepEqual({ ...byId.body, created_at: undefined }, { customer_id: id, app_user_id: 'bob/with spaces', app_id: s.app.app_id, created_at: undefined });

      const byUser = await s.request(`/customers/v1/app-user-id/${encodeURIComponent('bob/with spaces')}`, { token });
      assert.equal(byUser.status, 200);
      assert.equal(byUser.body.customer_id, id);
    });

    it('answers 404 for unknown ids and for another application\'s customers', async () => {
      const id = await s.createCustomer(token);
      const other = await s.token(await s.newApp('other'));
      for (const [path, tok] of [
        [`/customers/v1/${id}`, other],
        ['/customers/v1/00000000-0000-4000-8000-000000000000', token],
        [`/customers/v1/app-user-id/nobody`, token],
      ] as const) {
        const res = await s.request(path, { token: tok });
        assert.equal(res.status, 404, path);
        assert.equal(res.body.code, 'NOT_FOUND');
      }
      const bad = await s.request('/customers/v1/not-a-uuid', { token });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.param, 'customer_id');
    });

    it('lets a customer-scoped token read its own customer only', async () => {
      const mine = await s.createCustomer(token);
      const theirs = await s.createCustomer(token);
      const customerToken = await s.token(s.app, `customer.${mine}`);
      assert.equal((await s.request(`/customers/v1/${mine}`, { token: customerToken })).status, 200);
      assert.equal((await s.request(`/customers/v1/${theirs}`, { token: customerToken })).status, 404);
      const byUser = await s.request('/customers/v1/app-user-id/x', { token: customerToken });
      assert.equal(byUser.status, 403);
      assert.equal(byUser.body.code, 'INSUFFICIENT_SCOPE');
    });

    it('is secured', async () => {
      const id = await s.createCustomer(token);
      await assertSecured(s, (authorization) => s.request(`/customers/v1/${id}`, { headers: authorization ? { authorization } : {} }), { apiOnly: false });
      await assertSecured(s, (authorization) => s.request('/customers/v1/app-user-id/x', { headers: authorization ? { authorization } : {} }), {
        apiOnly: true,
        customerId: id,
      });
    });
  });

  describe('GET /customers/v1', () => {
    it('lists the application\'s customers oldest first, in pages', async () => {
      const app = await s.newApp('lister');
      const tok = await s.token(app);
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push(await s.createCustomer(tok, `list-${i}`));

      const first = await s.request('/customers/v1?size=2', { token: tok });
      assert.equal(first.status, 200);
      assert.equal(first.headers.get('x-total-count'), '5');
      assert.deepEqual(first.body.map((c: { customer_id: string }) => c.customer_id), ids.slice(0, 2));
      assert.equal(first.headers.get('link'), '</customers/v1?size=2&page=1>; rel="next"');

      const seen = [...first.body];
      let next = first.headers.get('link');
      while (next) {
        const page = await s.request(/<([^>]+)>/.exec(next)![1]!, { token: tok });
        seen.push(...page.body);
        next = page.headers.get('link');
      }
      assert.deepEqual(seen.map((c) => c.customer_id), ids);
      // The last page and a page past the end still say how many there are.
      const last = await s.request('/customers/v1?size=2&page=2', { token: tok });
      assert.deepEqual([last.body.length, last.headers.get('x-total-count')], [1, '5']);
      const past = await s.request('/customers/v1?size=2&page=9', { token: tok });
      assert.deepEqual([past.status, past.body, past.headers.get('x-total-count')], [200, [], '5']);
      // Another application's customers are neither listed nor counted.
      assert.equal((await s.request('/customers/v1?size=1', { token: await s.token(await s.newApp('lister-other')) })).headers.get('x-total-count'), '0');
    });

    it('validates paging parameters', async () => {
      for (const q of ['size=0', 'size=1001', 'size=abc', 'page=-1', 'limit=5', 'size=1&size=2']) {
        const res = await s.request(`/customers/v1?${q}`, { token });
        assert.equal(res.status, 400, q);
        assert.ok(['INVALID_PARAMETER', 'UNKNOWN_PARAMETER'].includes(res.body.code), q);
        assert.ok(res.body.param, q);
      }
    });

    it('is secured', async () => {
      const id = await s.createCustomer(token);
      await assertSecured(s, (authorization) => s.request('/customers/v1', { headers: authorization ? { authorization } : {} }), { apiOnly: true, customerId: id });
    });
  });
});
