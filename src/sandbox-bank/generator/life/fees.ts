import { roundedMinor, shareOf } from '../amounts.ts';
import { instantOf } from '../calendar.ts';
import { CODES, post, type CustomerDay } from '../posting.ts';

/** What the bank charges on the current account: a fee for a low balance, a replaced card, a remittance. */

/** A fee and the VAT on it, as separate entries the way Gulf banks itemise them. */
export function chargeFee({ plan, books }: CustomerDay, ms: number, fee: number, label: string): void {
  const { vatPercent } = plan.country;
  post(books.current, { ms, minor: fee, credit: false, info: label, reference: null, code: CODES.fee });
  const vat = shareOf(fee, vatPercent, 100);
  post(books.current, { ms: ms + 1000, minor: vat, credit: false, info: `VAT ${vatPercent}% ON ${label}`, reference: null, code: CODES.tax });
}

/** The month's minimum-balance fee where banks charge one, and now and then a replaced debit card. */
export function chargeAccountFees(day: CustomerDay): void {
  const { plan, books, cal, rng, at } = day;
  const { country, exp } = plan;
  const minimum = country.belowMinimumFee;
  if (minimum && cal.dayOfMonth === 1 && books.current.balance < minimum.minimumBalance * 10 ** exp) {
    chargeFee(day, instantOf(cal.day, 60, plan.offsetMs), roundedMinor(minimum.fee, exp, 0), 'MIN BALANCE FEE');
  }
  if (plan.profile !== 'thin' && rng.chance(1 / 400)) {
    chargeFee(day, at(9, 18), roundedMinor(country.cardReplacementFee, exp, 0), 'DEBIT CARD REPLACEMENT FEE');
  }
}
