/**
 * The sandbox bank's own money formatting, kept apart from openlean's client side
 * (`src/domain/money.ts`) on purpose: the mock and the connector each state the ISO 4217
 * minor-unit exponents themselves, so a wrong exponent on one side shows up as a mismatch in the
 * end-to-end tests instead of being agreed on by both. Every amount the sandbox banks send (OBIE
 * and UAE routes alike) is written by `formatAmount`.
 */

/** ISO 4217 minor units of the currencies the sandbox banks hold. */
const MINOR_UNITS: Readonly<Record<string, number>> = {
  AED: 2,
  SAR: 2,
  QAR: 2,
  USD: 2,
  EUR: 2,
  GBP: 2,
  BHD: 3,
  KWD: 3,
  OMR: 3,
  JOD: 3,
};

/** The minor units of `currency`; a currency the sandbox does not hold is a bug in the mock, not a default. */
export function minorUnits(currency: string): number {
  const units = MINOR_UNITS[currency];
  if (units === undefined) throw new RangeError(`the sandbox banks hold no ${currency}`);
  return units;
}

/** Integer minor units as the decimal string banks send: `formatAmount(123456, 'BHD') === '123.456'`, always with every decimal. */
export function formatAmount(minor: number, currency: string): string {
  if (!Number.isSafeInteger(minor)) throw new RangeError(`not a whole number of minor units: ${minor}`);
  const units = minorUnits(currency);
  const digits = Math.abs(minor).toString().padStart(units + 1, '0');
  const whole = digits.slice(0, digits.length - units);
  const sign = minor < 0 ? '-' : '';
  return units === 0 ? `${sign}${whole}` : `${sign}${whole}.${digits.slice(-units)}`;
}
