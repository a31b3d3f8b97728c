import { roundedMinor } from '../amounts.ts';
import { addMandate } from '../instructions/direct-debits.ts';
import type { PlanContext } from '../plan.ts';

/** A gym membership by direct debit, which some customers cancel within the year or so. */
export function planGym(ctx: PlanContext): void {
  const { rng, country } = ctx;
  if (ctx.thin || !rng.chance(0.45)) return;
  addMandate(ctx, rng.pick(country.gyms), {
    frequency: 'UK.OBIE.Monthly',
    monthsBetween: 1,
    baseMinor: roundedMinor(rng.pick([199, 249, 299, 349, 399]) * country.spendScale, ctx.exp, 0),
    variable: false,
    cancelDay: rng.chance(0.4) ? ctx.accounts[0]!.openDay + rng.int(120, 480) : null,
  });
}
