import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { describeDialects } from '../helpers/dialects.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

describeDialects('POST /oauth2/token', (dialect) => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ dialect });
  });
  after(() => s.close());

  const tokenRequest = (fields: Record<string, string>, headers: Record<string, string> = {}) =>
    s.request('/oauth2/token', { method: 'POST', headers: { ...FORM, ...headers }, body: form(fields) });

  it('issues an ES256 JWT for client_secret_post, verifiable with the published JWKS', async () => {
    const res = await tokenRequest({ grant_type: 'client_credentials', client_id: s.app.client_id, client_secret: s.app.client_secret, scope: 'api' });
    assert.equal(res.status, 200);
    assert.equal(res.body.token_type, 'bearer');
    assert.equal(res.body.expires_in, 3600);
    assert.equal(res.body.scope, 'api');
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const header = decodeProtectedHeader(res.body.access_token);
    assert.equal(header.alg, 'ES256');

    const jwks = await s.request('/.well-known/jwks.json');
    assert.equal(jwks.status, 200);
    assert.ok(jwks.body.keys.some((k: { kid: string }) => k.kid === header.kid));
    assert.ok(jwks.body.keys.every((k: Record<string, unknown>) => k.d === undefined), 'no private key material in the JWKS');
    const { payload } = await jwtVerify(res.body.access_token, createLocalJWKSet(jwks.body), { audience: 'openlean' });
    assert.equal(payload.app_id, s.app.app_id);
    assert.equal(payload.sub, s.app.client_id);
    assert.equal(payload.scope, 'api');
    assert.equal(payload.exp! - payload.iat!, 3600);
  });

  it('accepts HTTP Basic client authentication and defaults the scope to api', async () => {
    const basic = Buffer.from(`${encodeURIComponent(s.app.client_id)}:${encodeURIComponent(s.app.client_secret)}`).toString('base64');
    const res = await tokenRequest({ grant_type: 'client_credentials' }, { authorization: `Basic ${basic}` });
    assert.equal(res.status, 200);
    assert.equal(res.body.scope, 'api');
  });

  it('issues customer-scoped tokens only for customers of the application', async () => {
    const api = await s.token();
    const customerId = await s.createCustomer(api);
    const ok = await tokenRequest({ grant_type: 'client_credentials', client_id: s.app.client_id, client_secret: s.app.client_secret, scope: `customer.${customerId}` });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.scope, `customer.${customerId}`);

    const other = await s.newApp('other');
    const foreign = await tokenRequest({ grant_type: 'client_credentials', client_id: other.client_id, client_secret: other.client_secret, scope: `customer.${customerId}` });
    assert.equal(foreign.status, 400);
    assert.equal(foreign.body.error, 'invalid_scope');
  });

  it('answers RFC 6749 errors', async () => {
    const cases: Array<[Record<string, string>, Record<string, string>, number, string]> = [
      [{ client_id: s.app.client_id, client_secret: s.app.client_secret }, {}, 400, 'invalid_request'],
      [{ grant_type: 'password', client_id: s.app.client_id, client_secret: s.app.client_secret }, {}, 400, 'unsupported_grant_type'],
      [{ grant_type: 'client_credentials', client_id: s.app.client_id, client_secret: 'sk_wrong' }, {}, 401, 'invalid_client'],
      [{ grant_type: 'client_credentials', client_id: 'ck_unknown', client_secret: s.app.client_secret }, {}, 401, 'invalid_client'],
      [{ grant_type: 'client_credentials' }, {}, 401, 'invalid_client'],
      [{ grant_type: 'client_credentials', client_id: s.app.client_id, client_secret: s.app.client_secret, scope: 'admin' }, {}, 400, 'invalid_scope'],
      [{ grant_type: 'client_credentials', client_id: s.app.client_id, client_secret: s.app.client_secret, scope: 'customer.not-a-uuid' }, {}, 400, 'invalid_scope'],
      [
        { grant_type: 'client_credentials', client_id: s.app.client_id, client_secret: s.app.client_secret, scope: 'customer.00000000-0000-4000-8000-000000000000' },
        {},
        400,
        'invalid_scope',
      ],
      [{ grant_type: 'client_credentials', client_id: s.app.client_id, client_secret: s.app.client_secret }, { authorization: 'Basic Zm9vOmJhcg==' }, 400, 'invalid_request'],
      [{ grant_type: 'client_credentials' }, { authorization: 'Basic !!!' }, 400, 'invalid_request'],
    ];
    for (const [fields, headers, status, error] of cases) {
      const res = await tokenRequest(fields, headers);
      assert.equal(res.status, status, `${JSON.stringify(fields)} ${JSON.stringify(headers)} → ${res.text}`);
      assert.equal(res.body.error, error, JSON.stringify(fields));
      assert.equal(typeof res.body.error_description, 'string');
    }
  });

  it('answers a wrong secret over Basic with WWW-Authenticate: Basic', async () => {
    const basic = Buffer.from(`${s.app.client_id}:sk_wrong`).toString('base64');
    const res = await tokenRequest({ grant_type: 'client_credentials' }, { authorization: `Basic ${basic}` });
    assert.equal(res.status, 401);
    assert.match(res.headers.get('www-authenticate') ?? '', /^Basic/);
  });

  it('answers malformed bodies in the RFC 6749 format, never 5xx', async () => {
    const bodies: Array<[string, string]> = [
      ['application/json', '{"grant_type":'],
      ['application/x-www-form-urlencoded', '%%%'],
      ['application/x-www-form-urlencoded', 'grant_type=client_credentials&client_id=' + 'x'.repeat(500)],
    ];
    for (const [type, body] of bodies) {
      const res = await s.request('/oauth2/token', { method: 'POST', headers: { 'content-type': type }, body });
      assert.ok(res.status >= 400 && res.status < 500, `${body.slice(0, 30)} → ${res.status}`);
      assert.ok(res.body.error, res.text);
    }
  });
});
