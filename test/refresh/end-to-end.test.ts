import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { describeDialects } from '../helpers/dialects.ts';
import { obieSession } from '../helpers/obie-client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const screaming = (camel: string) => camel.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();

/**
 * The whole way data travels: a sandbox entity's INITIAL refresh fetches from the sandbox bank over
 * OBIE, and the nine reads serve what the bank holds. The expectation is read from the bank itself
 * with a separate, bare OBIE client, and compared field by field.
 */
describeDialects('end to end: sandbox bank → OBIE connector → refresh → reads', (dialect) => {
  for (const bankId of ['SANDBOX_FALCON_AE', 'SANDBOX_PEARL_BH']) {
    describe(bankId, () => {
      let s: TestServer;
      let token: string;
      let entity: any;
      let bank: Awaited<ReturnType<typeof obieSession>>;
      const read = (path: string) => s.request(path, { token, headers: { entity_id: entity.id } });

      before(async () => {
        // Frozen: the test compares what the refresh stored with what the bank answers afterwards, and
        // the bank's data follows its clock (a balance's minute, what is booked by then).
        s = await startTestServer({ dialect, frozenClock: true });
        token = await s.token();
        const customerId = await s.createCustomer(token);
        entity = await s.createSandboxEntity(token, { customer_id: customerId, bank_identifier: bankId, login: 'e2e-user' });
        bank = await obieSession(s, bankId, 'e2e-user');
      });
      after(() => s.close());

      it('accounts match the bank\'s, in its order', async () => {
        const obie = await bank.all('/accounts', 'Account');
        const ours = (await read('/data/v2/accounts')).body;
        assert.equal(ours.length, obie.length);
        obie.forEach((a, i) => {
          const mine = ours[i];
          assert.equal(mine.currency, a.Currency);
          assert.equal(mine.nickname, a.Nickname ?? null);
          assert.equal(mine.status, screaming(a.Status));
          const iban = a.Account.find((x: any) => x.SchemeName === 'UK.OBIE.IBAN');
          assert.equal(mine.iban, iban.Identification);
          assert.equal(mine.holder_name, iban.Name ?? null);
          assert.equal(mine.type, { CurrentAccount: 'CURRENT', Savings: 'SAVINGS', CreditCard: 'CREDIT_CARD', Loan: 'LOAN' }[a.AccountSubType as string]);
        });
      });

      it('every transaction of every account, field by field', async () => {
        const obieAccounts = await bank.all('/accounts', 'Account');
        const ours = (await read('/data/v2/accounts')).body;
        for (const [i, a] of obieAccounts.entries()) {
          const obie = await bank.all(`/accounts/${a.AccountId}/transactions`, 'Transaction');
          const mine = await s.allTransactions(token, entity.id, ours[i].account_id);
          assert.equal(mine.length, obie.length, `account ${i}`);
          const byKey = new Map(mine.map((t: any) => [`${t.timestamp}|${t.description}|${t.amount.amount}|${t.credit_debit_indicator}`, t]));
          for (const t of obie) {
            const key = `${new Date(t.BookingDateTime).toISOString()}|${t.TransactionInformation}|${Number(t.Amount.Amount)}|${t.CreditDebitIndicator.toUpperCase()}`;
            const m = byKey.get(key);
            assert.ok(m, `bank transaction ${key} is served`);
            assert.equal(m.amount.currency, t.Amount.Currency);
            assert.equal(m.booking_status, t.Status.toUpperCase());
            assert.equal(m.value_timestamp, t.ValueDateTime ? new Date(t.ValueDateTime).toISOString() : null);
            assert.equal(m.reference, t.TransactionReference ?? null);
            assert.equal(m.merchant?.name ?? null, t.MerchantDetails?.MerchantName ?? null);
            assert.equal(m.merchant?.category_code ?? null, t.MerchantDetails?.MerchantCategoryCode ?? null);
          }
          if (bankId === 'SANDBOX_PEARL_BH') assert.ok(mine.some((t: any) => Math.round(t.amount.amount * 1000) % 10 !== 0), 'BHD keeps its third decimal');
        }
      });

      it('balances, beneficiaries, direct debits, standing orders, scheduled payments and parties', async () => {
        const obieAccounts = await bank.all('/accounts', 'Account');
        const ours = (await read('/data/v2/accounts')).body;
        const ids = (list: any[], field: string) => list.map((x) => x[field]).sort();
        for (const [i, a] of obieAccounts.entries()) {
          const base = `/data/v2/accounts/${ours[i].account_id}`;
          const balances = (await read(`${base}/balances`)).body;
          const obieBalances = await bank.all(`/accounts/${a.AccountId}/balances`, 'Balance');
          assert.equal(balances.length, obieBalances.length);
          for (const b of obieBalances) {
            const m = balances.find((x: any) => x.type === screaming(b.Type));
            assert.ok(m, b.Type);
            assert.equal(m.amount.amount, Number(b.Amount.Amount));
            assert.equal(m.credit_debit_indicator, b.CreditDebitIndicator.toUpperCase());
          }
          assert.deepEqual(ids((await read(`${base}/beneficiaries`)).body, 'beneficiary_id'), ids(await bank.all(`/accounts/${a.AccountId}/beneficiaries`, 'Beneficiary'), 'BeneficiaryId'));
          assert.deepEqual(ids((await read(`${base}/direct-debits`)).body, 'direct_debit_id'), ids(await bank.all(`/accounts/${a.AccountId}/direct-debits`, 'DirectDebit'), 'DirectDebitId'));
          assert.deepEqual(ids((await read(`${base}/standing-orders`)).body, 'standing_order_id'), ids(await bank.all(`/accounts/${a.AccountId}/standing-orders`, 'StandingOrder'), 'StandingOrderId'));
          assert.deepEqual(
            ids((await read(`${base}/scheduled-payments`)).body, 'scheduled_payment_id'),
            ids(await bank.all(`/accounts/${a.AccountId}/scheduled-payments`, 'ScheduledPayment'), 'ScheduledPaymentId'),
          );
          const parties = (await read(`${base}/identities`)).body;
          const obieParties = await bank.all(`/accounts/${a.AccountId}/parties`, 'Party');
          assert.deepEqual(ids(parties, 'party_id'), ids(obieParties, 'PartyId'));
          for (const p of obieParties) assert.equal(parties.find((x: any) => x.party_id === p.PartyId).full_name, p.Name ?? null);
        }
        const party = (await bank.get('/party')).Data.Party;
        const identity = (await read('/data/v2/identity')).body;
        assert.equal(identity.party_id, party.PartyId);
        assert.equal(identity.full_name, party.Name ?? null);
        assert.equal(identity.email_address, party.EmailAddress ?? null);
      });

      it('keeps the bank\'s tokens sealed at rest', async () => {
        const row = await s.server.ctx.store.db.selectFrom('entity_connections').selectAll().where('entity_id', '=', entity.id).executeTakeFirstOrThrow();
        assert.match(row.credentials, /^v2\./);
        assert.doesNotMatch(row.credentials, /access_token|refresh_token/);
      });
    });
  }
});
