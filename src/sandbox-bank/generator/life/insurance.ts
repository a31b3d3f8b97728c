import { drawMinor } from '../amounts.ts';
import { addMandate } from '../instructions/direct-debits.ts';
import type { PlanContext } from '../plan.ts';

/** Health or motor insurance, its premium collected by direct debit monthly or quarterly. */
export function planInsurance(ctx: PlanContext): void {
  const { rng, country } = ctx;
  if (ctx.thin || !rng.chance(0.5)) return;
  const quarterly = rng.chance(0.3);
  const months = quarterly ? 3 : 1;
  addMandate(ctx, rng.pick(country.insurers), {
    frequency: quarterly ? 'UK.OBIE.Quarterly' : 'UK.OBIE.Monthly',
    monthsBetween: months,
    baseMinor: drawMinor(rng, 150 * country.spendScale * months, 600 * country.spendScale * months, ctx.exp),
    variable: false,
    cancelDay: null,
  });
}
