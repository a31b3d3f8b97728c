import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SANDBOX_BANK_PROFILES } from '../../src/sandbox-bank/profiles.ts';
import { FaultCounters, hash32, latencyMs, transactionsUnderFaults, type Fault } from '../../src/sandbox-bank/faults.ts';
import { generateCustomer } from '../../src/sandbox-bank/generator/index.ts';
import type { GeneratedTransaction } from '../../src/sandbox-bank/generator/model.ts';
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
import { consentPage, errorPage, escapeHtml, loginPage, pickLocale } from '../../src/sandbox-bank/pages.ts';
import type { GeneratedAccount } from '../../src/sandbox-bank/generator/model.ts';
import { grantFor, permissionsProblem } from '../../src/sandbox-bank/permissions.ts';
import { ObieSpec } from '../helpers/sandbox-bank.ts';

const AS_OF = new Date('2026-11-29T02:00:00.000Z');
const DAY_MS = 86_400_000;
const spec = new ObieSpec();

function tx(id: string, bookingDateTime: string, fields: Partial<GeneratedTransaction> = {}): GeneratedTransaction {
  return {
    transactionId: id,
    transactionReference: null,
    creditDebitIndicator: 'Debit',
    status: 'Booked',
    bookingDateTime,
    valueDateTime: bookingDateTime,
    transactionInformation: 'CARD PURCHASE',
    amount: { amount: '10.00', currency: 'AED' },
    bankTransactionCode: { code: 'CustomerCardTransactions', subCode: 'PointOfSalePayment' },
    merchantDetails: null,
    ...fields,
  };
}

describe('OBIE serialisation of generated customers', () => {
  test('every record of every bank and profile is valid OBIE, Basic and Detail', () => {
    for (const bank of SANDBOX_BANK_PROFILES) {
      for (const profile of ['default', 'thin'] as const) {
        const customer = generateCustomer(bank, 'serialise', AS_OF, { profile });
        spec.check('OBReadParty2', { Data: { Party: partyJson(customer.party) } });
        for (const a of customer.accounts) {
          spec.check('OBAccount6Detail', accountJson(a, true));
          spec.check('OBAccount6Basic', accountJson(a, false));
          spec.check('OBReadBalance1', { Data: { Balance: a.balances.map((b) => balanceJson(a.accountId, b)) } });
          for (const t of a.transactions) {
            spec.check('OBTransaction6Detail', transactionJson(a.accountId, t, true, t.transactionId));
            spec.check('OBTransaction6Basic', transactionJson(a.accountId, t, false, null));
          }
          for (const detail of [true, false]) {
            spec.check('OBReadBeneficiary5', { Data: { Beneficiary: a.beneficiaries.map((b) => beneficiaryJson(a.accountId, b, detail)) } });
            spec.check('OBReadStandingOrder6', { Data: { StandingOrder: a.standingOrders.map((s) => standingOrderJson(a.accountId, s, detail)) } });
            spec.check('OBReadScheduledPayment3', { Data: { ScheduledPayment: a.scheduledPayments.map((p) => scheduledPaymentJson(a.accountId, p, detail)) } });
          }
          spec.check('OBReadDirectDebit2', { Data: { DirectDebit: a.directDebits.map((d) => directDebitJson(a.accountId, d)) } });
          spec.check('OBReadParty3', { Data: { Party: a.parties.map(partyJson) } });
        }
      }
    }
  });

  test('Basic leaves out identification, narrative, merchant and creditor; a null id leaves out TransactionId', () => {
    const a = generateCustomer(SANDBOX_BANK_PROFILES[0]!, 'serialise', AS_OF).accounts[0]!;
    assert.equal(accountJson(a, false).Account, undefined);
    assert.equal(accountJson(a, true).Account?.[0]?.Identification, a.iban);
    const t = a.transactions.find((x) => x.merchantDetails)!;
    const basic = transactionJson(a.accountId, t, false, null);
    assert.equal('TransactionId' in basic, false);
    assert.equal('TransactionInformation' in basic, false);
    assert.equal('MerchantDetails' in basic, false);
    assert.equal(transactionJson(a.accountId, t, true, 'x').TransactionId, 'x');
    assert.equal('CreditorAccount' in beneficiaryJson(a.accountId, a.beneficiaries[0]!, false), false);
  });
});

describe('faults', () => {
  test('hash32 and latencyMs are deterministic; latency stays within 100-400 ms', () => {
    assert.equal(hash32('abc'), hash32('abc'));
    assert.notEqual(hash32('abc'), hash32('abd'));
    const values = Array.from({ length: 500 }, (_, i) => latencyMs('consent /path', i));
    assert.deepEqual(values, Array.from({ length: 500 }, (_, i) => latencyMs('consent /path', i)));
    assert.ok(values.every((ms) => ms >= 100 && ms <= 400));
    assert.ok(Math.min(...values) < 150 && Math.max(...values) > 350, 'spread over the range');
  });

  test('counters count per fault and key', () => {
    const counters = new FaultCounters();
    assert.deepEqual([counters.next('server_errors', 'a'), counters.next('server_errors', 'a'), counters.next('server_errors', 'b'), counters.next('rate_limited', 'a')], [1, 2, 1, 1]);
  });

  test('pending_new_id rebooks card entries that book after the switch under a new id 1-12 h later, in time order', () => {
    const list = [
      tx('card-old', '2026-11-01T10:00:00.000Z'),
      tx('card-1', '2026-11-20T10:00:00.000Z'),
      tx('salary', '2026-11-20T12:00:00.000Z', { creditDebitIndicator: 'Credit', bankTransactionCode: { code: 'ReceivedCreditTransfers', subCode: 'SalaryPayment' } }),
      tx('card-2', '2026-11-28T10:00:00.000Z', { status: 'Pending', valueDateTime: null }),
    ];
    // Switched on while card-1 was still pending (it books two days after its pending time).
    const faults = new Map<Fault, number>([['pending_new_id', Date.parse('2026-11-21T00:00:00.000Z')]]);
    const out = transactionsUnderFaults(list, faults, AS_OF.getTime());
    const rebooked = out.find((t) => t.transactionInformation === 'CARD PURCHASE' && t.bookingDateTime.startsWith('2026-11-20'))!;
    assert.notEqual(rebooked.transactionId, 'card-1');
    const shift = Date.parse(rebooked.bookingDateTime) - Date.parse('2026-11-20T10:00:00.000Z');
    assert.ok(shift >= 3_600_000 && shift <= 12 * 3_600_000, `${shift}`);
    assert.equal(rebooked.valueDateTime, rebooked.bookingDateTime);
    assert.deepEqual(out.find((t) => t.transactionId === 'card-old'), list[0], 'booked before the switch: unchanged');
    assert.deepEqual(out.find((t) => t.transactionId === 'salary'), list[2]);
    assert.deepEqual(out.find((t) => t.transactionId === 'card-2'), list[3], 'pending entries keep their id');
    assert.deepEqual(out.map((t) => t.bookingDateTime), out.map((t) => t.bookingDateTime).sort());
    assert.deepEqual(transactionsUnderFaults(list, faults, AS_OF.getTime()), out, 'deterministic');
  });

  test('late_backdated hides about 1 in 15 entries booked after the switch, for two days after their booking time', () => {
    const customer = generateCustomer(SANDBOX_BANK_PROFILES[0]!, 'late', AS_OF, { profile: 'high_volume' });
    const all = customer.accounts.flatMap((a) => a.transactions);
    const hiddenWith = (since: number) => {
      const shown = new Set(customer.accounts.flatMap((a) => transactionsUnderFaults(a.transactions, new Map<Fault, number>([['late_backdated', since]]), AS_OF.getTime())));
      return all.filter((t) => !shown.has(t));
    };
    const hidden = hiddenWith(0);
    const young = all.filter((t) => t.status === 'Booked' && Date.parse(t.bookingDateTime) > AS_OF.getTime() - 2 * DAY_MS);
    assert.ok(hidden.length > 0);
    assert.ok(hidden.every((t) => young.includes(t)));
    const share = hidden.length / young.length;
    assert.ok(share > 1 / 40 && share < 1 / 6, `${hidden.length} of ${young.length}`);
    const sinceYesterday = hiddenWith(AS_OF.getTime() - DAY_MS);
    assert.ok(sinceYesterday.length < hidden.length && sinceYesterday.every((t) => Date.parse(t.bookingDateTime) > AS_OF.getTime() - DAY_MS));
    assert.deepEqual(hiddenWith(AS_OF.getTime()), [], 'nothing already booked vanishes when the fault comes on');
  });

  test('reissued_transactions, withdrawn_transactions: act on entries of the 3 days before the switch that had booked by then, deterministically', () => {
    const switchAt = Date.parse('2026-11-28T00:00:00.000Z');
    const customer = generateCustomer(SANDBOX_BANK_PROFILES[0]!, 'reissue', AS_OF, { profile: 'high_volume' });
    const all = customer.accounts.flatMap((a) => a.transactions);
    const shaped = (fault: Fault) => customer.accounts.flatMap((a) => transactionsUnderFaults(a.transactions, new Map<Fault, number>([[fault, switchAt]]), AS_OF.getTime(), 4 * 3_600_000));
    const eligible = (t: GeneratedTransaction) => {
      const made = Date.parse(t.bookingDateTime);
      const booked = t.bankTransactionCode.code === 'CustomerCardTransactions' ? made + 2 * DAY_MS : made;
      return t.status === 'Booked' && made > switchAt - 3 * DAY_MS && booked <= switchAt;
    };

    const reissued = shaped('reissued_transactions');
    assert.equal(reissued.length, all.length);
    const changed = reissued.filter((t) => t.transactionId.endsWith('-R'));
    assert.ok(changed.length > 0);
    for (const t of changed) {
      const was = all.find((o) => o.transactionId === t.transactionId.slice(0, -2))!;
      assert.ok(eligible(was));
      const local = new Date(Date.parse(was.bookingDateTime) + 4 * 3_600_000).toISOString();
      assert.equal(t.transactionInformation, `${local.slice(8, 10)}.${local.slice(5, 7)} ${was.transactionInformation}`);
      const moved = Date.parse(t.bookingDateTime) - Date.parse(was.bookingDateTime);
      assert.ok(moved >= 0 && moved <= 9 * 60_000);
      assert.deepEqual(t.amount, was.amount);
    }
    for (const a of customer.accounts) {
      const times = transactionsUnderFaults(a.transactions, new Map<Fault, number>([['reissued_transactions', switchAt]]), AS_OF.getTime()).map((t) => t.bookingDateTime);
      assert.ok(times.every((t, i) => i === 0 || times[i - 1]! <= t), 'oldest first');
    }

    const left = new Set(shaped('withdrawn_transactions').map((t) => t.transactionId));
    const withdrawn = all.filter((t) => !left.has(t.transactionId));
    assert.ok(withdrawn.length > 0 && withdrawn.every(eligible));
    assert.ok(withdrawn.length < all.filter(eligible).length);
    const again = shaped('withdrawn_transactions');
    assert.ok(again.length === left.size && again.every((t) => left.has(t.transactionId)), 'deterministic');
  });

  test('pending_vanish, pending_tip: holds at the switch never book; card debits booking after it grow 10-20 % under a new id', () => {
    const list = [
      tx('held', '2026-11-27T10:00:00.000Z', { status: 'Pending', valueDateTime: null }),
      tx('booked-since', '2026-11-26T10:00:00.000Z'),
      tx('older', '2026-11-20T10:00:00.000Z'),
      tx('after', '2026-11-28T20:00:00.000Z', { status: 'Pending', valueDateTime: null }),
    ];
    const switchAt = Date.parse('2026-11-28T00:00:00.000Z');
    const vanished = transactionsUnderFaults(list, new Map<Fault, number>([['pending_vanish', switchAt]]), AS_OF.getTime());
    assert.deepEqual(vanished.map((t) => t.transactionId), ['older', 'after'], 'the two entries pending at the switch are gone');

    const tipped = transactionsUnderFaults(list, new Map<Fault, number>([['pending_tip', switchAt]]), AS_OF.getTime());
    const grown = tipped.find((t) => t.transactionId === 'booked-since-T')!;
    assert.ok(Number(grown.amount.amount) >= 11 && Number(grown.amount.amount) <= 12, grown.amount.amount);
    assert.match(grown.amount.amount, /^\d+\.\d\d$/);
    assert.deepEqual(tipped.filter((t) => t.transactionId !== 'booked-since-T'), list.filter((t) => t.transactionId !== 'booked-since'));
  });

  test('twins: one entry in about 8 after the switch has an identical twin under another id', () => {
    const customer = generateCustomer(SANDBOX_BANK_PROFILES[0]!, 'twins', AS_OF, { profile: 'high_volume' });
    const since = AS_OF.getTime() - 5 * DAY_MS;
    const all = customer.accounts.flatMap((a) => a.transactions);
    const shown = customer.accounts.flatMap((a) => transactionsUnderFaults(a.transactions, new Map<Fault, number>([['twins', since]]), AS_OF.getTime()));
    const twins = shown.filter((t) => t.transactionId.endsWith('-2'));
    const after = all.filter((t) => Date.parse(t.bookingDateTime) > since);
    assert.equal(shown.length, all.length + twins.length);
    assert.ok(twins.length > after.length / 20 && twins.length < after.length / 4, `${twins.length} of ${after.length}`);
    for (const t of twins) assert.deepEqual({ ...t, transactionId: t.transactionId.slice(0, -2) }, all.find((o) => o.transactionId === t.transactionId.slice(0, -2)));
  });

  test('no shaping fault gives the list back as it is', () => {
    const list = [tx('a', '2026-11-20T10:00:00.000Z')];
    assert.equal(transactionsUnderFaults(list, new Map<Fault, number>([['latency', 0], ['unstable_ids', 0]]), AS_OF.getTime()), list);
  });
});

describe('permissions', () => {
  test('grants follow OBIE: Basic or Detail, and transactions need a direction', () => {
    assert.equal(grantFor('balances', ['ReadAccountsDetail']), null);
    assert.deepEqual(grantFor('accounts', ['ReadAccountsBasic']), { detail: false, credits: false, debits: false });
    assert.equal(grantFor('accounts', ['ReadAccountsDetail'])?.detail, true);
    assert.equal(grantFor('transactions', ['ReadTransactionsDetail']), null);
    assert.deepEqual(grantFor('transactions', ['ReadTransactionsBasic', 'ReadTransactionsDebits']), { detail: false, credits: false, debits: true });
    assert.ok(grantFor('party', ['ReadPartyPSU']));
    assert.equal(grantFor('party', ['ReadParty']), null);
    assert.ok(permissionsProblem(['ReadTransactionsBasic']));
    assert.ok(permissionsProblem(['ReadTransactionsCredits']));
    assert.equal(permissionsProblem(['ReadTransactionsDetail', 'ReadTransactionsCredits', 'ReadBalances']), null);
  });
});

describe('pages', () => {
  test('ui_locales picks the first language spoken here', () => {
    assert.equal(pickLocale(undefined), 'en');
    assert.equal(pickLocale('fr-FR ar-AE en'), 'ar');
    assert.equal(pickLocale('EN-gb'), 'en');
    assert.equal(pickLocale(['ar']), 'en');
  });

  test('everything interpolated is escaped', () => {
    assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&#60;a href=&#34;x&#34;&#62;&#39;&#38;&#39;&#60;/a&#62;');
    const page = loginPage({ locale: 'en', bankName: '<b>Bank</b>', clientName: 'c', action: '/x?a="1"' });
    assert.ok(!page.includes('<script>') && !page.includes('<b>Bank'));
    assert.ok(!errorPage('ar', 'B', '<img src=x>').includes('<img'));
    assert.match(errorPage('ar', 'B', 'x'), /dir="rtl"/);
  });

  test('in Arabic, the currency line takes the page\'s direction (aligned with the account name), its text isolated left to right', () => {
    const account = { accountId: 'a1', currency: 'AED', description: 'حساب جاري بعنوان طويل يلتف على سطرين', nickname: null, accountNumber: '0331234567' } as unknown as GeneratedAccount;
    const page = consentPage({ locale: 'ar', bankName: 'B', clientName: 'c', action: '/x' }, { permissions: [], expiresAt: null, accounts: [account], selected: new Set(), error: null });
    assert.match(page, /<span>حساب جاري بعنوان طويل يلتف على سطرين<small><bdi dir="ltr">AED ···· 4567<\/bdi><\/small><\/span>/);
  });
});
