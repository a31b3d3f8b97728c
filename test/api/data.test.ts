import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { toAmount } from '../../src/domain/money.ts';
import { PERMISSIONS } from '../../src/domain/permissions.ts';
import type { EntitySnapshot, FetchedTransaction } from '../../src/domain/snapshot.ts';
import { describeDialects } from '../helpers/dialects.ts';
import { expectedSnapshot, servedAsOf } from '../helpers/expected.ts';
import { assertSecured } from '../helpers/security.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function expectedTransaction(t: FetchedTransaction) {
  return {
    amount: { amount: toAmount(t.amount_minor, t.currency), currency: t.currency },
    timestamp: t.booking_at,
    description: t.description,
    credit_debit_indicator: t.credit_debit,
    booking_status: t.status,
    value_timestamp: t.value_at,
    reference: t.reference,
    merchant: t.merchant_name ? { name: t.merchant_name, category_code: t.merchant_category_code } : null,
    bank_transaction_code: t.bank_transaction_code,
    pending_transaction_id: null,
    // UAE/KSA-only facts: an OBIE bank leaves them null.
    transaction_mutability: null,
    payment_mode: null,
    charge_amount: null,
    charge_vat_amount: null,
    flags: null,
    bill: null,
    local_time_zone: null,
  };
}

describeDialects('data API v2 reads', (dialect) => {
  let s: TestServer;
  let token: string;
  let customerId: string;
  let entity: any;
  let expected: EntitySnapshot;
  let accountIds: string[];
  let login = '';

  const get = (path: string, entityId: string = entity.id, tok: string = token, headers: Record<string, string> = {}) =>
    s.request(path, { token: tok, headers: { entity_id: entityId, ...headers } });

  before(async () => {
    s = await startTestServer({ dialect });
    token = await s.token();
    customerId = await s.createCustomer(token);
    // A sandbox user whose accounts hold every kind of resource, so each read has something to compare.
    const resources = ['balances', 'beneficiaries', 'direct_debits', 'standing_orders', 'scheduled_payments', 'account_identities'] as const;
    for (let i = 0; !login; i++) {
      const probe = expectedSnapshot({ bank_identifier: 'SANDBOX_FALCON_AE', created_at: new Date().toISOString(), permissions: [...PERMISSIONS] }, `data-reader-${i}`);
      if (resources.every((r) => probe.accounts.some((a) => a[r]!.length > 0))) login = `data-reader-${i}`;
    }
    entity = await s.createSandboxEntity(token, { customer_id: customerId, bank_identifier: 'SANDBOX_FALCON_AE', login });
    const accounts = await get('/data/v2/accounts');
    accountIds = accounts.body.map((a: { account_id: string }) => a.account_id);
    // The bank stamps each answer with the minute it was asked in, and the refresh asks account by
    // account: one that straddles a minute read its accounts at two. Each account is expected as of its own.
    const asOfs = await Promise.all(accountIds.map(async (id) => servedAsOf((await get(`/data/v2/accounts/${id}/balances`)).body)));
    expected = expectedSnapshot(entity, login, 'default', asOfs[0]!);
    expected.accounts = expected.accounts.map((a, i) => (asOfs[i]!.getTime() === asOfs[0]!.getTime() ? a : expectedSnapshot(entity, login, 'default', asOfs[i]!).accounts[i]!));
  });
  after(() => s.close());

  it('GET /data/v2/accounts returns the bank\'s accounts with the seed\'s fields', async () => {
    const res = await get('/data/v2/accounts');
    assert.equal(res.status, 200);
    assert.equal(res.body.length, expected.accounts.length);
    res.body.forEach((account: any, i: number) => {
      assert.match(account.account_id, UUID);
      assert.deepEqual({ ...account, account_id: undefined }, { ...expected.accounts[i]!.account, account_id: undefined });
      assert.ok(['CURRENT', 'SAVINGS', 'CREDIT_CARD', 'LOAN'].includes(account.type));
      assert.equal(account.currency, 'AED');
    });
    assert.match(res.headers.get('etag')!, /^"[0-9a-f-]+\.\d+"$/);
  });

  it('GET …/transactions returns every transaction newest first, with exact amounts', async () => {
    for (const [i, accountId] of accountIds.entries()) {
      const items = expected.accounts[i]!.transactions!.items;
      const first = await get(`/data/v2/accounts/${accountId}/transactions?size=1000`);
      assert.equal(first.status, 200);
      assert.equal(first.headers.get('x-total-count'), String(items.length));
      assert.doesNotMatch(first.text, /"amount":-?\d+\.\d{3,}/, 'AED amounts carry at most 2 decimals, never float noise');
      const all = await s.allTransactions(token, entity.id, accountId);
      assert.equal(all.length, items.length);
      const fingerprint = (x: any) => `${x.timestamp}|${x.amount.amount}|${x.description}`;
      assert.deepEqual(all.map(fingerprint).sort(), items.map((t) => fingerprint(expectedTransaction(t))).sort());
      for (const t of all) {
        assert.match(t.id, UUID);
        const match = items.find((x) => x.booking_at === t.timestamp && x.description === t.description && toAmount(x.amount_minor, x.currency) === t.amount.amount);
        assert.ok(match, `transaction ${t.id} is not one the bank holds`);
        assert.deepEqual({ ...t, id: undefined }, { ...expectedTransaction(match), id: undefined });
      }
      for (let k = 1; k < all.length; k++) {
        const [a, b] = [all[k - 1], all[k]];
        assert.ok(a.timestamp > b.timestamp || (a.timestamp === b.timestamp && a.id > b.id), 'newest first, then id');
      }
    }
  });

  it('serves balances, beneficiaries, direct debits, standing orders, scheduled payments and account identities as the bank holds them', async () => {
    const routes = [
      ['balances', 'balances'],
      ['beneficiaries', 'beneficiaries'],
      ['direct-debits', 'direct_debits'],
      ['standing-orders', 'standing_orders'],
      ['scheduled-payments', 'scheduled_payments'],
      ['identities', 'account_identities'],
    ] as const;
    for (const [i, accountId] of accountIds.entries()) {
      for (const [path, key] of routes) {
        const res = await get(`/data/v2/accounts/${accountId}/${path}`);
        assert.equal(res.status, 200, `${path}: ${res.text}`);
        assert.deepEqual(res.body, expected.accounts[i]![key], `${path} of account ${i}`);
      }
    }
    for (const key of ['balances', 'beneficiaries', 'direct_debits', 'standing_orders', 'scheduled_payments', 'account_identities'] as const) {
      assert.ok(expected.accounts.some((a) => a[key]!.length > 0), `some account has ${key}`);
    }
  });

  it('GET /data/v2/identity returns the consenting customer', async () => {
    const res = await get('/data/v2/identity');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, expected.identity);
    assert.ok(expected.identity?.full_name);
    assert.match(String(expected.identity.mobile_number), /^\+971/);
  });

  it('answers 304 to If-None-Match with the current ETag, and a new ETag after new data', async () => {
    const first = await get('/data/v2/accounts');
    const etag = first.headers.get('etag')!;
    const again = await get('/data/v2/accounts', entity.id, token, { 'if-none-match': etag });
    assert.equal(again.status, 304);
    assert.equal(again.text, '');
    const stale = await get('/data/v2/accounts', entity.id, token, { 'if-none-match': '"something-else"' });
    assert.equal(stale.status, 200);
    const tx = await get(`/data/v2/accounts/${accountIds[0]}/transactions`, entity.id, token, { 'if-none-match': `W/${etag}` });
    assert.equal(tx.status, 304);
  });

  it('validates the entity_id header and names it', async () => {
    for (const headers of [{}, { entity_id: 'not-a-uuid' }, { entity_id: '' }] as Record<string, string>[]) {
      const res = await s.request('/data/v2/accounts', { token, headers });
      assert.equal(res.status, 400, JSON.stringify(headers));
      assert.equal(res.body.code, 'INVALID_PARAMETER');
      assert.equal(res.body.param, 'entity_id');
    }
  });

  it('answers 404 for unknown entities and accounts, and for another application\'s entity', async () => {
    const unknown = await get('/data/v2/accounts', '00000000-0000-4000-8000-000000000000');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.code, 'NOT_FOUND');

    for (const path of ['transactions', 'balances', 'beneficiaries', 'direct-debits', 'standing-orders', 'scheduled-payments', 'identities']) {
      const res = await get(`/data/v2/accounts/no-such-account/${path}`);
      assert.equal(res.status, 404, path);
    }

    const otherToken = await s.token(await s.newApp('intruder'));
    for (const path of ['/data/v2/accounts', `/data/v2/accounts/${accountIds[0]}/transactions`, `/data/v2/accounts/${accountIds[0]}/balances`, '/data/v2/identity']) {
      const res = await get(path, entity.id, otherToken);
      assert.equal(res.status, 404, path);
      assert.equal(res.body.code, 'NOT_FOUND');
      assert.doesNotMatch(res.text, /account_id|iban/);
    }

    const ownOther = await s.createSandboxEntity(token, { customer_id: customerId, login: 'someone-else' });
    const crossed = await get(`/data/v2/accounts/${accountIds[0]}/transactions`, ownOther.id);
    assert.equal(crossed.status, 404, 'an account of another entity is not found under this one');
  });

  it('answers 403 PERMISSION_NOT_GRANTED for each resource the consent lacks', async () => {
    const routes: Array<[string, string]> = [
      ['/data/v2/accounts', 'accounts'],
      ['/data/v2/accounts/{a}/transactions', 'transactions'],
      ['/data/v2/accounts/{a}/balances', 'balance'],
      ['/data/v2/accounts/{a}/beneficiaries', 'beneficiaries'],
      ['/data/v2/accounts/{a}/direct-debits', 'direct_debits'],
      ['/data/v2/accounts/{a}/standing-orders', 'standing_orders'],
      ['/data/v2/accounts/{a}/scheduled-payments', 'scheduled_payments'],
      ['/data/v2/accounts/{a}/identities', 'identity'],
      ['/data/v2/identity', 'identity'],
    ];
    for (const [route, permission] of routes) {
      const granted = PERMISSIONS.filter((p) => p !== permission);
      const limited = await s.createSandboxEntity(token, { customer_id: customerId, login, permissions: granted });
      const allowedAccounts = permission === 'accounts' ? null : await get('/data/v2/accounts', limited.id);
      const accountId = allowedAccounts ? allowedAccounts.body[0].account_id : 'x';
      const res = await get(route.replace('{a}', accountId), limited.id);
      assert.equal(res.status, 403, `${route} without ${permission}: ${res.text}`);
      assert.equal(res.body.code, 'PERMISSION_NOT_GRANTED');
      assert.match(res.body.detail, new RegExp(permission));
    }
  });

  it('answers 403 CONSENT_EXPIRED and CONSENT_REVOKED', async () => {
    const expiring = await s.createSandboxEntity(token, { customer_id: customerId, login, consent_expires_at: new Date(Date.now() + 3600_000).toISOString() });
    assert.equal((await get('/data/v2/accounts', expiring.id)).status, 200);
    s.advanceClock(2 * 3600_000);
    try {
      const res = await get('/data/v2/accounts', expiring.id, await s.token());
      assert.equal(res.status, 403);
      assert.equal(res.body.code, 'CONSENT_EXPIRED');
      const view = await s.request(`/customers/v1/${customerId}/entities/${expiring.id}`, { token: await s.token() });
      assert.equal(view.body.status, 'EXPIRED');
    } finally {
      s.advanceClock(-2 * 3600_000);
    }

    const revoked = await s.createSandboxEntity(token, { customer_id: customerId, login });
    const del = await s.request(`/customers/v1/${customerId}/entities/${revoked.id}`, { method: 'DELETE', token });
    assert.equal(del.status, 200);
    for (const path of ['/data/v2/accounts', '/data/v2/identity']) {
      const res = await get(path, revoked.id);
      assert.equal(res.status, 403);
      assert.equal(res.body.code, 'CONSENT_REVOKED');
    }
  });

  it('is secured on all nine reads', async () => {
    const paths = [
      '/data/v2/accounts',
      '/data/v2/identity',
      ...['transactions', 'balances', 'beneficiaries', 'direct-debits', 'standing-orders', 'scheduled-payments', 'identities'].map(
        (p) => `/data/v2/accounts/${accountIds[0]}/${p}`,
      ),
    ];
    for (const path of paths) {
      await assertSecured(s, (authorization) => s.request(path, { headers: { entity_id: entity.id, ...(authorization ? { authorization } : {}) } }), {
        apiOnly: true,
        customerId,
      });
    }
  });
});
