/**
 * Local calendar arithmetic on day numbers (days since 1970-01-01 in the bank's zone). A bank books
 * by its local date, so salaries on the 27th and cheques on working days are local-date facts.
 */

export const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

/**
 * The zone's offset from UTC at `at`, in milliseconds. The Gulf zones keep one offset all year
 * (no daylight saving), so one lookup serves a whole history.
 */
export function utcOffsetMs(timeZone: string, at: Date): number {
  const name = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
    .formatToParts(at)
    .find((part) => part.type === 'timeZoneName')?.value;
  const m = /^GMT(?:([+-])(\d{2}):(\d{2}))?$/.exec(name ?? '');
  if (!m) throw new RangeError(`cannot read the UTC offset of ${timeZone}`);
  const [, sign, hours = '0', minutes = '0'] = m;
  return (sign === '-' ? -1 : 1) * (Number(hours) * 60 + Number(minutes)) * MINUTE_MS;
}

export function localDay(epochMs: number, offsetMs: number): number {
  return Math.floor((epochMs + offsetMs) / DAY_MS);
}

export function dayFromDate(year: number, month: number, dayOfMonth: number): number {
  return Date.UTC(year, month - 1, dayOfMonth) / DAY_MS;
}

/** The UTC instant of a local time of day (`minuteOfDay` may carry seconds as a fraction). */
export function instantOf(day: number, minuteOfDay: number, offsetMs: number): number {
  return day * DAY_MS + Math.round(minuteOfDay * 60) * 1000 - offsetMs;
}

export function isoInstant(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const SECONDS = TWO_DIGITS.slice(0, 60).map((ss) => `${ss}.000Z`);

/**
 * `isoInstant` for long runs of instants in time order, as a ledger writes them: the date part is
 * formatted once per UTC day and whole seconds come from tables, which keeps tens of thousands of
 * entries cheap to stamp.
 */
export function isoFormatter(): (epochMs: number) => string {
  let cachedDay = NaN;
  let datePart = '';
  const minutes: string[] = [];
  return (epochMs) => {
    if (epochMs % 1000 !== 0) return isoInstant(epochMs);
    const day = Math.floor(epochMs / DAY_MS);
    if (day !== cachedDay) {
      cachedDay = day;
      datePart = isoInstant(day * DAY_MS).slice(0, 11);
    }
    const seconds = (epochMs - day * DAY_MS) / 1000;
    const minute = Math.floor(seconds / 60);
    const hhmm = (minutes[minute] ??= `${TWO_DIGITS[Math.floor(minute / 60)]}:${TWO_DIGITS[minute % 60]}:`);
    return datePart + hhmm + SECONDS[seconds % 60];
  };
}

/** The facts about one local day that the generator keys its patterns on. */
export interface CalendarDay {
  day: number;
  year: number;
  /** 1-12. */
  month: number;
  dayOfMonth: number;
  daysInMonth: number;
  /** 0 = Sunday. */
  weekday: number;
  /** Months since year 0: consecutive months differ by one across year ends. */
  monthIndex: number;
  /** `YYYYMMDD`. */
  compact: string;
}

export function calendarDay(day: number): CalendarDay {
  const date = new Date(day * DAY_MS);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth() + 1;
  const dayOfMonth = date.getUTCDate();
  return {
    day,
    year,
    month,
    dayOfMonth,
    daysInMonth: new Date(Date.UTC(year, month, 0)).getUTCDate(),
    weekday: date.getUTCDay(),
    monthIndex: year * 12 + month - 1,
    compact: `${year}${String(month).padStart(2, '0')}${String(dayOfMonth).padStart(2, '0')}`,
  };
}

/** The day number of `dayOfMonth` in the month `monthIndex`, clamped to the month's last day. */
export function dayInMonth(monthIndex: number, dayOfMonth: number): number {
  const year = Math.floor(monthIndex / 12);
  const month = (monthIndex % 12) + 1;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return dayFromDate(year, month, Math.min(dayOfMonth, last));
}

/**
 * `day` if it is a working day, else the nearest working day in `direction` (-1 earlier, 1 later):
 * payroll runs early before a weekend, a post-dated cheque clears after it.
 */
export function workingDay(day: number, weekend: readonly number[], direction: -1 | 1): number {
  let d = day;
  // 1970-01-01, day 0, was a Thursday.
  while (weekend.includes((d + 4) % 7)) d += direction;
  return d;
}
