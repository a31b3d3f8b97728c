/**
 * Calendar dates in a bank's time zone. Transactions are filtered on the day they were booked
 * where the bank is, so a 23:30 UTC booking in Dubai belongs to the next day.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Milliseconds the zone is ahead of UTC at `instant`. */
function offsetAt(instant: number, timeZone: string): number {
  const parts = Object.fromEntries(formatter(timeZone).formatToParts(new Date(instant)).map((p) => [p.type, p.value]));
  const asUtc = Date.UTC(+parts.year!, +parts.month! - 1, +parts.day!, +parts.hour!, +parts.minute!, +parts.second!);
  return asUtc - (instant - (instant % 1000));
}

/**
 * The UTC instant at which local calendar day `date` (YYYY-MM-DD) begins in `timeZone`.
 * `startOfLocalDay('2026-03-01', 'Asia/Dubai') === '2026-02-28T20:00:00.000Z'`.
 */
export function startOfLocalDay(date: string, timeZone: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const guess = Date.UTC(y, m - 1, d);
  let instant = guess - offsetAt(guess, timeZone);
  // A DST change between the guess and the result shifts the offset; one correction settles it.
  instant = guess - offsetAt(instant, timeZone);
  return new Date(instant).toISOString();
}

/** The calendar day after `date` (YYYY-MM-DD). */
export function nextDay(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}

/** Half-open UTC range [from, to) covering local days start..end inclusive; either end may be open. */
export function localDateRange(
  start: string | undefined,
  end: string | undefined,
  timeZone: string,
): { from?: string; to?: string } {
  return {
    ...(start ? { from: startOfLocalDay(start, timeZone) } : {}),
    ...(end ? { to: startOfLocalDay(nextDay(end), timeZone) } : {}),
  };
}
