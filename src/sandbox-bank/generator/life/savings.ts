import { GOAL_WITHDRAWAL_RANGE } from '../activity.ts';
import { roundedMinor, shareOf } from '../amounts.ts';
import { calendarDay, instantOf } from '../calendar.ts';
import { addStandingOrder } from '../instructions/standing-orders.ts';
import type { PlanContext } from '../plan.ts';
import { CODES, isOpen, last4, post, type AccountDay, type CustomerDay, type Draft } from '../posting.ts';
import { lastPayday } from './salary.ts';

/**
 * Saving: a monthly standing order into the savings account, profit credited at each month's end,
 * money moved between current and savings as the current account fills and runs dry, and (in the
 * high-volume profile) a busy savings pot of round-ups and goal withdrawals.
 */

/** The monthly savings order, from the month after the savings account opened. */
export function planSavingsOrder(ctx: PlanContext): void {
  const { rng, bank, country, exp } = ctx;
  const savings = ctx.accounts.find((a) => a.subType === 'Savings');
  if (!savings) return;
  addStandingOrder(
    ctx,
    { name: ctx.holder.name, iban: savings.iban, bank: { name: bank.name, bic: bank.bic, country: country.code, ibanCode: bank.iban_bank_code } },
    {
      reference: 'Monthly savings',
      dayOfMonth: rng.int(1, 3),
      amountMinor: roundedMinor((ctx.salaryMinor / 10 ** exp) * rng.pick([0.05, 0.08, 0.1, 0.12]), exp, country.salary.roundTo),
      firstMonth: calendarDay(savings.openDay).monthIndex + 1,
      payments: null,
      toAccount: savings.index,
    },
  );
}

export function runSavings({ plan, books, cal, rng, at }: CustomerDay): void {
  const { current, savings, loan } = books;
  const { day } = cal;
  if (!isOpen(savings, day)) return;
  const { exp } = plan;
  if (cal.dayOfMonth === cal.daysInMonth && savings.balance > 0) {
    const profit = shareOf(savings.balance, savings.plan.rateBp, 120_000);
    if (profit > 0) {
      post(savings, {
        ms: instantOf(day, 23 * 60 + 50, plan.offsetMs),
        minor: profit,
        credit: true,
        info: `${plan.islamic ? 'PROFIT' : 'INTEREST'} CREDIT`,
        reference: null,
        code: CODES.profitCredit,
      });
    }
  }
  // Money moves between current and savings in whole hundreds: surplus out after payday,
  // back in when the current account runs dry, and now and then for a larger purchase.
  const unit = Math.round(100 * 10 ** exp * plan.country.spendScale);
  const salary = plan.salary.baseMinor;
  const surplus = current.balance - plan.reserveMinor - Math.round(1.5 * salary);
  let toSavings = 0;
  // A fresh loan's money is not surplus: it leaves for the dealer within days.
  const loanSpent = !loan?.plan.loan || day > loan.plan.openDay + loan.plan.loan.purchaseDelayDays;
  if (day === lastPayday(plan, cal) + 1 && loanSpent && surplus > 1.5 * salary) {
    toSavings = Math.floor(surplus / unit) * unit;
  } else if (savings.balance > 0 && (current.balance < salary / 10 || rng.chance(1 / 75))) {
    toSavings = -Math.floor((savings.balance * (0.1 + 0.3 * rng.next())) / unit) * unit;
  }
  if (toSavings !== 0) {
    const ms = at(12, 20);
    const [from, to] = toSavings > 0 ? [current, savings] : [savings, current];
    const minor = Math.abs(toSavings);
    post(from, { ms, minor, credit: false, info: `TRANSFER TO ACCOUNT ${last4(to.plan.accountNumber)}`, reference: null, code: CODES.ownTransferOut });
    post(to, { ms, minor, credit: true, info: `TRANSFER FROM ACCOUNT ${last4(from.plan.accountNumber)}`, reference: null, code: CODES.ownTransferIn });
  }
}

/** Spare change swept in from card spending elsewhere. */
export function roundUp({ plan, cal, rng }: AccountDay): Draft {
  return {
    ms: instantOf(cal.day, rng.int(7 * 60, 23 * 60 + 59), plan.offsetMs),
    minor: rng.int(1, 10 ** plan.exp - 1),
    credit: true,
    info: 'ROUND-UP SAVINGS',
    reference: null,
    code: CODES.ownTransferIn,
  };
}

export function goalWithdrawal({ plan, cal, rng }: AccountDay): Draft {
  return {
    ms: instantOf(cal.day, rng.int(7 * 60, 23 * 60 + 59), plan.offsetMs),
    minor: roundedMinor(rng.logUniform(...GOAL_WITHDRAWAL_RANGE) * plan.spendScale, plan.exp, 0),
    credit: false,
    info: 'SAVINGS GOAL WITHDRAWAL',
    reference: null,
    code: CODES.ownTransferOut,
    discretionary: true,
  };
}
