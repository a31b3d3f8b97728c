import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import YAML from 'yaml';
import type { BankDefinition } from '../../src/banks/bank.ts';
import type { ObieEvent } from '../../src/banks/obie/connector.ts';
import { createKsaConnector } from '../../src/banks/ksa/connector.ts';
import { BankTransports } from '../../src/banks/security/bank-transport.ts';
import { createFapiClient } from '../../src/banks/security/fapi-client.ts';
import { PERMISSIONS } from '../../src/domain/permissions.ts';
import { authorizeAtSandboxBank } from '../../src/sandbox-bank/automate-consent.ts';
import { generateCustomer } from '../../src/sandbox-bank/generator/index.ts';
import { SANDBOX_BANK_PROFILES } from '../../src/sandbox-bank/profiles.ts';
import { bankSource } from '../../src/sandbox-connections.ts';
import { callbackParams, mtlsFetch, startFapiSandbox, type FapiSandbox } from '../helpers/sandbox-fapi.ts';

const REDIRECT_URI = 'https://tpp.example/callback';

/** The KSA connector against the KSA sandbox bank over mutual TLS: PAR, hybrid flow, scope-bound consent, data, quirks, revocation; every bank answer validated against the KSA document. */
describe('KSA connector against the KSA sandbox bank', () => {
  let sandbox: FapiSandbox;
  let dataDir: string;
  let RIYADH: BankDefinition;
  const transports = new BankTransports();
  /** The bank's clock and the connector's, moved by the tests (never slept on). */
  let clockMs = Math.floor(Date.now() / 60_000) * 60_000;
  const TOKEN_TTL_S = 3600;
  const now = () => new Date(clockMs);
  let logins = 0;
  const spec = YAML.parse(fs.readFileSync(new URL('../../spec/ksa-2022.11/account-information.yaml', import.meta.url), 'utf8'));
  const ajv = new (Ajv as unknown as typeof Ajv.default)({ strict: false, allErrors: true });
  (addFormats as unknown as typeof addFormats.default)(ajv);
  ajv.addSchema(spec, 'ksa');
  const conforms = (schema: string, body: unknown) => {
    const validate = ajv.getSchema(`ksa#/components/schemas/${schema}`)!;
    assert.ok(validate(body), `${schema}: ${ajv.errorsText(validate.errors)}`);
  };

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'openlean-ksa-'));
    sandbox = await startFapiSandbox({ dataDir, now });
    RIYADH = bankSource([], () => ({ http: sandbox.url, tls: sandbox.tlsUrl }), sandbox.pki)().find((b) => b.identifier === 'SANDBOX_RIYADH_SA')!;
  });
  after(async () => {
    await transports.close();
    await sandbox.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const connector = () => {
    const events: ObieEvent[] = [];
    const c = createKsaConnector({ fapi: createFapiClient({ transports, timeout_ms: 2000 }), transports, timeout_ms: 2000, now, onEvent: (e) => events.push(e) });
    return Object.assign(c, { events });
  };

  const setUser = async (login: string, settings: { faults?: string[] }) => {
    const res = await fetch(`${sandbox.url}/${RIYADH.identifier}/control/users/${encodeURIComponent(login)}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(settings) });
    assert.equal(res.status, 200, await res.text());
  };

  const consent = async (c: ReturnType<typeof connector>, faults: string[] = [], login = `ksa-user-${++logins}`) => {
    if (faults.length) await setUser(login, { faults });
    const started = await c.startConsent({ bank: RIYADH, permissions: PERMISSIONS, expires_at: new Date(clockMs + 90 * 86_400_000).toISOString(), redirect_uri: REDIRECT_URI });
    assert.ok(new URL(started.authorize_url).searchParams.has('request_uri'), 'pushed through PAR');
    const params = callbackParams(await authorizeAtSandboxBank(started.authorize_url, { login }));
    assert.ok(params.id_token, 'hybrid flow: an ID token in the fragment');
    const credentials = await c.exchangeCode({ bank: RIYADH, consent_id: started.consent_id, params, state: started.state, nonce: started.nonce, code_verifier: started.code_verifier, redirect_uri: REDIRECT_URI });
    return { login, credentials };
  };

  /** What the bank itself answers, over the connector's own certificate and token. */
  const bankGet = async (pathname: string, token: string) => {
    const res = await mtlsFetch(sandbox.pki)(`${RIYADH.api_base_url}${pathname}`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200);
    return res.json() as Promise<any>;
  };

  it('lists the bank with its standard and a KSA API base', () => {
    assert.equal(RIYADH.standard, 'ksa-2022.11');
    assert.match(RIYADH.api_base_url, /\/open-banking\/account-information\/2022\.11\.01-final-errata2$/);
    assert.equal(RIYADH.response_type, 'code id_token');
    assert.equal(RIYADH.par, true);
  });

  /** KSA's amount (`"12.50"`, or a quirky `"32"`) in minor units of SAR (two decimals). */
  const minorOf = (amount: string) => Math.round(Number(amount) * 100);
  const bare = (code: string | undefined) => code?.replace(/^KSAOB\./, '');
  const collapse = (text: string | undefined) => (text ?? '').replace(/\s+/g, ' ').trim() || null;

  it('consents through the accounts:<ConsentId> scope, refreshes the token, and fetches accounts, balances, transactions and the party as the bank says', async () => {
    const c = connector();
    const { login, credentials: first } = await consent(c);
    assert.ok(first.refresh_token, 'the code grant gives a refresh token');

    // The access token has expired: the connector refreshes it, and the refreshed token still carries the consent.
    clockMs += (TOKEN_TTL_S + 60) * 1000;
    const { snapshot, credentials } = await c.fetchData({ bank: RIYADH, credentials: first, resources: ['accounts', 'balances', 'transactions', 'identity'], transactions_from: null });
    assert.notEqual(credentials.access_token, first.access_token);
    assert.notEqual(credentials.refresh_token, first.refresh_token, 'the bank rotates refresh tokens');
    assert.equal(credentials.consent_id, first.consent_id);
    assert.deepEqual(c.events.filter((e) => e.type === 'token_refreshed'), [{ type: 'token_refreshed', bank: RIYADH.identifier }]);

    const customer = generateCustomer(SANDBOX_BANK_PROFILES.find((p) => p.identifier === RIYADH.identifier)!, login, now());
    assert.equal(snapshot.accounts.length, customer.accounts.length);

    const accounts = await bankGet('/accounts', credentials.access_token);
    conforms('OBReadAccount', accounts);
    assert.equal(accounts.Data.Account.length, snapshot.accounts.length);
    for (const [i, wire] of accounts.Data.Account.entries()) {
      const got = snapshot.accounts.find((a) => a.bank_account_id === wire.AccountId)!;
      assert.ok(got, `account ${wire.AccountId} mapped`);
      const ids = wire.AccountIdentifiers as { IdentificationType: string; Identification: string }[];
      assert.deepEqual(got.account, {
        name: collapse(wire.Description),
        type: { CurrentAccount: 'CURRENT', Savings: 'SAVINGS', CreditCard: 'CREDIT_CARD', ChargeCard: 'CREDIT_CARD' }[wire.AccountSubType as string] ?? 'CURRENT',
        currency: wire.Currency,
        iban: ids.find((x) => x.IdentificationType === 'KSAOB.IBAN')!.Identification,
        account_number: ids.find((x) => x.IdentificationType === 'KSAOB.AccountNumber')!.Identification,
        bic: wire.Servicer.Identification,
        nickname: collapse(wire.Nickname),
        holder_name: wire.AccountHolderName ?? null,
        status: wire.Status === 'Active' ? 'ENABLED' : 'DISABLED',
        opened_at: new Date(wire.OpeningDate).toISOString(),
      });
      assert.equal(got.account.currency, 'SAR');

      const balances = await bankGet(`/accounts/${wire.AccountId}/balances`, credentials.access_token);
      conforms('OBReadBalance', balances);
      assert.deepEqual(
        got.balances!.map((b) => ({ type: b.type, minor: Math.round(b.amount.amount * 100), currency: b.amount.currency, direction: b.credit_debit_indicator, at: b.timestamp, lines: b.credit_lines.length })),
        balances.Data.Balance.map((b: any) => ({
          type: bare(b.Type)!.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase(),
          minor: minorOf(b.Amount.Amount),
          currency: b.Amount.Currency,
          direction: bare(b.CreditDebitIndicator)!.toUpperCase(),
          at: new Date(b.DateTime).toISOString(),
          lines: (b.CreditLine ?? []).length,
        })),
      );

      const transactions = await bankGet(`/accounts/${wire.AccountId}/transactions`, credentials.access_token);
      conforms('OBReadTransaction', transactions);
      const wireTx = transactions.Data.Transaction.filter((t: any) => t.Status !== 'KSAOB.Rejected');
      assert.equal(got.transactions!.items.length, wireTx.length, `account ${i}`);
      const byId = new Map(got.transactions!.items.map((t) => [t.bank_transaction_id, t]));
      for (const t of wireTx) {
        const { key, ...mapped } = byId.get(t.TransactionId)!;
        assert.ok(key);
        assert.deepEqual(mapped, {
          bank_transaction_id: t.TransactionId,
          status: t.Status === 'KSAOB.Booked' ? 'BOOKED' : 'PENDING',
          booking_at: new Date(t.BookingDateTime).toISOString(),
          value_at: t.ValueDateTime ? new Date(t.ValueDateTime).toISOString() : null,
          amount_minor: minorOf(t.Amount.Amount),
          currency: t.Amount.Currency,
          credit_debit: t.CreditDebitIndicator === 'KSAOB.Credit' ? 'CREDIT' : 'DEBIT',
          description: collapse(t.TransactionInformation) ?? collapse(t.MerchantDetails?.MerchantName) ?? collapse(t.TransactionReference) ?? '',
          reference: collapse(t.TransactionReference),
          merchant_name: collapse(t.MerchantDetails?.MerchantName),
          merchant_category_code: collapse(t.MerchantDetails?.MerchantCategoryCode),
          bank_transaction_code: collapse(t.ProprietaryBankTransactionCode?.Code) ?? t.TransactionType,
          transaction_mutability: t.TransactionMutability ? bare(t.TransactionMutability)!.toUpperCase() : null,
          payment_mode: bare(t.PaymentModes)!.toUpperCase(),
          charge_minor: t.ChargeAmount ? minorOf(t.ChargeAmount.Amount) : null,
          charge_currency: t.ChargeAmount?.Currency ?? null,
          charge_vat_minor: t.ChargeAmountVat ? minorOf(t.ChargeAmountVat.Amount) : null,
          charge_vat_currency: t.ChargeAmountVat?.Currency ?? null,
          flags: t.Flags ? t.Flags.map((f: string) => bare(f)!.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase()) : null,
          bill: t.BillDetails ? { biller_id: String(t.BillDetails.BillerId), bill_number: t.BillDetails.BillNumber, payment_type: bare(t.BillDetails.BillPaymentType)!.replace('-', '').replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase() } : null,
          local_time_zone: t.LocalTimeZone,
        });
      }
    }
    const party = await bankGet('/parties', credentials.access_token);
    conforms('OBReadParty2', party);
    const p = party.Data.Party;
    // ReadPartyPSUIdentity: the bank adds what its KYC verified.
    const [{ Verification: verification, Claims: claims }] = p.VerifiedClaims;
    const address = claims.Address;
    assert.deepEqual(snapshot.identity, {
      party_id: p.PartyId,
      full_name: p.Name,
      legal_name: p.FullLegalName,
      party_type: bare(p.PartyType)!.toUpperCase(),
      national_identity_number: verification.Evidence[0].DocumentDetails.PersonalNumber,
      email_address: p.EmailAddress,
      mobile_number: snapshot.identity!.mobile_number,
      phone_number: null,
      address: {
        lines: [address.StreetAddress],
        building_number: null,
        street_name: null,
        town_name: address.Locality,
        post_code: address.PostalCode ?? null,
        country_sub_division: address.Region,
        country: address.Country,
      },
      birth_date: claims.BirthDate,
      gender: claims.Gender.toUpperCase(),
      given_name: claims.GivenName,
      middle_name: claims.MiddleName,
      family_name: claims.FamilyName,
      nationalities: claims.Nationalities ?? [],
    });
    assert.match(snapshot.identity!.national_identity_number!, /^[12]\d{9}$/, 'a Saudi national id or iqama');
    assert.equal(snapshot.identity!.mobile_number?.replace(/\D/g, ''), p.Mobile.replace(/\D/g, ''));
    assert.deepEqual(c.events.filter((e) => e.type === 'notes'), []);
  });

  it('fetches beneficiaries, direct debits, standing orders, scheduled payments and the account parties as the bank says', async () => {
    const c = connector();
    // A user of the generator's with something of each (scheduled payments depend on the day).
    const profile = SANDBOX_BANK_PROFILES.find((p) => p.identifier === RIYADH.identifier)!;
    const has = (login: string) => {
      const accounts = generateCustomer(profile, login, now()).accounts;
      return [accounts.flatMap((a) => a.beneficiaries), accounts.flatMap((a) => a.directDebits), accounts.flatMap((a) => a.standingOrders), accounts.flatMap((a) => a.scheduledPayments)].every((l) => l.length > 0);
    };
    let n = 0;
    while (!has(`ksa-instructions-${n}`)) assert.ok(++n < 200, 'no generated user has every instruction');
    const { credentials } = await consent(c, [], `ksa-instructions-${n}`);
    const resources = ['accounts', 'beneficiaries', 'direct_debits', 'standing_orders', 'scheduled_payments', 'account_identities'] as const;
    const { snapshot } = await c.fetchData({ bank: RIYADH, credentials, resources: [...resources], transactions_from: null });
    const at = (value: string | undefined) => (value === undefined ? null : new Date(value).toISOString());
    const money = (a: { Amount: string; Currency: string } | undefined) => (a === undefined ? null : { amount: minorOf(a.Amount) / 100, currency: a.Currency });
    const creditor = (x: any) =>
      x.CreditorAccount === undefined && x.CreditorAgent === undefined
        ? null
        : {
            name: x.CreditorAccount?.[0]?.Name ?? null,
            iban: x.CreditorAccount?.find((a: any) => a.IdentificationType === 'KSAOB.IBAN')?.Identification ?? null,
            account_number: x.CreditorAccount?.find((a: any) => a.IdentificationType === 'KSAOB.AccountNumber')?.Identification ?? null,
            bic: x.CreditorAgent?.IdentificationType === 'KSAOB.BICFI' ? x.CreditorAgent.Identification : null,
          };
    const seen = { beneficiaries: 0, direct_debits: 0, standing_orders: 0, scheduled_payments: 0, account_identities: 0 };
    for (const account of snapshot.accounts) {
      const id = account.bank_account_id;
      const beneficiaries = await bankGet(`/accounts/${id}/beneficiaries`, credentials.access_token);
      conforms('OBReadBeneficiary', beneficiaries);
      assert.deepEqual(
        account.beneficiaries,
        beneficiaries.Data.Beneficiary.map((b: any) => ({
          beneficiary_id: b.BeneficiaryId,
          type: { 'KSAOB.Activated': 'TRUSTED', 'KSAOB.NotActivated': 'ORDINARY' }[b.BeneficiaryType as string] ?? null,
          reference: b.Reference ?? null,
          creditor: creditor(b),
          bank_name: b.CreditorAgent?.Name ?? null,
        })),
      );
      const directDebits = await bankGet(`/accounts/${id}/direct-debits`, credentials.access_token);
      conforms('OBReadDirectDebit', directDebits);
      assert.deepEqual(
        account.direct_debits,
        directDebits.Data.DirectDebit.map((d: any) => ({
          direct_debit_id: d.DirectDebitId,
          mandate_id: d.MandateIdentification,
          name: d.Name,
          status: bare(d.DirectDebitStatusCode)!.toUpperCase(),
          frequency: null,
          previous_payment_amount: money(d.PreviousPaymentAmount),
          previous_payment_timestamp: at(d.PreviousPaymentDateTime),
        })),
      );
      const standingOrders = await bankGet(`/accounts/${id}/standing-orders`, credentials.access_token);
      conforms('OBReadStandingOrder', standingOrders);
      assert.deepEqual(
        account.standing_orders,
        standingOrders.Data.StandingOrder.map((o: any) => ({
          standing_order_id: o.StandingOrderId,
          frequency: o.Frequency,
          reference: o.Reference ?? null,
          status: bare(o.StandingOrderStatusCode)!.toUpperCase(),
          first_payment_date: at(o.FirstPaymentDateTime),
          next_payment_date: at(o.NextPaymentDateTime),
          last_payment_date: at(o.LastPaymentDateTime),
          final_payment_date: at(o.FinalPaymentDateTime),
          first_payment_amount: money(o.FirstPaymentAmount),
          next_payment_amount: money(o.NextPaymentAmount),
          last_payment_amount: money(o.LastPaymentAmount),
          final_payment_amount: money(o.FinalPaymentAmount),
          creditor: creditor(o),
        })),
      );
      const scheduled = await bankGet(`/accounts/${id}/scheduled-payments`, credentials.access_token);
      conforms('OBReadScheduledPayment', scheduled);
      assert.deepEqual(
        account.scheduled_payments,
        scheduled.Data.ScheduledPayment.map((p: any) => ({
          scheduled_payment_id: p.ScheduledPaymentId,
          execution_date: at(p.ScheduledPaymentDateTime),
          type: bare(p.ScheduledType)!.toUpperCase(),
          amount: money(p.InstructedAmount),
          reference: p.CreditorReference ?? p.DebtorReference ?? null,
          creditor: creditor(p),
        })),
      );
      const parties = await bankGet(`/accounts/${id}/parties`, credentials.access_token);
      conforms('OBReadParty3', parties);
      assert.deepEqual(
        account.account_identities!.map(({ mobile_number: _, ...rest }) => rest),
        parties.Data.Party.map((p: any) => ({
          party_id: p.PartyId,
          full_name: p.Name ?? null,
          legal_name: p.FullLegalName ?? null,
          party_type: bare(p.PartyType)?.toUpperCase() ?? null,
          national_identity_number: null,
          email_address: p.EmailAddress ?? null,
          phone_number: null,
          address: null,
          account_role: bare(p.AccountRole)!.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase(),
        })),
      );
      account.account_identities!.forEach((mine, i) => assert.equal(mine.mobile_number?.replace(/\D/g, ''), parties.Data.Party[i].Mobile.replace(/\D/g, '')));
      seen.beneficiaries += beneficiaries.Data.Beneficiary.length;
      seen.direct_debits += directDebits.Data.DirectDebit.length;
      seen.standing_orders += standingOrders.Data.StandingOrder.length;
      seen.scheduled_payments += scheduled.Data.ScheduledPayment.length;
      seen.account_identities += parties.Data.Party.length;
    }
    for (const [resource, n] of Object.entries(seen)) assert.ok(n > 0, `the bank has ${resource} to compare`);
    assert.deepEqual(c.events.filter((e) => e.type === 'notes'), []);
  });

  it('reads a quirky KSA bank (Flags [null], MerchantId 0, unprefixed Status, padded text, "32", shared TransactionId) without dropping or merging', async () => {
    const c = connector();
    const { credentials } = await consent(c, ['ksa_quirks']);
    const { snapshot } = await c.fetchData({ bank: RIYADH, credentials, resources: ['accounts', 'transactions'], transactions_from: null });
    const seen = { flags: 0, merchantZero: 0, unprefixed: 0, padded: 0, whole: 0, shared: 0 };
    for (const account of snapshot.accounts) {
      const wire = await bankGet(`/accounts/${account.bank_account_id}/transactions`, credentials.access_token);
      const sent = wire.Data.Transaction as any[];
      // The quirks are really on the wire (outside the specification), and each is read.
      for (const t of sent) {
        if (Array.isArray(t.Flags) && t.Flags.includes(null)) seen.flags++;
        if (t.MerchantDetails?.MerchantId === 0 && t.MerchantDetails.MerchantName === '') seen.merchantZero++;
        if (!String(t.Status).startsWith('KSAOB.')) seen.unprefixed++;
        if (/\s{2,}/.test(t.TransactionInformation)) seen.padded++;
        if (/^-?\d+$/.test(t.Amount.Amount)) seen.whole++;
      }
      const ids = sent.map((t) => t.TransactionId);
      for (const id of new Set(ids)) {
        const n = ids.filter((x) => x === id).length;
        if (n > 1) {
          seen.shared++;
          assert.equal(account.transactions!.items.filter((t) => t.bank_transaction_id === id).length, n, `the ${n} entries under ${id} stay ${n}`);
        }
      }
      const byMinor = (items: number[]) => [...items].sort((a, b) => a - b);
      assert.deepEqual(
        byMinor(account.transactions!.items.map((t) => (t.credit_debit === 'CREDIT' ? 1 : -1) * t.amount_minor)),
        byMinor(sent.map((t) => (/credit$/i.test(t.CreditDebitIndicator) ? 1 : -1) * Math.round(Number(t.Amount.Amount) * 100))),
        'every amount read, "32" as 32.00',
      );
      assert.equal(account.transactions!.items.length, sent.length, 'every transaction the bank sent is one row');
      assert.equal(new Set(account.transactions!.items.map((t) => t.key)).size, account.transactions!.items.length, 'no two merged');
      for (const t of account.transactions!.items) {
        assert.doesNotMatch(t.description, /\s{2,}|^\s|\s$/);
        if (t.merchant_name !== null) assert.notEqual(t.merchant_name, '');
      }
    }
    for (const [quirk, n] of Object.entries(seen)) assert.ok(n > 0, `the bank sent ${quirk}`);
    assert.deepEqual(c.events.filter((e) => e.type === 'notes'), []);
  });

  it('revokes the consent at the bank with PATCH Status Revoked', async () => {
    const c = connector();
    const { credentials } = await consent(c);
    await c.revokeConsent({ bank: RIYADH, consent_id: credentials.consent_id });
    await assert.rejects(c.fetchData({ bank: RIYADH, credentials, resources: ['accounts'], transactions_from: null }), (err: any) => err.kind === 'reconnect_required');
  });
});
