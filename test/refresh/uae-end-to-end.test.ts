import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { toMinor } from '../../src/domain/money.ts';
import { describeDialects } from '../helpers/dialects.ts';
import { uaeSession } from '../helpers/uae-client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const screaming = (camel: string) => camel.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
/** A decimal amount as the Lean API's JSON number (exact: minor units, then one division). */
const leanAmount = (a: { Amount: string; Currency: string }) => toMinor(a.Amount, a.Currency) / 100;
const sortedIds = (list: any[], field: string) => list.map((x) => x[field]).sort();
const money = (a: { Amount: string; Currency: string } | undefined) => (a ? { amount: leanAmount(a), currency: a.Currency } : null);

/**
 * The UAE twin of end-to-end.test.ts: a sandbox entity at SANDBOX_SAQR_AE (UAE Open Finance v2.1,
 * FAPI 2.0, consent as RAR in the PAR) is filled by its INITIAL refresh, and the nine Lean reads
 * are compared field by field with what the bank answers a separate, bare UAE client. Deleting the
 * entity revokes the consent at the bank.
 */
describeDialects('end to end: UAE sandbox bank → UAE connector → refresh → reads', (dialect) => {
  const bankId = 'SANDBOX_SAQR_AE';
  let s: TestServer;
  let token: string;
  let customerId: string;
  let entity: any;
  let bank: Awaited<ReturnType<typeof uaeSession>>;
  const read = (path: string) => s.request(path, { token, headers: { entity_id: entity.id } });

  before(async () => {
    // Frozen: the test compares what the refresh stored with what the bank answers afterwards, and
    // the bank stamps its balances with the minute it is asked in.
    s = await startTestServer({ dialect, frozenClock: true });
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
    const seen = { bill: 0, flags: 0, charge: 0, batch: 0, mutable: 0 };
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
        // The UAE's added fields.
        assert.equal(m.transaction_mutability, t.TransactionMutability?.toUpperCase() ?? null);
        assert.equal(m.payment_mode, t.PaymentModes?.toUpperCase() ?? null);
        assert.deepEqual(m.charge_amount, money(t.ChargeAmount));
        assert.deepEqual(m.charge_vat_amount, money(t.ChargeAmountVat));
        assert.deepEqual(m.flags, t.Flags ? t.Flags.map((f: string) => (f === 'Finance' ? 'LOAN' : screaming(f))) : null);
        const bill = t.BillDetails;
        assert.deepEqual(m.bill, bill ? { biller_id: String(bill.BillerId), bill_number: bill.BillNumber, payment_type: screaming(bill.BillPaymentType.replace('-', '')) } : null);
        assert.equal(m.local_time_zone, t.LocalTimeZone);
        assert.equal(m.local_time_zone, 'UTC+04:00');
        seen.bill += bill ? 1 : 0;
        seen.flags += t.Flags ? 1 : 0;
        seen.charge += t.ChargeAmount ? 1 : 0;
        seen.batch += t.PaymentModes === 'Batch' ? 1 : 0;
        seen.mutable += t.TransactionMutability === 'Mutable' ? 1 : 0;
      }
    }
    assert.ok(total > 0);
    // The bank's data has each of them, so each comparison above was made at least once with a value.
    for (const [field, n] of Object.entries(seen)) assert.ok(n > 0, `some transaction has ${field}`);
  });

  it('the bank writes Arabic and English narratives and merchant names, AED amounts and Asia/Dubai times, and Lean serves them as written', async () => {
    const [a] = await bank.all('/accounts', 'Account');
    const uae = await bank.all(`/accounts/${a.AccountId}/transactions`, 'Transaction');
    const arabic = /[\u0600-\u06FF]/;
    assert.ok(uae.every((t) => arabic.test(t.TransactionInformation) && /[A-Za-z]/.test(t.TransactionInformation)), 'bilingual narratives');
    assert.ok(uae.every((t) => t.BookingDateTime.endsWith('+04:00')), 'Dubai offsets');
    assert.ok(uae.every((t) => t.Amount.Currency === 'AED' && /^\d+\.\d{2}$/.test(t.Amount.Amount)), 'AED with two decimals');
    const ours = (await read('/data/v2/accounts')).body;
    const mine = await s.allTransactions(token, entity.id, ours[0].account_id);
    assert.ok(mine.some((t: any) => arabic.test(t.description)));
    const arabicMerchant = uae.find((t) => arabic.test(t.MerchantDetails?.MerchantName ?? ''));
    if (arabicMerchant) assert.ok(mine.some((t: any) => t.merchant?.name === arabicMerchant.MerchantDetails.MerchantName));
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

  it('beneficiaries, direct debits, standing orders and scheduled payments, field by field', async () => {
    const uaeAccounts = await bank.all('/accounts', 'Account');
    const ours = (await read('/data/v2/accounts')).body;
    const counts = { beneficiaries: 0, direct: 0, standing: 0, scheduled: 0 };
    const iban = (x: any) => x.CreditorAccount?.find((c: any) => c.SchemeName === 'IBAN')?.Identification ?? null;
    for (const [i, a] of uaeAccounts.entries()) {
      const base = `/data/v2/accounts/${ours[i].account_id}`;
      const beneficiaries = (await read(`${base}/beneficiaries`)).body;
      const uaeBeneficiaries = await bank.all(`/accounts/${a.AccountId}/beneficiaries`, 'Beneficiary');
      assert.deepEqual(sortedIds(beneficiaries, 'beneficiary_id'), sortedIds(uaeBeneficiaries, 'BeneficiaryId'));
      for (const b of uaeBeneficiaries) {
        const m = beneficiaries.find((x: any) => x.beneficiary_id === b.BeneficiaryId);
        assert.equal(m.type, { Activated: 'TRUSTED', NotActivated: 'ORDINARY' }[b.BeneficiaryType as string]);
        assert.equal(m.reference, b.Reference ?? null);
        assert.equal(m.creditor.name, b.AccountHolderName ?? null);
        assert.equal(m.creditor.iban, iban(b));
        assert.equal(m.creditor.bic, b.CreditorAgent?.Identification ?? null);
        assert.equal(m.bank_name, b.CreditorAgent?.Name ?? null);
      }
      counts.beneficiaries += uaeBeneficiaries.length;

      const debits = (await read(`${base}/direct-debits`)).body;
      const uaeDebits = await bank.all(`/accounts/${a.AccountId}/direct-debits`, 'DirectDebit');
      assert.deepEqual(sortedIds(debits, 'direct_debit_id'), sortedIds(uaeDebits, 'DirectDebitId'));
      for (const d of uaeDebits) {
        const m = debits.find((x: any) => x.direct_debit_id === d.DirectDebitId);
        assert.equal(m.mandate_id, d.MandateIdentification);
        assert.equal(m.name, d.Name);
        assert.equal(m.status, d.DirectDebitStatusCode.toUpperCase());
        assert.equal(m.frequency, d.Frequency === 'NotKnown' ? null : screaming(d.Frequency));
        assert.equal(m.previous_payment_amount?.amount ?? null, d.PreviousPaymentAmount ? leanAmount(d.PreviousPaymentAmount) : null);
        assert.equal(m.previous_payment_timestamp, d.PreviousPaymentDateTime ? new Date(d.PreviousPaymentDateTime).toISOString() : null);
      }
      counts.direct += uaeDebits.length;

      const orders = (await read(`${base}/standing-orders`)).body;
      const uaeOrders = await bank.all(`/accounts/${a.AccountId}/standing-orders`, 'StandingOrder');
      assert.deepEqual(sortedIds(orders, 'standing_order_id'), sortedIds(uaeOrders, 'StandingOrderId'));
      for (const o of uaeOrders) {
        const m = orders.find((x: any) => x.standing_order_id === o.StandingOrderId);
        assert.equal(m.frequency, o.Frequency);
        assert.equal(m.reference, o.CreditorReference ?? null);
        assert.equal(m.status, o.StandingOrderStatusCode.toUpperCase());
        assert.equal(m.first_payment_date, new Date(o.FirstPaymentDateTime).toISOString());
        assert.equal(m.next_payment_date, o.NextPaymentDateTime ? new Date(o.NextPaymentDateTime).toISOString() : null);
        assert.equal(m.first_payment_amount.amount, leanAmount(o.FirstPaymentAmount));
        assert.equal(m.creditor.name, o.AccountHolderName);
        assert.equal(m.creditor.iban, iban(o));
      }
      counts.standing += uaeOrders.length;

      const scheduled = (await read(`${base}/scheduled-payments`)).body;
      const uaeScheduled = await bank.all(`/accounts/${a.AccountId}/scheduled-payments`, 'ScheduledPayment');
      assert.deepEqual(sortedIds(scheduled, 'scheduled_payment_id'), sortedIds(uaeScheduled, 'ScheduledPaymentId'));
      for (const p of uaeScheduled) {
        const m = scheduled.find((x: any) => x.scheduled_payment_id === p.ScheduledPaymentId);
        assert.equal(m.execution_date, new Date(p.ScheduledPaymentDateTime).toISOString());
        assert.equal(m.type, p.ScheduledType.toUpperCase());
        assert.equal(m.amount.amount, leanAmount(p.InstructedAmount));
        assert.equal(m.amount.currency, p.InstructedAmount.Currency);
        assert.equal(m.reference, p.CreditorReference ?? null);
        assert.equal(m.creditor.iban, iban(p));
      }
      counts.scheduled += uaeScheduled.length;
    }
    // Scheduled payments depend on the customer's calendar; the rest are always there for this login.
    assert.ok(counts.beneficiaries > 0 && counts.direct + counts.standing > 0, JSON.stringify(counts));
  });

  it('account parties and the user\'s identity from the verified claims', async () => {
    const uaeAccounts = await bank.all('/accounts', 'Account');
    const ours = (await read('/data/v2/accounts')).body;
    const sameAddress = (mine: any, a: any) => {
      assert.deepEqual(mine.lines, a.AddressLine);
      assert.equal(mine.building_number, a.BuildingNumber ?? null);
      assert.equal(mine.street_name, a.StreetName ?? null);
      assert.equal(mine.town_name, a.TownName ?? null);
      assert.equal(mine.post_code, a.PostBox ?? null);
      assert.equal(mine.country_sub_division, a.CountrySubDivision ?? null);
      assert.equal(mine.country, a.Country);
    };
    for (const [i, a] of uaeAccounts.entries()) {
      const parties = (await read(`/data/v2/accounts/${ours[i].account_id}/identities`)).body;
      const uae = await bank.all(`/accounts/${a.AccountId}/parties`, 'Party');
      assert.ok(uae.length > 0);
      assert.deepEqual(sortedIds(parties, 'party_id'), sortedIds(uae, 'PartyId'));
      for (const p of uae) {
        const m = parties.find((x: any) => x.party_id === p.PartyId);
        const claims = p.VerifiedClaims[0].Claims;
        assert.equal(m.full_name, `${claims.GivenName} ${claims.Surname}`);
        assert.equal(m.legal_name, claims.FullName);
        assert.equal(m.national_identity_number, claims.EmiratesId);
        assert.equal(m.email_address, claims.Email);
        assert.equal(m.mobile_number, claims.MobileNumber);
        assert.equal(m.party_type, p.PartyType.toUpperCase());
        assert.equal(m.account_role, screaming(p.AccountRole));
        sameAddress(m.address, claims.ResidentialAddress);
      }
    }
    const party = (await bank.get('/parties')).Data.Party;
    const claims = party.VerifiedClaims[0].Claims;
    const identity = (await read('/data/v2/identity')).body;
    assert.equal(identity.party_id, party.PartyId);
    assert.equal(identity.full_name, `${claims.GivenName} ${claims.Surname}`);
    assert.equal(identity.legal_name, claims.FullName);
    assert.equal(identity.national_identity_number, claims.EmiratesId);
    assert.equal(identity.birth_date, claims.DateOfBirth);
    assert.equal(identity.email_address, claims.Email);
    assert.equal(identity.mobile_number, claims.MobileNumber);
    sameAddress(identity.address, claims.ResidentialAddress);
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
