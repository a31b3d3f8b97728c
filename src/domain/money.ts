/**
 * Exact money. Amounts live as integer minor units next to their currency; they only become a
 * JSON number at the edge, through a decimal string, so no binary float arithmetic ever touches them.
 */

/** ISO 4217 minor-unit exponents for the currencies the Gulf banks use; anything else defaults to 2. */
const EXPONENTS: Readonly<Record<string, number>> = {
  AED: 2, SAR: 2, QAR: 2, USD: 2, EUR: 2, GBP: 2, EGP: 2, INR: 2,
  BHD: 3, KWD: 3, OMR: 3, JOD: 3, IQD: 3, LYD: 3, TND: 3,
  JPY: 0, KRW: 0,
};

const DECIMAL = /^(-?)(\d{1,15})(?:\.(\d{1,5}))?$/;

/** Whether `currency` is one whose exponent is known here, rather than assumed to be 2. */
export function isKnownCurrency(currency: string): boolean {
  return Object.hasOwn(EXPONENTS, currency);
}

/** The number of decimal places of `currency` (`exponent('KWD') === 3`). */
export function exponent(currency: string): number {
  return EXPONENTS[currency] ?? 2;
}

/**
 * Parses a decimal string as a bank sends it into minor units, exactly.
 * `toMinor('12.5', 'BHD') === 12500`. Throws on more decimals than the currency has, or on a
 * value outside the range where minor units stay exact integers.
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
