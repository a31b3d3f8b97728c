import { shareOf } from '../amounts.ts';
import { calendarDay, dayInMonth, instantOf } from '../calendar.ts';
import { CODES, post, upper, type CustomerDay } from '../posting.ts';

/**
 * A car loan (or Islamic finance): disbursed into the current account, most of it paid to the
 * dealer days later, then monthly profit charged and an instalment paid until it is settled.
 */
export function serviceLoan({ plan, books, cal, rng, at }: CustomerDay): void {
  const { current, loan } = books;
  if (!loan?.plan.loan) return;
  const { day } = cal;
  const terms = loan.plan.loan;
  const loanNumber = loan.plan.accountNumber;
  const kind = plan.islamic ? 'FINANCE' : 'LOAN';
  if (day === loan.plan.openDay) {
    post(current, {
      ms: at(10, 12),
      minor: -loan.plan.openingMinor,
      credit: true,
      info: `${kind} DISBURSEMENT ${loanNumber}`,
      reference: loanNumber,
      code: CODES.loanDrawdown,
    });
  }
  if (day === loan.plan.openDay + terms.purchaseDelayDays) {
    post(current, {
      ms: at(10, 16),
      minor: terms.purchaseMinor,
      credit: false,
      info: `TRANSFER TO ${upper(terms.dealer)}`,
      reference: `VEHICLE ${rng.digits(6)}`,
      code: CODES.transferOut,
    });
  }
  const owed = -loan.balance;
  if (owed > 0 && cal.monthIndex > calendarDay(loan.plan.openDay).monthIndex && day === dayInMonth(cal.monthIndex, loan.plan.cycleDay)) {
    const profit = shareOf(owed, loan.plan.rateBp, 120_000);
    const base = instantOf(day, 10, plan.offsetMs);
    post(loan, { ms: base, minor: profit, credit: false, info: `${plan.islamic ? 'PROFIT' : 'INTEREST'} CHARGED`, reference: loanNumber, code: CODES.profitCharge });
    const instalment = Math.min(terms.installmentMinor, owed + profit);
    post(current, { ms: base + 600_000, minor: instalment, credit: false, info: `${kind} INSTALMENT ${loanNumber}`, reference: loanNumber, code: CODES.ownTransferOut });
    post(loan, { ms: base + 600_000, minor: instalment, credit: true, info: 'INSTALMENT RECEIVED', reference: loanNumber, code: CODES.loanRepayment });
  }
}
