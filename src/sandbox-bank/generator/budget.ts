import { SCHEDULED_SHARE_OF_SALARY, expectedDailyOutflow, logUniformMean } from './activity.ts';
import type { CustomerPlan } from './plan.ts';
import type { Rng } from './prng.ts';

/**
 * Everyday spending sized to what the salary leaves after fixed outgoings (most of it is spent,
 * the rest saved), so balances stay sane whatever the customer's income and obligations.
 */

const DAYS_PER_MONTH = 30.44;

export type Budget = Pick<CustomerPlan, 'spendScale' | 'cashScale' | 'reserveMinor'>;

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/** Draws the customer's daily budget (the last draw of the plan) and fits the spending scales to it. */
export function fitBudget(rng: Rng, plan: Omit<CustomerPlan, keyof Budget>, salaryMajor: number): Budget {
  const { country, exp, profile, rentCheques: rent, utility, telecom, remittance, scheduledChance } = plan;
  const salaryMinor = plan.salary.baseMinor;
  // Each obligation at its average month: variable bills run above their base, utilities with the season.
  const fixedMonthly =
    (rent ? rent.annualMinor / 12 : 0) +
    sum(plan.standingOrders.map((o) => o.amountMinor)) +
    sum(plan.mandates.map((m) => (m.baseMinor * (m.variable ? 1.1 : 1)) / m.monthsBetween)) +
    utility.baseMinor * 1.25 +
    (telecom ? telecom.baseMinor * 1.07 : 0) +
    sum(plan.subscriptions.map((x) => x.amountMinor)) +
    (remittance ? (remittance.minMinor + remittance.maxMinor) / 2 + remittance.feeMinor : 0) +
    sum(plan.accounts.map((a) => a.loan?.installmentMinor ?? 0)) +
    scheduledChance * DAYS_PER_MONTH * logUniformMean(SCHEDULED_SHARE_OF_SALARY) * salaryMinor;
  const disposable = Math.max(salaryMinor - fixedMonthly, salaryMinor * 0.15);
  const dailyBudget = (disposable * (0.7 + 0.2 * rng.next())) / DAYS_PER_MONTH / 10 ** exp;
  const natural = country.spendScale * Math.pow(salaryMajor / country.salary.typical, 0.7);
  const outflow = expectedDailyOutflow(plan.mixes);
  const atNatural = (outflow.merchant + outflow.cash) * natural;
  let spendScale = natural;
  let cashScale = natural;
  if (atNatural > dailyBudget && outflow.merchant + outflow.cash > 0) {
    // Tight budgets buy cheaper, down to a floor below which prices stop being believable; past
    // it, the reserve in `settle` declines what the customer cannot afford. The high-volume
    // profile has no floor: its fifteen entries a day must fit one salary.
    const floor = profile === 'high_volume' ? 0 : 0.6 * natural;
    spendScale = cashScale = Math.max(floor, dailyBudget / (outflow.merchant + outflow.cash));
  } else if (outflow.cash > 0) {
    // Thin customers take their pay out in cash; others only spend a little more of a large surplus.
    const ceiling = profile === 'thin' ? 12 : 3;
    cashScale = Math.min(ceiling * natural, (dailyBudget - outflow.merchant * natural) / outflow.cash);
  }
  return {
    spendScale,
    cashScale,
    // A whole rent cheque in the UAE, not a month's share of it.
    reserveMinor: Math.round(fixedMonthly + (rent ? rent.annualMinor / rent.chequesPerYear - rent.annualMinor / 12 : 0)),
  };
}
