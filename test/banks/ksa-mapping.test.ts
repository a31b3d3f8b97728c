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
} from '../../src/banks/ksa/mapping.ts';
import { SingleParty } from '../../src/banks/ksa/wire.ts';
import type { KsaAccount, KsaAccountParty, KsaBalance, KsaBeneficiary, KsaDirectDebit, KsaParty, KsaScheduledPayment, KsaStandingOrder, KsaTransaction } from '../../src/banks/ksa/wire.ts';
import {
  ACCOUNT_ROLES,
  ACCOUNT_STATUSES,
  ACCOUNT_SUB_TYPES,
  BALANCE_TYPES,
  BENEFICIARY_TYPES,
  BILL_PAYMENT_TYPES,
  CREDIT_DEBIT_CODES,
  CREDIT_LINE_TYPES,
  ENTRY_STATUSES,
  FLAGS,
  INSTRUCTION_STATUSES,
  PARTY_TYPES,
  PAYMENT_MODES,
  SCHEDULE_TYPES,
  SUB_TRANSACTION_TYPES,
  TRANSACTION_MUTABILITIES,
  TRANSACTION_TYPES,
} from '../../src/standards/ksa-2022.11/codes.ts';

const BANK = { time_zone: 'Asia/Riyadh', currency: 'SAR' };
const bare = (code: string) => code.replace(/^KSAOB\./, '');
const screaming = (code: string) => bare(code).replace(/-/g, '').replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();

const account = (over: Record<string, unknown> = {}) =>
  ({
    AccountId: 'acc-1',
    AccountHolderName: 'محمد عبدالله',
    Status: 'Active',
    StatusUpdateDateTime: '2021-03-01T09:00:00+03:00',
    Currency: 'SAR',
    AccountType: 'KSAOB.Retail',
    AccountSubType: 'CurrentAccount',
    Description: 'Current   Account',
    Nickname: 'Salary',
    OpeningDate: '2021-03-01T09:00:00+03:00',
    AccountIdentifiers: [
      { IdentificationType: 'KSAOB.IBAN', Identification: 'SA0380000000608010167519' },
      { IdentificationType: 'KSAOB.AccountNumber', Identification: '608010167519' },
    ],
    Servicer: { IdentificationType: 'KSAOB.BICFI', Identification: 'RIBLSARI' },
    ...over,
  }) as unknown as KsaAccount;

const balance = (over: Record<string, unknown> = {}) =>
  ({ CreditDebitIndicator: 'KSAOB.Credit', Type: 'KSAOB.InterimAvailable', DateTime: '2024-05-01T12:00:00+03:00', Amount: { Amount: '1520.75', Currency: 'SAR' }, ...over }) as unknown as KsaBalance;

const transaction = (over: Record<string, unknown> = {}) =>
  ({
    TransactionId: 'tx-1',
    TransactionReference: 'REF-1',
    TransactionDateTime: '2024-05-01T14:03:00+03:00',
    LocalTimeZone: 'UTC+03:00',
    TransactionType: 'KSAOB.POS',
    SubTransactionType: 'KSAOB.Purchase',
    PaymentModes: 'KSAOB.Online',
    CreditDebitIndicator: 'KSAOB.Debit',
    Status: 'KSAOB.Booked',
    TransactionMutability: 'KSAOB.Immutable',
    BookingDateTime: '2024-05-01T14:03:00+03:00',
    ValueDateTime: '2024-05-01T14:03:00+03:00',
    TransactionInformation: 'شراء من متجر',
    Amount: { Amount: '45.50', Currency: 'SAR' },
    MerchantDetails: { MerchantName: 'Jarir Bookstore', MerchantCategoryCode: '5942' },
    ...over,
  }) as unknown as KsaTransaction;

describe('KSA mapping: realistic responses to the domain', () => {
  it('an account', () => {
    const { items, notes } = mapAccounts([account()], BANK);
    assert.deepEqual(notes, []);
    assert.deepEqual(items, [
      {
        bank_account_id: 'acc-1',
        account: {
          name: 'Current Account',
          type: 'CURRENT',
          currency: 'SAR',
          iban: 'SA0380000000608010167519',
          account_number: '608010167519',
          bic: 'RIBLSARI',
          nickname: 'Salary',
          holder_name: 'محمد عبدالله',
          status: 'ENABLED',
          opened_at: '2021-03-01T06:00:00.000Z',
        },
      },
    ]);
  });

  it('a balance with a credit line', () => {
    const { items, notes } = mapBalances([balance({ CreditLine: [{ Included: true, Type: 'KSAOB.Pre-Agreed', Amount: { Amount: '500.00', Currency: 'SAR' } }] })], BANK);
    assert.deepEqual(notes, []);
    assert.deepEqual(items, [
      {
        type: 'INTERIM_AVAILABLE',
        amount: { amount: 1520.75, currency: 'SAR' },
        credit_debit_indicator: 'CREDIT',
        timestamp: '2024-05-01T09:00:00.000Z',
        credit_lines: [{ included: true, type: 'PRE_AGREED', amount: { amount: 500, currency: 'SAR' } }],
      },
    ]);
  });

  it('a card purchase', () => {
    const { items, notes } = mapTransactions([transaction()], BANK);
    assert.deepEqual(notes, []);
    const { key, ...t } = items[0]!;
    assert.ok(key);
    assert.deepEqual(t, {
      bank_transaction_id: 'tx-1',
      status: 'BOOKED',
      booking_at: '2024-05-01T11:03:00.000Z',
      value_at: '2024-05-01T11:03:00.000Z',
      amount_minor: 4550,
      currency: 'SAR',
      credit_debit: 'DEBIT',
      description: 'شراء من متجر',
      reference: 'REF-1',
      merchant_name: 'Jarir Bookstore',
      merchant_category_code: '5942',
      bank_transaction_code: 'KSAOB.POS',
      transaction_mutability: 'IMMUTABLE',
      payment_mode: 'ONLINE',
      charge_minor: null,
      charge_currency: null,
      charge_vat_minor: null,
      charge_vat_currency: null,
      flags: null,
      bill: null,
      local_time_zone: 'UTC+03:00',
    });
  });

  it('a SADAD bill payment: its bill, charge and VAT, flags, batch mode, and a pending entry that may still change', () => {
    const { items, notes } = mapTransactions(
      [
        transaction({
          TransactionType: 'KSAOB.BillPayments',
          SubTransactionType: 'KSAOB.MoneyTransfer',
          PaymentModes: 'KSAOB.Batch',
          Status: 'KSAOB.Pending',
          TransactionMutability: 'KSAOB.Mutable',
          Flags: ['KSAOB.DirectDebit', 'KSAOB.Cashback'],
          TransactionInformation: 'سداد فاتورة الكهرباء   SADAD PAYMENT SAUDI ELECTRICITY',
          Amount: { Amount: '312', Currency: 'SAR' },
          ChargeAmount: { Amount: '2', Currency: 'SAR' },
          ChargeAmountVat: { Amount: '0.30', Currency: 'SAR' },
          MerchantDetails: { MerchantId: 0, MerchantName: '' },
          BillDetails: { BillerId: 15, BillNumber: '  3001234567 ', BillPaymentType: 'KSAOB.Post-Paid' },
        }),
      ],
      BANK,
    );
    assert.deepEqual(notes, []);
    const { key: _, ...t } = items[0]!;
    assert.deepEqual(
      { ...t },
      {
        ...t,
        status: 'PENDING',
        description: 'سداد فاتورة الكهرباء SADAD PAYMENT SAUDI ELECTRICITY',
        amount_minor: 31200,
        merchant_name: null,
        transaction_mutability: 'MUTABLE',
        payment_mode: 'BATCH',
        charge_minor: 200,
        charge_currency: 'SAR',
        charge_vat_minor: 30,
        charge_vat_currency: 'SAR',
        flags: ['DIRECT_DEBIT', 'CASHBACK'],
        bill: { biller_id: '15', bill_number: '3001234567', payment_type: 'POST_PAID' },
        local_time_zone: 'UTC+03:00',
      },
    );
  });

  it('the party with what the bank\'s KYC verified (ReadPartyPSUIdentity): the published spec\'s claims only, an iqama, Arabic names', () => {
    const party = {
      PartyId: 'p-2',
      PartyType: 'KSAOB.Sole',
      VerifiedClaims: [
        {
          Verification: {
            TrustFramework: 'SA_IAM',
            Evidence: [{ Type: 'document', DocumentDetails: { Type: 'residence_permit', PersonalNumber: ' 2123456789 ', CalendarType: 'KSAOB.IslamicCalendar' } }],
          },
          Claims: {
            Name: 'أحمد   محمد الحربي',
            GivenName: 'أحمد',
            MiddleName: 'محمد',
            FamilyName: 'الحربي',
            Email: 'ahmad@example.sa',
            Gender: 'male',
            BirthDate: '1990-07-14',
            PhoneNumber: '+966-551234567',
            Nationalities: ['EG', 'SA'],
            Address: { Formatted: '7235 King Fahd Road, Riyadh 12271, SA', StreetAddress: '7235 King Fahd Road', Locality: 'Riyadh', Region: 'Riyadh Province', PostalCode: '12271', Country: 'SA' },
          },
        },
      ],
    } as unknown as KsaParty;
    const { identity, notes } = mapIdentity(party);
    assert.deepEqual(notes, []);
    assert.deepEqual(identity, {
      party_id: 'p-2',
      full_name: 'أحمد محمد الحربي',
      legal_name: 'أحمد محمد الحربي',
      party_type: 'SOLE',
      national_identity_number: '2123456789',
      email_address: 'ahmad@example.sa',
      mobile_number: '+966551234567',
      phone_number: null,
      address: { lines: ['7235 King Fahd Road'], building_number: null, street_name: null, town_name: 'Riyadh', post_code: '12271', country_sub_division: 'Riyadh Province', country: 'SA' },
      birth_date: '1990-07-14',
      gender: 'MALE',
      given_name: 'أحمد',
      middle_name: 'محمد',
      family_name: 'الحربي',
      nationalities: ['EG', 'SA'],
    });
    // The published specification answers `/parties` with a list (`OBReadParty3`); openlean's description with one party.
    assert.ok(SingleParty.Check([party]) && SingleParty.Check(party) && SingleParty.Check(undefined));
    assert.ok(!SingleParty.Check([{ Name: 'no id' }]));
    // Without ReadPartyPSUIdentity the bank sends no claims: those fields are null.
    const plain = mapIdentity({ PartyId: 'p-3', Name: 'Sara' } as unknown as KsaParty).identity!;
    assert.deepEqual([plain.national_identity_number, plain.birth_date, plain.given_name, plain.nationalities, plain.address], [null, null, null, null, null]);
  });

  it('the party', () => {
    const party = { PartyId: 'p-1', PartyNumber: '1001', PartyType: 'KSAOB.Sole', Name: 'Mohammed  Abdullah', FullLegalName: 'Mohammed Abdullah Al-Saud', EmailAddress: 'm@example.sa', Mobile: '+966-501234567' } as unknown as KsaParty;
    const { identity, notes } = mapIdentity(party);
    assert.deepEqual(notes, []);
    assert.equal(identity!.party_id, 'p-1');
    assert.equal(identity!.full_name, 'Mohammed Abdullah');
    assert.equal(identity!.legal_name, 'Mohammed Abdullah Al-Saud');
    assert.equal(identity!.party_type, 'SOLE');
    assert.equal(identity!.email_address, 'm@example.sa');
    assert.equal(identity!.mobile_number?.replace(/\D/g, ''), '966501234567');
    assert.deepEqual(mapIdentity(undefined), { identity: null, notes: [] });
  });
});

const creditorAccount = [{ IdentificationType: 'KSAOB.IBAN', Identification: 'SA4420000001234567891234', Name: 'Saudi  Electricity Co' }];
const creditorAgent = { IdentificationType: 'KSAOB.BICFI', Identification: 'RJHISARI', Name: 'Al Rajhi Bank' };
const creditor = { name: 'Saudi Electricity Co', iban: 'SA4420000001234567891234', account_number: null, bic: 'RJHISARI' };

describe('KSA mapping: beneficiaries, direct debits, standing orders, scheduled payments, account parties', () => {
  it('a beneficiary, Detail and Basic', () => {
    const b = { BeneficiaryId: 'b-1', BeneficiaryType: 'KSAOB.Activated', Reference: 'Rent', CreditorAgent: creditorAgent, CreditorAccount: creditorAccount } as KsaBeneficiary;
    assert.deepEqual(mapBeneficiaries([b]), { items: [{ beneficiary_id: 'b-1', type: 'TRUSTED', reference: 'Rent', creditor, bank_name: 'Al Rajhi Bank' }], notes: [], skipped: 0 });
    assert.deepEqual(mapBeneficiaries([{ BeneficiaryId: 'b-2' }]).items[0], { beneficiary_id: 'b-2', type: null, reference: null, creditor: { name: null, iban: null, account_number: null, bic: null }, bank_name: null });
  });

  it('a direct debit: KSA has no frequency', () => {
    const d = { DirectDebitId: 'dd-1', MandateIdentification: 'M-1', DirectDebitStatusCode: 'KSAOB.Active', Name: 'STC', PreviousPaymentDateTime: '2024-05-01T09:00:00', PreviousPaymentAmount: { Amount: '230.5', Currency: 'SAR' } } as KsaDirectDebit;
    assert.deepEqual(mapDirectDebits([d], BANK), {
      items: [{ direct_debit_id: 'dd-1', mandate_id: 'M-1', name: 'STC', status: 'ACTIVE', frequency: null, previous_payment_amount: { amount: 230.5, currency: 'SAR' }, previous_payment_timestamp: '2024-05-01T06:00:00.000Z' }],
      notes: [],
      skipped: 0,
    });
  });

  it('a standing order, with and without its creditor', () => {
    const o = {
      StandingOrderId: 'so-1',
      Frequency: 'IntrvlMnthDay:01:25',
      Reference: 'Rent',
      FirstPaymentDateTime: '2024-01-25T00:00:00+03:00',
      NextPaymentDateTime: '2024-06-25T00:00:00+03:00',
      StandingOrderStatusCode: 'KSAOB.Inactive',
      FirstPaymentAmount: { Amount: '4000.00', Currency: 'SAR' },
      NextPaymentAmount: { Amount: '4000', Currency: 'SAR' },
      CreditorAgent: creditorAgent,
      CreditorAccount: creditorAccount,
    } as KsaStandingOrder;
    assert.deepEqual(mapStandingOrders([o], BANK), {
      items: [
        {
          standing_order_id: 'so-1',
          frequency: 'IntrvlMnthDay:01:25',
          reference: 'Rent',
          status: 'INACTIVE',
          first_payment_date: '2024-01-24T21:00:00.000Z',
          next_payment_date: '2024-06-24T21:00:00.000Z',
          last_payment_date: null,
          final_payment_date: null,
          first_payment_amount: { amount: 4000, currency: 'SAR' },
          next_payment_amount: { amount: 4000, currency: 'SAR' },
          last_payment_amount: null,
          final_payment_amount: null,
          creditor,
        },
      ],
      notes: [],
      skipped: 0,
    });
    const { CreditorAgent: _a, CreditorAccount: _b, ...basic } = o;
    assert.equal(mapStandingOrders([basic], BANK).items[0]!.creditor, null);
  });

  it("a scheduled payment: the creditor's reference, else the debtor's", () => {
    const p = { ScheduledPaymentId: 'sp-1', ScheduledType: 'KSAOB.Arrival', ScheduledPaymentDateTime: '2024-07-01T10:00:00+03:00', DebtorReference: 'Mine', InstructedAmount: { Amount: '99.99', Currency: 'SAR' } } as KsaScheduledPayment;
    assert.deepEqual(mapScheduledPayments([p], BANK), {
      items: [{ scheduled_payment_id: 'sp-1', execution_date: '2024-07-01T07:00:00.000Z', type: 'ARRIVAL', amount: { amount: 99.99, currency: 'SAR' }, reference: 'Mine', creditor: null }],
      notes: [],
      skipped: 0,
    });
    assert.equal(mapScheduledPayments([{ ...p, CreditorReference: 'Theirs' }], BANK).items[0]!.reference, 'Theirs');
  });

  it("an account's party with its role", () => {
    const party = { PartyId: 'p-2', PartyType: 'KSAOB.Joint', Name: 'Noura  Al-Qahtani', FullLegalName: 'Noura Saad Al-Qahtani', AccountRole: 'KSAOB.SecondaryOwner', Mobile: '+966-551234567' } as KsaAccountParty;
    const { items, notes } = mapAccountIdentities([party]);
    assert.deepEqual(notes, []);
    assert.deepEqual({ ...items[0]!, mobile_number: items[0]!.mobile_number?.replace(/\D/g, '') }, {
      party_id: 'p-2',
      full_name: 'Noura Al-Qahtani',
      legal_name: 'Noura Saad Al-Qahtani',
      party_type: 'JOINT',
      national_identity_number: null,
      email_address: null,
      mobile_number: '966551234567',
      phone_number: null,
      address: null,
      account_role: 'SECONDARY_OWNER',
    });
  });
});

describe('KSA mapping: what real banks send is read, not refused', () => {
  it('Flags: [null] is ignored: no flags, and a null beside a flag leaves the flag', () => {
    const { items, notes } = mapTransactions([transaction({ Flags: [null] })], BANK);
    assert.equal(items.length, 1);
    assert.deepEqual(notes, []);
    assert.deepEqual(items[0]!.flags, []);
    assert.deepEqual(mapTransactions([transaction({ Flags: [null, 'KSAOB.Payroll'] })], BANK).items[0]!.flags, ['PAYROLL']);
    assert.equal(mapTransactions([transaction({ Flags: null })], BANK).items[0]!.flags, null);
  });

  it('BillDetails with BillerId: 0 and nothing else is no bill', () => {
    assert.equal(mapTransactions([transaction({ BillDetails: { BillerId: 0 } })], BANK).items[0]!.bill, null);
    assert.equal(mapTransactions([transaction({ BillDetails: null })], BANK).items[0]!.bill, null);
    // SADAD biller codes have leading zeros: a bank that sends the code as text keeps them.
    assert.deepEqual(mapTransactions([transaction({ BillDetails: { BillerId: '001' } })], BANK).items[0]!.bill, { biller_id: '001', bill_number: null, payment_type: null });
  });

  it('MerchantId: 0 with MerchantName: "" is no merchant', () => {
    const { items } = mapTransactions([transaction({ MerchantDetails: { MerchantId: 0, MerchantName: '' }, TransactionInformation: 'Transfer' })], BANK);
    assert.equal(items[0]!.merchant_name, null);
    assert.equal(items[0]!.merchant_category_code, null);
    assert.equal(items[0]!.description, 'Transfer');
  });

  it('an unprefixed Status ("Active" on an account, "Booked" on a transaction)', () => {
    assert.equal(mapAccounts([account({ Status: 'Active' })], BANK).items[0]!.account.status, 'ENABLED');
    assert.equal(mapTransactions([transaction({ Status: 'Booked' })], BANK).items[0]!.status, 'BOOKED');
    assert.equal(mapTransactions([transaction({ Status: 'pending', CreditDebitIndicator: 'credit' })], BANK).items[0]!.credit_debit, 'CREDIT');
  });

  it('an Arabic narrative padded with runs of spaces is collapsed', () => {
    const { items } = mapTransactions([transaction({ TransactionInformation: '  تحويل   محلي            Local    transfer                                        ' })], BANK);
    assert.equal(items[0]!.description, 'تحويل محلي Local transfer');
  });

  it('"32" is 32.00', () => {
    assert.equal(mapTransactions([transaction({ Amount: { Amount: '32', Currency: 'SAR' } })], BANK).items[0]!.amount_minor, 3200);
  });

  it('two charges sharing one TransactionId stay two, with distinct keys', () => {
    const purchase = transaction({ TransactionId: 'shared-1' });
    const fee = transaction({ TransactionId: 'shared-1', Amount: { Amount: '1.15', Currency: 'SAR' }, TransactionInformation: 'رسوم عملية بطاقة   Card transaction fee', MerchantDetails: undefined });
    const { items, notes } = mapTransactions([purchase, fee], BANK);
    assert.deepEqual(notes, []);
    assert.equal(items.length, 2);
    assert.notEqual(items[0]!.key, items[1]!.key);
    assert.deepEqual(items.map((t) => t.amount_minor).sort((a, b) => a - b), [115, 4550]);
    // Even two identical charges under one id are two rows.
    const twin = mapTransactions([fee, fee], BANK);
    assert.equal(twin.items.length, 2);
    assert.notEqual(twin.items[0]!.key, twin.items[1]!.key);
  });
});

describe('KSA mapping: every code of every list', () => {
  it('account sub-types and statuses', () => {
    const types = { CurrentAccount: 'CURRENT', Savings: 'SAVINGS', CreditCard: 'CREDIT_CARD', ChargeCard: 'CREDIT_CARD', PrePaidCard: 'CURRENT', EMoney: 'CURRENT', Other: 'CURRENT' };
    for (const code of ACCOUNT_SUB_TYPES) {
      const r = mapAccounts([account({ AccountSubType: code })], BANK);
      assert.deepEqual(r.notes, [], code);
      assert.equal(r.items[0]!.account.type, types[code], code);
    }
    for (const code of ACCOUNT_STATUSES) {
      for (const spelled of [code, `KSAOB.${code}`]) {
        const r = mapAccounts([account({ Status: spelled })], BANK);
        assert.deepEqual(r.notes, [], spelled);
        assert.equal(r.items[0]!.account.status, code === 'Active' ? 'ENABLED' : code === 'Closed' ? 'DELETED' : 'DISABLED', spelled);
      }
    }
  });

  it('balance types, credit/debit codes and credit line types', () => {
    for (const type of BALANCE_TYPES) {
      for (const direction of CREDIT_DEBIT_CODES) {
        for (const spelled of [type, bare(type)]) {
          const r = mapBalances([balance({ Type: spelled, CreditDebitIndicator: direction })], BANK);
          assert.deepEqual(r.notes, [], `${spelled} ${direction}`);
          assert.equal(r.items[0]!.type, screaming(type), spelled);
          assert.equal(r.items[0]!.credit_debit_indicator, bare(direction).toUpperCase());
        }
      }
    }
    for (const line of CREDIT_LINE_TYPES) {
      const r = mapBalances([balance({ CreditLine: [{ Included: false, Type: line, Amount: { Amount: '10.00', Currency: 'SAR' } }] })], BANK);
      assert.deepEqual(r.notes, [], line);
      assert.equal(r.items[0]!.credit_lines[0]!.type, bare(line).replace('-', '_').toUpperCase(), line);
    }
  });

  it('entry statuses: Booked and Pending kept, Rejected dropped with a note', () => {
    for (const status of ENTRY_STATUSES) {
      for (const direction of CREDIT_DEBIT_CODES) {
        const r = mapTransactions([transaction({ Status: status, CreditDebitIndicator: direction })], BANK);
        if (status === 'KSAOB.Rejected') {
          assert.equal(r.items.length, 0);
          assert.equal(r.notes.length, 1);
        } else {
          assert.deepEqual(r.notes, [], status);
          assert.equal(r.items[0]!.status, bare(status).toUpperCase());
          assert.equal(r.items[0]!.credit_debit, bare(direction).toUpperCase());
        }
      }
    }
  });

  it('transaction types, sub-types, payment modes and flags never refuse a transaction', () => {
    for (const type of TRANSACTION_TYPES) {
      const r = mapTransactions([transaction({ TransactionType: type })], BANK);
      assert.deepEqual(r.notes, [], type);
      assert.equal(r.items[0]!.bank_transaction_code, type);
    }
    for (const sub of SUB_TRANSACTION_TYPES) assert.equal(mapTransactions([transaction({ SubTransactionType: sub })], BANK).items.length, 1, sub);
    for (const mode of PAYMENT_MODES) assert.equal(mapTransactions([transaction({ PaymentModes: mode })], BANK).items.length, 1, mode);
    assert.equal(mapTransactions([transaction({ Flags: [...FLAGS] })], BANK).items.length, 1);
  });

  it('payment modes, mutabilities, flags and bill payment types each have a Lean word, with or without the namespace', () => {
    for (const mode of PAYMENT_MODES) {
      for (const spelled of [mode, bare(mode)]) {
        const r = mapTransactions([transaction({ PaymentModes: spelled })], BANK);
        assert.deepEqual(r.notes, [], spelled);
        assert.equal(r.items[0]!.payment_mode, screaming(mode), spelled);
      }
    }
    for (const code of TRANSACTION_MUTABILITIES) {
      const r = mapTransactions([transaction({ TransactionMutability: code })], BANK);
      assert.deepEqual(r.notes, [], code);
      assert.equal(r.items[0]!.transaction_mutability, screaming(code), code);
    }
    const flags = mapTransactions([transaction({ Flags: [...FLAGS] })], BANK);
    assert.deepEqual(flags.notes, []);
    assert.deepEqual(flags.items[0]!.flags, FLAGS.map(screaming));
    for (const type of BILL_PAYMENT_TYPES) {
      const r = mapTransactions([transaction({ BillDetails: { BillerId: 1, BillNumber: 'B-1', BillPaymentType: type } })], BANK);
      assert.deepEqual(r.notes, [], type);
      assert.equal(r.items[0]!.bill!.payment_type, bare(type).replace(/-/g, '_').replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase(), type);
    }
  });

  it('an unknown payment mode, mutability, flag or bill payment type reads null (a flag: is left out) with a note', () => {
    const r = mapTransactions(
      [transaction({ PaymentModes: 'KSAOB.Instant', TransactionMutability: 'KSAOB.Frozen', Flags: ['KSAOB.Zakat', 'KSAOB.Payroll'], BillDetails: { BillNumber: 'B-1', BillPaymentType: 'KSAOB.Prepaid' } })],
      BANK,
    );
    assert.equal(r.items.length, 1);
    assert.equal(r.items[0]!.payment_mode, null);
    assert.equal(r.items[0]!.transaction_mutability, null);
    assert.deepEqual(r.items[0]!.flags, ['PAYROLL']);
    assert.deepEqual(r.items[0]!.bill, { biller_id: null, bill_number: 'B-1', payment_type: null });
    assert.equal(r.notes.length, 4);
  });

  it('party types', () => {
    for (const type of PARTY_TYPES) {
      const { identity, notes } = mapIdentity({ PartyId: 'p', PartyType: type } as unknown as KsaParty);
      assert.deepEqual(notes, [], type);
      assert.equal(identity!.party_type, bare(type).toUpperCase());
    }
  });

  it('beneficiary types, instruction statuses, schedule types and account roles, with or without the namespace', () => {
    for (const type of BENEFICIARY_TYPES) {
      for (const code of [type, bare(type), bare(type).toUpperCase()]) {
        const { items, notes } = mapBeneficiaries([{ BeneficiaryId: 'b', BeneficiaryType: code }]);
        assert.deepEqual(notes, [], code);
        assert.equal(items[0]!.type, type === 'KSAOB.Activated' ? 'TRUSTED' : 'ORDINARY');
      }
    }
    for (const status of INSTRUCTION_STATUSES) {
      for (const code of [status, bare(status)]) {
        const dd = mapDirectDebits([{ DirectDebitId: 'd', MandateIdentification: 'm', Name: 'n', DirectDebitStatusCode: code }], BANK);
        const so = mapStandingOrders([{ StandingOrderId: 's', Frequency: 'EvryDay', StandingOrderStatusCode: code }], BANK);
        assert.deepEqual([...dd.notes, ...so.notes], [], code);
        assert.equal(dd.items[0]!.status, screaming(status));
        assert.equal(so.items[0]!.status, screaming(status));
      }
    }
    for (const type of SCHEDULE_TYPES) {
      const { items, notes } = mapScheduledPayments([{ ScheduledPaymentId: 's', ScheduledType: type, ScheduledPaymentDateTime: '2024-07-01T10:00:00Z', InstructedAmount: { Amount: '1', Currency: 'SAR' } }], BANK);
      assert.deepEqual(notes, [], type);
      assert.equal(items[0]!.type, screaming(type));
    }
    for (const role of ACCOUNT_ROLES) {
      const { items, notes } = mapAccountIdentities([{ PartyId: 'p', AccountRole: role }]);
      assert.deepEqual(notes, [], role);
      assert.equal(items[0]!.account_role, screaming(role));
    }
    for (const type of PARTY_TYPES) assert.equal(mapAccountIdentities([{ PartyId: 'p', PartyType: type }]).items[0]!.party_type, screaming(type));
  });

  it('an unknown instruction code falls back with a note and keeps the record', () => {
    const b = mapBeneficiaries([{ BeneficiaryId: 'b', BeneficiaryType: 'KSAOB.Pending' }]);
    assert.equal(b.items[0]!.type, null);
    assert.equal(b.notes.length, 1);
    const so = mapStandingOrders([{ StandingOrderId: 's', Frequency: 'EvryDay', StandingOrderStatusCode: 'KSAOB.Suspended' }], BANK);
    assert.equal(so.items[0]!.status, null);
    assert.equal(so.notes.length, 1);
    const sp = mapScheduledPayments([{ ScheduledPaymentId: 's', ScheduledType: 'KSAOB.Value', ScheduledPaymentDateTime: '2024-07-01T10:00:00Z', InstructedAmount: { Amount: '1', Currency: 'SAR' } }], BANK);
    assert.equal(sp.items[0]!.type, 'EXECUTION');
    assert.equal(sp.notes.length, 1);
    const p = mapAccountIdentities([{ PartyId: 'p', AccountRole: 'KSAOB.Guarantor' }]);
    assert.equal(p.items[0]!.account_role, null);
    assert.equal(p.notes.length, 1);
  });

  it('an unknown code: descriptive ones fall back with a note, deciding ones drop the record with a note', () => {
    const a = mapAccounts([account({ AccountSubType: 'Murabaha', Status: 'Frozen' })], BANK);
    assert.equal(a.items[0]!.account.type, 'CURRENT');
    assert.equal(a.items[0]!.account.status, 'ENABLED');
    assert.equal(a.notes.length, 2);
    assert.equal(mapBalances([balance({ Type: 'KSAOB.Projected' })], BANK).items.length, 0);
    assert.equal(mapTransactions([transaction({ CreditDebitIndicator: 'KSAOB.Neutral' })], BANK).items.length, 0);
  });
});
