import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { describeDialects } from '../helpers/dialects.ts';
import { assertSecured } from '../helpers/security.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

describeDialects('GET /banks/v1', (dialect) => {
  let s: TestServer;
  let token: string;
  before(async () => {
    s = await startTestServer({ dialect });
    token = await s.token();
  });
  after(() => s.close());

  it('lists the sandbox banks with their country, currency and permissions', async () => {
    const res = await s.request('/banks/v1', { token });
    assert.equal(res.status, 200);
    const byId = Object.fromEntries(res.body.map((b: any) => [b.identifier, b]));
    assert.deepEqual(Object.keys(byId).sort(), ['SANDBOX_FALCON_AE', 'SANDBOX_NAKHEEL_SA', 'SANDBOX_OASIS_AE', 'SANDBOX_PEARL_BH', 'SANDBOX_RIYADH_SA', 'SANDBOX_SAQR_AE']);
    assert.equal(byId.SANDBOX_SAQR_AE.standard, 'uae-2.1');
    assert.equal(byId.SANDBOX_RIYADH_SA.standard, 'ksa-2022.11');
    assert.equal(byId.SANDBOX_FALCON_AE.standard, 'obie-3.1');
    assert.equal(byId.SANDBOX_PEARL_BH.currency, 'BHD');
    assert.equal(byId.SANDBOX_NAKHEEL_SA.country, 'SA');
    assert.ok(byId.SANDBOX_FALCON_AE.supported_permissions.includes('transactions'));
    assert.match(byId.SANDBOX_FALCON_AE.logo, /^data:image\/svg\+xml;base64,/);
    assert.equal(byId.SANDBOX_FALCON_AE.sandbox, true);
    assert.equal(byId.SANDBOX_FALCON_AE.standard, 'obie-3.1');
    assert.equal(byId.SANDBOX_RIYADH_SA.standard, 'ksa-2022.11');
  });

  it('filters by country and capability', async () => {
    const ae = await s.request('/banks/v1?country=AE', { token });
    assert.deepEqual(ae.body.map((b: any) => b.identifier).sort(), ['SANDBOX_FALCON_AE', 'SANDBOX_OASIS_AE', 'SANDBOX_SAQR_AE']);
    const sa = await s.request('/banks/v1?country=SA&capability=data', { token });
    assert.deepEqual(sa.body.map((b: any) => b.identifier).sort(), ['SANDBOX_NAKHEEL_SA', 'SANDBOX_RIYADH_SA']);
    const kw = await s.request('/banks/v1?country=KW', { token });
    assert.deepEqual(kw.body, []);
    const gb = await s.request('/banks/v1?country=GB', { token });
    assert.deepEqual(gb.body, [], 'any ISO 3166-1 alpha-2 code is a valid filter');
  });

  it('refuses unknown filter values and parameters', async () => {
    for (const [q, param] of [['country=ARE', 'country'], ['country=ae', 'country'], ['capability=payments', 'capability'], ['bank=x', 'bank']]) {
      const res = await s.request(`/banks/v1?${q}`, { token });
      assert.equal(res.status, 400, q);
      assert.equal(res.body.param, param);
    }
  });

  it('is open to customer-scoped tokens (the link pages list banks) and secured', async () => {
    const customerId = await s.createCustomer(token);
    const res = await s.request('/banks/v1', { token: await s.token(s.app, `customer.${customerId}`) });
    assert.equal(res.status, 200);
    await assertSecured(s, (authorization) => s.request('/banks/v1', { headers: authorization ? { authorization } : {} }), { apiOnly: false });
  });
});
