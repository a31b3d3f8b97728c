import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ACCOUNT_ROLES,
  ACCOUNT_STATUSES,
  ACCOUNT_TYPES,
  BALANCE_TYPES,
  BENEFICIARY_TYPES,
  CREDIT_LINE_TYPES,
  decode,
  DIRECT_DEBIT_FREQUENCIES,
  INSTRUCTION_STATUSES,
  PARTY_TYPES,
  SCHEDULE_TYPES,
} from '../../src/banks/obie/codes.ts';
import { nextPageUrl } from '../../src/banks/obie/reads.ts';
import { filterDateTime } from '../../src/banks/date-filter.ts';
import {
  e164,
  instant,
  MalformedData,
  mapAccountIdentities,
  mapAccounts,
  mapBalances,
  mapBeneficiaries,
  mapDirectDebits,
  mapIdentity,
  mapScheduledPayments,
  mapStandingOrders,
  mapTransactions,
  type Mapped,
} from '../../src/banks/obie/mapping.ts';
import { check, ITEMS, SingleParty } from '../../src/banks/obie/wire.ts';
import { SANDBOX_BANK_PROFILES } from '../../src/sandbox-bank/profiles.ts';
import { PERMISSIONS } from '../../src/domain/permissions.ts';
import type { EntitySnapshot, FetchedAccount } from '../../src/domain/snapshot.ts';
import { toEntitySnapshot } from '../helpers/direct-snapshot.ts';
import { generateCustomer } from '../../src/sandbox-bank/generator/index.ts';
import {
  accountJson,
  balanceJson,
  beneficiaryJson,
  directDebitJson,
  partyJson,
  scheduledPaymentJson,
  standingOrderJson,
  transactionJson,
} from '../../src/sandbox-bank/obie-json.ts';
import { assertTransactionKeys, withoutObieGaps } from './obie-expected.ts';

const DUBAI = { time_zone: 'Asia/Dubai', currency: 'AED' };
const AS_OF = new Date('2026-11-20T08:30:00.000Z');

/** Items as they come off the wire: JSON, checked against the connector's schemas. */
function wire<K extends keyof typeof ITEMS>(key: K, items: unknown[]) {
  const json = JSON.parse(JSON.stringify(items)) as unknown[];
  for (const item of json) {
    const result = check(ITEMS[key] as Parameters<typeof check>[0], item);
    assert.ok(result.ok, result.ok ? '' : result.problem);
  }
  return json as never;
}

const amount = (Amount: string, Currency = 'AED') => ({ Amount, Currency });
const txn = (fields: Record<string, unknown> = {}) => ({
  AccountId: 'A1',
  CreditDebitIndicator: 'Debit',
  Status: 'Booked',
  BookingDateTime: '2026-11-01T10:00:00.000Z',
  Amount: amount('10.00'),
  ...fields,
});

describe('OBIE mapping of the sandbox banks\' own records', () => {
  for (const bank of SANDBOX_BANK_PROFILES) {
    it(`gives the direct snapshot for ${bank.identifier} (${bank.currency}), bar what OBIE cannot carry`, () => {
      const customer = generateCustomer(bank, 'mapping-user', AS_OF);
      const expected = withoutObieGaps(toEntitySnapshot(customer, bank, PERMISSIONS, AS_OF));
      const notes: string[] = [];
      const items = <T>(mapped: Mapped<T>) => {
        notes.push(...mapped.notes);
        return mapped.items;
      };
      const accounts = items(mapAccounts(wire('Account', customer.accounts.map((a) => accountJson(a, true))), bank));
      const party = check(SingleParty, JSON.parse(JSON.stringify(partyJson(customer.party))));
      assert.ok(party.ok);
      const snapshot: EntitySnapshot = {
        fetched_at: AS_OF.toISOString(),
        accounts: customer.accounts.map((a, i): FetchedAccount => ({
          ...accounts[i]!,
          balances: items(mapBalances(wire('Balance', a.balances.map((b) => balanceJson(a.accountId, b))), bank)),
          transactions: { from: null, items: items(mapTransactions(wire('Transaction', a.transactions.map((t) => transactionJson(a.accountId, t, true, t.transactionId))), bank)) },
          beneficiaries: items(mapBeneficiaries(wire('Beneficiary', a.beneficiaries.map((b) => beneficiaryJson(a.accountId, b, true))))),
          direct_debits: items(mapDirectDebits(wire('DirectDebit', a.directDebits.map((d) => directDebitJson(a.accountId, d))), bank)),
          standing_orders: items(mapStandingOrders(wire('StandingOrder', a.standingOrders.map((s) => standingOrderJson(a.accountId, s, true))), bank)),
          scheduled_payments: items(mapScheduledPayments(wire('ScheduledPayment', a.scheduledPayments.map((p) => scheduledPaymentJson(a.accountId, p, true))), bank)),
          account_identities: items(mapAccountIdentities(wire('Party', a.parties.map(partyJson)))),
        })),
        identity: mapIdentity(party.ok ? party.value : undefined).identity,
      };
      assert.deepEqual(notes, []);
      assert.deepEqual(withoutObieGaps(snapshot), expected);
      assertTransactionKeys(snapshot);
      assert.ok(snapshot.accounts.some((a) => a.transactions!.items.some((t) => t.status === 'PENDING')), 'the data has pending entries');
    });
  }
});

describe('OBIE accounts', () => {
  it('reads identification schemes, servicer and holder, with nulls for what is missing', () => {
    const [full, bare] = mapAccounts(
      wire('Account', [
        {
          AccountId: 'A1',
          Status: 'Enabled',
          Currency: 'SAR',
          AccountSubType: 'Savings',
          Description: 'Gold Savings',
          Nickname: 'Rainy day',
          OpeningDate: '2025-02-01T00:00:00+03:00',
          Account: [
            { SchemeName: 'UK.OBIE.IBAN', Identification: 'SA0380000000608010167519', Name: 'Aisha Al Harbi' },
            { SchemeName: 'UK.OBIE.BBAN', Identification: '608010167519' },
          ],
          Servicer: { SchemeName: 'UK.OBIE.BICFI', Identification: 'NAKHSARIXXX' },
        },
        { AccountId: 'A2' },
      ]),
      DUBAI,
    ).items;
    assert.deepEqual(full, {
      bank_account_id: 'A1',
      account: {
        name: 'Gold Savings',
        type: 'SAVINGS',
        currency: 'SAR',
        iban: 'SA0380000000608010167519',
        account_number: '608010167519',
        bic: 'NAKHSARIXXX',
        nickname: 'Rainy day',
        holder_name: 'Aisha Al Harbi',
        status: 'ENABLED',
        opened_at: '2025-01-31T21:00:00.000Z',
      },
    });
    assert.deepEqual(bare, {
      bank_account_id: 'A2',
      account: {
        name: 'Current account',
        type: 'CURRENT',
        currency: 'AED',
        iban: null,
        account_number: null,
        bic: null,
        nickname: null,
        holder_name: null,
        status: 'ENABLED',
        opened_at: null,
      },
    });
  });

  it('maps every sub-type and status; unknown ones read CURRENT and ENABLED with a note; repeats are kept once', () => {
    for (const [code, type] of Object.entries(ACCOUNT_TYPES)) {
      assert.equal(mapAccounts(wire('Account', [{ AccountId: 'A', AccountSubType: code }]), DUBAI).items[0]!.account.type, type);
    }
    for (const [code, status] of Object.entries(ACCOUNT_STATUSES)) {
      assert.equal(mapAccounts(wire('Account', [{ AccountId: 'A', Status: code }]), DUBAI).items[0]!.account.status, status);
    }
    const odd = mapAccounts(wire('Account', [{ AccountId: 'A', AccountSubType: 'Overdraft', Status: 'Frozen' }, { AccountId: 'A' }]), DUBAI);
    assert.equal(odd.items.length, 1);
    assert.equal(odd.items[0]!.account.type, 'CURRENT');
    assert.equal(odd.items[0]!.account.status, 'ENABLED');
    assert.equal(odd.notes.length, 3);
    assert.match(odd.notes.join('\n'), /unknown AccountSubType "Overdraft"/);
  });
});

describe('OBIE balances', () => {
  it('maps every type, direction and credit-line type, exactly in 3-decimal BHD', () => {
    for (const [code, type] of Object.entries(BALANCE_TYPES)) {
      const [b] = mapBalances(wire('Balance', [{ AccountId: 'A', CreditDebitIndicator: 'Credit', Type: code, DateTime: '2026-11-20T08:00:00Z', Amount: amount('1.005', 'BHD') }]), DUBAI).items;
      assert.equal(b!.type, type);
      assert.deepEqual(b!.amount, { amount: 1.005, currency: 'BHD' });
      assert.equal(JSON.stringify(b!.amount.amount), '1.005');
    }
    const lines = Object.keys(CREDIT_LINE_TYPES).map((Type) => ({ Included: true, Type, Amount: amount('5000.125', 'BHD') }));
    const [b] = mapBalances(
      wire('Balance', [{ AccountId: 'A', CreditDebitIndicator: 'Debit', Type: 'InterimAvailable', DateTime: '2026-11-20T12:00:00+04:00', Amount: amount('0.001', 'BHD'), CreditLine: lines }]),
      DUBAI,
    ).items;
    assert.equal(b!.credit_debit_indicator, 'DEBIT');
    assert.equal(b!.timestamp, '2026-11-20T08:00:00.000Z');
    assert.deepEqual(b!.credit_lines.map((l) => l.type), Object.values(CREDIT_LINE_TYPES));
    assert.deepEqual(b!.credit_lines[0]!.amount, { amount: 5000.125, currency: 'BHD' });
  });

  it('drops a balance of an unknown type or direction, and a credit line without an amount; unknown line types read null', () => {
    const base = { AccountId: 'A', CreditDebitIndicator: 'Credit', Type: 'Expected', DateTime: '2026-11-20T08:00:00Z', Amount: amount('1.00') };
    const mapped = mapBalances(
      wire('Balance', [
        { ...base, Type: 'Projected' },
        { ...base, CreditDebitIndicator: 'Both' },
        { ...base, CreditLine: [{ Included: false }, { Included: true, Type: 'Overdraft', Amount: amount('2.00') }] },
      ]),
      DUBAI,
    );
    assert.equal(mapped.items.length, 1);
    assert.deepEqual(mapped.items[0]!.credit_lines, [{ included: true, type: null, amount: { amount: 2, currency: 'AED' } }]);
    assert.equal(mapped.notes.length, 4);
  });

  it('skips, and counts, a balance whose amount breaks the currency\'s precision', () => {
    const base = { AccountId: 'A', CreditDebitIndicator: 'Credit', Type: 'Expected', DateTime: '2026-11-20T08:00:00Z' };
    const mapped = mapBalances(wire('Balance', [{ ...base, Amount: amount('1.005', 'AED') }, { ...base, Amount: amount('1.0001', 'KWD') }, { ...base, Amount: amount('1.00') }]), DUBAI);
    assert.equal(mapped.items.length, 1);
    assert.equal(mapped.skipped, 2);
    assert.match(mapped.notes[0]!, /^#0: 1\.005 has more than 2 decimals for AED; record skipped$/);
    // Exponents are no amounts at all: the schema refuses them before mapping; a sign is read.
    assert.equal(check(ITEMS.Balance, { ...base, Amount: amount('1e3') }).ok, false);
    assert.equal(check(ITEMS.Balance, { ...base, Amount: amount('-1.00') }).ok, true);
  });

  it('reads a negative debit balance as a debit of its absolute value', () => {
    const base = { AccountId: 'A', Type: 'InterimAvailable', DateTime: '2026-11-20T08:00:00Z' };
    const mapped = mapBalances(wire('Balance', [{ ...base, CreditDebitIndicator: 'Debit', Amount: amount('-396.50') }, { ...base, CreditDebitIndicator: 'Credit', Amount: amount('-10.00') }]), DUBAI);
    assert.deepEqual(mapped.items.map((b) => [b.amount.amount, b.credit_debit_indicator]), [[396.5, 'DEBIT'], [10, 'CREDIT']]);
    assert.deepEqual(mapped.notes, ['#1: Amount -10.00 is negative but the indicator says Credit: read as a credit of 10.00']);
    assert.equal(mapped.skipped, 0);
  });
});

describe('OBIE transactions', () => {
  it('maps every field, with nulls for the optional ones left out', () => {
    const [full, bare] = mapTransactions(
      wire('Transaction', [
        txn({
          TransactionId: 'T1',
          TransactionReference: 'REF-1',
          Status: 'Pending',
          CreditDebitIndicator: 'Credit',
          BookingDateTime: '2026-11-01T14:00:00+04:00',
          ValueDateTime: '2026-11-02T00:00:00Z',
          TransactionInformation: 'SALARY NOV',
          Amount: amount('12500.125', 'KWD'),
          BankTransactionCode: { Code: 'ReceivedCreditTransfers', SubCode: 'DomesticCreditTransfer' },
          MerchantDetails: { MerchantName: 'ACME', MerchantCategoryCode: '5411' },
        }),
        txn(),
      ]),
      DUBAI,
    ).items;
    assert.deepEqual(full, {
      key: 'id:T1',
      bank_transaction_id: 'T1',
      status: 'PENDING',
      booking_at: '2026-11-01T10:00:00.000Z',
      value_at: '2026-11-02T00:00:00.000Z',
      amount_minor: 12500125,
      currency: 'KWD',
      credit_debit: 'CREDIT',
      description: 'SALARY NOV',
      reference: 'REF-1',
      merchant_name: 'ACME',
      merchant_category_code: '5411',
      bank_transaction_code: 'ReceivedCreditTransfers.DomesticCreditTransfer',
    });
    assert.equal(bare!.bank_transaction_id, null);
    assert.match(bare!.key, /^fp:[\w-]{22}$/);
    assert.equal(bare!.description, '');
    assert.equal(bare!.value_at, null);
    assert.equal(bare!.reference, null);
    assert.equal(bare!.merchant_name, null);
    assert.equal(bare!.bank_transaction_code, null);
  });

  it('describes a transaction by its merchant or reference when it has no narrative; proprietary codes stand in for ISO ones', () => {
    const [byMerchant, byReference] = mapTransactions(
      wire('Transaction', [
        txn({ MerchantDetails: { MerchantName: 'Carrefour' }, ProprietaryBankTransactionCode: { Code: 'POS' } }),
        txn({ TransactionReference: 'INV-9' }),
      ]),
      DUBAI,
    ).items;
    assert.equal(byMerchant!.description, 'Carrefour');
    assert.equal(byMerchant!.bank_transaction_code, 'POS');
    assert.equal(byReference!.description, 'INV-9');
  });

  it('drops rejected entries and unknown statuses or directions, with a note each', () => {
    const mapped = mapTransactions(
      wire('Transaction', [txn({ Status: 'Rejected' }), txn({ Status: 'Held' }), txn({ CreditDebitIndicator: 'Reversal' }), txn()]),
      DUBAI,
    );
    assert.equal(mapped.items.length, 1);
    assert.equal(mapped.notes.length, 3);
    assert.match(mapped.notes[0]!, /^#0: rejected/);
  });

  it('keeps 3-decimal amounts exact and skips a transaction with a fourth decimal', () => {
    const mapped = mapTransactions(wire('Transaction', [txn({ Amount: amount('0.125', 'BHD') }), txn({ Amount: amount('0.1255', 'BHD') })]), DUBAI);
    assert.deepEqual(mapped.items.map((t) => t.amount_minor), [125]);
    assert.equal(mapped.skipped, 1);
  });

  it('skips a transaction whose booking time is no date-time, and keeps the others', () => {
    const mapped = mapTransactions(wire('Transaction', [txn({ BookingDateTime: 'yesterday' }), txn()]), DUBAI);
    assert.equal(mapped.items.length, 1);
    assert.equal(mapped.skipped, 1);
    assert.deepEqual(mapped.notes, ['#0: "yesterday" is not an ISO 8601 date-time; record skipped']);
  });

  it('reads codes in any letter case: DEBIT, credit, BOOKED', () => {
    const mapped = mapTransactions(
      wire('Transaction', [txn({ CreditDebitIndicator: 'DEBIT' }), txn({ CreditDebitIndicator: 'credit', TransactionId: 'c' }), txn({ Status: 'BOOKED', TransactionId: 'b' }), txn({ Status: 'pending', TransactionId: 'p' })]),
      DUBAI,
    );
    assert.deepEqual(mapped.items.map((t) => [t.credit_debit, t.status]), [['DEBIT', 'BOOKED'], ['CREDIT', 'BOOKED'], ['DEBIT', 'BOOKED'], ['DEBIT', 'PENDING']]);
    assert.deepEqual(mapped.notes, []);
    assert.equal(mapped.skipped, 0);
  });

  it('reads a negative debit as a debit of its absolute value, and a negative credit by its indicator, flagged', () => {
    const mapped = mapTransactions(wire('Transaction', [txn({ Amount: amount('-23.50') }), txn({ CreditDebitIndicator: 'Credit', Amount: amount('-5.00'), TransactionId: 'c' })]), DUBAI);
    assert.deepEqual(mapped.items.map((t) => [t.amount_minor, t.credit_debit]), [[2350, 'DEBIT'], [500, 'CREDIT']]);
    assert.deepEqual(mapped.notes, ['#1: Amount -5.00 is negative but the indicator says Credit: read as a credit of 5.00']);
  });
});

describe('OBIE payment instructions', () => {
  const creditor = {
    CreditorAgent: { SchemeName: 'UK.OBIE.BICFI', Identification: 'EBILAEADXXX', Name: 'Emirates NBD' },
    CreditorAccount: { SchemeName: 'UK.OBIE.IBAN', Identification: 'AE070331234567890123456', Name: 'Omar Haddad' },
  };
  const counterparty = { name: 'Omar Haddad', iban: 'AE070331234567890123456', account_number: null, bic: 'EBILAEADXXX' };

  it('maps beneficiaries of every type, and stands in an id when the bank gives none', () => {
    for (const [code, type] of Object.entries(BENEFICIARY_TYPES)) {
      const [b] = mapBeneficiaries(wire('Beneficiary', [{ AccountId: 'A', BeneficiaryId: 'B1', BeneficiaryType: code, Reference: 'Rent', ...creditor }])).items;
      assert.deepEqual(b, { beneficiary_id: 'B1', type, reference: 'Rent', creditor: counterparty, bank_name: 'Emirates NBD' });
    }
    const basic = mapBeneficiaries(wire('Beneficiary', [{ AccountId: 'A', BeneficiaryType: 'Family' }]));
    assert.deepEqual(basic.items[0], {
      beneficiary_id: basic.items[0]!.beneficiary_id,
      type: null,
      reference: null,
      creditor: { name: null, iban: null, account_number: null, bic: null },
      bank_name: null,
    });
    assert.match(basic.items[0]!.beneficiary_id, /^fp:/);
    assert.equal(basic.notes.length, 1);
  });

  it('maps direct debits of every status and frequency; NotKnown and unknown frequencies read null', () => {
    for (const [code, status] of Object.entries(INSTRUCTION_STATUSES)) {
      for (const [frequency, expected] of Object.entries(DIRECT_DEBIT_FREQUENCIES)) {
        const [d] = mapDirectDebits(
          wire('DirectDebit', [
            {
              AccountId: 'A',
              DirectDebitId: 'D1',
              MandateIdentification: 'M1',
              DirectDebitStatusCode: code,
              Name: 'DEWA',
              Frequency: frequency,
              PreviousPaymentDateTime: '2026-10-05T06:00:00Z',
              PreviousPaymentAmount: amount('412.50'),
            },
          ]),
          DUBAI,
        ).items;
        assert.deepEqual(d, {
          direct_debit_id: 'D1',
          mandate_id: 'M1',
          name: 'DEWA',
          status,
          frequency: expected,
          previous_payment_amount: { amount: 412.5, currency: 'AED' },
          previous_payment_timestamp: '2026-10-05T06:00:00.000Z',
        });
      }
    }
    const bare = mapDirectDebits(wire('DirectDebit', [{ AccountId: 'A', MandateIdentification: 'M2', Name: 'du', Frequency: 'UK.OBIE.Biweekly' }]), DUBAI);
    assert.deepEqual(bare.items[0], {
      direct_debit_id: 'M2',
      mandate_id: 'M2',
      name: 'du',
      status: null,
      frequency: null,
      previous_payment_amount: null,
      previous_payment_timestamp: null,
    });
    assert.equal(bare.notes.length, 1);
  });

  it('maps standing orders, with a null creditor under the Basic permission', () => {
    for (const [code, status] of Object.entries(INSTRUCTION_STATUSES)) {
      const [s] = mapStandingOrders(
        wire('StandingOrder', [
          {
            AccountId: 'A',
            StandingOrderId: 'S1',
            Frequency: 'IntrvlMnthDay:01:25',
            Reference: 'Savings',
            FirstPaymentDateTime: '2026-01-25T06:00:00Z',
            NextPaymentDateTime: '2026-12-25T06:00:00Z',
            LastPaymentDateTime: '2026-11-25T06:00:00Z',
            FinalPaymentDateTime: '2027-01-25T06:00:00Z',
            StandingOrderStatusCode: code,
            FirstPaymentAmount: amount('1000.00'),
            NextPaymentAmount: amount('1000.00'),
            LastPaymentAmount: amount('1000.00'),
            FinalPaymentAmount: amount('500.00'),
            ...creditor,
          },
        ]),
        DUBAI,
      ).items;
      assert.equal(s!.status, status);
      assert.equal(s!.final_payment_date, '2027-01-25T06:00:00.000Z');
      assert.deepEqual(s!.final_payment_amount, { amount: 500, currency: 'AED' });
      assert.deepEqual(s!.creditor, counterparty);
    }
    const [basic] = mapStandingOrders(wire('StandingOrder', [{ AccountId: 'A', Frequency: 'EvryDay' }]), DUBAI).items;
    assert.deepEqual({ ...basic, standing_order_id: 'x' }, {
      standing_order_id: 'x',
      frequency: 'EvryDay',
      reference: null,
      status: null,
      first_payment_date: null,
      next_payment_date: null,
      last_payment_date: null,
      final_payment_date: null,
      first_payment_amount: null,
      next_payment_amount: null,
      last_payment_amount: null,
      final_payment_amount: null,
      creditor: null,
    });
  });

  it('maps scheduled payments of every type; an unknown type reads EXECUTION with a note', () => {
    for (const [code, type] of Object.entries(SCHEDULE_TYPES)) {
      const [p] = mapScheduledPayments(
        wire('ScheduledPayment', [
          { AccountId: 'A', ScheduledPaymentId: 'P1', ScheduledPaymentDateTime: '2026-12-01', ScheduledType: code, Reference: 'Tuition', InstructedAmount: amount('15000.00'), ...creditor },
        ]),
        DUBAI,
      ).items;
      // A bare date is the bank's local midnight.
      assert.deepEqual(p, { scheduled_payment_id: 'P1', execution_date: '2026-11-30T20:00:00.000Z', type, amount: { amount: 15000, currency: 'AED' }, reference: 'Tuition', creditor: counterparty });
    }
    const odd = mapScheduledPayments(wire('ScheduledPayment', [{ AccountId: 'A', ScheduledPaymentDateTime: '2026-12-01T00:00:00Z', ScheduledType: 'Settlement', InstructedAmount: amount('1') }]), DUBAI);
    assert.equal(odd.items[0]!.type, 'EXECUTION');
    assert.equal(odd.items[0]!.creditor, null);
    assert.equal(odd.notes.length, 1);
  });
});

describe('OBIE parties', () => {
  const party = {
    PartyId: 'P1',
    PartyNumber: 'CIF-1',
    PartyType: 'Joint',
    Name: 'Aisha Al Harbi',
    FullLegalName: 'Aisha Saad Al Harbi',
    EmailAddress: 'aisha@example.com',
    Phone: '+966-112345678',
    Mobile: '+966-501234567',
    Address: [{ AddressLine: ['Building 12'], StreetName: 'King Fahd Rd', BuildingNumber: '12', PostCode: '12211', TownName: 'Riyadh', CountrySubDivision: 'Riyadh', Country: 'SA' }],
  };

  it('maps every party type and account role; OBIE has no national id, birth date or gender', () => {
    for (const [code, type] of Object.entries(PARTY_TYPES)) {
      assert.equal(mapAccountIdentities(wire('Party', [{ ...party, PartyType: code }])).items[0]!.party_type, type);
    }
    for (const [code, role] of Object.entries(ACCOUNT_ROLES)) {
      assert.equal(mapAccountIdentities(wire('Party', [{ ...party, AccountRole: code }])).items[0]!.account_role, role);
    }
    const { identity } = mapIdentity(party);
    assert.deepEqual(identity, {
      party_id: 'P1',
      full_name: 'Aisha Al Harbi',
      legal_name: 'Aisha Saad Al Harbi',
      party_type: 'JOINT',
      national_identity_number: null,
      email_address: 'aisha@example.com',
      mobile_number: '+966501234567',
      phone_number: '+966112345678',
      address: { lines: ['Building 12'], building_number: '12', street_name: 'King Fahd Rd', town_name: 'Riyadh', post_code: '12211', country_sub_division: 'Riyadh', country: 'SA' },
      birth_date: null,
      gender: null,
      given_name: null,
      middle_name: null,
      family_name: null,
      nationalities: null,
    });
  });

  it('reads nulls for what a bare party leaves out, and no identity when /party has none', () => {
    const mapped = mapAccountIdentities(wire('Party', [{ PartyId: 'P2', PartyType: 'Guarantor', AccountRole: 'UK.OBIE.Guarantor' }]));
    assert.deepEqual(mapped.items[0], {
      party_id: 'P2',
      full_name: null,
      legal_name: null,
      party_type: null,
      national_identity_number: null,
      email_address: null,
      mobile_number: null,
      phone_number: null,
      address: null,
      account_role: null,
    });
    assert.equal(mapped.notes.length, 2);
    assert.deepEqual(mapIdentity(undefined), { identity: null, notes: [] });
  });
});

describe('OBIE codes and formats', () => {
  it('matches a namespaced code under another namespace', () => {
    assert.equal(decode(ACCOUNT_ROLES, 'UK.OBIE.Principal'), 'PRINCIPAL');
    assert.equal(decode(ACCOUNT_ROLES, 'AE.CBUAE.Principal'), 'PRINCIPAL');
    assert.equal(decode(ACCOUNT_ROLES, 'Principal'), undefined);
    assert.equal(decode(ACCOUNT_TYPES, 'toString'), undefined);
  });

  it('reads date-times into UTC, bare dates and zone-less times as the bank\'s local time', () => {
    assert.equal(instant('2026-11-20T08:30:00Z', DUBAI), '2026-11-20T08:30:00.000Z');
    assert.equal(instant('2026-11-20T12:30:00.123456+04:00', DUBAI), '2026-11-20T08:30:00.123Z');
    assert.equal(instant('2026-11-20T12:30:00+0400', DUBAI), '2026-11-20T08:30:00.000Z');
    assert.equal(instant('2026-11-20T12:30', DUBAI), '2026-11-20T08:30:00.000Z');
    assert.equal(instant('2026-11-20', { time_zone: 'Asia/Riyadh', currency: 'SAR' }), '2026-11-19T21:00:00.000Z');
    for (const bad of ['', '20/11/2026', '2026-02-30', '2026-11-20T24:00:00Z', '2026-11-20T10:00:00 GMT']) {
      assert.throws(() => instant(bad, DUBAI), MalformedData, bad);
    }
  });

  it('turns OBIE phone numbers into E.164', () => {
    assert.equal(e164('+971-501234567'), '+971501234567');
    assert.equal(e164('+44-(0)20-7946-0000'), '+442079460000');
    assert.equal(e164('0501234567'), '0501234567');
    assert.equal(e164(undefined), null);
  });

  it('writes filter dates as OBIE wants them: UTC, whole seconds, no zone', () => {
    assert.equal(filterDateTime('2026-11-13T08:30:59.999Z'), '2026-11-13T08:30:59');
    assert.equal(filterDateTime('2026-11-13T12:30:00+04:00'), '2026-11-13T08:30:00');
  });

  it('follows Links.Next, absolute or relative, but never off the bank\'s origin', () => {
    const current = 'https://bank.example/aisp/accounts/A/transactions?page=1';
    const origin = 'https://bank.example';
    assert.equal(nextPageUrl('https://bank.example/aisp/accounts/A/transactions?page=2', current, origin), 'https://bank.example/aisp/accounts/A/transactions?page=2');
    assert.equal(nextPageUrl('transactions?page=2', current, origin), 'https://bank.example/aisp/accounts/A/transactions?page=2');
    assert.equal(nextPageUrl('/aisp/accounts/A/transactions?page=3', current, origin), 'https://bank.example/aisp/accounts/A/transactions?page=3');
    assert.equal(nextPageUrl(undefined, current, origin), null);
    assert.equal(nextPageUrl('', current, origin), null);
    assert.throws(() => nextPageUrl('https://evil.example/steal', current, origin), MalformedData);
    assert.throws(() => nextPageUrl('http://[broken', current, origin), MalformedData);
  });
});
