import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normaliseDescription, reconcileTransactions, similarDescriptions, type StoredTransaction } from '../../src/domain/reconcile-transactions.ts';
import type { FetchedTransaction } from '../../src/domain/snapshot.ts';
import { transactionKeys } from '../../src/domain/transaction-key.ts';
import { transactionsFrom } from '../../src/refresh/run-refresh.ts';

const NOW = '2026-03-13T12:00:00.000Z';
const YESTERDAY_9 = '2026-03-12T09:00:00.000Z';
const daysAgo = (n: number, hour = 10) => new Date(Date.parse(`2026-03-13T${String(hour).padStart(2, '0')}:00:00.000Z`) - n * 86_400_000).toISOString();

type Entry = Partial<FetchedTransaction> & Pick<FetchedTransaction, 'amount_minor' | 'description' | 'booking_at'>;

/** One fetch as a connector gives it: keyed by `transactionKeys`. */
function fetch(...entries: Entry[]): FetchedTransaction[] {
  const items = entries.map((e) => ({
    key: '',
    bank_transaction_id: null,
    status: 'BOOKED' as const,
    value_at: null,
    currency: 'AED',
    credit_debit: 'DEBIT' as const,
    reference: null,
    merchant_name: null,
    merchant_category_code: null,
    bank_transaction_code: null,
    ...e,
  }));
  const keys = transactionKeys(items);
  return items.map((t, i) => ({ ...t, key: keys[i]! }));
}

/** What a first fetch stored: each fetched transaction as a row with an id of its own. */
function store(fetched: FetchedTransaction[], pendingIds: (string | null)[] = []): StoredTransaction[] {
  return fetched.map((t, i) => ({ ...t, id: `row-${i + 1}`, pending_transaction_id: pendingIds[i] ?? null }));
}

const WINDOW_FROM = daysAgo(3, 0);

describe('reconcileTransactions: the issue\'s inputs', () => {
  it('a reissued transaction (new id, date prefix dropped) stays one row with its id', () => {
    const phase1 = fetch({ bank_transaction_id: 'SB1-1001', amount_minor: 2350, description: '12.03 EXAMPLE STORE', booking_at: YESTERDAY_9 });
    const phase2 = fetch({ bank_transaction_id: 'SB1-2001', amount_minor: 2350, description: 'EXAMPLE STORE', booking_at: YESTERDAY_9 });
    const plan = reconcileTransactions(phase2, store(phase1), WINDOW_FROM);
    assert.deepEqual(plan.added, []);
    assert.deepEqual(plan.removed, []);
    assert.equal(plan.modified.length, 1);
    assert.equal(plan.modified[0]!.id, 'row-1');
    assert.equal(plan.modified[0]!.transaction.bank_transaction_id, 'SB1-2001');
    assert.equal(plan.modified[0]!.transaction.description, 'EXAMPLE STORE');
    assert.equal(plan.modified[0]!.transaction.amount_minor, 2350);
  });

  it('a reissue that also moves the booking time by minutes is the same row', () => {
    const phase1 = fetch({ bank_transaction_id: 'SB1-1001', amount_minor: 2350, description: '12.03 EXAMPLE STORE', booking_at: YESTERDAY_9 });
    const phase2 = fetch({ bank_transaction_id: 'SB1-2001', amount_minor: 2350, description: 'EXAMPLE STORE', booking_at: '2026-03-12T09:07:00.000Z' });
    const plan = reconcileTransactions(phase2, store(phase1), WINDOW_FROM);
    assert.deepEqual(plan.modified.map((m) => [m.id, m.transaction.booking_at]), [['row-1', '2026-03-12T09:07:00.000Z']]);
    assert.deepEqual([plan.added.length, plan.removed.length], [0, 0]);
  });

  it('a booked 99.00 the bank no longer returns inside the window is removed', () => {
    const kept = { bank_transaction_id: 'SB1-1002', amount_minor: 4000, description: 'GROCER', booking_at: daysAgo(1) };
    const phase1 = fetch({ bank_transaction_id: 'SB1-0999', amount_minor: 9900, description: 'ELECTRONICS', booking_at: daysAgo(2) }, kept);
    const plan = reconcileTransactions(fetch(kept), store(phase1), WINDOW_FROM);
    assert.deepEqual(plan.removed, ['row-1']);
    assert.deepEqual([plan.added.length, plan.modified.length, plan.unchanged], [0, 0, 1]);
  });

  it('nothing is withdrawn by a fetch that skipped records it could not read: the missing row may be one of them', () => {
    const kept = { bank_transaction_id: 'SB1-1002', amount_minor: 4000, description: 'GROCER', booking_at: daysAgo(1) };
    const phase1 = fetch({ bank_transaction_id: 'SB1-0999', amount_minor: 9900, description: 'ELECTRONICS', booking_at: daysAgo(2) }, kept);
    const plan = reconcileTransactions(fetch(kept), store(phase1), WINDOW_FROM, false);
    assert.deepEqual(plan.removed, []);
    assert.deepEqual([plan.added.length, plan.modified.length, plan.unchanged], [0, 0, 1]);
  });

  it('a stored row outside the fetched window is kept: the bank was not asked about it', () => {
    const phase1 = fetch({ bank_transaction_id: 'SB1-0999', amount_minor: 9900, description: 'ELECTRONICS', booking_at: daysAgo(20) });
    assert.deepEqual(reconcileTransactions([], store(phase1), WINDOW_FROM).removed, []);
    assert.deepEqual(reconcileTransactions([], store(phase1), null).removed, ['row-1'], 'a whole-history fetch covers it');
  });

  it('pending holds of 300.00 (2 days) and 750.00 (9 days) that vanish are both removed', () => {
    const phase1 = fetch(
      { status: 'PENDING', bank_transaction_id: 'P-300', amount_minor: 30000, description: 'HOTEL DEPOSIT', booking_at: daysAgo(2) },
      { status: 'PENDING', bank_transaction_id: 'P-750', amount_minor: 75000, description: 'CAR HIRE', booking_at: daysAgo(9) },
    );
    // The refresh's window reaches back to the oldest pending one (transactionsFrom).
    const plan = reconcileTransactions([], store(phase1), daysAgo(9));
    assert.deepEqual(plan.removed.sort(), ['row-1', 'row-2']);
  });

  it('pending 60.00 that books as 72.00 under a new id: a new booked row that names the pending one, which goes', () => {
    const phase1 = fetch({ status: 'PENDING', bank_transaction_id: 'P-60', amount_minor: 6000, description: 'RESTAURANT EXAMPLE', booking_at: daysAgo(1, 20) });
    const phase2 = fetch({ bank_transaction_id: 'B-72', amount_minor: 7200, description: 'RESTAURANT EXAMPLE', booking_at: daysAgo(0, 8) });
    const plan = reconcileTransactions(phase2, store(phase1), WINDOW_FROM);
    assert.equal(plan.added.length, 1);
    assert.equal(plan.added[0]!.transaction.amount_minor, 7200);
    assert.equal(plan.added[0]!.pending_transaction_id, 'row-1');
    assert.deepEqual(plan.removed, ['row-1']);
    assert.deepEqual(plan.modified, []);
  });

  it('twins, two 15.00 CINEMA CLUB on the same minute, stay two rows, and a third one is a new row', () => {
    const cinema = { amount_minor: 1500, description: 'CINEMA CLUB', booking_at: '2026-03-12T19:30:00.000Z' };
    const phase1 = fetch({ ...cinema, bank_transaction_id: 'T1' }, { ...cinema, bank_transaction_id: 'T2' });
    const same = reconcileTransactions(fetch({ ...cinema, bank_transaction_id: 'T1' }, { ...cinema, bank_transaction_id: 'T2' }), store(phase1), WINDOW_FROM);
    assert.deepEqual([same.added.length, same.modified.length, same.removed.length, same.unchanged], [0, 0, 0, 2]);

    const reissued = reconcileTransactions(fetch({ ...cinema, bank_transaction_id: 'X1' }, { ...cinema, bank_transaction_id: 'X2' }), store(phase1), WINDOW_FROM);
    assert.equal(reissued.added.length + reissued.removed.length, 0, 'twins under new ids are still the same two');
    assert.equal(reissued.unchanged + reissued.modified.length, 2);

    const third = reconcileTransactions(fetch({ ...cinema }, { ...cinema }, { ...cinema }), store(phase1), WINDOW_FROM);
    assert.equal(third.added.length, 1);
    assert.equal(third.removed.length, 0);
  });
});

describe('reconcileTransactions: rules', () => {
  const lunch = { amount_minor: 4250, description: 'POS CARREFOUR DUBAI', booking_at: daysAgo(1, 12) };

  it('re-applying the same fetch changes nothing', () => {
    const f = fetch(lunch, { status: 'PENDING', bank_transaction_id: 'P1', amount_minor: 1000, description: 'CAFE', booking_at: daysAgo(0, 9) });
    assert.deepEqual(reconcileTransactions(f, store(f), WINDOW_FROM), { added: [], modified: [], removed: [], unchanged: 2 });
  });

  it('a change outside the key (reference, value date) rewrites the row in place', () => {
    const f = fetch(lunch);
    const plan = reconcileTransactions(fetch({ ...lunch, reference: 'REF-9' }), store(f), WINDOW_FROM);
    assert.deepEqual(plan.modified.map((m) => [m.id, m.transaction.reference]), [['row-1', 'REF-9']]);
  });

  it('a booked row keeps the pending id it replaced when it is later reissued', () => {
    const f = fetch(lunch);
    const plan = reconcileTransactions(fetch({ ...lunch, description: 'CARREFOUR DUBAI' }), store(f, ['pending-row']), WINDOW_FROM);
    assert.equal(plan.modified[0]!.pending_transaction_id, 'pending-row');
  });

  it('a pending entry that books under the same id is a new row replacing it', () => {
    const f = fetch({ status: 'PENDING', bank_transaction_id: 'T9', ...lunch });
    const plan = reconcileTransactions(fetch({ bank_transaction_id: 'T9', ...lunch, booking_at: daysAgo(0, 8) }), store(f), WINDOW_FROM);
    assert.deepEqual(plan.added.map((a) => a.pending_transaction_id), ['row-1']);
    assert.deepEqual(plan.removed, ['row-1']);
  });

  it('a pending entry whose amount grows stays the same pending row', () => {
    const f = fetch({ status: 'PENDING', amount_minor: 10000, description: 'HOTEL EXAMPLE', booking_at: daysAgo(2) });
    const plan = reconcileTransactions(fetch({ status: 'PENDING', amount_minor: 15000, description: 'HOTEL EXAMPLE', booking_at: daysAgo(2) }), store(f), WINDOW_FROM);
    assert.deepEqual(plan.modified.map((m) => [m.id, m.transaction.amount_minor]), [['row-1', 15000]]);
  });

  it('prefers the pending entry of the exact amount over a nearer one of another amount', () => {
    const stored = store(
      fetch(
        { status: 'PENDING', bank_transaction_id: 'PA', amount_minor: 2000, description: 'COFFEE HOUSE', booking_at: daysAgo(0, 8) },
        { status: 'PENDING', bank_transaction_id: 'PB', amount_minor: 2500, description: 'COFFEE HOUSE', booking_at: daysAgo(1, 8) },
      ),
    );
    const plan = reconcileTransactions(fetch({ bank_transaction_id: 'B1', amount_minor: 2500, description: 'COFFEE HOUSE', booking_at: daysAgo(0, 10) }), stored, WINDOW_FROM);
    assert.deepEqual(plan.added.map((a) => a.pending_transaction_id), ['row-2']);
    assert.deepEqual(plan.removed.sort(), ['row-1', 'row-2'], 'the other hold is gone from the bank, so from here');
  });

  it('pairs two tipped holds with their own bookings, each at its hold\'s time, though one booked at the other\'s amount', () => {
    // The sandbox's pending_tip on a real day: 0.65 at 06:46 booked as 0.72, 0.72 at 04:48 as 0.85;
    // by amount alone the first booking was the second hold's, leaving the second booking without one.
    const held = store(
      fetch(
        { status: 'PENDING', bank_transaction_id: 'HA', amount_minor: 65, description: 'CAREEM ABU DHABI AE', booking_at: '2026-03-12T06:46:51.000Z' },
        { status: 'PENDING', bank_transaction_id: 'HB', amount_minor: 72, description: 'CAREEM ABU DHABI AE', booking_at: '2026-03-12T04:48:25.000Z' },
      ),
    );
    const plan = reconcileTransactions(
      fetch(
        { bank_transaction_id: 'HA-T', amount_minor: 72, description: 'CAREEM ABU DHABI AE', booking_at: '2026-03-12T06:46:51.000Z' },
        { bank_transaction_id: 'HB-T', amount_minor: 85, description: 'CAREEM ABU DHABI AE', booking_at: '2026-03-12T04:48:25.000Z' },
        { status: 'PENDING', bank_transaction_id: 'HC', amount_minor: 45, description: 'CAREEM ABU DHABI AE', booking_at: '2026-03-13T10:25:01.000Z' },
      ),
      held,
      WINDOW_FROM,
    );
    assert.deepEqual(
      plan.added.map((a) => [a.transaction.bank_transaction_id, a.pending_transaction_id]),
      [['HA-T', 'row-1'], ['HB-T', 'row-2'], ['HC', null]],
    );
    assert.deepEqual([plan.modified, plan.removed.sort()], [[], ['row-1', 'row-2']]);
  });

  it('does not pair what differs in currency, direction, amount (booked), description, or time', () => {
    const f = fetch(lunch);
    for (const other of [
      { ...lunch, currency: 'SAR' },
      { ...lunch, credit_debit: 'CREDIT' as const },
      { ...lunch, amount_minor: 4251 },
      { ...lunch, description: 'NOON.COM', booking_at: daysAgo(1, 13) },
      { ...lunch, booking_at: daysAgo(5, 12) },
    ]) {
      const plan = reconcileTransactions(fetch(other), store(f), daysAgo(6, 0));
      assert.deepEqual([plan.added.length, plan.removed.length, plan.modified.length], [1, 1, 0], JSON.stringify(other));
    }
  });

  it('never pairs a booked entry with a pending one it came before, nor one more than ten days older', () => {
    const held = fetch({ status: 'PENDING', amount_minor: 1000, description: 'TAXI RIDE', booking_at: daysAgo(0, 9) });
    const earlier = reconcileTransactions(fetch({ amount_minor: 1000, description: 'TAXI RIDE', booking_at: daysAgo(0, 7) }), store(held), WINDOW_FROM);
    assert.equal(earlier.added[0]!.pending_transaction_id, null);
    const old = fetch({ status: 'PENDING', amount_minor: 1000, description: 'TAXI RIDE', booking_at: daysAgo(12) });
    const late = reconcileTransactions(fetch({ amount_minor: 1000, description: 'TAXI RIDE', booking_at: daysAgo(0, 7) }), store(old), daysAgo(12, 0));
    assert.equal(late.added[0]!.pending_transaction_id, null);
  });

  it('claims each stored row once, nearest first', () => {
    const stored = store(fetch({ ...lunch, bank_transaction_id: 'A' }));
    const plan = reconcileTransactions(
      fetch({ ...lunch, bank_transaction_id: 'N1', description: 'CARREFOUR', booking_at: daysAgo(1, 14) }, { ...lunch, bank_transaction_id: 'N2', description: 'CARREFOUR', booking_at: daysAgo(1, 13) }),
      stored,
      WINDOW_FROM,
    );
    assert.deepEqual(plan.modified.map((m) => [m.id, m.transaction.bank_transaction_id]), [['row-1', 'N2']]);
    assert.equal(plan.added.length, 1);
  });
});

describe('descriptions', () => {
  it('ignore case, punctuation, spacing and a leading date', () => {
    assert.equal(normaliseDescription(' 12.03  Example-Store '), 'EXAMPLE STORE');
    assert.equal(normaliseDescription('2026-03-12 EXAMPLE STORE'), 'EXAMPLE STORE');
    assert.equal(normaliseDescription('12/03/2026 EXAMPLE STORE'), 'EXAMPLE STORE');
    assert.ok(similarDescriptions('12.03 EXAMPLE STORE', 'EXAMPLE STORE'));
    assert.ok(similarDescriptions('RESTAURANT EXAMPLE', 'RESTAURANT EXAMPLE DUBAI AE'));
    assert.ok(!similarDescriptions('ABC', 'ABC STORE'), 'too short to be contained');
    assert.ok(!similarDescriptions('EXAMPLE STORE', 'OTHER SHOP'));
  });
});

describe('transactionsFrom', () => {
  const synced = { synced_at: NOW };
  it('reaches back to the oldest stored pending transaction when it is older than the overlap', () => {
    assert.equal(transactionsFrom({ trigger: 'MANUAL' }, synced, 7, null), '2026-03-06T12:00:00.000Z');
    assert.equal(transactionsFrom({ trigger: 'MANUAL' }, synced, 7, '2026-03-04T10:00:00.000Z'), '2026-03-04T10:00:00.000Z');
    assert.equal(transactionsFrom({ trigger: 'MANUAL' }, synced, 7, '2026-03-12T10:00:00.000Z'), '2026-03-06T12:00:00.000Z');
    assert.equal(transactionsFrom({ trigger: 'INITIAL' }, synced, 7, '2026-03-04T10:00:00.000Z'), null);
    assert.equal(transactionsFrom({ trigger: 'MANUAL' }, { synced_at: null }, 7, null), null);
  });
});
