import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { BankDefinition } from '../../src/banks/bank.ts';
import { createKsaConnector } from '../../src/banks/ksa/connector.ts';
import { BankTransports } from '../../src/banks/security/bank-transport.ts';
import { createFapiClient } from '../../src/banks/security/fapi-client.ts';
import { PERMISSIONS } from '../../src/domain/permissions.ts';
import { authorizeAtSandboxBank } from '../../src/sandbox-bank/automate-consent.ts';
import { bankSource } from '../../src/sandbox-connections.ts';
import { describeDialects } from '../helpers/dialects.ts';
import { callbackParams, mtlsFetch, testPki, type TestPki } from '../helpers/sandbox-fapi.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const BANK = 'SANDBOX_RIYADH_SA';
const REDIRECT_URI = 'https://tpp.example/callback';
const screaming = (camel: string) => camel.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
const bare = (code: string) => code.replace(/^KSAOB\./, '');
const collapse = (text: string | undefined) => (text ?? '').replace(/\s+/g, ' ').trim() || null;
const sortedIds = (list: any[], field: string) => list.map((x) => x[field]).sort();
const at = (value: string | undefined) => (value ? new Date(value).toISOString() : null);
const money = (a: { Amount: string; Currency: string } | undefined) => (a ? { amount: Number(a.Amount), currency: a.Currency } : null);

/**
 * The KSA twin of end-to-end.test.ts: a sandbox entity at the KSA sandbox bank, its INITIAL
 * refresh through the KSA connector, and the Lean reads compared field by field with the bank's
 * raw KSA answers, read with a consent of the test's own (the connector only obtains the token;
 * the comparison is with the bank's JSON). DELETE of the entity revokes the consent at the bank.
 */
describeDialects('end to end: KSA sandbox bank → KSA connector → refresh → reads', (dialect) => {
  let s: TestServer;
  let token: string;
  let customerId: string;
  let entity: any;
  let pki: TestPki;
  let bank: BankDefinition;
  let bankToken: string;
  const transports = new BankTransports();
  const fapi = createFapiClient({ transports, timeout_ms: 5000 });
  const read = (path: string) => s.request(path, { token, headers: { entity_id: entity.id } });
  const bankGet = async (pathname: string, tok = bankToken) => {
    const res = await mtlsFetch(pki)(pathname.startsWith('https:') ? pathname : `${bank.api_base_url}${pathname}`, { headers: { authorization: `Bearer ${tok}` } });
    assert.equal(res.status, 200, `${pathname}: ${res.status}`);
    return res.json() as Promise<any>;
  };
  /** Every item of `Data[key]` over all pages. */
  const all = async (pathname: string, key: string) => {
    const items: any[] = [];
    let next: string | undefined = pathname;
    while (next) {
      const page = await bankGet(next);
      items.push(...(page.Data[key] ?? []));
      next = page.Links?.Next;
    }
    return items;
  };

  before(async () => {
    // Frozen: the test compares what the refresh stored with what the bank answers afterwards, and
    // the bank's data follows its clock (a balance's minute, what is booked by then).
    s = await startTestServer({ dialect, frozenClock: true });
    token = await s.token();
    customerId = await s.createCustomer(token);
    entity = await s.createSandboxEntity(token, { customer_id: customerId, bank_identifier: BANK, login: 'e2e-ksa-user' });
    pki = await testPki();
    bank = bankSource([], () => ({ http: `${s.url}/sandbox-banks`, tls: s.server.ctx.sandboxBanks!.tlsBaseUrl() }), pki)().find((b) => b.identifier === BANK)!;
    const c = createKsaConnector({ fapi, transports, timeout_ms: 5000 });
    const started = await c.startConsent({ bank, permissions: PERMISSIONS, expires_at: new Date(Date.now() + 30 * 86_400_000).toISOString(), redirect_uri: REDIRECT_URI });
    const params = callbackParams(await authorizeAtSandboxBank(started.authorize_url, { login: 'e2e-ksa-user' }));
    const credentials = await c.exchangeCode({ bank, consent_id: started.consent_id, params, state: started.state, nonce: started.nonce, code_verifier: started.code_verifier, redirect_uri: REDIRECT_URI });
    bankToken = credentials.access_token;
  });
  after(async () => {
    await transports.close();
    await s.close();
  });

  it('the bank speaks KSA 2022.11', () => {
    assert.equal(bank.standard, 'ksa-2022.11');
  });

  it("accounts match the bank's, in its order", async () => {
    const ksa = await all('/accounts', 'Account');
    const ours = (await read('/data/v2/accounts')).body;
    assert.equal(ours.length, ksa.length);
    ksa.forEach((a, i) => {
      const mine = ours[i];
      assert.equal(mine.currency, a.Currency);
      assert.equal(mine.nickname, collapse(a.Nickname));
      assert.equal(mine.status, a.Status === 'Active' ? 'ENABLED' : 'DISABLED');
      assert.equal(mine.iban, a.AccountIdentifiers.find((x: any) => x.IdentificationType === 'KSAOB.IBAN').Identification);
      assert.equal(mine.holder_name, a.AccountHolderName ?? null);
      assert.equal(mine.type, { CurrentAccount: 'CURRENT', Savings: 'SAVINGS', CreditCard: 'CREDIT_CARD', ChargeCard: 'CREDIT_CARD' }[a.AccountSubType as string] ?? 'CURRENT');
    });
  });

  it('every transaction of every account, field by field', async () => {
    const ksaAccounts = await all('/accounts', 'Account');
    const ours = (await read('/data/v2/accounts')).body;
    const seen = { bill: 0, flags: 0, charge: 0, batch: 0 };
    for (const [i, a] of ksaAccounts.entries()) {
      const ksa = (await all(`/accounts/${a.AccountId}/transactions`, 'Transaction')).filter((t) => t.Status !== 'KSAOB.Rejected');
      const mine = await s.allTransactions(token, entity.id, ours[i].account_id);
      assert.equal(mine.length, ksa.length, `account ${i}`);
      const byKey = new Map(mine.map((t: any) => [`${t.timestamp}|${t.description}|${t.amount.amount}|${t.credit_debit_indicator}`, t]));
      for (const t of ksa) {
        const key = `${new Date(t.BookingDateTime).toISOString()}|${collapse(t.TransactionInformation)}|${Number(t.Amount.Amount)}|${bare(t.CreditDebitIndicator).toUpperCase()}`;
        const m = byKey.get(key);
        assert.ok(m, `bank transaction ${key} is served`);
        assert.equal(m.amount.currency, t.Amount.Currency);
        assert.equal(m.booking_status, bare(t.Status).toUpperCase());
        assert.equal(m.value_timestamp, t.ValueDateTime ? new Date(t.ValueDateTime).toISOString() : null);
        assert.equal(m.reference, t.TransactionReference ?? null);
        assert.equal(m.merchant?.name ?? null, t.MerchantDetails?.MerchantName ?? null);
        assert.equal(m.merchant?.category_code ?? null, t.MerchantDetails?.MerchantCategoryCode ?? null);
        // KSA's added fields.
        assert.equal(m.transaction_mutability, t.TransactionMutability ? bare(t.TransactionMutability).toUpperCase() : null);
        assert.equal(m.payment_mode, bare(t.PaymentModes).toUpperCase());
        assert.deepEqual(m.charge_amount, money(t.ChargeAmount));
        assert.deepEqual(m.charge_vat_amount, money(t.ChargeAmountVat));
        assert.deepEqual(m.flags, t.Flags ? t.Flags.map((f: string) => screaming(bare(f))) : null);
        const bill = t.BillDetails;
        assert.deepEqual(m.bill, bill ? { biller_id: String(bill.BillerId), bill_number: bill.BillNumber, payment_type: screaming(bare(bill.BillPaymentType).replace('-', '')) } : null);
        assert.equal(m.local_time_zone, t.LocalTimeZone);
        assert.equal(m.local_time_zone, 'UTC+03:00');
        seen.bill += bill ? 1 : 0;
        seen.flags += t.Flags ? 1 : 0;
        seen.charge += t.ChargeAmount ? 1 : 0;
        seen.batch += t.PaymentModes === 'KSAOB.Batch' ? 1 : 0;
      }
    }
    for (const [field, n] of Object.entries(seen)) assert.ok(n > 0, `some transaction has ${field}`);
  });

  it('balances and the identity', async () => {
    const ksaAccounts = await all('/accounts', 'Account');
    const ours = (await read('/data/v2/accounts')).body;
    for (const [i, a] of ksaAccounts.entries()) {
      const balances = (await read(`/data/v2/accounts/${ours[i].account_id}/balances`)).body;
      const ksa = await all(`/accounts/${a.AccountId}/balances`, 'Balance');
      assert.equal(balances.length, ksa.length);
      for (const b of ksa) {
        const m = balances.find((x: any) => x.type === screaming(bare(b.Type)));
        assert.ok(m, b.Type);
        assert.equal(m.amount.amount, Number(b.Amount.Amount));
        assert.equal(m.amount.currency, b.Amount.Currency);
        assert.equal(m.credit_debit_indicator, bare(b.CreditDebitIndicator).toUpperCase());
      }
    }
    const party = (await bankGet('/parties')).Data.Party;
    const identity = (await read('/data/v2/identity')).body;
    assert.equal(identity.party_id, party.PartyId);
    assert.equal(identity.full_name, party.Name ?? null);
    assert.equal(identity.email_address, party.EmailAddress ?? null);
    // What the bank's KYC verified (ReadPartyPSUIdentity), into the identity's fields and the added ones.
    const [{ Verification: verification, Claims: claims }] = party.VerifiedClaims;
    assert.equal(identity.national_identity_number, verification.Evidence[0].DocumentDetails.PersonalNumber);
    assert.equal(identity.birth_date, claims.BirthDate);
    assert.equal(identity.gender, claims.Gender.toUpperCase());
    assert.equal(identity.given_name, claims.GivenName);
    assert.equal(identity.middle_name, claims.MiddleName);
    assert.equal(identity.family_name, claims.FamilyName);
    assert.deepEqual(identity.nationalities, claims.Nationalities ?? []);
    assert.deepEqual(identity.address, {
      lines: [claims.Address.StreetAddress],
      building_number: null,
      street_name: null,
      town_name: claims.Address.Locality,
      post_code: claims.Address.PostalCode ?? null,
      country_sub_division: claims.Address.Region,
      country: claims.Address.Country,
    });
  });

  it('beneficiaries, direct debits, standing orders and scheduled payments, field by field', async () => {
    const ksaAccounts = await all('/accounts', 'Account');
    const ours = (await read('/data/v2/accounts')).body;
    const counts = { beneficiaries: 0, direct: 0, standing: 0, scheduled: 0 };
    const iban = (x: any) => x.CreditorAccount?.find((c: any) => c.IdentificationType === 'KSAOB.IBAN')?.Identification ?? null;
    const holder = (x: any) => x.CreditorAccount?.[0]?.Name ?? null;
    for (const [i, a] of ksaAccounts.entries()) {
      const base = `/data/v2/accounts/${ours[i].account_id}`;
      const beneficiaries = (await read(`${base}/beneficiaries`)).body;
      const ksaBeneficiaries = await all(`/accounts/${a.AccountId}/beneficiaries`, 'Beneficiary');
      assert.deepEqual(sortedIds(beneficiaries, 'beneficiary_id'), sortedIds(ksaBeneficiaries, 'BeneficiaryId'));
      for (const b of ksaBeneficiaries) {
        const m = beneficiaries.find((x: any) => x.beneficiary_id === b.BeneficiaryId);
        assert.equal(m.type, { 'KSAOB.Activated': 'TRUSTED', 'KSAOB.NotActivated': 'ORDINARY' }[b.BeneficiaryType as string]);
        assert.equal(m.reference, b.Reference ?? null);
        assert.equal(m.creditor.name, holder(b));
        assert.equal(m.creditor.iban, iban(b));
        assert.equal(m.creditor.bic, b.CreditorAgent?.Identification ?? null);
        assert.equal(m.bank_name, b.CreditorAgent?.Name ?? null);
      }
      counts.beneficiaries += ksaBeneficiaries.length;

      const debits = (await read(`${base}/direct-debits`)).body;
      const ksaDebits = await all(`/accounts/${a.AccountId}/direct-debits`, 'DirectDebit');
      assert.deepEqual(sortedIds(debits, 'direct_debit_id'), sortedIds(ksaDebits, 'DirectDebitId'));
      for (const d of ksaDebits) {
        const m = debits.find((x: any) => x.direct_debit_id === d.DirectDebitId);
        assert.equal(m.mandate_id, d.MandateIdentification);
        assert.equal(m.name, d.Name);
        assert.equal(m.status, bare(d.DirectDebitStatusCode).toUpperCase());
        assert.equal(m.frequency, null, 'KSA has no direct debit frequency');
        assert.equal(m.previous_payment_amount?.amount ?? null, d.PreviousPaymentAmount ? Number(d.PreviousPaymentAmount.Amount) : null);
        assert.equal(m.previous_payment_timestamp, at(d.PreviousPaymentDateTime));
      }
      counts.direct += ksaDebits.length;

      const orders = (await read(`${base}/standing-orders`)).body;
      const ksaOrders = await all(`/accounts/${a.AccountId}/standing-orders`, 'StandingOrder');
      assert.deepEqual(sortedIds(orders, 'standing_order_id'), sortedIds(ksaOrders, 'StandingOrderId'));
      for (const o of ksaOrders) {
        const m = orders.find((x: any) => x.standing_order_id === o.StandingOrderId);
        assert.equal(m.frequency, o.Frequency);
        assert.equal(m.reference, o.Reference ?? null);
        assert.equal(m.status, bare(o.StandingOrderStatusCode).toUpperCase());
        assert.equal(m.first_payment_date, at(o.FirstPaymentDateTime));
        assert.equal(m.next_payment_date, at(o.NextPaymentDateTime));
        assert.equal(m.final_payment_date, at(o.FinalPaymentDateTime));
        assert.equal(m.first_payment_amount.amount, Number(o.FirstPaymentAmount.Amount));
        assert.equal(m.creditor.name, holder(o));
        assert.equal(m.creditor.iban, iban(o));
      }
      counts.standing += ksaOrders.length;

      const scheduled = (await read(`${base}/scheduled-payments`)).body;
      const ksaScheduled = await all(`/accounts/${a.AccountId}/scheduled-payments`, 'ScheduledPayment');
      assert.deepEqual(sortedIds(scheduled, 'scheduled_payment_id'), sortedIds(ksaScheduled, 'ScheduledPaymentId'));
      for (const p of ksaScheduled) {
        const m = scheduled.find((x: any) => x.scheduled_payment_id === p.ScheduledPaymentId);
        assert.equal(m.execution_date, at(p.ScheduledPaymentDateTime));
        assert.equal(m.type, bare(p.ScheduledType).toUpperCase());
        assert.equal(m.amount.amount, Number(p.InstructedAmount.Amount));
        assert.equal(m.amount.currency, p.InstructedAmount.Currency);
        assert.equal(m.reference, p.CreditorReference ?? p.DebtorReference ?? null);
        assert.equal(m.creditor.iban, iban(p));
      }
      counts.scheduled += ksaScheduled.length;
    }
    // Scheduled payments depend on the customer's calendar; the rest are always there for this login.
    assert.ok(counts.beneficiaries > 0 && counts.direct + counts.standing > 0, JSON.stringify(counts));
  });

  it("the account parties with their roles", async () => {
    const ksaAccounts = await all('/accounts', 'Account');
    const ours = (await read('/data/v2/accounts')).body;
    for (const [i, a] of ksaAccounts.entries()) {
      const parties = (await read(`/data/v2/accounts/${ours[i].account_id}/identities`)).body;
      const ksa = await all(`/accounts/${a.AccountId}/parties`, 'Party');
      assert.ok(ksa.length > 0);
      assert.deepEqual(sortedIds(parties, 'party_id'), sortedIds(ksa, 'PartyId'));
      for (const p of ksa) {
        const m = parties.find((x: any) => x.party_id === p.PartyId);
        assert.equal(m.full_name, collapse(p.Name));
        assert.equal(m.legal_name, collapse(p.FullLegalName));
        assert.equal(m.party_type, bare(p.PartyType).toUpperCase());
        assert.equal(m.account_role, screaming(bare(p.AccountRole)));
        assert.equal(m.email_address, p.EmailAddress ?? null);
        assert.equal(m.mobile_number?.replace(/\D/g, ''), p.Mobile.replace(/\D/g, ''));
        assert.equal(m.national_identity_number, null);
      }
    }
  });

  it('DELETE of the entity revokes the consent at the bank', async () => {
    const db = s.server.ctx.store.db;
    const { consent_id } = await db.selectFrom('entity_connections').select('consent_id').where('entity_id', '=', entity.id).executeTakeFirstOrThrow();
    const clientToken = await fapi.clientCredentials(bank, 'accounts');
    assert.equal((await bankGet(`/account-access-consents/${consent_id}`, clientToken)).Data.Status, 'Authorized');
    const res = await s.request(`/customers/v1/${customerId}/entities/${entity.id}`, { method: 'DELETE', token });
    assert.equal(res.status, 200);
    assert.equal(res.body.status, 'REVOKED');
    assert.equal((await bankGet(`/account-access-consents/${consent_id}`, clientToken)).Data.Status, 'Revoked');
  });
});
