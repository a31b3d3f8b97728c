import { LRUCache } from 'lru-cache';
import type { GeneratedTransaction } from './generator/model.ts';
import { PENDING_WINDOW_MS } from './generator/ledger.ts';

/**
 * Misbehaviours a sandbox bank can be switched into, per bank or per login (docs/sandbox-banks.md
 * says exactly what each does). All are deterministic, so a test that switches one on sees the
 * same thing every run; the transient ones give way after a bounded number of attempts.
 */
export const FAULTS = [
  'latency',
  'server_errors',
  'timeouts',
  'rate_limited',
  'malformed_json',
  'consent_expired',
  'consent_revoked',
  'missing_transaction_id',
  'unstable_ids',
  'pending_new_id',
  'late_backdated',
  'reissued_transactions',
  'withdrawn_transactions',
  'pending_vanish',
  'pending_tip',
  'twins',
  'token_server_errors',
  'token_timeouts',
  'token_lost_after_rotation',
  'id_token_alg_none',
  'id_token_wrong_issuer',
  'id_token_wrong_audience',
  'id_token_wrong_nonce',
  'id_token_expired',
  'ksa_quirks',
  'signed_response_wrong_key',
  'signed_response_wrong_audience',
  'signed_response_expired',
  'signed_amounts',
  'empty_transactions_body',
  'malformed_record',
  'code_case',
  'no_date_filter',
  'daily_quota',
] as const;

export type Fault = (typeof FAULTS)[number];

/** Requests that fail before a path answers normally, per fault. */
export const TRANSIENT_FAILURES = {
  timeouts: 1,
  rate_limited: 1,
  server_errors: 2,
  malformed_json: 1,
  token_server_errors: 2,
  token_timeouts: 1,
  token_lost_after_rotation: 1,
} as const satisfies Partial<Record<Fault, number>>;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** `late_backdated`: one booked transaction in this many shows up late. */
const LATE_ONE_IN = 15;
const LATE_BY_MS = 2 * DAY_MS;
/** `reissued_transactions` and `withdrawn_transactions` act on entries made this long before the switch (and booked by then). */
const RECENT_MS = 3 * DAY_MS;
/** `reissued_transactions`: one recent booked entry in this many comes back reissued. */
const REISSUE_ONE_IN = 2;
/** `withdrawn_transactions`: one recent booked entry in this many is withdrawn. */
const WITHDRAW_ONE_IN = 3;
/** `twins`: one entry in this many after the switch has an identical twin. */
const TWIN_ONE_IN = 8;

/** FNV-1a: a stable, well-spread number from a string, so fault choices repeat run after run. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** `latency`: 100–400 ms, the same for the same request of the same consent. */
export function latencyMs(key: string, attempt: number): number {
  return 100 + (hash32(`${key}#${attempt}`) % 301);
}

/**
 * Counts requests per (fault, consent, path) so transient faults hit only the first attempts.
 * In memory: a restart or a second process starts counting afresh, which only makes a fault
 * happen again, never stick.
 */
export class FaultCounters {
  readonly #counts = new LRUCache<string, number>({ max: 100_000 });

  /** The 1-based number of this request among those `fault` has seen for the key. */
  next(fault: Fault, key: string): number {
    const id = `${fault} ${key}`;
    const n = (this.#counts.get(id) ?? 0) + 1;
    this.#counts.set(id, n);
    return n;
  }
}

/** Faults in force, each with the instant (ms) it was switched on. */
export type ActiveFaults = ReadonlyMap<Fault, number>;

/** When a card entry books: the generator keeps card entries pending for a while first. */
const bookedAt = (t: GeneratedTransaction) => Date.parse(t.bookingDateTime) + PENDING_WINDOW_MS;
const isCard = (t: GeneratedTransaction) => t.bankTransactionCode.code === 'CustomerCardTransactions';
/** When an entry was booked: card entries some time after they were made, others at once. */
const bookedBy = (t: GeneratedTransaction) => (isCard(t) ? bookedAt(t) : Date.parse(t.bookingDateTime));
/** Booked at `since`, and made within the `RECENT_MS` before. */
const recentlyBooked = (t: GeneratedTransaction, since: number) =>
  t.status === 'Booked' && bookedBy(t) <= since && Date.parse(t.bookingDateTime) > since - RECENT_MS;

/** `DD.MM ` of the instant in the bank's local time, as card narratives often begin. */
function datePrefix(iso: string, offsetMs: number): string {
  const local = new Date(Date.parse(iso) + offsetMs);
  return `${String(local.getUTCDate()).padStart(2, '0')}.${String(local.getUTCMonth() + 1).padStart(2, '0')} `;
}

/** `amount` (a decimal string) grown by `percent`, in the same precision. */
function withTip(amount: string, percent: number): string {
  const decimals = amount.split('.')[1]?.length ?? 0;
  const minor = Math.round(Number(amount.replace('.', '')) * (1 + percent / 100));
  const text = String(minor).padStart(decimals + 1, '0');
  return decimals === 0 ? text : `${text.slice(0, -decimals)}.${text.slice(-decimals)}`;
}

const byBookingTime = (a: GeneratedTransaction, b: GeneratedTransaction) =>
  a.bookingDateTime < b.bookingDateTime ? -1 : a.bookingDateTime > b.bookingDateTime ? 1 : 0;

/**
 * An account's transactions as the bank shows them at `asOfMs` under the faults that change
 * what exists, as opposed to how it is written out (`missing_transaction_id`, `unstable_ids`).
 * Each acts only from the instant it was switched on (`offsetMs`: the bank's time zone offset):
 * - `pending_new_id`: a card entry that books after the switch has a new id and a booking time 1–12 h after its pending one;
 * - `pending_tip`: a card entry that books after the switch has a new id and an amount 10–20 % higher (a tip, a fuel pre-authorisation settled);
 * - `pending_vanish`: the entries pending at the switch never book: they vanish (the holds were released);
 * - `reissued_transactions`: one in 2 of the entries made in the 3 days before the switch and booked by then comes back
 *   under a new id, its narrative prefixed with its local `DD.MM ` date, and one in two of those also 1–9 minutes later;
 * - `withdrawn_transactions`: one in 3 of the entries made in the 3 days before the switch and booked by then vanishes;
 * - `twins`: one entry in 8 booked after the switch has an identical twin (another id, everything else the same);
 * - `late_backdated`: one booked entry in 15 with a booking time after the switch is hidden until two days after it.
 * Oldest first, as the generator gives them.
 */
export function transactionsUnderFaults(
  transactions: readonly GeneratedTransaction[],
  faults: ActiveFaults,
  asOfMs: number,
  offsetMs = 0,
): readonly GeneratedTransaction[] {
  let out = transactions;
  let reorder = false;
  const rebookSince = faults.get('pending_new_id');
  if (rebookSince !== undefined) {
    out = out.map((t) => {
      if (t.status !== 'Booked' || !isCard(t) || bookedAt(t) <= rebookSince) return t;
      const booked = new Date(Date.parse(t.bookingDateTime) + HOUR_MS * (1 + (hash32(t.transactionId) % 12))).toISOString();
      return { ...t, transactionId: `${t.transactionId}-B`, bookingDateTime: booked, valueDateTime: booked };
    });
    reorder = true;
  }
  const tipSince = faults.get('pending_tip');
  if (tipSince !== undefined) {
    out = out.map((t) => {
      if (t.status !== 'Booked' || !isCard(t) || t.creditDebitIndicator !== 'Debit' || bookedAt(t) <= tipSince) return t;
      const amount = { ...t.amount, amount: withTip(t.amount.amount, 10 + (hash32(t.transactionId) % 11)) };
      return { ...t, transactionId: `${t.transactionId}-T`, amount };
    });
  }
  const vanishSince = faults.get('pending_vanish');
  if (vanishSince !== undefined) {
    // Pending at the switch: a card entry made before it that had not yet booked then.
    out = out.filter((t) => !isCard(t) || Date.parse(t.bookingDateTime) > vanishSince || bookedAt(t) <= vanishSince);
  }
  const reissueSince = faults.get('reissued_transactions');
  if (reissueSince !== undefined) {
    out = out.map((t) => {
      const h = hash32(`reissue ${t.transactionId}`);
      if (!recentlyBooked(t, reissueSince) || h % REISSUE_ONE_IN !== 0) return t;
      const booking = Date.parse(t.bookingDateTime);
      const moved = (h >>> 8) % 2 === 0 ? t.bookingDateTime : new Date(booking + 60_000 * (1 + ((h >>> 9) % 9))).toISOString();
      return {
        ...t,
        transactionId: `${t.transactionId}-R`,
        transactionInformation: `${datePrefix(t.bookingDateTime, offsetMs)}${t.transactionInformation}`,
        bookingDateTime: moved,
        valueDateTime: t.valueDateTime === null ? null : moved,
      };
    });
    reorder = true;
  }
  const withdrawSince = faults.get('withdrawn_transactions');
  if (withdrawSince !== undefined) {
    out = out.filter((t) => !recentlyBooked(t, withdrawSince) || hash32(`withdraw ${t.transactionId}`) % WITHDRAW_ONE_IN !== 0);
  }
  const twinsSince = faults.get('twins');
  if (twinsSince !== undefined) {
    out = out.flatMap((t) =>
      Date.parse(t.bookingDateTime) > twinsSince && hash32(`twin ${t.transactionId}`) % TWIN_ONE_IN === 0 ? [t, { ...t, transactionId: `${t.transactionId}-2` }] : [t],
    );
  }
  const lateSince = faults.get('late_backdated');
  if (lateSince !== undefined) {
    out = out.filter((t) => {
      const booking = Date.parse(t.bookingDateTime);
      return t.status !== 'Booked' || booking <= lateSince || booking + LATE_BY_MS <= asOfMs || hash32(t.transactionId) % LATE_ONE_IN !== 0;
    });
  }
  return reorder ? [...out].sort(byBookingTime) : out;
}

/** `daily_quota`: the `Retry-After` (seconds) of its 429, a quota that resets in a little under a day. */
export const DAILY_QUOTA_RETRY_AFTER_S = 85_092;

/** Fields a `malformed_record` fault breaks, the first one a record has: each must be a string or an object, and becomes a number. */
const BREAKABLE = ['Amount', 'InstructedAmount', 'MandateIdentification', 'Frequency', 'BeneficiaryId', 'PartyId'] as const;

/** A record as `malformed_record` sends it: valid JSON, but a field its standard requires is of the wrong type. */
function broken(record: Record<string, unknown>): Record<string, unknown> {
  const field = BREAKABLE.find((f) => f in record);
  return field === undefined ? record : { ...record, [field]: 42 };
}

type Json = Record<string, unknown>;

/**
 * The records of one list (balances, transactions, beneficiaries…, never the account list) as the
 * faults that change how records are written send them, in JSON of any of the three standards:
 * - `signed_amounts` (balances, transactions): a debit's `Amount` is negative, as some UK and Gulf banks send it;
 * - `code_case` (balances, transactions): `Debit` becomes `DEBIT` (`KSAOB.DEBIT`), `Credit` `credit`, a `Status` upper case (`BOOKED`);
 * - `malformed_record`: the first record has a required field of the wrong type.
 * `directed` says whether the records carry a credit/debit indicator (balances, transactions).
 */
export function recordsUnderFaults<T>(records: readonly T[], faults: ActiveFaults, directed: boolean): T[] {
  let out = records as readonly Json[];
  if (directed && faults.has('signed_amounts')) {
    out = out.map((r) => {
      const amount = r.Amount as { Amount: string } | undefined;
      return /debit$/i.test(String(r.CreditDebitIndicator)) && amount && !amount.Amount.startsWith('-') ? { ...r, Amount: { ...amount, Amount: `-${amount.Amount}` } } : r;
    });
  }
  if (directed && faults.has('code_case')) {
    out = out.map((r) => {
      const indicator = String(r.CreditDebitIndicator);
      return {
        ...r,
        CreditDebitIndicator: /debit$/i.test(indicator) ? indicator.toUpperCase() : indicator.toLowerCase(),
        ...(typeof r.Status === 'string' ? { Status: r.Status.toUpperCase() } : {}),
      };
    });
  }
  if (faults.has('malformed_record') && out.length > 0) out = [broken(out[0]!), ...out.slice(1)];
  return out as T[];
}
