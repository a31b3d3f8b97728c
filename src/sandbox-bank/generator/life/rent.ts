import { roundedMinor, shareOf } from '../amounts.ts';
import { dayInMonth, workingDay } from '../calendar.ts';
import { addPayee } from '../instructions/payees.ts';
import { addStandingOrder } from '../instructions/standing-orders.ts';
import { personName } from '../persona.ts';
import type { PlanContext } from '../plan.ts';
import { CODES, post, upper, type CustomerDay } from '../posting.ts';

/**
 * Rent, paid the way the country pays it: in the UAE a year's rent in post-dated cheques, renewed
 * with the lease every year; elsewhere a monthly standing order to the landlord. Thin customers
 * pay theirs outside the bank.
 */

export interface ChequeRentPlan {
  landlord: string;
  chequesPerYear: number;
  leaseStartMonth: number;
  leaseDay: number;
  annualMinor: number;
  /** Rent increase at each yearly renewal, in percent. */
  renewalPercent: number;
  firstChequeNumber: number;
}

export interface RentPlan {
  /** Monthly rent in major units, unrounded. */
  major: number;
  landlord: string;
  cheques: ChequeRentPlan | null;
}

export function planRent(ctx: PlanContext): RentPlan {
  const { rng, country, exp } = ctx;
  const major = (ctx.salaryMinor / 10 ** exp) * (country.rent.minShare + (country.rent.maxShare - country.rent.minShare) * rng.next());
  const landlord = rng.chance(0.5) ? rng.pick(country.landlordCompanies) : personName(rng, country);
  const cheques: ChequeRentPlan | null =
    ctx.thin || country.rent.mode !== 'cheques'
      ? null
      : {
          landlord,
          chequesPerYear: rng.pick([4, 4, 4, 2, 6]),
          leaseStartMonth: ctx.openMonth - rng.int(0, 11),
          leaseDay: rng.int(1, 28),
          annualMinor: roundedMinor(major * 12, exp, country.rent.roundTo),
          renewalPercent: rng.pick([0, 0, 3, 5]),
          firstChequeNumber: rng.int(100, 900),
        };
  return { major, landlord, cheques };
}

/** Monthly rent: the landlord becomes a payee and is paid by standing order. */
export function planRentStandingOrder(ctx: PlanContext, rent: RentPlan): void {
  const { rng, country, exp } = ctx;
  if (country.rent.mode !== 'monthly' || ctx.thin) return;
  const landlord = addPayee(ctx, 'landlord', rent.landlord, rng.pick(ctx.otherBanks), 'Trusted', 'Rent');
  addStandingOrder(ctx, landlord, {
    reference: `Rent ${rng.pick(['flat', 'apartment', 'villa'])} ${rng.int(1, 40)}`,
    dayOfMonth: rng.int(1, 5),
    amountMinor: roundedMinor(rent.major, exp, country.rent.roundTo),
    firstMonth: ctx.openMonth + 1,
    payments: null,
    toAccount: null,
  });
}

/** A cheque dated in a month clears on its date or the next working day, possibly in the next month. */
export function clearRentCheques({ plan, books, cal, at }: CustomerDay): void {
  const rent = plan.rentCheques;
  if (!rent) return;
  const step = 12 / rent.chequesPerYear;
  for (const month of [cal.monthIndex, cal.monthIndex - 1]) {
    const k = month - rent.leaseStartMonth;
    if (k < 0 || k % step !== 0) continue;
    if (workingDay(dayInMonth(month, rent.leaseDay), plan.country.weekend, 1) !== cal.day) continue;
    const cheque = k / step;
    let annual = rent.annualMinor;
    for (let year = 0; year < Math.floor(k / 12); year++) annual += shareOf(annual, rent.renewalPercent, 100);
    const number = String(rent.firstChequeNumber + cheque).padStart(6, '0');
    post(books.current, {
      ms: at(10, 13),
      minor: Math.round(annual / rent.chequesPerYear),
      credit: false,
      info: `CHEQUE ${number} CLEARED ${upper(rent.landlord)}`,
      reference: number,
      code: CODES.cheque,
    });
  }
}
