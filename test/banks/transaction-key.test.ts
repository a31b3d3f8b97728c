import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { transactionKeys, type KeyedFields } from '../../src/domain/transaction-key.ts';

const booked = (fields: Partial<KeyedFields> = {}): KeyedFields => ({
  bank_transaction_id: null,
  status: 'BOOKED',
  booking_at: '2026-11-01T10:00:00.000Z',
  amount_minor: 1250,
  currency: 'AED',
  credit_debit: 'DEBIT',
  description: 'POS CARREFOUR',
  ...fields,
});
const pending = (fields: Partial<KeyedFields> = {}) => booked({ status: 'PENDING', ...fields });

/** Each transaction's key, looked up by a label, whatever order they were keyed in. */
function keysBy(labelled: [string, KeyedFields][]): Record<string, string> {
  const keys = transactionKeys(labelled.map(([, t]) => t));
  return Object.fromEntries(labelled.map(([label], i) => [label, keys[i]!]));
}

describe('transaction keys', () => {
  it('fingerprints booked transactions by what they are', () => {
    const [a, b] = transactionKeys([booked(), booked({ amount_minor: 1251 })]);
    assert.match(a!, /^fp:[\w-]{22}$/);
    assert.notEqual(a, b);
    for (const change of [
      { booking_at: '2026-11-01T10:00:01.000Z' },
      { currency: 'SAR' },
      { credit_debit: 'CREDIT' as const },
      { description: 'POS CARREFOUR MOE' },
    ]) {
      assert.notEqual(transactionKeys([booked(change)])[0], a, JSON.stringify(change));
    }
  });

  it('is unaffected by a booked transaction\'s id, which banks do not keep stable', () => {
    const [plain] = transactionKeys([booked()]);
    assert.equal(transactionKeys([booked({ bank_transaction_id: 'T-1' })])[0], plain);
    assert.equal(transactionKeys([booked({ bank_transaction_id: 'T-1.2' })])[0], plain);
  });

  it('tells identical twins apart, and gives the same set of keys whatever the order or ids', () => {
    const twins = transactionKeys([booked(), booked(), booked()]);
    assert.equal(new Set(twins).size, 3);
    const other = transactionKeys([booked({ bank_transaction_id: 'Z' }), booked({ description: 'ATM' }), booked({ bank_transaction_id: 'A' }), booked()]);
    assert.deepEqual([other[0], other[2], other[3]].sort(), [...twins].sort());
  });

  it('numbers twins by id, then by input order, so each keeps its key across orders', () => {
    const list: [string, KeyedFields][] = [
      ['x', booked({ bank_transaction_id: 'X' })],
      ['other', booked({ amount_minor: 99 })],
      ['a', booked({ bank_transaction_id: 'A' })],
    ];
    const forward = keysBy(list);
    const backward = keysBy([...list].reverse());
    assert.deepEqual(backward, forward);
    assert.equal(forward.a, transactionKeys([booked()])[0], 'the lowest id takes ordinal 0');
  });

  it('keys a pending transaction by its id while it has one', () => {
    const [withId, withoutId] = transactionKeys([pending({ bank_transaction_id: 'P-1' }), pending()]);
    assert.equal(withId, 'id:P-1');
    assert.match(withoutId!, /^fp:/);
    // The fields of a pending entry may change until it books; its key does not.
    assert.equal(transactionKeys([pending({ bank_transaction_id: 'P-1', amount_minor: 1300 })])[0], 'id:P-1');
  });

  it('never gives a pending entry the key of a booked twin, nor two pending entries one id key', () => {
    const keys = transactionKeys([pending(), booked(), pending({ bank_transaction_id: 'DUP' }), pending({ bank_transaction_id: 'DUP', amount_minor: 5 })]);
    assert.equal(new Set(keys).size, 4);
    assert.notEqual(keys[0], keys[1]);
    assert.match(keys[2]!, /^fp:/);
    assert.match(keys[3]!, /^fp:/);
  });

  it('is a pure function of its input', () => {
    const input = [booked(), booked(), pending({ bank_transaction_id: 'P' })];
    assert.deepEqual(transactionKeys(input), transactionKeys(structuredClone(input)));
    assert.deepEqual(transactionKeys([]), []);
  });
});
