import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { describeDialects } from '../helpers/dialects.ts';
import { bankCountsBetween } from '../helpers/expected.ts';
import { obieSession } from '../helpers/obie-client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const BANK = 'SANDBOX_FALCON_AE';
const DAY = 86_400_000;

/**
 * Banks that change transaction ids, book pending items under new ids, or send no ids at all must
 * still leave one stored row per real transaction: ten daily refreshes under each profile, then the
 * stored rows are counted against the bank's own ledger on the last day.
 */
describeDialects('one stored row per real transaction across refreshes', (dialect) => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ dialect });
  });
  after(() => s.close());

  /** An entity whose INITIAL refresh ran clean, after which its bank user gets the fault. */
  async function connectThenBreak(token: string, login: string, fault: string) {
    const customerId = await s.createCustomer(token);
    const entity = await s.createSandboxEntity(token, { customer_id: customerId, bank_identifier: BANK, login });
    const control = await fetch(`${s.url}/sandbox-banks/${BANK}/control/users/${login}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ faults: [fault] }),
    });
    assert.ok(control.ok);
    return entity;
  }

  for (const fault of ['unstable_ids', 'pending_new_id', 'missing_transaction_id']) {
    it(`${fault}: ten refreshes, no duplicates`, async () => {
      const login = `dup-${fault}`;
      let token = await s.token();
      const entity = await connectThenBreak(token, login, fault);

      let linked = 0;
      let last: any;
      for (let day = 1; day <= 10; day++) {
        s.advanceClock(DAY);
        token = await s.token();
        const res = await s.request('/data/v2/refreshes', { method: 'POST', token, headers: { entity_id: entity.id } });
        assert.equal(res.status, 202, res.text);
        last = await s.waitForRefresh(token, entity.id, res.body.refresh_id);
        assert.equal(last.status, 'FINISHED', JSON.stringify(last.error));
      }

      const real = bankCountsBetween(BANK, login, 'default', last.started_at, last.finished_at);
      const accounts = (await s.request('/data/v2/accounts', { token, headers: { entity_id: entity.id } })).body;
      assert.equal(accounts.length, real.length);
      for (const [i, account] of accounts.entries()) {
        const stored = await s.allTransactions(token, entity.id, account.account_id);
        assert.ok(real[i]!.has(stored.length), `account ${i}: ${stored.length} rows for ${[...real[i]!]} real transactions`);
        assert.equal(new Set(stored.map((t: any) => t.id)).size, stored.length);
        const fingerprints = stored.map((t: any) => `${t.booking_status}|${t.timestamp}|${t.amount.amount}|${t.description}`);
        assert.equal(new Set(fingerprints).size, fingerprints.length, `account ${i}: no transaction stored twice`);
        linked += stored.filter((t: any) => t.pending_transaction_id !== null).length;
      }
      assert.ok(linked > 0, 'some pending transactions booked during the ten days and kept their pending id');
    });
  }

  it('late_backdated: transactions that appear days after their booking date are caught by the overlap window', async () => {
    const login = 'late-arrivals';
    let token = await s.token();
    const entity = await connectThenBreak(token, login, 'late_backdated');
    const first = (await s.request('/data/v2/accounts', { token, headers: { entity_id: entity.id } })).body[0].account_id;
    const seen = new Set<string>((await s.allTransactions(token, entity.id, first)).map((t: any) => t.id));
    let late = 0;
    for (let day = 1; day <= 8; day++) {
      s.advanceClock(DAY);
      token = await s.token();
      const res = await s.request('/data/v2/refreshes', { method: 'POST', token, headers: { entity_id: entity.id } });
      const refresh = await s.waitForRefresh(token, entity.id, res.body.refresh_id);
      assert.equal(refresh.status, 'FINISHED');
      const previousSync = new Date(s.server.ctx.now().getTime() - DAY).toISOString();
      const accounts = (await s.request('/data/v2/accounts', { token, headers: { entity_id: entity.id } })).body;
      const stored = await s.allTransactions(token, entity.id, accounts[0].account_id);
      late = Math.max(late, stored.filter((t: any) => t.timestamp < previousSync && !seen.has(t.id)).length);
      for (const t of stored) seen.add(t.id);
    }
    assert.ok(late > 0, 'some transactions arrived booked before the previous refresh');

    const bank = await obieSession(s, BANK, login);
    const accounts = (await s.request('/data/v2/accounts', { token, headers: { entity_id: entity.id } })).body;
    const obieAccounts = await bank.all('/accounts', 'Account');
    for (const [i, a] of obieAccounts.entries()) {
      const visible = await bank.all(`/accounts/${a.AccountId}/transactions`, 'Transaction');
      const stored = await s.allTransactions(token, entity.id, accounts[i].account_id);
      assert.equal(stored.length, visible.length, `account ${i}: every transaction the bank shows, late ones included`);
    }
  });
});
