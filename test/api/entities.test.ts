import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { PERMISSIONS } from '../../src/domain/permissions.ts';
import { describeDialects } from '../helpers/dialects.ts';
import { assertSecured } from '../helpers/security.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

describeDialects('entities', (dialect) => {
  let s: TestServer;
  let token: string;
  let customerId: string;
  let entity: any;

  before(async () => {
    s = await startTestServer({ dialect });
    token = await s.token();
    customerId = await s.createCustomer(token);
    entity = await s.createSandboxEntity(token, { customer_id: customerId, bank_identifier: 'SANDBOX_NAKHEEL_SA', permissions: ['accounts', 'transactions'] });
  });
  after(() => s.close());

  it('lists and gets a customer\'s entities', async () => {
    const second = await s.createSandboxEntity(token, { customer_id: customerId });
    const list = await s.request(`/customers/v1/${customerId}/entities`, { token });
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.map((e: any) => e.id), [entity.id, second.id]);

    const one = await s.request(`/customers/v1/${customerId}/entities/${entity.id}`, { token });
    assert.equal(one.status, 200);
    assert.equal(one.body.id, entity.id);
    assert.equal(one.body.customer_id, customerId);
    assert.equal(one.body.app_id, s.app.app_id);
    assert.equal(one.body.bank_identifier, 'SANDBOX_NAKHEEL_SA');
    assert.deepEqual(one.body.permissions, ['accounts', 'transactions']);
    assert.equal(one.body.status, 'ACTIVE');
    assert.ok(Date.parse(one.body.consent_expires_at) > Date.now() + 89 * 86_400_000);
    assert.ok(one.body.last_synced_at >= one.body.created_at, 'synced by the INITIAL refresh, after creation');
    assert.deepEqual(second.permissions, [...PERMISSIONS]);
  });

  it('answers 404 across customers and applications', async () => {
    const otherCustomer = await s.createCustomer(token);
    const wrongCustomer = await s.request(`/customers/v1/${otherCustomer}/entities/${entity.id}`, { token });
    assert.equal(wrongCustomer.status, 404);

    const intruder = await s.token(await s.newApp('intruder'));
    for (const path of [`/customers/v1/${customerId}/entities`, `/customers/v1/${customerId}/entities/${entity.id}`]) {
      const res = await s.request(path, { token: intruder });
      assert.equal(res.status, 404, path);
      assert.equal(res.body.code, 'NOT_FOUND');
    }
    const del = await s.request(`/customers/v1/${customerId}/entities/${entity.id}`, { method: 'DELETE', token: intruder });
    assert.equal(del.status, 404);
    assert.equal((await s.request(`/customers/v1/${customerId}/entities/${entity.id}`, { token })).body.status, 'ACTIVE');
  });

  it('lets a customer-scoped token see its own entities only', async () => {
    const own = await s.token(s.app, `customer.${customerId}`);
    assert.equal((await s.request(`/customers/v1/${customerId}/entities`, { token: own })).status, 200);
    assert.equal((await s.request(`/customers/v1/${customerId}/entities/${entity.id}`, { token: own })).status, 200);
    const otherCustomer = await s.createCustomer(token);
    const foreign = await s.token(s.app, `customer.${otherCustomer}`);
    assert.equal((await s.request(`/customers/v1/${customerId}/entities`, { token: foreign })).status, 404);
    assert.equal((await s.request(`/customers/v1/${customerId}/entities/${entity.id}`, { token: foreign })).status, 404);
    const del = await s.request(`/customers/v1/${customerId}/entities/${entity.id}`, { method: 'DELETE', token: own });
    assert.equal(del.status, 403);
    assert.equal(del.body.code, 'INSUFFICIENT_SCOPE');
  });

  it('DELETE revokes the consent and purges the stored bank data, idempotently', async () => {
    const doomed = await s.createSandboxEntity(token, { customer_id: customerId });
    const db = s.server.ctx.store.db;
    const count = async (table: 'accounts' | 'transactions' | 'resource_sets') =>
      Number((await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).where('entity_id', '=', doomed.id).executeTakeFirstOrThrow()).n);
    assert.ok((await count('transactions')) > 0);

    const res = await s.request(`/customers/v1/${customerId}/entities/${doomed.id}`, { method: 'DELETE', token });
    assert.equal(res.status, 200);
    assert.equal(res.body.status, 'REVOKED');
    for (const table of ['accounts', 'transactions', 'resource_sets'] as const) assert.equal(await count(table), 0, table);

    const again = await s.request(`/customers/v1/${customerId}/entities/${doomed.id}`, { method: 'DELETE', token });
    assert.equal(again.status, 200);
    assert.equal(again.body.status, 'REVOKED');
    const view = await s.request(`/customers/v1/${customerId}/entities/${doomed.id}`, { token });
    assert.equal(view.body.status, 'REVOKED');
  });

  it('validates path parameters', async () => {
    const res = await s.request(`/customers/v1/${customerId}/entities/nope`, { token });
    assert.equal(res.status, 400);
    assert.equal(res.body.param, 'entity_id');
  });

  it('is secured', async () => {
    await assertSecured(s, (authorization) => s.request(`/customers/v1/${customerId}/entities`, { headers: authorization ? { authorization } : {} }), { apiOnly: false });
    await assertSecured(s, (authorization) => s.request(`/customers/v1/${customerId}/entities/${entity.id}`, { headers: authorization ? { authorization } : {} }), { apiOnly: false });
    await assertSecured(
      s,
      (authorization) => s.request(`/customers/v1/${customerId}/entities/${entity.id}`, { method: 'DELETE', headers: authorization ? { authorization } : {} }),
      { apiOnly: true, customerId },
    );
  });
});
