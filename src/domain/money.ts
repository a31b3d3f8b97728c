/**
 * Exact money. Amounts live as integer minor units next to their currency; they only become a
 * JSON number at the edge, through a decimal string, so no binary float arithmetic ever touches them.
 */
import currencyCodes from 'currency-codes';

/**
 * ISO 4217 minor-unit exponents ("digits" of List One), from the maintained `currency-codes`
 * package, keyed by the exact upper-case code. A code that is not on the list has no exponent:
 * guessing 2 would silently shift a BHD or JPY amount by a factor of ten or a hundred.
 */
const EXPONENTS: ReadonlyMap<string, number> = new Map(currencyCodes.data.map((c) => [c.code, c.digits]));

/** A currency code that is not on the ISO 4217 list, so its minor units are unknown. */
export class UnknownCurrency extends RangeError {
  readonly currency: string;

  constructor(currency: string) {
    super(`${JSON.stringify(currency)} is not an ISO 4217 currency code, so its minor units are unknown`);
    this.name = 'UnknownCurrency';
    this.currency = currency;
  }
}

const DECIMAL = /^(-?)(\d{1,15})(?:\.(\d{1,5}))?$/;

/** Whether `currency` is an upper-case ISO 4217 code (List One), so its minor units are known. */
export function isKnownCurrency(currency: string): boolean {
  return EXPONENTS.has(currency);
}

/**
 * The number of decimal places of `currency` (`exponent('KWD') === 3`, `exponent('JPY') === 0`).
 * Throws `UnknownCurrency` for a code not on the ISO 4217 list.
 */
export function exponent(currency: string): number {
  const digits = EXPONENTS.get(currency);
  if (digits === undefined) throw new UnknownCurrency(currency);
  return digits;
}

/**
 * Parses a decimal string as a bank sends it into minor units, exactly.
 * `toMinor('12.5', 'BHD') === 12500`. Throws a `RangeError` on more decimals than the currency
 * has, or on a value outside the range where minor units stay exact integers, and `UnknownCurrency`
 * (a `RangeError`) for a currency not on the ISO 4217 list.
 */
export function toMinor(decimal: string, currency: string): number {
  const m = DECIMAL.exec(decimal.trim());
  if (!m) throw new RangeError(`not a decimal amount: ${JSON.stringify(decimal)}`);
  const [, sign, whole, frac = ''] = m;
  const exp = exponent(currency);
  if (frac.replace(/0+$/, '').length > exp) {
    throw new RangeError(`${decimal} has more than ${exp} decimals for ${currency}`);
  }
  const minor = Number(whole! + frac.padEnd(exp, '0').slice(0, exp));
  if (!Number.isSafeInteger(minor)) throw new RangeError(`amount out of range: ${decimal}`);
  return sign === '-' && minor !== 0 ? -minor : minor;
}

/** Formats minor units as the currency's decimal string: `formatMinor(-12345, 'KWD') === '-12.345'`. */
export function formatMinor(minor: number, currency: string): string {
  if (!Number.isSafeInteger(minor)) throw new RangeError(`minor units must be a safe integer: ${minor}`);
  const exp = exponent(currency);
  const abs = Math.abs(minor).toString();
  if (exp === 0) return (minor < 0 ? '-' : '') + abs;
  const padded = abs.padStart(exp + 1, '0');
  return (minor < 0 ? '-' : '') + padded.slice(0, -exp) + '.' + padded.slice(-exp);
}

/**
 * The JSON number for minor units. Parsing the exact decimal string yields the double closest to
 * it, and JSON serialisation prints that double back as the same shortest decimal, so
 * `JSON.stringify(toAmount(1005, 'AED')) === '10.05'` for every safe amount.
 */
export function toAmount(minor: number, currency: string): number {
  return Number(formatMinor(minor, currency));
}
