import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { exponent, toMinor } from '../../src/domain/money.ts';
import { describeDialects } from '../helpers/dialects.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

describeDialects('money over the API', (dialect) => {
  let s: TestServer;
  let token: string;
  let customerId: string;
  before(async () => {
    s = await startTestServer({ dialect });
    token = await s.token();
    customerId = await s.createCustomer(token);
  });
  after(() => s.close());

  const signedMinor = (amount: { amount: number; currency: string }, indicator: string) =>
    (indicator === 'CREDIT' ? 1 : -1) * toMinor(String(amount.amount), amount.currency);

  it('the booked transactions of every account sum exactly to its balance movement, 3-decimal currencies included', async () => {
    for (const bank of ['SANDBOX_FALCON_AE', 'SANDBOX_NAKHEEL_SA', 'SANDBOX_PEARL_BH']) {
      for (const login of ['money-1', 'money-2', 'money-3']) {
        const entity = await s.createSandboxEntity(token, { customer_id: customerId, bank_identifier: bank, login });
        const headers = { entity_id: entity.id };
        const accounts = (await s.request('/data/v2/accounts', { token, headers })).body;
        for (const account of accounts) {
          const balances = (await s.request(`/data/v2/accounts/${account.account_id}/balances`, { token, headers })).body;
          const opening = balances.find((b: any) => b.type === 'OPENING_BOOKED');
          const current = balances.find((b: any) => b.type === 'INTERIM_BOOKED');
          assert.ok(opening && current, `${bank} ${account.type} has opening and interim booked balances`);
          const txs = await s.allTransactions(token, entity.id, account.account_id);
          assert.ok(txs.length > 0);
          const booked = txs.filter((t: any) => t.booking_status === 'BOOKED');
          const sum = booked.reduce((acc: number, t: any) => acc + signedMinor(t.amount, t.credit_debit_indicator), 0);
          assert.equal(
            sum,
            signedMinor(current.amount, current.credit_debit_indicator) - signedMinor(opening.amount, opening.credit_debit_indicator),
            `${bank}/${login}/${account.type}`,
          );
          for (const t of txs) {
            assert.equal(t.amount.currency, account.currency);
            const decimals = (String(t.amount.amount).split('.')[1] ?? '').length;
            assert.ok(decimals <= exponent(account.currency), `${t.amount.amount} has at most ${exponent(account.currency)} decimals`);
          }
        }
        if (bank === 'SANDBOX_PEARL_BH') {
          const txs = await s.allTransactions(token, entity.id, accounts[0].account_id);
          assert.ok(txs.some((t: any) => /\.\d{3}$/.test(String(t.amount.amount))), 'BHD amounts use the third decimal');
        }
      }
    }
  });
});
