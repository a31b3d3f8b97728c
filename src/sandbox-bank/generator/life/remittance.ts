import { roundedMinor } from '../amounts.ts';
import { HOME_BANKS } from '../countries/index.ts';
import { addPayee, type Payee } from '../instructions/payees.ts';
import { personName } from '../persona.ts';
import type { PlanContext } from '../plan.ts';
import { CODES, post, upper, type CustomerDay } from '../posting.ts';
import { chargeFee } from './fees.ts';
import { lastPayday } from './salary.ts';

/** Expatriates send part of their salary home every month, shortly after payday. */

export interface RemittancePlan {
  payee: Payee;
  daysAfterPayday: number;
  minMinor: number;
  maxMinor: number;
  feeMinor: number;
}

/** The relative at home, saved as a payee (after family and friends); null for citizens and thin customers. */
export function planHomePayee(ctx: PlanContext): Payee | null {
  const { rng, country, holder } = ctx;
  return ctx.expatriate && !ctx.thin ? addPayee(ctx, 'home', personName(rng, country, holder.familyName), rng.pick(HOME_BANKS), 'Trusted', 'Family support home') : null;
}

export function planRemittance(ctx: PlanContext, home: Payee | null): RemittancePlan | null {
  const { exp, salaryMinor } = ctx;
  return home
    ? {
        payee: home,
        daysAfterPayday: ctx.rng.int(1, 4),
        minMinor: roundedMinor((salaryMinor / 10 ** exp) * 0.06, exp, 0),
        maxMinor: roundedMinor((salaryMinor / 10 ** exp) * 0.15, exp, 0),
        feeMinor: roundedMinor(ctx.country.remittanceFee, exp, 0),
      }
    : null;
}

export function sendRemittance(day: CustomerDay): void {
  const { plan, books, cal, rng, at } = day;
  const remittance = plan.remittance;
  if (!remittance || cal.day !== lastPayday(plan, cal) + remittance.daysAfterPayday) return;
  const { exp } = plan;
  const minor = roundedMinor((remittance.minMinor + rng.next() * (remittance.maxMinor - remittance.minMinor)) / 10 ** exp, exp, plan.country.salary.roundTo / 25);
  const ms = at(10, 20);
  const payee = remittance.payee;
  post(books.current, {
    ms,
    minor,
    credit: false,
    info: `INTERNATIONAL TRANSFER TO ${upper(payee.name)} ${upper(payee.bank.name)} ${payee.bank.country}`,
    reference: `RMT${cal.compact}${rng.digits(4)}`,
    code: CODES.remittance,
  });
  chargeFee(day, ms + 30_000, remittance.feeMinor, 'REMITTANCE CHARGES');
}
