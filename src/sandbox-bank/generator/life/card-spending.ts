import { ATM_RANGE, REFUND_CATEGORIES } from '../activity.ts';
import { roundedMinor } from '../amounts.ts';
import { instantOf } from '../calendar.ts';
import type { CustomerPlan } from '../plan.ts';
import { CODES, detailsOf, upper, type AccountDay, type Draft } from '../posting.ts';
import { CATEGORY_TRAITS, type SpendCategory } from '../spend-categories.ts';

/** Everyday card use on the debit and credit cards: purchases at the country's merchants, refunds, cash from ATMs. */

/** A shop price: scaled to the customer's budget and rounded to the country's price step. */
function retailMinor(plan: CustomerPlan, major: number): number {
  return roundedMinor(major * plan.spendScale, plan.exp, plan.country.retailStepMinor / 10 ** plan.exp);
}

/** A purchase in `category`, at the hours people buy it. */
export function purchase({ plan, book, cal, rng }: AccountDay, category: SpendCategory): Draft {
  const t = CATEGORY_TRAITS[category];
  const merchant = rng.pick(plan.country.merchants[category]);
  let label = book.purchaseLabels.get(merchant);
  if (label === undefined) {
    const name = upper(merchant.name);
    const town = upper(plan.city.town);
    label = book.plan.subType === 'CreditCard' ? `${name} ${town} ${plan.country.code}` : `POS ${name} ${town}`;
    book.purchaseLabels.set(merchant, label);
  }
  return {
    ms: instantOf(cal.day, t.fromHour * 60 + rng.next() * (t.toHour - t.fromHour) * 60, plan.offsetMs),
    minor: retailMinor(plan, rng.logUniform(t.minAmount, t.maxAmount)),
    credit: false,
    info: label,
    reference: null,
    code: CODES.cardPurchase,
    merchant: detailsOf(merchant),
    card: true,
    discretionary: true,
  };
}

/** Something bought in a category that gets returned, refunded to the card. */
export function refund({ plan, cal, rng }: AccountDay): Draft {
  const category = rng.pick(REFUND_CATEGORIES);
  const merchant = rng.pick(plan.country.merchants[category]);
  const { minAmount, maxAmount } = CATEGORY_TRAITS[category];
  return {
    ms: instantOf(cal.day, rng.int(9 * 60, 22 * 60), plan.offsetMs),
    minor: retailMinor(plan, rng.logUniform(minAmount, maxAmount)),
    credit: true,
    info: `REFUND ${upper(merchant.name)}`,
    reference: null,
    code: CODES.cardRefund,
    merchant: detailsOf(merchant),
  };
}

/** Cash in the country's notes, at an ATM in the customer's city. */
export function cashWithdrawal({ plan, cal, rng }: AccountDay): Draft {
  return {
    ms: instantOf(cal.day, rng.int(8 * 60, 23 * 60 + 59), plan.offsetMs),
    minor: roundedMinor(rng.logUniform(...ATM_RANGE) * plan.cashScale, plan.exp, plan.country.atmNote),
    credit: false,
    info: `ATM CASH WITHDRAWAL ${upper(rng.pick(plan.city.areas))}`,
    reference: null,
    code: CODES.cashWithdrawal,
    card: true,
    discretionary: true,
  };
}
