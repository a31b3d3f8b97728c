import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { describeDialects } from '../helpers/dialects.ts';
import { assertSecured } from '../helpers/security.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

describeDialects('POST /sandbox/v1/entities', (dialect) => {
  let s: TestServer;
  let token: string;
  let customerId: string;
  before(async () => {
    s = await startTestServer({ dialect });
    token = await s.token();
    customerId = await s.createCustomer(token, 'sandbox-user');
  });
  after(() => s.close());

  it('connects the customer to the first UAE sandbox bank with every permission by default', async () => {
    const res = await s.request('/sandbox/v1/entities', { token, json: { customer_id: customerId } });
    assert.equal(res.status, 201);
    assert.equal(res.body.customer_id, customerId);
    assert.equal(res.body.bank_identifier, 'SANDBOX_FALCON_AE');
    assert.equal(res.body.status, 'ACTIVE');
    assert.equal(res.body.permissions.length, 8);
    assert.equal(res.body.last_synced_at, null, 'no data until the INITIAL refresh finished');
    const refresh = await s.waitForRefresh(token, res.body.id, res.body.refresh_id);
    assert.equal(refresh.trigger, 'INITIAL');
    assert.equal(refresh.status, 'FINISHED');
    const accounts = await s.request('/data/v2/accounts', { token, headers: { entity_id: res.body.id } });
    assert.ok(accounts.body.length >= 1);
  });

  it('gives the same login the same data and another login other data', async () => {
    const ibans = async (login: string) => {
      const e = await s.createSandboxEntity(token, { customer_id: customerId, bank_identifier: 'SANDBOX_OASIS_AE', login });
      return (await s.request('/data/v2/accounts', { token, headers: { entity_id: e.id } })).body.map((a: any) => a.iban);
    };
    const a1 = await ibans('same-login');
    assert.deepEqual(await ibans('same-login'), a1);
    assert.notDeepEqual(await ibans('other-login'), a1);
    for (const iban of a1) assert.match(iban, /^AE\d{21}$/);
  });

  it('validates the request', async () => {
    // A customer whose app_user_id is longer than a sandbox login: the default login is the caller's input at fault, not the bank's failure.
    const longCustomerId = await s.createCustomer(token, `u${'x'.repeat(150)}`);
    const cases: Array<[unknown, number, string]> = [
      [{}, 400, 'customer_id'],
      [{ customer_id: 'nope' }, 400, 'customer_id'],
      [{ customer_id: customerId, bank_identifier: 'NO_SUCH_BANK' }, 400, 'bank_identifier'],
      [{ customer_id: customerId, permissions: [] }, 400, 'permissions'],
      [{ customer_id: customerId, permissions: ['accounts', 'accounts'] }, 400, 'permissions'],
      [{ customer_id: customerId, permissions: ['payments'] }, 400, 'permissions.0'],
      [{ customer_id: customerId, profile: 'huge' }, 400, 'profile'],
      [{ customer_id: customerId, consent_expires_at: 'tomorrow' }, 400, 'consent_expires_at'],
      [{ customer_id: customerId, colour: 'blue' }, 400, 'colour'],
      [{ customer_id: customerId, login: '   ' }, 400, 'login'],
      [{ customer_id: longCustomerId }, 400, 'login'],
      [{ customer_id: '00000000-0000-4000-8000-000000000000' }, 404, ''],
    ];
    for (const [body, status, param] of cases) {
      const res = await s.request('/sandbox/v1/entities', { token, json: body });
      assert.equal(res.status, status, `${JSON.stringify(body)} → ${res.text}`);
      if (param) assert.equal(res.body.param, param, JSON.stringify(body));
    }
  });

  it('answers 404 for another application\'s customer', async () => {
    const intruder = await s.token(await s.newApp('intruder'));
    const res = await s.request('/sandbox/v1/entities', { token: intruder, json: { customer_id: customerId } });
    assert.equal(res.status, 404);
  });

  it('is secured', async () => {
    await assertSecured(s, (authorization) => s.request('/sandbox/v1/entities', { json: { customer_id: customerId }, headers: authorization ? { authorization } : {} }), {
      apiOnly: true,
      customerId,
    });
  });
});

describeDialects('POST /sandbox/v1/entities in production mode', (dialect) => {
  it('is refused with 403 SANDBOX_DISABLED', async () => {
    const s = await startTestServer({ dialect, mode: 'production' });
    after(() => s.close());
    const token = await s.token();
    const customerId = await s.createCustomer(token);
    const res = await s.request('/sandbox/v1/entities', { token, json: { customer_id: customerId } });
    assert.equal(res.status, 403);
    assert.equal(res.body.code, 'SANDBOX_DISABLED');
    const malformed = await s.request('/sandbox/v1/entities', { token, json: { nonsense: true } });
    assert.equal(malformed.status, 403, 'refused before the body is looked at');
    assert.equal((await s.request('/sandbox/v1/entities', { json: { customer_id: customerId } })).status, 401, 'authentication still comes first');
  });
});
