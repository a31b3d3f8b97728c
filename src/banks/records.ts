import type { Amount, CreditDebit } from '../domain/bank-data.ts';
import { toAmount, toMinor } from '../domain/money.ts';
import type { DataResource } from '../domain/permissions.ts';
import type { BankQuirks } from './bank.ts';
import { BankError, type FetchReport, type ResourceReport } from './connector.ts';

/**
 * What every connector (OBIE, UAE, KSA) does with the records a bank sent, written once
 * (docs/decisions/013-partial-data-and-bank-quirks.md): one broken record skips that record, one
 * broken answer fails that resource of that account, and everything dropped is counted and said
 * in the refresh's resource status, never only logged.
 */

/** A value that breaks the bank's standard: the record (or, thrown from a list, the answer) that holds it is unusable. */
export class MalformedData extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedData';
  }
}

export interface Mapped<T> {
  items: T[];
  /** What the bank got wrong: records dropped, codes not understood, values corrected. Never account data. */
  notes: string[];
  /** Records given that are not in `items`. */
  skipped: number;
}

export type Note = (text: string) => void;

/**
 * Maps `raw` one record at a time. `one` returns null to drop its record (saying why through
 * `note`); a record whose values break the format (`MalformedData`) is skipped. Both count as
 * skipped; the others are mapped.
 *
 * @example mapEach([1, -1], (n, note) => (n > 0 ? n : (note('negative'), null))) // { items: [1], notes: ['#1: negative'], skipped: 1 }
 */
export function mapEach<W, D>(raw: readonly W[], one: (record: W, note: Note) => D | null): Mapped<D> {
  const notes: string[] = [];
  const items: D[] = [];
  let skipped = 0;
  raw.forEach((record, i) => {
    const note = (text: string) => notes.push(`#${i}: ${text}`);
    try {
      const item = one(record, note);
      if (item === null) skipped++;
      else items.push(item);
    } catch (err) {
      if (!(err instanceof MalformedData)) throw err;
      note(`${err.message}; record skipped`);
      skipped++;
    }
  });
  return { items, notes, skipped };
}

/**
 * The records of `raw` that pass `problem` (which says what is wrong with one, or null), in
 * order, with a note and a count for each one left out.
 */
export function checkRecords<T>(raw: readonly unknown[], problem: (record: unknown) => string | null): Mapped<T> {
  return mapEach(raw, (record, note) => {
    const wrong = problem(record);
    if (wrong === null) return record as T;
    note(`${wrong}; record skipped`);
    return null;
  });
}

/** Both stages of one list: the format check, then the mapping of what passed it. */
export function combined<T>(checked: Mapped<unknown>, mapped: Mapped<T>): Mapped<T> {
  return { items: mapped.items, notes: [...checked.notes, ...mapped.notes], skipped: checked.skipped + mapped.skipped };
}

/**
 * `combined` for the account list, which is all or nothing: a listed account left out would read
 * as one the bank no longer lists, and its stored data would be deleted. So an account record that
 * cannot be read (`MalformedData`, failing the fetch) is unlike any other; only an account listed
 * twice may be dropped.
 */
export function everyAccount<T>(checked: Mapped<unknown>, mapped: Mapped<T>): Mapped<T> {
  const listed = new Set(checked.items.map((a) => (a as { AccountId: string }).AccountId)).size;
  if (checked.skipped > 0 || mapped.items.length < listed) {
    const why = [...checked.notes, ...mapped.notes].find((n) => n.endsWith('record skipped')) ?? 'an account could not be read';
    throw new MalformedData(`the account list has an account that cannot be read (${why}), and leaving it out would delete its data`);
  }
  return combined(checked, mapped);
}

interface BankAmount {
  Amount: string;
  Currency: string;
}

function signedMinor(amount: BankAmount): number {
  try {
    return toMinor(amount.Amount, amount.Currency);
  } catch (err) {
    throw new MalformedData((err as Error).message);
  }
}

/**
 * An amount with its credit/debit indicator, normalised: banks in the UK and the Gulf sign their
 * amounts although the standards say unsigned. A negative debit is a debit of the absolute value;
 * a negative credit (sign and indicator disagree) is read as the indicator says, and noted. Minor
 * units, never negative. Throws `MalformedData` for an amount that is no decimal of the currency.
 *
 * @example directedMinor({ Amount: '-396.50', Currency: 'AED' }, 'DEBIT', note) // 39650
 */
export function directedMinor(amount: BankAmount, direction: CreditDebit, note: Note): number {
  const minor = signedMinor(amount);
  if (minor < 0 && direction === 'CREDIT') note(`Amount ${amount.Amount} is negative but the indicator says Credit: read as a credit of ${amount.Amount.slice(1)}`);
  return Math.abs(minor);
}

/** An amount that has no indicator (an instruction's, a credit line's): a negative one is read as its absolute value, and noted. */
export function unsignedMinor(amount: BankAmount, note: Note): number {
  const minor = signedMinor(amount);
  if (minor < 0) note(`Amount ${amount.Amount} is negative: read as ${amount.Amount.slice(1)}`);
  return Math.abs(minor);
}

/** A bank's amount with its indicator as Lean's `Amount` (exact major units), as `directedMinor` reads it. */
export function directedAmount(amount: BankAmount, direction: CreditDebit, note: Note): Amount {
  return { amount: toAmount(directedMinor(amount, direction, note), amount.Currency), currency: amount.Currency };
}

/** A bank's amount without indicator as Lean's `Amount` (exact major units), as `unsignedMinor` reads it. */
export function unsignedAmount(amount: BankAmount, note: Note): Amount {
  return { amount: toAmount(unsignedMinor(amount, note), amount.Currency), currency: amount.Currency };
}

/** `unsignedAmount`, or null when the bank gave none. */
export function optionalAmount(amount: BankAmount | undefined, note: Note): Amount | null {
  return amount === undefined ? null : unsignedAmount(amount, note);
}

/** Notes kept per resource in a refresh's status; a bank that breaks every record says so in the count. */
const MAX_ISSUES = 20;

/** Whether `err` says the bank's answer broke its standard (as opposed to the bank failing or refusing). */
export function isMalformed(err: unknown): boolean {
  return err instanceof MalformedData || (err instanceof BankError && err.kind === 'malformed');
}

/**
 * The report of one fetch, resource by resource: records skipped and why, answers that failed,
 * quirks learned. A connector runs each part of a resource (one account's balances, the user's
 * identity) through `part`, so a malformed answer fails that part and the fetch goes on.
 */
export class FetchCollector {
  readonly #resources = new Map<DataResource, ResourceReport>();
  readonly #learned: BankQuirks = {};
  readonly #onNotes: (resource: DataResource, notes: string[]) => void;

  /** `onNotes` hears every note as it is made, for the logs. */
  constructor(onNotes: (resource: DataResource, notes: string[]) => void = () => {}) {
    this.#onNotes = onNotes;
  }

  #of(resource: DataResource): ResourceReport {
    let report = this.#resources.get(resource);
    if (!report) this.#resources.set(resource, (report = { fetched: 0, failed: 0, failure: null, skipped: 0, issues: [] }));
    return report;
  }

  /** Notes something about the resource that did not cost a record (a fallback, a value corrected). */
  issue(resource: DataResource, ...texts: string[]): void {
    if (texts.length === 0) return;
    this.#onNotes(resource, texts);
    const report = this.#of(resource);
    for (const text of texts) if (report.issues.length < MAX_ISSUES && !report.issues.includes(text)) report.issues.push(text);
  }

  /** The records of one list, counting what was skipped: what the connector stores. */
  records<T>(resource: DataResource, mapped: Mapped<T>): T[] {
    this.#of(resource).skipped += mapped.skipped;
    this.issue(resource, ...mapped.notes);
    return mapped.items;
  }

  /**
   * Runs one part of `resource`. A malformed answer (`MalformedData`, or a `malformed` BankError)
   * fails this part only: noted, counted, and the caller stores nothing for it, so its stored data
   * stays. Anything else is thrown on.
   */
  async part(resource: DataResource, what: string, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
      this.#of(resource).fetched++;
    } catch (err) {
      if (!isMalformed(err)) throw err;
      const report = this.#of(resource);
      const reason = `${what}: ${(err as Error).message}`;
      report.failed++;
      report.failure ??= reason;
      this.issue(resource, reason);
    }
  }

  /** Records that the bank needs `quirk`, for openlean to remember (`FetchReport.learned`). */
  learn(quirks: BankQuirks): void {
    Object.assign(this.#learned, quirks);
  }

  report(): FetchReport {
    return { resources: Object.fromEntries(this.#resources), learned: { ...this.#learned } };
  }
}
