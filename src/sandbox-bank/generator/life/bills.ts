import { drawMinor, roundedMinor } from '../amounts.ts';
import type { Biller } from '../countries/index.ts';
import { addMandate } from '../instructions/direct-debits.ts';
import type { PlanContext } from '../plan.ts';
import { CODES, detailsOf, post, upper, type CustomerDay } from '../posting.ts';

/**
 * Household bills: electricity and water from the city's authority, and the mobile phone, paid
 * each month by bill payment or, for some, collected by direct debit.
 */

export interface BillPlan {
  biller: Biller;
  /** The customer's account number at the biller, quoted on every payment. */
  contract: string;
  dayOfMonth: number;
  baseMinor: number;
}

export interface TelecomChoice {
  biller: Biller;
  baseMinor: number;
  /** Collected by direct debit (a mandate) rather than paid as a bill. */
  byMandate: boolean;
}

/** Electricity bills follow the air conditioning: summer bills run far above winter ones. */
const SEASONAL_UTILITY = [0.75, 0.7, 0.8, 0.95, 1.2, 1.6, 1.9, 2, 1.7, 1.25, 0.9, 0.8] as const;

/** The operator and the usual bill; a customer paying by direct debit signs the mandate now, before any other. */
export function planTelecom(ctx: PlanContext): TelecomChoice {
  const { rng, country } = ctx;
  const biller = rng.pick(country.telecoms);
  const baseMinor = drawMinor(rng, country.telecomBill.min, country.telecomBill.max, ctx.exp);
  const byMandate = !ctx.thin && rng.chance(0.5);
  if (byMandate) addMandate(ctx, biller, { frequency: 'UK.OBIE.Monthly', monthsBetween: 1, baseMinor, variable: true, cancelDay: null });
  return { biller, baseMinor, byMandate };
}

/** The bills paid by bill payment: always the utility, the phone unless it is a direct debit. */
export function planBills(ctx: PlanContext, telecom: TelecomChoice): { utility: BillPlan; telecom: BillPlan | null } {
  const { rng, country } = ctx;
  const utility: BillPlan = {
    biller: ctx.city.utility,
    contract: rng.digits(10),
    dayOfMonth: rng.int(5, 22),
    baseMinor: drawMinor(rng, country.utilityBill.min, country.utilityBill.max, ctx.exp),
  };
  return {
    utility,
    telecom: telecom.byMandate
      ? null
      : { biller: telecom.biller, contract: `${rng.pick(country.mobilePrefixes)}${rng.digits(country.mobileDigits)}`, dayOfMonth: rng.int(5, 22), baseMinor: telecom.baseMinor },
  };
}

export function payBills({ plan, books, cal, rng, at }: CustomerDay): void {
  const { exp } = plan;
  for (const bill of [plan.utility, plan.telecom]) {
    if (!bill || cal.dayOfMonth !== Math.min(bill.dayOfMonth, cal.daysInMonth)) continue;
    const factor = bill === plan.utility ? SEASONAL_UTILITY[cal.month - 1]! : 1;
    const minor = roundedMinor((bill.baseMinor / 10 ** exp) * factor * (0.85 + 0.35 * rng.next()), exp, 0);
    post(books.current, {
      ms: at(9, 22),
      minor,
      credit: false,
      info: plan.country.statement.billPayment(upper(bill.biller.name), bill.contract),
      reference: bill.contract,
      code: CODES.billPayment,
      merchant: detailsOf(bill.biller),
    });
  }
}
