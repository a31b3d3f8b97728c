import { TRANSFER_IN_RANGE, TRANSFER_OUT_RANGE } from '../activity.ts';
import { roundedMinor } from '../amounts.ts';
import { instantOf } from '../calendar.ts';
import { addPayee, type Payee } from '../instructions/payees.ts';
import { addStandingOrder } from '../instructions/standing-orders.ts';
import { personName } from '../persona.ts';
import type { CustomerPlan, PlanContext } from '../plan.ts';
import { CODES, upper, type AccountDay, type Draft } from '../posting.ts';

/**
 * Family and friends: saved as payees, sent and sending instant transfers as life goes, and
 * family perhaps supported by a standing order.
 */

/** Relatives first, then friends: beneficiary ids follow this order. */
export function planFamilyAndFriends(ctx: PlanContext): void {
  const { rng, country, holder, otherBanks, thin } = ctx;
  const familyCount = thin ? 1 : rng.int(1, 2);
  for (let i = 0; i < familyCount; i++) {
    addPayee(ctx, 'family', personName(rng, country, holder.familyName), rng.pick(otherBanks), 'Trusted', rng.pick(['Family support', 'Mother', 'Brother', 'Sister']));
  }
  const friendCount = thin ? 0 : rng.int(1, 3);
  for (let i = 0; i < friendCount; i++) addPayee(ctx, 'friend', personName(rng, country), rng.pick(otherBanks), 'Ordinary', rng.pick(['Friend', 'Shared dinner', 'Loan repayment']));
}

/** Some customers support a relative by standing order, for a while or until cancelled. */
export function planFamilySupport(ctx: PlanContext): void {
  const { rng, exp, country } = ctx;
  const family = ctx.payees.find((p) => p.role === 'family');
  if (!family || ctx.thin || !rng.chance(0.6)) return;
  addStandingOrder(ctx, family, {
    reference: family.reference,
    dayOfMonth: rng.int(1, 10),
    amountMinor: roundedMinor(ctx.salaryMajor * rng.pick([0.05, 0.08, 0.1, 0.15]), exp, country.salary.roundTo / 5),
    firstMonth: ctx.openMonth + rng.int(1, 4),
    payments: rng.chance(0.5) ? rng.pick([6, 12, 18]) : null,
    toAccount: null,
  });
}

function people(plan: CustomerPlan): Payee[] {
  return plan.payees.filter((p) => p.role === 'friend' || p.role === 'family');
}

/** An everyday transfer to one of them, through the country's instant-payment scheme. */
export function transferToPerson({ plan, cal, rng }: AccountDay): Draft {
  const payee = rng.pick(people(plan));
  return {
    ms: instantOf(cal.day, rng.int(8 * 60, 23 * 60), plan.offsetMs),
    minor: roundedMinor(rng.logUniform(...TRANSFER_OUT_RANGE) * plan.cashScale, plan.exp, plan.country.spendScale),
    credit: false,
    info: `${plan.country.instantScheme} TRANSFER TO ${upper(payee.name)}`,
    reference: `FT${cal.compact.slice(2)}${rng.digits(6)}`,
    code: CODES.transferOut,
    discretionary: true,
  };
}

/** One of them paying the customer back, or sending money. */
export function transferFromPerson({ plan, cal, rng }: AccountDay): Draft {
  return {
    ms: instantOf(cal.day, rng.int(8 * 60, 23 * 60), plan.offsetMs),
    minor: roundedMinor(rng.logUniform(...TRANSFER_IN_RANGE) * plan.cashScale, plan.exp, plan.country.spendScale),
    credit: true,
    info: `${plan.country.instantScheme} TRANSFER FROM ${upper(rng.pick(people(plan)).name)}`,
    reference: `FT${cal.compact.slice(2)}${rng.digits(6)}`,
    code: CODES.transferIn,
  };
}
