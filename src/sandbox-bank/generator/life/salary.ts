import { roundedMinor } from '../amounts.ts';
import { dayInMonth, workingDay, type CalendarDay } from '../calendar.ts';
import type { Country } from '../countries/index.ts';
import type { CustomerPlan, PlanContext } from '../plan.ts';
import { CODES, post, upper, type CustomerDay } from '../posting.ts';
import type { Rng } from '../prng.ts';

/** Pay: a monthly salary, a raise some months in, and perhaps a yearly bonus. */

export interface SalaryPlan {
  employer: string;
  /** Contractual pay day; payroll runs on the working day on or before it. */
  dayOfMonth: number;
  baseMinor: number;
  raiseFromMonth: number;
  raisedMinor: number;
  /** Calendar month (1-12) of the yearly bonus, if any. */
  bonusMonth: number | null;
  bonusMinor: number;
}

/** The monthly salary before any raise, in major units and unrounded: the customer's other amounts are sized on it. */
export function drawSalaryMajor(rng: Rng, country: Country): number {
  return country.salary.min * Math.pow(country.salary.max / country.salary.min, Math.pow(rng.next(), 1.4));
}

export function planSalary(ctx: PlanContext): SalaryPlan {
  const { rng, country, exp, salaryMajor } = ctx;
  return {
    employer: rng.pick(country.employers),
    dayOfMonth: rng.int(25, 28),
    baseMinor: ctx.salaryMinor,
    raiseFromMonth: ctx.openMonth + rng.int(6, 14),
    raisedMinor: roundedMinor(salaryMajor * (1 + rng.int(3, 10) / 100), exp, country.salary.roundTo),
    bonusMonth: rng.chance(0.5) ? rng.pick([3, 4, 12]) : null,
    bonusMinor: roundedMinor(salaryMajor * rng.pick([0.5, 1, 1.5, 2]), exp, country.salary.roundTo),
  };
}

function paydayOf(plan: CustomerPlan, monthIndex: number): number {
  return workingDay(dayInMonth(monthIndex, plan.salary.dayOfMonth), plan.country.weekend, -1);
}

/** The last payday on or before the day: what follows payday by days (remittances, sweeps) often falls in the next month. */
export function lastPayday(plan: CustomerPlan, cal: CalendarDay): number {
  const payday = paydayOf(plan, cal.monthIndex);
  return cal.day >= payday ? payday : paydayOf(plan, cal.monthIndex - 1);
}

export function paySalary({ plan, books, cal, at }: CustomerDay): void {
  if (cal.day !== paydayOf(plan, cal.monthIndex)) return;
  const salary = cal.monthIndex >= plan.salary.raiseFromMonth ? plan.salary.raisedMinor : plan.salary.baseMinor;
  const employer = upper(plan.salary.employer);
  const ms = at(5, 9);
  post(books.current, { ms, minor: salary, credit: true, info: plan.country.statement.salary(employer), reference: `SAL${cal.compact}`, code: CODES.salary });
  if (plan.salary.bonusMonth === cal.month) {
    post(books.current, { ms: ms + 60_000, minor: plan.salary.bonusMinor, credit: true, info: `BONUS ${employer}`, reference: `BON${cal.compact}`, code: CODES.salary });
  }
}
