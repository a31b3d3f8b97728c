import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeCode } from '../../src/banks/codes.ts';
import { BankError } from '../../src/banks/connector.ts';
import { retriesUnfiltered, transactionsSince, withinWindow } from '../../src/banks/date-filter.ts';
import { checkRecords, combined, directedMinor, everyAccount, FetchCollector, MalformedData, mapEach, unsignedMinor } from '../../src/banks/records.ts';
import { finishedResources, pendingResources } from '../../src/refresh/refresh-state.ts';

/** The record-level rules every connector shares (src/banks/records.ts, codes.ts, date-filter.ts). Pure. */

describe('one record at a time', () => {
  it('maps what it can, skips and counts what it cannot, and says why', () => {
    const mapped = mapEach(['1', 'x', '-', '3'], (text, note) => {
      if (text === 'x') throw new MalformedData('"x" is no number');
      if (text === '-') {
        note('a dash dropped');
        return null;
      }
      return Number(text);
    });
    assert.deepEqual(mapped, { items: [1, 3], notes: ['#1: "x" is no number; record skipped', '#2: a dash dropped'], skipped: 2 });
  });

  it('does not swallow what is not the bank\'s fault', () => {
    assert.throws(() => mapEach([1], () => { throw new TypeError('a bug'); }), TypeError);
  });

  it('checks records one by one, then adds the mapping\'s count', () => {
    const checked = checkRecords<{ id: string }>([{ id: 'a' }, { id: 7 }, { id: 'b' }], (r) => (typeof (r as { id: unknown }).id === 'string' ? null : 'id is not a string'));
    assert.deepEqual(checked.items, [{ id: 'a' }, { id: 'b' }]);
    const all = combined(checked, { items: ['A'], notes: ['#1: unknown code'], skipped: 1 });
    assert.deepEqual(all, { items: ['A'], notes: ['#1: id is not a string; record skipped', '#1: unknown code'], skipped: 2 });
  });

  it('keeps the account list whole: an unreadable account fails it, a duplicate does not', () => {
    const accounts = [{ AccountId: 'A' }, { AccountId: 'A' }, { AccountId: 'B' }];
    const checked = checkRecords(accounts, () => null);
    assert.deepEqual(everyAccount(checked, { items: ['A', 'B'], notes: ['#1: account listed twice; kept once'], skipped: 1 }).items, ['A', 'B']);
    assert.throws(() => everyAccount(checked, { items: ['A'], notes: ['#2: "x" is not an ISO 8601 date-time; record skipped'], skipped: 2 }), MalformedData);
    assert.throws(() => everyAccount(checkRecords(accounts, (r) => ((r as { AccountId: string }).AccountId === 'B' ? 'broken' : null)), { items: ['A'], notes: [], skipped: 0 }), MalformedData);
  });
});

describe('signed amounts', () => {
  const notes: string[] = [];
  const note = (text: string) => notes.push(text);

  it('a negative debit is a debit of its absolute value, without a flag', () => {
    notes.length = 0;
    assert.equal(directedMinor({ Amount: '-396.50', Currency: 'AED' }, 'DEBIT', note), 39650);
    assert.equal(directedMinor({ Amount: '396.50', Currency: 'AED' }, 'DEBIT', note), 39650);
    assert.equal(directedMinor({ Amount: '12.5', Currency: 'BHD' }, 'CREDIT', note), 12500);
    assert.deepEqual(notes, []);
  });

  it('a negative credit (sign and indicator disagree) reads as the indicator says, flagged', () => {
    notes.length = 0;
    assert.equal(directedMinor({ Amount: '-10.00', Currency: 'SAR' }, 'CREDIT', note), 1000);
    assert.deepEqual(notes, ['Amount -10.00 is negative but the indicator says Credit: read as a credit of 10.00']);
  });

  it('an amount without an indicator reads as its absolute value, flagged when it was negative', () => {
    notes.length = 0;
    assert.equal(unsignedMinor({ Amount: '-1.250', Currency: 'KWD' }, note), 1250);
    assert.deepEqual(notes, ['Amount -1.250 is negative: read as 1.250']);
  });

  it('an amount that is no decimal of its currency is malformed', () => {
    assert.throws(() => directedMinor({ Amount: '1.005', Currency: 'AED' }, 'DEBIT', note), MalformedData);
    assert.throws(() => unsignedMinor({ Amount: '--1', Currency: 'AED' }, note), MalformedData);
    // A code off the ISO 4217 list has no known minor units: the record is skipped and reported, never read as if it had 2.
    assert.throws(() => directedMinor({ Amount: '1.00', Currency: 'XYZ' }, 'DEBIT', note), (err: unknown) => err instanceof MalformedData && /"XYZ" is not an ISO 4217 currency code/.test(err.message));
  });
});

describe('codes in any letter case', () => {
  const DIRECTION = { Credit: 'CREDIT', Debit: 'DEBIT' } as const;
  const ROLES = { 'UK.OBIE.Principal': 'PRINCIPAL', 'UK.OBIE.SecondaryOwner': 'SECONDARY_OWNER' } as const;

  it('reads DEBIT, credit and a padded code as the list does', () => {
    assert.equal(decodeCode(DIRECTION, 'DEBIT'), 'DEBIT');
    assert.equal(decodeCode(DIRECTION, 'credit'), 'CREDIT');
    assert.equal(decodeCode(DIRECTION, ' Debit '), 'DEBIT');
    assert.equal(decodeCode({ Booked: 'BOOKED' }, 'BOOKED'), 'BOOKED');
  });

  it('reads a namespace it does not key by, in any case: KSAOB.Debit and ksaob.debit alike', () => {
    assert.equal(decodeCode(DIRECTION, 'KSAOB.Debit'), 'DEBIT');
    assert.equal(decodeCode(DIRECTION, 'ksaob.debit'), 'DEBIT');
    assert.equal(decodeCode(ROLES, 'ae.cbuae.principal'), 'PRINCIPAL');
  });

  it('refuses what is not in the list, a bare code for a namespaced key, and the object\'s own properties', () => {
    assert.equal(decodeCode(DIRECTION, 'Reversal'), undefined);
    assert.equal(decodeCode(ROLES, 'Principal'), undefined);
    assert.equal(decodeCode(DIRECTION, 'toString'), undefined);
    assert.equal(decodeCode(DIRECTION, '__proto__'), undefined);
  });
});

describe('the date-filter fallback', () => {
  const refused = new BankError('rejected', 'GET transactions: the bank refused the request (400, UK.OBIE.Field.Invalid)', { status: 400, resource: 'transactions' });

  it('asks again unfiltered only when a filtered request was refused with 400', () => {
    assert.equal(retriesUnfiltered(refused, true), true);
    assert.equal(retriesUnfiltered(refused, false), false);
    assert.equal(retriesUnfiltered(new BankError('rejected', 'forbidden', { status: 403 }), true), false);
    assert.equal(retriesUnfiltered(new BankError('rate_limited', 'slow down', { status: 429 }), true), false);
    assert.equal(retriesUnfiltered(new BankError('unavailable', 'down', { status: 503 }), true), false);
  });

  it('filters by booking time as the bank would have, to the whole second', () => {
    const items = [{ booking_at: '2026-11-01T09:59:59.999Z' }, { booking_at: '2026-11-01T10:00:00.000Z' }, { booking_at: '2026-11-02T00:00:00.000Z' }];
    assert.deepEqual(withinWindow(items, '2026-11-01T10:00:00.400Z'), items.slice(1));
    assert.deepEqual(withinWindow(items, null), items);
  });

  const bank = (refuse: boolean) => {
    const asked: (string | null)[] = [];
    const fetch = async (filter: string | null) => {
      asked.push(filter);
      if (filter !== null && refuse) throw refused;
      return { items: [{ booking_at: '2026-10-01T00:00:00.000Z' }, { booking_at: '2026-11-05T00:00:00.000Z' }], notes: [], skipped: 0 };
    };
    return { asked, fetch };
  };

  it('a refusal is answered by an unfiltered fetch, filtered here, and learned', async () => {
    const b = bank(true);
    const collector = new FetchCollector();
    const got = await transactionsSince({ from: '2026-11-01T00:00:00.000Z', quirks: undefined, collector, fetch: b.fetch });
    assert.deepEqual(b.asked, ['2026-11-01T00:00:00', null]);
    assert.deepEqual(got, { items: [{ booking_at: '2026-11-05T00:00:00.000Z' }] });
    const report = collector.report();
    assert.deepEqual(report.learned, { no_transaction_date_filter: true });
    assert.match(report.resources.transactions!.issues[0]!, /^the bank refused fromBookingDateTime/);
  });

  it('a bank known to refuse is asked unfiltered from the start; the first fetch of an entity is never filtered', async () => {
    const known = bank(true);
    await transactionsSince({ from: '2026-11-01T00:00:00.000Z', quirks: { no_transaction_date_filter: true }, collector: new FetchCollector(), fetch: known.fetch });
    assert.deepEqual(known.asked, [null]);
    const first = bank(false);
    const got = await transactionsSince({ from: null, quirks: undefined, collector: new FetchCollector(), fetch: first.fetch });
    assert.deepEqual(first.asked, [null]);
    assert.equal(got.items.length, 2);
  });
});

describe('what a refresh says per resource', () => {
  it('counts, and marks FINISHED, PARTIAL or FAILED from the fetch\'s report', async () => {
    const collector = new FetchCollector();
    collector.records('balances', { items: [1, 2], notes: ['#0: unknown balance Type "X": balance dropped'], skipped: 1 });
    await collector.part('balances', 'account 1 of 2', async () => {});
    await collector.part('balances', 'account 2 of 2', async () => {});
    for (const n of [1, 2]) {
      await collector.part('transactions', `account ${n} of 2`, async () => {
        throw new BankError('malformed', 'GET transactions: the bank\'s response is malformed (the body must be object)', { resource: 'transactions' });
      });
    }
    await collector.part('beneficiaries', 'account 1 of 2', async () => {});
    await collector.part('beneficiaries', 'account 2 of 2', async () => {
      throw new MalformedData('Data.Beneficiary is not an array');
    });
    await assert.rejects(collector.part('identity', 'the user', async () => {
      throw new BankError('unavailable', 'down');
    }), BankError);

    const resources = finishedResources(pendingResources(['accounts', 'balances', 'transactions', 'beneficiaries']), { accounts: 2, balances: 5, beneficiaries: 3 }, collector.report().resources);
    assert.deepEqual(resources.map((r) => [r.resource, r.status, r.records, r.records_skipped]), [
      ['accounts', 'FINISHED', 2, 0],
      ['balances', 'PARTIAL', 5, 1],
      ['transactions', 'FAILED', 0, 0],
      ['beneficiaries', 'PARTIAL', 3, 0],
    ]);
    const transactions = resources[2]!;
    assert.deepEqual(transactions.error, {
      code: 'BANK_RESPONSE_INVALID',
      detail: '2 of 2 malformed; account 1 of 2: GET transactions: the bank\'s response is malformed (the body must be object)',
    });
    assert.equal(transactions.issues.length, 2);
    assert.equal(resources[1]!.error, null);
    assert.deepEqual(resources[1]!.issues, ['#0: unknown balance Type "X": balance dropped']);
  });
});
