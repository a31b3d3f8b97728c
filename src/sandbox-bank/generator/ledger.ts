import { formatAmount } from '../money.ts';
import { isSpending, type Activity } from './activity.ts';
import { DAY_MS, calendarDay, instantOf, isoFormatter, localDay, type CalendarDay } from './calendar.ts';
import { collectDirectDebits } from './instructions/direct-debits.ts';
import { executeStandingOrders } from './instructions/standing-orders.ts';
import { payBills } from './life/bills.ts';
import { cashWithdrawal, purchase, refund } from './life/card-spending.ts';
import { cutStatement, payCardStatement } from './life/credit-card.ts';
import { transferFromPerson, transferToPerson } from './life/family-and-friends.ts';
import { chargeAccountFees } from './life/fees.ts';
import { serviceLoan } from './life/loan.ts';
import { sendRemittance } from './life/remittance.ts';
import { clearRentCheques } from './life/rent.ts';
import { paySalary } from './life/salary.ts';
import { goalWithdrawal, roundUp, runSavings } from './life/savings.ts';
import { executeScheduledPayment } from './life/scheduled-payments.ts';
import { chargeSubscriptions } from './life/subscriptions.ts';
import type { GeneratedTransaction } from './model.ts';
import type { CustomerPlan } from './plan.ts';
import { post, type AccountBook, type AccountDay, type Books, type CustomerDay, type Draft } from './posting.ts';
import { Rng, deriveSeed } from './prng.ts';
import { CATEGORY_TRAITS, type SpendCategory } from './spend-categories.ts';

/**
 * The history: the customer plan played out day by day from each account's opening. A day's
 * entries are drawn from streams seeded by (account or customer, day) and from balances of the
 * days before it, never from `asOf`, which only decides where the history stops and which recent
 * card entries are still pending. So a later `asOf` reproduces every earlier entry unchanged.
 */

/** Card authorisations stay pending this long before the entry books. */
export const PENDING_WINDOW_MS = 2 * DAY_MS;

/** Zero-padded daily sequence numbers, the tail of every transaction id. */
const SEQUENCE = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

export interface LedgerAccount {
  transactions: GeneratedTransaction[];
  /** Signed sum of the booked entries. */
  bookedMinor: number;
  pendingDebitMinor: number;
}

export interface Ledger {
  accounts: LedgerAccount[];
  /** Last execution up to `asOf` of each standing order and mandate, by its id. */
  lastPayments: Map<string, { ms: number; minor: number }>;
}

/**
 * The customer's scheduled life, one event after another. They draw from the day's one stream in
 * this order, and entries at the same instant keep it: the order is part of what a seed generates.
 */
const LIFE_EVENTS: readonly ((day: CustomerDay) => void)[] = [
  paySalary,
  clearRentCheques,
  payBills,
  collectDirectDebits,
  executeStandingOrders,
  chargeSubscriptions,
  sendRemittance,
  payCardStatement,
  serviceLoan,
  runSavings,
  chargeAccountFees,
  executeScheduledPayment,
];

/** The entry each everyday activity other than a purchase adds. */
const EVERYDAY: Readonly<Record<Exclude<Activity, SpendCategory>, (day: AccountDay) => Draft>> = {
  atm: cashWithdrawal,
  transferOut: transferToPerson,
  transferIn: transferFromPerson,
  refund,
  roundUp,
  goalWithdrawal,
};

function openBooks(plan: CustomerPlan): Books {
  const all = plan.accounts.map(
    (account, i): AccountBook => ({
      plan: account,
      mix: plan.mixes[i]!,
      balance: account.openingMinor,
      statement: null,
      drafts: [],
      purchaseLabels: new Map(),
      transactions: [],
      bookedMinor: 0,
      pendingDebitMinor: 0,
    }),
  );
  const find = (subType: AccountBook['plan']['subType']) => all.find((b) => b.plan.subType === subType) ?? null;
  return { all, current: all[0]!, card: find('CreditCard'), savings: find('Savings'), loan: find('Loan') };
}

function customerDay(plan: CustomerPlan, books: Books, cal: CalendarDay): void {
  const rng = new Rng(deriveSeed(plan.seed, cal.day, 0xc0));
  const at = (fromHour: number, toHour: number) => instantOf(cal.day, fromHour * 60 + rng.next() * (toHour - fromHour) * 60, plan.offsetMs);
  const day: CustomerDay = { plan, books, cal, rng, at };
  for (const event of LIFE_EVENTS) event(day);
}

/** Card spending, cash and person-to-person transfers: the day's unplanned activity on one account. */
function accountDay(plan: CustomerPlan, book: AccountBook, cal: CalendarDay): void {
  if (book.mix.length === 0) return;
  const rng = new Rng(deriveSeed(book.plan.seed, cal.day));
  const weekend = plan.country.weekend.includes(cal.weekday);
  const day: AccountDay = { plan, book, cal, rng };
  for (const [activity, rate] of book.mix) {
    const spending = isSpending(activity);
    const count = rng.poisson(weekend && spending ? rate * CATEGORY_TRAITS[activity].weekendFactor : rate);
    for (let i = 0; i < count; i++) post(book, spending ? purchase(day, activity) : EVERYDAY[activity](day));
  }
}

export function buildLedger(plan: CustomerPlan, asOfMs: number): Ledger {
  const { currency } = plan;
  const asOfDay = localDay(asOfMs, plan.offsetMs);
  const books = openBooks(plan);
  const lastPayments = new Map<string, { ms: number; minor: number }>();
  const iso = isoFormatter();

  /** Books the day's drafts in time order; declined spending gets no id, so ids stay dense. */
  const settle = (book: AccountBook, cal: CalendarDay) => {
    const drafts = book.drafts.sort((a, b) => a.ms - b.ms);
    const floor = book === books.current ? plan.reserveMinor : book.plan.creditLimitMinor === null ? 0 : -book.plan.creditLimitMinor;
    const idPrefix = `${book.plan.txTag}-${cal.compact}-`;
    let seq = 0;
    for (const d of drafts) {
      const signed = d.credit ? d.minor : -d.minor;
      if (d.discretionary && book.balance + signed < floor) continue;
      book.balance += signed;
      seq++;
      if (d.ms > asOfMs) continue;
      const pending = d.card && d.ms > asOfMs - PENDING_WINDOW_MS;
      const stamp = iso(d.ms);
      book.transactions.push({
        transactionId: idPrefix + (SEQUENCE[seq] ?? String(seq)),
        transactionReference: d.reference,
        creditDebitIndicator: d.credit ? 'Credit' : 'Debit',
        status: pending ? 'Pending' : 'Booked',
        bookingDateTime: stamp,
        valueDateTime: pending ? null : stamp,
        transactionInformation: d.info,
        amount: { amount: formatAmount(d.minor, currency), currency },
        bankTransactionCode: d.code,
        merchantDetails: d.merchant ?? null,
      });
      if (pending) {
        if (!d.credit) book.pendingDebitMinor += d.minor;
      } else {
        book.bookedMinor += signed;
      }
      if (d.instruction) lastPayments.set(d.instruction, { ms: d.ms, minor: d.minor });
    }
    book.drafts.length = 0;
  };

  const firstDay = Math.min(...plan.accounts.map((a) => a.openDay));
  for (let day = firstDay; day <= asOfDay; day++) {
    const cal = calendarDay(day);
    customerDay(plan, books, cal);
    for (const book of books.all) if (book.plan.openDay <= day) accountDay(plan, book, cal);
    for (const book of books.all) if (book.plan.openDay <= day) settle(book, cal);
    cutStatement(books, cal);
  }

  return {
    accounts: books.all.map((b) => ({ transactions: b.transactions, bookedMinor: b.bookedMinor, pendingDebitMinor: b.pendingDebitMinor })),
    lastPayments,
  };
}
