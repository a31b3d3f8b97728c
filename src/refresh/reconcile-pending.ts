import type { FetchedTransaction } from '../domain/snapshot.ts';

/** A pending transaction as stored from an earlier refresh. */
export interface StoredPending {
  key: string;
  bank_transaction_id: string | null;
  booking_at: string;
  amount_minor: number;
  currency: string;
  credit_debit: FetchedTransaction['credit_debit'];
  description: string;
}

/** How long after its pending entry a card transaction may book. */
const BOOKING_WINDOW_MS = 10 * 86_400_000;

const normalise = (text: string) => text.toUpperCase().replace(/\s+/g, ' ').trim();

function sameDescription(a: string, b: string): boolean {
  const [x, y] = [normalise(a), normalise(b)];
  return x === y || x.startsWith(y) || y.startsWith(x);
}

/**
 * Links booked transactions to the stored pending entries they replace, so the booked row records
 * `pending_transaction_id` and the pending row goes. A booked transaction replaces a pending one
 * the bank no longer returns when both carry the same bank id, or, failing that (banks often book
 * under a new id), when amount, currency and direction agree, the description matches, and it
 * booked within ten days after. Each pending entry is claimed at most once, nearest first.
 */
export function linkBookedToPending(fetched: readonly FetchedTransaction[], stored: readonly StoredPending[]): FetchedTransaction[] {
  const stillPending = new Set(fetched.filter((t) => t.status === 'PENDING').map((t) => t.key));
  const candidates = stored.filter((p) => !stillPending.has(p.key));
  if (candidates.length === 0) return [...fetched];
  const claimed = new Set<string>();
  const byBankId = new Map(candidates.filter((p) => p.bank_transaction_id).map((p) => [p.bank_transaction_id!, p]));

  return fetched.map((t) => {
    if (t.status !== 'BOOKED' || t.replaces_pending_key) return t;
    let match = t.bank_transaction_id ? byBankId.get(t.bank_transaction_id) : undefined;
    if (match && claimed.has(match.key)) match = undefined;
    if (!match) {
      const booked = Date.parse(t.booking_at);
      match = candidates
        .filter(
          (p) =>
            !claimed.has(p.key) &&
            p.amount_minor === t.amount_minor &&
            p.currency === t.currency &&
            p.credit_debit === t.credit_debit &&
            sameDescription(p.description, t.description) &&
            booked - Date.parse(p.booking_at) >= -60_000 &&
            booked - Date.parse(p.booking_at) <= BOOKING_WINDOW_MS,
        )
        .sort((a, b) => Math.abs(booked - Date.parse(a.booking_at)) - Math.abs(booked - Date.parse(b.booking_at)))[0];
    }
    if (!match) return t;
    claimed.add(match.key);
    return { ...t, replaces_pending_key: match.key };
  });
}
