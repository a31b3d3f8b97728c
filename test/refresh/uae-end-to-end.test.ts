import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { toMinor } from '../../src/domain/money.ts';
import { uaeSession } from '../helpers/uae-client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const screaming = (camel: string) => camel.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
/** A decimal amount as the Lean API's JSON number (exact: minor units, then one division). */
const leanAmount = (a: { Amount: string; Currency: string }) => toMinor(a.Amount, a.Currency) / 100;
const sortedIds = (list: any[], field: string) => list.map((x) => x[field]).sort();

/**
 * The UAE twin of end-to-end.test.ts: a sandbox entity at SANDBOX_SAQR_AE (UAE Open Finance v2.1,
 * FAPI 2.0, consent as RAR in the PAR) is filled by its INITIAL refresh, and the nine Lean reads
 * are compared field by field with what the bank answers a separate, bare UAE client. Deleting the
 * entity revokes the consent at the bank.
 */
describe('end to end: UAE sandbox bank → UAE connector → refresh → reads', () => {
  const bankId = 'SANDBOX_SAQR_AE';
  let s: TestServer;
  let token: string;
  let customerId: string;
  let entity: any;
  let bank: Awaited<ReturnType<typeof uaeSession>>;
  const read = (path: string) => s.request(path, { token, headers: { entity_id: entity.id } });

  before(async () => {
    s = await startTestServer();
    token = await s.token();
    customerId = await s.createCustomer(token);
    entity = await s.createSandboxEntity(token, { customer_id: customerId, bank_identifier: bankId, login: 'uae-e2e-user' });
    bank = await uaeSession(s, bankId, 'uae-e2e-user');
  });
  after(() => s.close());

  it('the entity is at the UAE bank, ACTIVE', () => {
    assert.equal(entity.bank_identifier, bankId);
    assert.equal(entity.status, 'ACTIVE');
  });

  it('accounts match the bank\'s, in its order', async () => {
    const uae = await bank.all('/accounts', 'Account');
    const ours = (await read('/data/v2/accounts')).body;
    assert.ok(uae.length > 0);
    assert.equal(ours.length, uae.length);
    uae.forEach((a, i) => {
      const mine = ours[i];
      assert.equal(mine.currency, a.Currency);
      assert.equal(mine.currency, 'AED');
      assert.equal(mine.name, a.Description);
      assert.equal(mine.nickname, a.Nickname ?? null);
      assert.equal(mine.holder_name, a.AccountHolderName ?? null);
      assert.equal(mine.status, { Active: 'ENABLED', Inactive: 'DISABLED', Closed: 'DELETED' }[a.Status as string]);
      assert.equal(mine.iban, a.AccountIdentifiers.find((x: any) => x.SchemeName === 'IBAN').Identification);
      assert.equal(mine.account_number, a.AccountIdentifiers.find((x: any) => x.SchemeName === 'AccountNumber')?.Identification ?? null);
      assert.equal(mine.bic, a.Servicer.Identification);
      assert.equal(mine.opened_at, new Date(a.OpeningDate).toISOString());
      assert.equal(mine.type, { CurrentAccount: 'CURRENT', Savings: 'SAVINGS', CreditCard: 'CREDIT_CARD', Finance: 'LOAN', Mortgage: 'LOAN' }[a.AccountSubType as string]);
    });
  });

  it('every transaction of every account, field by field', async () => {
    const uaeAccounts = await bank.all('/accounts', 'Account');
    const ours = (await read('/data/v2/accounts')).body;
    let total = 0;
    for (const [i, a] of uaeAccounts.entries()) {
      const uae = (await bank.all(`/accounts/${a.AccountId}/transactions`, 'Transaction')).filter((t) => t.Status !== 'Rejected');
      const mine = await s.allTransactions(token, entity.id, ours[i].account_id);
      assert.equal(mine.length, uae.length, `account ${i}`);
      total += mine.length;
      const byKey = new Map(mine.map((t: any) => [`${t.timestamp}|${t.description}|${t.amount.amount}|${t.credit_debit_indicator}`, t]));
      for (const t of uae) {
        const key = `${new Date(t.BookingDateTime).toISOString()}|${t.TransactionInformation}|${leanAmount(t.Amount)}|${t.CreditDebitIndicator.toUpperCase()}`;
        const m = byKey.get(key);
        assert.ok(m, `bank transaction ${key} is served`);
        assert.equal(m.amount.currency, t.Amount.Currency);
        assert.equal(m.booking_status, t.Status.toUpperCase());
        assert.equal(m.value_timestamp, t.ValueDateTime ? new Date(t.ValueDateTime).toISOString() : null);
        assert.equal(m.reference, t.TransactionReference ?? null);
        assert.equal(m.merchant?.name ?? null, t.MerchantDetails?.MerchantName ?? null);
        assert.equal(m.merchant?.category_code ?? null, t.MerchantDetails?.MerchantCategoryCode ?? null);
      }
    }
    assert.ok(total > 0);
  });

  it('balances', async () => {
    const uaeAccounts = await bank.all('/accounts', 'Account');
    const ours = (await read('/data/v2/accounts')).body;
    for (const [i, a] of uaeAccounts.entries()) {
      const balances = (await read(`/data/v2/accounts/${ours[i].account_id}/balances`)).body;
      const uae = await bank.all(`/accounts/${a.AccountId}/balances`, 'Balance');
      assert.equal(balances.length, uae.length);
      for (const b of uae) {
        const m = balances.find((x: any) => x.type === screaming(b.Type));
        assert.ok(m, b.Type);
        assert.equal(m.amount.amount, leanAmount(b.Amount));
        assert.equal(m.amount.currency, b.Amount.Currency);
        assert.equal(m.credit_debit_indicator, b.CreditDebitIndicator.toUpperCase());
        assert.equal(m.timestamp, new Date(b.DateTime).toISOString());
      }
    }
  });

  it('DELETE revokes the consent at the bank', async () => {
    const doomed = await s.createSandboxEntity(token, { customer_id: customerId, bank_identifier: bankId, login: 'uae-e2e-doomed' });
    const row = await s.server.ctx.store.db.selectFrom('entity_connections').select('consent_id').where('entity_id', '=', doomed.id).executeTakeFirstOrThrow();
    const before = await bank.consent(row.consent_id);
    assert.equal(before.status, 200, before.text);
    assert.equal(before.body.Data.Status, 'Authorized');
    const del = await s.request(`/customers/v1/${customerId}/entities/${doomed.id}`, { method: 'DELETE', token });
    assert.equal(del.status, 200);
    assert.equal(del.body.status, 'REVOKED');
    const after = await bank.consent(row.consent_id);
    assert.equal(after.status, 200, after.text);
    assert.equal(after.body.Data.Status, 'Revoked');
  });
});
