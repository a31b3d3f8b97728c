import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  mapAccountIdentities,
  mapAccounts,
  mapBalances,
  mapBeneficiaries,
  mapDirectDebits,
  mapIdentity,
  mapScheduledPayments,
  mapStandingOrders,
  mapTransactions,
} from '../../src/banks/uae/mapping.ts';
import * as Uae from '../../src/standards/uae-2.1/codes.ts';
import * as Codes from '../../src/banks/uae/codes.ts';

const BANK = { time_zone: 'Asia/Dubai', currency: 'AED' };
const AED = (Amount: string) => ({ Amount, Currency: 'AED' });

const claims = {
  IdentityType: 'Person',
  FullName: 'محمد أحمد عبدالله الفلاسي',
  GivenName: 'Mohammed',
  MiddleName: 'Ahmed',
  Surname: 'Al Falasi',
  EmiratesId: '784-1988-1234567-1',
  EmiratesIdExpiryDate: '2028-05-01',
  DateOfBirth: '1988-05-01',
  ResidentialAddress: { AddressType: 'Residential', AddressLine: ['Villa 12', 'شارع الوصل'], BuildingNumber: '12', StreetName: 'Al Wasl Road', TownName: 'Dubai', CountrySubDivision: 'Dubai', PostBox: '12345', Country: 'AE' },
  MobileNumber: '+971501234567',
  Email: 'mohammed@example.ae',
} as const;

const transaction = (over: Record<string, unknown> = {}) =>
  ({
    TransactionId: 'T1',
    TransactionDateTime: '2026-03-01T12:00:00+04:00',
    TransactionType: 'POS',
    SubTransactionType: 'Purchase',
    PaymentModes: 'Online',
    CreditDebitIndicator: 'Debit',
    Status: 'Booked',
    TransactionMutability: 'Immutable',
    BookingDateTime: '2026-03-01T12:00:00+04:00',
    TransactionInformation: 'شراء - CARD PURCHASE كارفور MALL OF THE EMIRATES',
    Amount: AED('120'),
    MerchantDetails: { MerchantName: 'كارفور', MerchantCategoryCode: '5411' },
    ...over,
  }) as any;

/** Walks one shared code list through the connector's map: a value added upstream fails here as well as at compile time. */
function everyCode(list: readonly string[], map: Readonly<Record<string, unknown>>, expected?: (code: string) => unknown) {
  assert.deepEqual(Object.keys(map).sort(), [...list].sort());
  for (const code of list) {
    assert.ok(Object.hasOwn(map, code), code);
    if (expected) assert.equal(map[code], expected(code), code);
    // Banks are not consistent about letter case.
    assert.equal(Codes.decode(map, code.toUpperCase()), map[code], `${code} in upper case`);
  }
}
const screaming = (camel: string) => camel.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();

describe('UAE v2.1 mapping: every code of every list', () => {
  it('account sub-types, statuses, balance types, directions, entry statuses, consent statuses', () => {
    everyCode(Uae.ACCOUNT_SUB_TYPES, Codes.ACCOUNT_TYPES);
    everyCode(Uae.ACCOUNT_STATUSES, Codes.ACCOUNT_STATUSES);
    everyCode(Uae.BALANCE_TYPES, Codes.BALANCE_TYPES, screaming);
    everyCode(Uae.CREDIT_DEBIT, Codes.CREDIT_DEBIT, (c) => c.toUpperCase());
    everyCode(Uae.ENTRY_STATUSES, Codes.ENTRY_STATUSES, (c) => (c === 'Rejected' ? null : c.toUpperCase()));
    everyCode(Uae.CONSENT_STATUSES, Codes.CONSENT_STATES);
  });

  it('beneficiary types, instruction statuses, frequencies, schedule types, party types, account roles', () => {
    everyCode(Uae.BENEFICIARY_TYPES, Codes.BENEFICIARY_TYPES);
    everyCode(Uae.INSTRUCTION_STATUSES, Codes.INSTRUCTION_STATUSES, (c) => c.toUpperCase());
    everyCode(Uae.DIRECT_DEBIT_FREQUENCIES, Codes.DIRECT_DEBIT_FREQUENCIES, (c) => (c === 'NotKnown' ? null : screaming(c)));
    everyCode(Uae.SCHEDULE_TYPES, Codes.SCHEDULE_TYPES, (c) => c.toUpperCase());
    everyCode(Uae.PARTY_TYPES, Codes.PARTY_TYPES, (c) => c.toUpperCase());
    everyCode(Uae.ACCOUNT_ROLES, Codes.ACCOUNT_ROLES, screaming);
  });

  it('transaction mutabilities, payment modes, flags and bill payment types', () => {
    everyCode(Uae.TRANSACTION_MUTABILITY, Codes.TRANSACTION_MUTABILITIES, (c) => c.toUpperCase());
    everyCode(Uae.PAYMENT_MODES, Codes.PAYMENT_MODES, (c) => c.toUpperCase());
    everyCode(Uae.TRANSACTION_FLAGS, Codes.TRANSACTION_FLAGS, (c) => (c === 'Finance' ? 'LOAN' : screaming(c)));
    everyCode(Uae.BILL_PAYMENT_TYPES, Codes.BILL_PAYMENT_TYPES, (c) => screaming(c.replace('-', '')));
  });

  it('every code maps through the record mappers too, not only the tables', () => {
    for (const code of Uae.ACCOUNT_SUB_TYPES) assert.equal(mapAccounts([{ AccountId: 'A', AccountSubType: code, Status: 'Active', Currency: 'AED' } as any], BANK).items[0]!.account.type, Codes.ACCOUNT_TYPES[code]);
    for (const code of Uae.ACCOUNT_STATUSES) assert.equal(mapAccounts([{ AccountId: 'A', AccountSubType: 'Savings', Status: code } as any], BANK).items[0]!.account.status, Codes.ACCOUNT_STATUSES[code]);
    for (const code of Uae.BALANCE_TYPES) {
      for (const dir of Uae.CREDIT_DEBIT) {
        const [b] = mapBalances([{ Type: code, CreditDebitIndicator: dir, DateTime: '2026-03-01T00:00:00+04:00', Amount: AED('1') } as any], BANK).items;
        assert.equal(b!.type, Codes.BALANCE_TYPES[code]);
        assert.equal(b!.credit_debit_indicator, Codes.CREDIT_DEBIT[dir]);
      }
    }
    for (const code of Uae.ENTRY_STATUSES) assert.equal(mapTransactions([transaction({ Status: code })], BANK).items.length, code === 'Rejected' ? 0 : 1);
    for (const code of Uae.TRANSACTION_MUTABILITY) assert.equal(mapTransactions([transaction({ TransactionMutability: code })], BANK).items[0]!.transaction_mutability, Codes.TRANSACTION_MUTABILITIES[code]);
    for (const code of Uae.PAYMENT_MODES) assert.equal(mapTransactions([transaction({ PaymentModes: code })], BANK).items[0]!.payment_mode, Codes.PAYMENT_MODES[code]);
    assert.deepEqual(mapTransactions([transaction({ Flags: [...Uae.TRANSACTION_FLAGS] })], BANK).items[0]!.flags, [...new Set(Uae.TRANSACTION_FLAGS.map((f) => Codes.TRANSACTION_FLAGS[f]))]);
    for (const code of Uae.BILL_PAYMENT_TYPES) {
      assert.equal(mapTransactions([transaction({ BillDetails: { BillerId: 1, BillPaymentType: code } })], BANK).items[0]!.bill!.payment_type, Codes.BILL_PAYMENT_TYPES[code]);
    }
    for (const code of Uae.PARTY_TYPES) {
      for (const role of Uae.ACCOUNT_ROLES) {
        const [p] = mapAccountIdentities([{ PartyId: 'P', PartyType: code, PartyCategory: 'Retail', AccountRole: role, VerifiedClaims: [{ Claims: claims }] } as any]).items;
        assert.equal(p!.party_type, Codes.PARTY_TYPES[code]);
        assert.equal(p!.account_role, Codes.ACCOUNT_ROLES[role]);
      }
    }
  });
});

describe('UAE v2.1 mapping: realistic responses', () => {
  it('an account: IBAN and account number, BIC, holder, Dubai opening date, Finance is a loan', () => {
    const { items, notes } = mapAccounts(
      [
        {
          AccountId: 'acc-1',
          AccountHolderName: 'محمد الفلاسي',
          Status: 'Dormant',
          StatusUpdateDateTime: '2025-01-01T00:00:00+04:00',
          Currency: 'AED',
          AccountType: 'Retail',
          AccountSubType: 'Finance',
          Description: 'تمويل شخصي Personal Finance',
          OpeningDate: '2020-02-03T00:00:00+04:00',
          AccountIdentifiers: [
            { SchemeName: 'IBAN', Identification: 'AE070331234567890123456' },
            { SchemeName: 'AccountNumber', Identification: '1234567890123' },
          ],
          Servicer: { SchemeName: 'BICFI', Identification: 'SAQRAEAD' },
        } as any,
        { AccountId: 'acc-1', Status: 'Active' } as any,
      ],
      BANK,
    );
    assert.equal(items.length, 1);
    assert.deepEqual(notes, ['#1: account listed twice; kept once']);
    assert.deepEqual(items[0], {
      bank_account_id: 'acc-1',
      account: {
        name: 'تمويل شخصي Personal Finance',
        type: 'LOAN',
        currency: 'AED',
        iban: 'AE070331234567890123456',
        account_number: '1234567890123',
        bic: 'SAQRAEAD',
        nickname: null,
        holder_name: 'محمد الفلاسي',
        status: 'DISABLED',
        opened_at: '2020-02-02T20:00:00.000Z',
      },
    });
  });

  it('amounts with and without decimals; a transaction with too many decimals for AED is skipped, and counted', () => {
    const amounts = ['120', '120.5', '120.50', '0.01', '1000000'].map((a) => mapTransactions([transaction({ Amount: AED(a) })], BANK).items[0]!.amount_minor);
    assert.deepEqual(amounts, [12000, 12050, 12050, 1, 100000000]);
    const [bhd] = mapBalances([{ Type: 'ClosingAvailable', CreditDebitIndicator: 'Credit', DateTime: '2026-03-01T00:00:00+04:00', Amount: { Amount: '12.345', Currency: 'BHD' } } as any], BANK).items;
    assert.equal(bhd!.amount.amount, 12.345);
    const broken = mapTransactions([transaction({ Amount: AED('1.234') })], BANK);
    assert.deepEqual([broken.items.length, broken.skipped], [0, 1]);
  });

  it('a transaction: the Arabic/English narrative, the Arabic merchant, Dubai time to UTC, a zone-less time read in Asia/Dubai', () => {
    const [t] = mapTransactions([transaction()], BANK).items;
    assert.equal(t!.description, 'شراء - CARD PURCHASE كارفور MALL OF THE EMIRATES');
    assert.equal(t!.merchant_name, 'كارفور');
    assert.equal(t!.merchant_category_code, '5411');
    assert.equal(t!.booking_at, '2026-03-01T08:00:00.000Z');
    assert.equal(t!.status, 'BOOKED');
    assert.equal(t!.credit_debit, 'DEBIT');
    assert.equal(t!.bank_transaction_code, 'POS.Purchase');
    const [local] = mapTransactions([transaction({ BookingDateTime: '2026-03-01T12:00:00' })], BANK).items;
    assert.equal(local!.booking_at, '2026-03-01T08:00:00.000Z');
    const [bare] = mapTransactions([transaction({ TransactionInformation: undefined })], BANK).items;
    assert.equal(bare!.description, 'كارفور', 'no narrative: the merchant');
  });

  it('what the UAE adds: mutability, payment mode, charge and its VAT, flags, the bill paid, the local time zone', () => {
    const { items, notes } = mapTransactions(
      [
        transaction({
          TransactionType: 'BillPayments',
          SubTransactionType: 'MoneyTransfer',
          LocalTimeZone: 'UTC+04:00',
          Status: 'Pending',
          TransactionMutability: 'Mutable',
          PaymentModes: 'Batch',
          Flags: ['DirectDebit', 'OpenFinance'],
          TransactionInformation: 'سداد فاتورة - DEWA BILL PAYMENT 2001234567',
          Amount: AED('455.3'),
          ChargeAmount: AED('5'),
          ChargeAmountVat: AED('0.25'),
          MerchantDetails: undefined,
          BillDetails: { BillerId: 15, BillNumber: '2001234567', BillPaymentType: 'Post-Paid' },
        }),
      ],
      BANK,
    );
    assert.deepEqual(notes, []);
    const t = items[0]!;
    assert.equal(t.description, 'سداد فاتورة - DEWA BILL PAYMENT 2001234567');
    assert.equal(t.amount_minor, 45530);
    assert.equal(t.transaction_mutability, 'MUTABLE');
    assert.equal(t.payment_mode, 'BATCH');
    assert.deepEqual([t.charge_minor, t.charge_currency, t.charge_vat_minor, t.charge_vat_currency], [500, 'AED', 25, 'AED']);
    assert.deepEqual(t.flags, ['DIRECT_DEBIT', 'OPEN_FINANCE']);
    assert.deepEqual(t.bill, { biller_id: '15', bill_number: '2001234567', payment_type: 'POST_PAID' });
    assert.equal(t.local_time_zone, 'UTC+04:00');
    assert.equal(t.bank_transaction_code, 'BillPayments.MoneyTransfer');
  });

  it('a transaction that says none of it reads null; an empty bill is none; an unknown code reads null (a flag: is left out) with a note', () => {
    const [plain] = mapTransactions([transaction({ TransactionMutability: undefined, PaymentModes: undefined })], BANK).items;
    assert.deepEqual(
      [plain!.transaction_mutability, plain!.payment_mode, plain!.charge_minor, plain!.charge_vat_minor, plain!.flags, plain!.bill, plain!.local_time_zone],
      [null, null, null, null, null, null, null],
    );
    assert.equal(mapTransactions([transaction({ BillDetails: {} })], BANK).items[0]!.bill, null);
    assert.deepEqual(mapTransactions([transaction({ Flags: [] })], BANK).items[0]!.flags, []);
    const odd = mapTransactions([transaction({ TransactionMutability: 'Final', PaymentModes: 'Instant', Flags: ['Zakat', 'Payroll'] })], BANK);
    assert.equal(odd.items[0]!.transaction_mutability, null);
    assert.equal(odd.items[0]!.payment_mode, null);
    assert.deepEqual(odd.items[0]!.flags, ['PAYROLL']);
    assert.equal(odd.notes.length, 3);
    // A charge with more decimals than its currency has breaks that record only.
    const broken = mapTransactions([transaction({ ChargeAmount: AED('1.005') }), transaction({ TransactionId: 'T2' })], BANK);
    assert.deepEqual([broken.items.length, broken.skipped], [1, 1]);
    assert.match(broken.notes.join(' '), /1\.005/);
  });

  it('an unknown code drops what it decides and notes it', () => {
    const { items, notes } = mapTransactions([transaction({ Status: 'Cancelled' })], BANK);
    assert.equal(items.length, 0);
    assert.match(notes[0]!, /unknown Status "Cancelled"/);
    const b = mapBeneficiaries([{ BeneficiaryId: 'B', BeneficiaryType: 'Verified', AddedViaOF: false } as any]);
    assert.equal(b.items[0]!.type, null);
    assert.match(b.notes[0]!, /BeneficiaryType/);
  });

  it('beneficiaries, direct debits, standing orders and scheduled payments', () => {
    const creditor = { AccountHolderName: 'مؤسسة دبي للماء والكهرباء DEWA', CreditorAgent: { SchemeName: 'BICFI', Identification: 'EBILAEAD', Name: 'Emirates NBD' }, CreditorAccount: [{ SchemeName: 'IBAN', Identification: 'AE460260001015555555555' }] };
    assert.deepEqual(mapBeneficiaries([{ BeneficiaryId: 'B1', BeneficiaryType: 'Activated', AddedViaOF: true, Reference: 'إيجار RENT', ...creditor } as any]).items, [
      { beneficiary_id: 'B1', type: 'TRUSTED', reference: 'إيجار RENT', creditor: { name: 'مؤسسة دبي للماء والكهرباء DEWA', iban: 'AE460260001015555555555', account_number: null, bic: 'EBILAEAD' }, bank_name: 'Emirates NBD' },
    ]);
    assert.deepEqual(
      mapDirectDebits([{ DirectDebitId: 'D1', MandateIdentification: 'M1', DirectDebitStatusCode: 'Active', Name: 'اتصالات Etisalat', Frequency: 'Monthly', PreviousPaymentDateTime: '2026-02-15T00:00:00+04:00', PreviousPaymentAmount: AED('299') } as any], BANK).items,
      [{ direct_debit_id: 'D1', mandate_id: 'M1', name: 'اتصالات Etisalat', status: 'ACTIVE', frequency: 'MONTHLY', previous_payment_amount: { amount: 299, currency: 'AED' }, previous_payment_timestamp: '2026-02-14T20:00:00.000Z' }],
    );
    const [so] = mapStandingOrders([{ StandingOrderId: 'S1', Frequency: 'EvryWorkgDay', CreditorReference: 'SCHOOL FEES', FirstPaymentDateTime: '2026-01-01T00:00:00+04:00', StandingOrderStatusCode: 'Inactive', FirstPaymentAmount: AED('1500.5'), ...creditor } as any], BANK).items;
    assert.equal(so!.status, 'INACTIVE');
    assert.equal(so!.reference, 'SCHOOL FEES');
    assert.deepEqual(so!.first_payment_amount, { amount: 1500.5, currency: 'AED' });
    assert.equal(so!.creditor!.iban, 'AE460260001015555555555');
    const [basic] = mapStandingOrders([{ StandingOrderId: 'S2', Frequency: 'Monthly', FirstPaymentDateTime: '2026-01-01T00:00:00+04:00', StandingOrderStatusCode: 'Active', FirstPaymentAmount: AED('1') } as any], BANK).items;
    assert.equal(basic!.creditor, null, 'Basic permission: no creditor');
    const [sp] = mapScheduledPayments([{ ScheduledPaymentId: 'P1', ScheduledType: 'Arrival', ScheduledPaymentDateTime: '2026-04-01T09:00:00+04:00', DebtorReference: 'MY REF', InstructedAmount: AED('75') } as any], BANK).items;
    assert.deepEqual(sp, { scheduled_payment_id: 'P1', execution_date: '2026-04-01T05:00:00.000Z', type: 'ARRIVAL', amount: { amount: 75, currency: 'AED' }, reference: 'MY REF', creditor: null });
  });

  it('parties and identity from verified claims (Arabic legal name, Emirates ID, P.O. Box), and a business', () => {
    const [p] = mapAccountIdentities([{ PartyId: 'P1', PartyType: 'Joint', PartyCategory: 'Retail', AccountRole: 'SecondaryOwner', VerifiedClaims: [{ Verification: { TrustFramework: 'FI' }, Claims: claims }] } as any]).items;
    assert.deepEqual(p, {
      party_id: 'P1',
      full_name: 'Mohammed Al Falasi',
      legal_name: 'محمد أحمد عبدالله الفلاسي',
      national_identity_number: '784-1988-1234567-1',
      email_address: 'mohammed@example.ae',
      mobile_number: '+971501234567',
      phone_number: null,
      address: { lines: ['Villa 12', 'شارع الوصل'], building_number: '12', street_name: 'Al Wasl Road', town_name: 'Dubai', post_code: '12345', country_sub_division: 'Dubai', country: 'AE' },
      party_type: 'JOINT',
      account_role: 'SECONDARY_OWNER',
    });
    const { identity } = mapIdentity({ PartyId: 'U1', PartyCategory: 'Retail', VerifiedClaims: [{ Claims: claims }] } as any);
    assert.equal(identity!.birth_date, '1988-05-01');
    assert.equal(identity!.gender, null);
    assert.equal(identity!.party_type, null);
    // Added fields: the name parts and the nationality the claims carry.
    assert.deepEqual([identity!.given_name, identity!.middle_name, identity!.family_name, identity!.nationalities], ['Mohammed', 'Ahmed', 'Al Falasi', null]);
    assert.deepEqual(mapIdentity({ PartyId: 'U1', VerifiedClaims: [{ Claims: { ...claims, Nationality: 'AE' } }] } as any).identity!.nationalities, ['AE']);
    const business = mapIdentity({ PartyId: 'U2', PartyCategory: 'SME', VerifiedClaims: [{ Claims: { IdentityType: 'Business', BusinessName: 'Saqr Trading LLC', TradeLicenceNumber: 'TL-123' } }] } as any).identity!;
    assert.equal(business.legal_name, 'Saqr Trading LLC');
    assert.equal(business.national_identity_number, 'TL-123');
    assert.deepEqual([business.given_name, business.family_name, business.nationalities], [null, null, null]);
  });
});
