import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { after, before, it } from 'node:test';
import { describeDialects } from '../helpers/dialects.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

describeDialects('errors', (dialect) => {
  let s: TestServer;
  let token: string;
  let entityId: string;
  before(async () => {
    s = await startTestServer({ dialect });
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
    assert.match(bad.headers.get('x-request-id')!, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
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
    // The project's name and version, not Swagger's.
    const version = JSON.parse(fs.readFileSync('package.json', 'utf8')).version;
    assert.match(docs.text, new RegExp(`<title>openlean ${version.replaceAll('.', '\\.')} — API reference</title>`));
    assert.equal(doc.body.info.version, version);
    // "Authorize" on /docs offers the client-credentials flow against the token endpoint; the published document keeps the seed's security.
    const shown = (await s.request('/docs/json', { unchecked: true })).body;
    assert.deepEqual(shown.components.securitySchemes.OAuth2.flows.clientCredentials.tokenUrl, '/oauth2/token');
    assert.deepEqual(shown.paths['/data/v2/accounts'].get.security, [{ BearerAuth: [] }, { OAuth2: ['api'] }]);
    assert.deepEqual(doc.body.paths['/data/v2/accounts'].get.security, [{ BearerAuth: [] }]);
    assert.equal(doc.body.components.securitySchemes.OAuth2, undefined);
  });

  it('refuses unknown query parameters on every published operation, including those that take none', async () => {
    const customerId = await s.createCustomer(token);
    for (const path of ['/data/v2/accounts', '/data/v2/identity', `/customers/v1/${customerId}/entities`, `/customers/v1/${customerId}`, '/healthz', '/webhooks/v1/endpoint']) {
      const res = await s.request(`${path}?colour=blue`, { token, headers: { entity_id: entityId } });
      assert.equal(res.status, 400, `${path} → ${res.text}`);
      assert.equal(res.body.code, 'UNKNOWN_PARAMETER', path);
      assert.equal(res.body.param, 'colour', path);
    }
  });

  it('answers a method a route lacks with 405 and Allow, before reading any body', async () => {
    // node:http, as fetch refuses to send TRACE.
    const send = (method: string) =>
      new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: any }>((resolve, reject) => {
        const req = http.request(`${s.url}/data/v2/accounts`, { method, headers: { authorization: `Bearer ${token}`, entity_id: entityId } }, (res) => {
          let text = '';
          res.on('data', (d) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: JSON.parse(text) }));
        });
        req.on('error', reject);
        req.end();
      });
    for (const method of ['TRACE', 'PATCH', 'DELETE', 'QUERY', 'PUT']) {
      const res = await send(method);
      assert.equal(res.status, 405, `${method} → ${JSON.stringify(res.body)}`);
      assert.equal(res.body.code, 'METHOD_NOT_ALLOWED');
      assert.match(res.headers['content-type']!, /^application\/problem\+json/);
      assert.equal(res.headers.allow, 'GET, HEAD, POST');
      assert.equal(res.body.request_id, res.headers['x-request-id']);
    }
    const entity = await s.request(`/customers/v1/00000000-0000-4000-8000-000000000000/entities/${entityId}`, { method: 'PATCH', token, unchecked: true });
    assert.equal(entity.status, 405);
    assert.equal(entity.headers.get('allow'), 'GET, HEAD, DELETE');
    // No route at all stays a 404, whatever the method.
    const none = await s.request('/nope', { method: 'QUERY', unchecked: true });
    assert.equal(none.status, 404);
    assert.equal(none.body.code, 'ROUTE_NOT_FOUND');
  });

  it('answers an over-long path parameter with 400 INVALID_PARAMETER at any length, never echoing the path', async () => {
    for (const length of [257, 1000, 5000]) {
      const path = `/customers/v1/${'b'.repeat(length)}`;
      const anonymous = await s.request(path, { unchecked: true });
      const res = await s.request(path, { token, unchecked: true });
      // Within the router's limit the token is checked first, as on every route; beyond it, before routing.
      assert.ok(anonymous.status === 401 || anonymous.status === 400, `${length} → ${anonymous.status}`);
      assert.equal(res.status, 400, `${length} → ${res.text.slice(0, 200)}`);
      assert.equal(res.body.code, 'INVALID_PARAMETER');
      assert.equal(res.body.request_id, res.headers.get('x-request-id'));
      assert.doesNotMatch(res.text, /bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb/);
    }
  });

  it('answers what Node\'s HTTP parser refuses (a control character in a header) as problem+json with a request id', async () => {
    const { port } = new URL(s.url);
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(port), '127.0.0.1', () => socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nX-Note: a\u0001b\r\n\r\n'));
      let text = '';
      socket.on('data', (d) => (text += d.toString('utf8')));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    const [head, body] = raw.split('\r\n\r\n', 2) as [string, string];
    assert.match(head, /^HTTP\/1\.1 400 /);
    assert.match(head, /\r\ncontent-type: application\/problem\+json/i);
    const id = /\r\nx-request-id: ([0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12})/i.exec(head)?.[1];
    assert.ok(id, head);
    const problem = JSON.parse(body);
    assert.equal(problem.code, 'MALFORMED_REQUEST');
    assert.equal(problem.status, 400);
    assert.equal(problem.request_id, id);
  });
});
