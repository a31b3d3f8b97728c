import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/server.ts';

describe('errors', () => {
  let s: TestServer;
  let token: string;
  let entityId: string;
  before(async () => {
    s = await startTestServer();
    token = await s.token();
    entityId = (await s.createSandboxEntity(token, { customer_id: await s.createCustomer(token) })).id;
  });
  after(() => s.close());

  it('answers unknown routes with a problem+json 404', async () => {
    const res = await s.request('/nope', { unchecked: true });
    assert.equal(res.status, 404);
    assert.equal(res.body.code, 'ROUTE_NOT_FOUND');
    assert.equal(res.body.status, 404);
    assert.equal(res.body.type, 'urn:openlean:problem:route-not-found');
    assert.match(res.headers.get('content-type')!, /^application\/problem\+json/);
  });

  it('echoes a well-formed X-Request-Id and generates one otherwise', async () => {
    const given = await s.request('/healthz', { headers: { 'x-request-id': 'trace-123' } });
    assert.equal(given.headers.get('x-request-id'), 'trace-123');
    const bad = await s.request('/customers/v1', { headers: { 'x-request-id': 'has spaces and <tags>' } });
    assert.match(bad.headers.get('x-request-id')!, /^[0-9a-f-]{36}$/);
    assert.equal(bad.body.request_id, bad.headers.get('x-request-id'));
  });

  it('never answers malformed input with a 5xx', async () => {
    const probes: Array<{ path: string; method?: string; headers?: Record<string, string>; body?: string }> = [
      { path: '/data/v2/accounts', headers: { entity_id: entityId + entityId } },
      { path: '/data/v2/accounts', headers: { entity_id: '../../etc/passwd' } },
      { path: `/data/v2/accounts/${'%F0%9F%92%A9'.repeat(10)}/transactions`, headers: { entity_id: entityId } },
      { path: `/data/v2/accounts/${'a'.repeat(300)}/transactions`, headers: { entity_id: entityId } },
      { path: '/data/v2/accounts/%00/transactions', headers: { entity_id: entityId } },
      { path: '/data/v2/accounts/%zz/balances', headers: { entity_id: entityId } },
      { path: `/data/v2/accounts/x/transactions?size=${'9'.repeat(400)}`, headers: { entity_id: entityId } },
      { path: '/data/v2/accounts/x/transactions?start_date[]=1', headers: { entity_id: entityId } },
      { path: '/data/v2/accounts/x/transactions?cursor=%FF%FE', headers: { entity_id: entityId } },
      { path: '/customers/v1', method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"app_user_id": "\u0000"}' },
      { path: '/customers/v1', method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"__proto__": {"x": 1}, "app_user_id": "p"}' },
      { path: '/customers/v1', method: 'POST', headers: { 'content-type': 'application/json; charset=latin1' }, body: '{}' },
      { path: '/customers/v1', method: 'POST', headers: { 'content-type': 'application/json' }, body: '[' .repeat(5000) },
      { path: '/customers/v1', method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{}' },
      { path: '/sandbox/v1/entities', method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'customer_id=x' },
      { path: '/banks/v1?country=AE&country=SA' },
      { path: '/banks/v1?' + 'x=1&'.repeat(2000) },
    ];
    for (const probe of probes) {
      const res = await s.request(probe.path, {
        method: probe.method ?? 'GET',
        token,
        headers: probe.headers ?? {},
        ...(probe.body !== undefined ? { body: probe.body } : {}),
        unchecked: true,
      });
      assert.ok(res.status >= 400 && res.status < 500 || res.status === 201, `${probe.method ?? 'GET'} ${probe.path.slice(0, 60)} → ${res.status} ${res.text.slice(0, 200)}`);
      if (res.status >= 400) {
        assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/, probe.path.slice(0, 60));
        assert.match(res.body.code, /^[A-Z_]+$/);
        assert.doesNotMatch(res.text, /at .*\.ts:\d+|stack/i);
      }
    }
  });

  it('serves /healthz, /readyz, the OpenAPI document and the reference page', async () => {
    assert.deepEqual((await s.request('/healthz')).body, { status: 'ok' });
    assert.deepEqual((await s.request('/readyz')).body, { status: 'ok' });
    const doc = await s.request('/openapi.json', { unchecked: true });
    assert.equal(doc.status, 200);
    assert.equal(doc.body.openapi, '3.1.0');
    for (const p of ['/oauth2/token', '/customers/v1', '/banks/v1', '/sandbox/v1/entities', '/data/v2/accounts']) assert.ok(doc.body.paths[p], p);
    const docs = await s.request('/docs/', { unchecked: true });
    assert.equal(docs.status, 200);
    assert.match(docs.text, /swagger-ui/i);
  });
});
