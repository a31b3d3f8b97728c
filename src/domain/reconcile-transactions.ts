import type { FetchedTransaction } from './snapshot.ts';

/** A transaction as stored from earlier refreshes: what the bank sent then, under the row's own id. */
export interface StoredTransaction extends FetchedTransaction {
  id: string;
  pending_transaction_id: string | null;
}

/** A fetched transaction that becomes a new row. */
export interface AddedTransaction {
  transaction: FetchedTransaction;
  /** The stored pending transaction it replaces (which is removed), or null. */
  pending_transaction_id: string | null;
}

/** A fetched transaction that is a stored row whose key or content changed: the row keeps its `id`. */
export interface ModifiedTransaction {
  id: string;
  transaction: FetchedTransaction;
  pending_transaction_id: string | null;
}

export interface Reconciliation {
  added: AddedTransaction[];
  modified: ModifiedTransaction[];
  /** Ids of stored rows that go: withdrawn by the bank, or pending ones that booked. */
  removed: string[];
  /** Fetched transactions identical to their stored row. */
  unchanged: number;
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/**
 * How far a booked transaction's time may move when the bank reissues it: a posting-date
 * correction moves it by a day or two; further than this it is another transaction.
 */
export const REISSUE_WINDOW_MS = 3 * DAY_MS;
/** How long after its pending entry a transaction may book (hotel and car-hire holds take longest). */
export const BOOKING_WINDOW_MS = 10 * DAY_MS;
/**
 * A booked entry whose amount differs from its pending one's books within this long (the card
 * network's clearing of a tip or a settled pre-authorisation), and grows by at most `MAX_GROWTH`.
 */
export const AMOUNT_CHANGE_WINDOW_MS = 3 * DAY_MS;
const MAX_GROWTH = 1.5;
/** A booked entry may carry a time slightly before its pending one: banks stamp them with different clocks. */
const BOOKING_SKEW_MS = MINUTE_MS;

/** A leading date banks prefix card narratives with: `12.03 `, `12/03/2026 `, `2026-03-12 `. */
const DATE_PREFIX = /^(\d{1,2}[./-]\d{1,2}([./-]\d{2,4})?|\d{4}-\d{2}-\d{2})\s+/;

/** A description reduced to what identifies the counterparty: letters and digits, upper case, no date prefix. */
export function normaliseDescription(text: string): string {
  return text.toUpperCase().trim().replace(DATE_PREFIX, '').replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
}

/**
 * Whether two descriptions name the same thing: equal once normalised, or one contains the other
 * (banks append a location, a card number or a reference, or cut the text short), as long as the
 * shorter keeps at least four characters.
 */
export function similarDescriptions(a: string, b: string): boolean {
  const [x, y] = [normaliseDescription(a), normaliseDescription(b)];
  if (x === y) return true;
  const [short, long] = x.length < y.length ? [x, y] : [y, x];
  return short.length >= 4 && long.includes(short);
}

/**
 * Whether the stored row already says everything the bank now does: every field of the fetched
 * transaction (each one a column of the same name), key included.
 */
function sameContent(stored: StoredTransaction, fetched: FetchedTransaction): boolean {
  const row = stored as unknown as Record<string, unknown>;
  return Object.entries(fetched).every(([field, value]) => {
    const was = row[field] ?? null;
    const now = value ?? null;
    // Lists and objects (flags, bill) compare by content.
    return typeof now === 'object' && now !== null ? JSON.stringify(was) === JSON.stringify(now) : was === now;
  });
}

/** Ids that occur exactly once in the list: an id a bank gives two entries identifies neither. */
function uniqueIds<T extends { bank_transaction_id: string | null }>(items: readonly T[], indices: Iterable<number>): Map<string, number> {
  const seen = new Map<string, number>();
  const twice = new Set<string>();
  for (const i of indices) {
    const id = items[i]!.bank_transaction_id;
    if (id === null) continue;
    if (seen.has(id)) twice.add(id);
    else seen.set(id, i);
  }
  for (const id of twice) seen.delete(id);
  return seen;
}

interface Candidate {
  fetched: number;
  stored: number;
  /** Lower is stronger evidence. */
  tier: number;
  distance: number;
  /** The fetched booked entry replaces the stored pending one (a new row), rather than being it. */
  books: boolean;
}

/**
 * Pairs one account's freshly fetched transactions with its stored ones, so that a transaction is
 * one row for its whole life whatever the bank did to its id, text or time (docs/decisions/012
 * gives each rule's evidence). `stored` holds every stored row the fetch might be (at least those
 * booked from `from` on, and every pending one); `from` is where the fetch's window began (ISO
 * 8601 UTC), null for the whole history.
 *
 * Pairs are made in rounds, each stored row claimed once:
 * 1. the same key (what the bank sent is unchanged, or changed only in fields outside the key);
 * 2. the same bank id, given to no other entry on either side, within ten days: booked stays booked
 *    (a reissue), pending stays pending, or pending books (then a new row replaces it);
 * 3. strongest evidence first, nearest in time first, among entries of the same currency and
 *    direction: a booked entry is a stored booked one of the same amount within three days, with a
 *    similar description or the same time (reissued); a pending entry is a stored pending one with
 *    a similar description within three days (amount may grow, as holds do); a booked entry
 *    replaces a stored pending one with a similar description that it follows within ten days at
 *    the same amount, or within three days at another (a tip: at most 50 % more; a settled fuel or
 *    hotel pre-authorisation: any amount less), the same amount or the same instant preferred.
 * A stored row inside the window that nothing claimed is gone: the bank withdrew it, or the hold
 * was released; unless the fetch is not `complete` (records the bank sent could not be read, and
 * an unclaimed row may be one of them: it stays until a complete fetch says otherwise). Twins,
 * identical in every field, keep their own keys and so their own rows.
 *
 * @example reconcileTransactions(fetched, stored, '2026-11-01T00:00:00.000Z')
 */
export function reconcileTransactions(fetched: readonly FetchedTransaction[], stored: readonly StoredTransaction[], from: string | null, complete = true): Reconciliation {
  // An account's first fetch: nothing to pair with (and the most rows a write ever has).
  if (stored.length === 0) return { added: fetched.map((transaction) => ({ transaction, pending_transaction_id: null })), modified: [], removed: [], unchanged: 0 };
  const matchOf = new Array<number | undefined>(fetched.length);
  const booksOf = new Array<number | undefined>(fetched.length);
  const claimed = new Set<number>();
  const claim = (f: number, s: number, books: boolean) => {
    claimed.add(s);
    if (books) booksOf[f] = s;
    else matchOf[f] = s;
  };
  const open = () => fetched.map((_, i) => i).filter((i) => matchOf[i] === undefined && booksOf[i] === undefined);
  const free = () => stored.map((_, j) => j).filter((j) => !claimed.has(j));

  const byKey = new Map(stored.map((s, j) => [s.key, j]));
  fetched.forEach((f, i) => {
    const j = byKey.get(f.key);
    if (j !== undefined && !claimed.has(j)) claim(i, j, false);
  });

  const fetchedIds = uniqueIds(fetched, fetched.keys());
  const storedIds = uniqueIds(stored, stored.keys());
  for (const [id, i] of fetchedIds) {
    const j = storedIds.get(id);
    if (j === undefined || matchOf[i] !== undefined || claimed.has(j)) continue;
    const [f, s] = [fetched[i]!, stored[j]!];
    if (f.currency !== s.currency || f.credit_debit !== s.credit_debit) continue;
    if (Math.abs(Date.parse(f.booking_at) - Date.parse(s.booking_at)) > BOOKING_WINDOW_MS) continue;
    if (f.status === s.status) claim(i, j, false);
    else if (s.status === 'PENDING') claim(i, j, true);
  }

  // Only entries of the same currency and direction (and, booked with booked, amount) can pair.
  const bucketOf = (t: FetchedTransaction, withAmount: boolean) => `${t.status}|${t.currency}|${t.credit_debit}${withAmount ? `|${t.amount_minor}` : ''}`;
  const buckets = new Map<string, number[]>();
  for (const j of free()) {
    const s = stored[j]!;
    const bucket = bucketOf(s, s.status === 'BOOKED');
    const list = buckets.get(bucket);
    if (list) list.push(j);
    else buckets.set(bucket, [j]);
  }
  const text = new Map<string, string>();
  const similar = (a: string, b: string) => {
    const key = `${a}\u0000${b}`;
    let same = text.get(key);
    if (same === undefined) text.set(key, (same = similarDescriptions(a, b) ? 'y' : 'n'));
    return same === 'y';
  };
  const candidates: Candidate[] = [];
  for (const i of open()) {
    const f = fetched[i]!;
    const fAt = Date.parse(f.booking_at);
    const pendingBucket = buckets.get(bucketOf({ ...f, status: 'PENDING' }, false)) ?? [];
    if (f.status === 'BOOKED') {
      for (const j of buckets.get(bucketOf(f, true)) ?? []) {
        const s = stored[j]!;
        const distance = Math.abs(fAt - Date.parse(s.booking_at));
        if (distance > REISSUE_WINDOW_MS) continue;
        const alike = similar(f.description, s.description);
        if (alike || distance === 0) candidates.push({ fetched: i, stored: j, tier: alike ? (distance === 0 ? 0 : 1) : 2, distance, books: false });
      }
    }
    for (const j of pendingBucket) {
      const s = stored[j]!;
      const delta = fAt - Date.parse(s.booking_at);
      // A booked entry that keeps its hold's exact time is as telling as one of its exact amount: a
      // tipped hold booked at its own time must not lose it to a neighbour's hold of the tipped amount.
      const tier = f.amount_minor === s.amount_minor || (f.status === 'BOOKED' && delta === 0) ? 1 : 3;
      if (f.status === 'PENDING') {
        if (Math.abs(delta) <= REISSUE_WINDOW_MS && similar(f.description, s.description)) candidates.push({ fetched: i, stored: j, tier, distance: Math.abs(delta), books: false });
      } else if (delta >= -BOOKING_SKEW_MS && delta <= BOOKING_WINDOW_MS && similar(f.description, s.description)) {
        if (tier === 3 && (delta > AMOUNT_CHANGE_WINDOW_MS || f.amount_minor > s.amount_minor * MAX_GROWTH)) continue;
        candidates.push({ fetched: i, stored: j, tier, distance: Math.abs(delta), books: true });
      }
    }
  }
  candidates.sort((a, b) => a.tier - b.tier || a.distance - b.distance || a.fetched - b.fetched || a.stored - b.stored);
  for (const c of candidates) {
    if (matchOf[c.fetched] !== undefined || booksOf[c.fetched] !== undefined || claimed.has(c.stored)) continue;
    claim(c.fetched, c.stored, c.books);
  }

  const out: Reconciliation = { added: [], modified: [], removed: [], unchanged: 0 };
  fetched.forEach((f, i) => {
    const m = matchOf[i];
    if (m !== undefined) {
      const s = stored[m]!;
      if (sameContent(s, f)) out.unchanged++;
      else out.modified.push({ id: s.id, transaction: f, pending_transaction_id: s.pending_transaction_id });
      return;
    }
    const p = booksOf[i];
    out.added.push({ transaction: f, pending_transaction_id: p === undefined ? null : stored[p]!.id });
    if (p !== undefined) out.removed.push(stored[p]!.id);
  });
  stored.forEach((s, j) => {
    if (complete && !claimed.has(j) && (from === null || s.booking_at >= from)) out.removed.push(s.id);
  });
  return out;
}
