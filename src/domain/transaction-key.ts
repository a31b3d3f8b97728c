import { createHash } from 'node:crypto';
import type { FetchedTransaction } from './snapshot.ts';

/** What a transaction's identity is computed from. */
export type KeyedFields = Pick<
  FetchedTransaction,
  'bank_transaction_id' | 'status' | 'booking_at' | 'amount_minor' | 'currency' | 'credit_debit' | 'description'
>;

/**
 * The stable identity (`FetchedTransaction.key`) of each of one account's transactions from one
 * fetch, in input order.
 *
 * OBIE `TransactionId` is optional and banks do not keep it stable (it may change between fetches,
 * or when a pending entry books), so a booked transaction is identified by what it is: a
 * fingerprint (`fp:`) of its booking time, amount, currency, direction and description. Twins,
 * identical in all of those, are told apart by an ordinal among them, counted in `TransactionId`
 * order then input order; since twins are interchangeable, which twin gets which ordinal does not
 * matter, and the set of keys stays the same whatever the ids or the order.
 *
 * A pending transaction is identified by its id (`id:`) while it has one: its fingerprint fields
 * may still change until it books. Without an id, or when the bank gave the same id to two pending
 * entries, it gets a fingerprint too. The fingerprint covers the status, so a pending entry never
 * shares a key with a booked twin; a pending entry that books is paired with its booked successor
 * by `reconcileTransactions` (src/domain/reconcile-transactions.ts), which also keeps a booked
 * transaction in its row when the bank changes its id, text or time: a key is what the bank sent,
 * not the row's identity.
 */
export function transactionKeys(transactions: readonly KeyedFields[]): string[] {
  const pendingIds = new Map<string, number>();
  for (const t of transactions) {
    if (t.status === 'PENDING' && t.bank_transaction_id !== null) {
      pendingIds.set(t.bank_transaction_id, (pendingIds.get(t.bank_transaction_id) ?? 0) + 1);
    }
  }
  const keys: string[] = new Array(transactions.length);
  const twins = new Map<string, number[]>();
  transactions.forEach((t, i) => {
    if (t.status === 'PENDING' && t.bank_transaction_id !== null && pendingIds.get(t.bank_transaction_id) === 1) {
      keys[i] = `id:${t.bank_transaction_id}`;
      return;
    }
    const base = JSON.stringify([t.status, t.booking_at, t.amount_minor, t.currency, t.credit_debit, t.description]);
    const group = twins.get(base);
    if (group) group.push(i);
    else twins.set(base, [i]);
  });
  for (const [base, group] of twins) {
    const byId = (i: number) => transactions[i]!.bank_transaction_id ?? '';
    group.sort((a, b) => (byId(a) < byId(b) ? -1 : byId(a) > byId(b) ? 1 : a - b));
    group.forEach((i, ordinal) => {
      keys[i] = `fp:${fingerprint(base, ordinal)}`;
    });
  }
  return keys;
}

/** 128 bits of SHA-256 in base64url: collisions are out of reach, and keys stay short in the index. */
function fingerprint(base: string, ordinal: number): string {
  return createHash('sha256').update(`${base}#${ordinal}`).digest().subarray(0, 16).toString('base64url');
}
