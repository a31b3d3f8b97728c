import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createBankRegistry } from '../../src/banks/registry.ts';
import { generateCustomer } from '../../src/sandbox-bank/generator/index.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const BANK = 'SANDBOX_FALCON_AE';
const DAY = 86_400_000;

/**
 * Banks that change transaction ids, book pending items under new ids, or send no ids at all must
 * still leave one stored row per real transaction: ten daily refreshes under each profile, then the
 * stored rows are counted against the bank's own ledger on the last day.
 */
describe('one stored row per real transaction across refreshes', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
  });
  after(() => s.close());

  for (const fault of ['unstable_ids', 'pending_new_id', 'missing_transaction_id']) {
    it(`${fault}: ten refreshes, no duplicates`, async () => {
      const login = `dup-${fault}`;
      let token = await s.token();
      const customerId = await s.createCustomer(token);
      const entity = await s.createSandboxEntity(token, { customer_id: customerId, bank_identifier: BANK, login });
      const control = await fetch(`${s.url}/sandbox-banks/${BANK}/control/users/${login}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ faults: [fault] }),
      });
      assert.ok(control.ok);

      let linked = 0;
      for (let day = 1; day <= 10; day++) {
        s.advanceClock(DAY);
        token = await s.token();
        const res = await s.request('/data/v2/refreshes', { method: 'POST', token, headers: { entity_id: entity.id } });
        assert.equal(res.status, 202, res.text);
        const refresh = await s.waitForRefresh(token, entity.id, res.body.refresh_id);
        assert.equal(refresh.status, 'FINISHED', JSON.stringify(refresh.error));
      }

      const bankNow = s.server.ctx.now();
      const truth = generateCustomer(createBankRegistry().get(BANK)!, login, bankNow);
      const accounts = (await s.request('/data/v2/accounts', { token, headers: { entity_id: entity.id } })).body;
      assert.equal(accounts.length, truth.accounts.length);
      for (const [i, account] of accounts.entries()) {
        const stored = await s.allTransactions(token, entity.id, account.account_id);
        const real = truth.accounts[i]!.transactions;
        assert.equal(stored.length, real.length, `account ${i}: ${stored.length} rows for ${real.length} real transactions`);
        assert.equal(new Set(stored.map((t: any) => t.id)).size, stored.length);
        assert.equal(stored.filter((t: any) => t.booking_status === 'PENDING').length, real.filter((t) => t.status === 'Pending').length, `account ${i} pending`);
        linked += stored.filter((t: any) => t.pending_transaction_id !== null).length;
      }
      assert.ok(linked > 0, 'some pending transactions booked during the ten days and kept their pending id');
    });
  }
});
