import type { FetchedTransaction } from '../domain/snapshot.ts';
import type { BankQuirks } from './bank.ts';
import { BankError } from './connector.ts';
import type { FetchCollector, Mapped } from './records.ts';

/**
 * The `fromBookingDateTime` filter of transaction requests, and what happens when a bank refuses
 * it (the `no_transaction_date_filter` quirk, docs/decisions/013-partial-data-and-bank-quirks.md),
 * written once for the three connectors.
 */

/** The filter's instant: whole seconds, rounded down so the window only grows (ISO 8601 UTC, no zone: `2024-07-01T09:30:00`). */
export function filterDateTime(iso: string): string {
  return new Date(iso).toISOString().slice(0, 19);
}

/**
 * Whether a filtered transactions request the bank refused is asked again without the filter:
 * when the bank answered 400 (`UK.OBIE.Field.Invalid`, `UK.OBIE.Field.InvalidDate` or its own
 * word), which is what banks that do not implement the filter answer. Anything else (a refused
 * token, a 5xx, a 429) says nothing about the filter.
 */
export function retriesUnfiltered(err: unknown, filtered: boolean): boolean {
  return filtered && err instanceof BankError && err.kind === 'rejected' && err.status === 400;
}

/** The transactions booked at or after the filter's instant, as the bank would have answered a filtered request. */
export function withinWindow<T extends Pick<FetchedTransaction, 'booking_at'>>(items: readonly T[], from: string | null): T[] {
  if (from === null) return [...items];
  const lower = Date.parse(`${filterDateTime(from)}Z`);
  return items.filter((t) => Date.parse(t.booking_at) >= lower);
}

/**
 * One account's transactions since `from` (null: the whole history), and how many the bank sent
 * that could not be read (absent when none). `fetch(filter)` asks the bank, with `?fromBookingDateTime=filter` when
 * `filter` is not null. A bank known to refuse the filter (`quirks.no_transaction_date_filter`) is
 * asked without it from the start; one that refuses it now (`retriesUnfiltered`) is asked again
 * without it, and the collector learns the quirk so the next fetches skip the filter. Either way
 * openlean filters the answer itself. What was skipped is counted in the collector.
 */
export async function transactionsSince<T extends Pick<FetchedTransaction, 'booking_at'>>(input: {
  from: string | null;
  quirks: BankQuirks | undefined;
  collector: FetchCollector;
  fetch: (filter: string | null) => Promise<Mapped<T>>;
}): Promise<{ items: T[]; skipped?: number }> {
  const { from, collector } = input;
  // `skipped` only when some were: a complete list reads as it always did.
  const collected = (mapped: Mapped<T>, window: string | null) => ({
    items: withinWindow(collector.records('transactions', mapped), window),
    ...(mapped.skipped > 0 ? { skipped: mapped.skipped } : {}),
  });
  if (from === null) return collected(await input.fetch(null), null);
  if (input.quirks?.no_transaction_date_filter) return collected(await input.fetch(null), from);
  try {
    return collected(await input.fetch(filterDateTime(from)), null);
  } catch (err) {
    if (!retriesUnfiltered(err, true)) throw err;
    collector.learn({ no_transaction_date_filter: true });
    collector.issue('transactions', `the bank refused fromBookingDateTime (${(err as Error).message}): fetched unfiltered and filtered by openlean; remembered for this bank`);
    return collected(await input.fetch(null), from);
  }
}
