import { formatAmount } from '../../money.ts';
import { calendarDay, dayInMonth, instantOf, isoInstant, localDay } from '../calendar.ts';
import type { Ledger } from '../ledger.ts';
import type { GeneratedStandingOrder, ObAmount } from '../model.ts';
import type { CustomerPlan, PlanContext } from '../plan.ts';
import { CODES, isOpen, last4, post, upper, type CustomerDay } from '../posting.ts';
import { deriveSeed, seedHex } from '../prng.ts';
import { accountOf, agentOf, type Creditor } from './payees.ts';

/**
 * Standing orders from the current account, which life events set up (savings, rent, family
 * support): each pays a fixed amount on a day of every month, from its first month on.
 */

export interface StandingOrderPlan {
  standingOrderId: string;
  reference: string;
  dayOfMonth: number;
  amountMinor: number;
  firstMonth: number;
  /** Number of payments for a fixed-term order; null runs until cancelled. */
  payments: number | null;
  creditor: Creditor;
  /** Index of the customer's own account the order pays into, if it does. */
  toAccount: number | null;
  /** Local minute of day the bank's batch executes it. */
  minuteOfDay: number;
}

/** Sets up a standing order; its id and the minute the batch runs it follow the order orders are set up in. */
export function addStandingOrder(
  ctx: PlanContext,
  creditor: Creditor,
  fields: Pick<StandingOrderPlan, 'reference' | 'dayOfMonth' | 'amountMinor' | 'firstMonth' | 'payments' | 'toAccount'>,
): void {
  const index = ctx.standingOrders.length;
  ctx.standingOrders.push({ standingOrderId: seedHex(deriveSeed(ctx.seed, 0x50, index), 0), creditor, minuteOfDay: 30 + 7 * index, ...fields });
}

/** The day's payments; one into an account of the customer's own waits until that account is open. */
export function executeStandingOrders({ plan, books, cal }: CustomerDay): void {
  const { day, monthIndex } = cal;
  for (const order of plan.standingOrders) {
    const n = monthIndex - order.firstMonth;
    if (n < 0 || (order.payments !== null && n >= order.payments)) continue;
    if (day !== dayInMonth(monthIndex, order.dayOfMonth)) continue;
    const target = order.toAccount === null ? null : books.all[order.toAccount]!;
    if (target && !isOpen(target, day)) continue;
    const ms = instantOf(day, order.minuteOfDay, plan.offsetMs);
    post(books.current, {
      ms,
      minor: order.amountMinor,
      credit: false,
      info: `STANDING ORDER TO ${upper(order.creditor.name)} ${upper(order.reference)}`,
      reference: order.reference,
      code: CODES.standingOrder,
      instruction: order.standingOrderId,
    });
    if (target) {
      post(target, {
        ms,
        minor: order.amountMinor,
        credit: true,
        info: `TRANSFER FROM ACCOUNT ${last4(books.current.plan.accountNumber)} ${upper(order.reference)}`,
        reference: order.reference,
        code: CODES.ownTransferIn,
      });
    }
  }
}

/** The orders as OBIE lists them; the last payment is the entry that executed it. */
export function standingOrdersOf(plan: CustomerPlan, ledger: Ledger, asOfMs: number): GeneratedStandingOrder[] {
  const asOfMonth = calendarDay(localDay(asOfMs, plan.offsetMs)).monthIndex;
  return plan.standingOrders.map((order) => {
    const paymentAt = (month: number) => instantOf(dayInMonth(month, order.dayOfMonth), order.minuteOfDay, plan.offsetMs);
    const endMonth = order.payments === null ? Infinity : order.firstMonth + order.payments;
    let nextMonth = Math.max(order.firstMonth, asOfMonth - 1);
    while (paymentAt(nextMonth) <= asOfMs) nextMonth++;
    const next = nextMonth < endMonth ? paymentAt(nextMonth) : null;
    const last = ledger.lastPayments.get(order.standingOrderId);
    const amount: ObAmount = { amount: formatAmount(order.amountMinor, plan.currency), currency: plan.currency };
    return {
      standingOrderId: order.standingOrderId,
      frequency: `IntrvlMnthDay:01:${String(order.dayOfMonth).padStart(2, '0')}`,
      reference: order.reference,
      standingOrderStatusCode: next === null ? 'Inactive' : 'Active',
      firstPaymentDateTime: isoInstant(paymentAt(order.firstMonth)),
      nextPaymentDateTime: next === null ? null : isoInstant(next),
      lastPaymentDateTime: last ? isoInstant(last.ms) : null,
      finalPaymentDateTime: order.payments === null ? null : isoInstant(paymentAt(endMonth - 1)),
      numberOfPayments: order.payments === null ? null : String(order.payments),
      firstPaymentAmount: amount,
      nextPaymentAmount: next === null ? null : amount,
      lastPaymentAmount: last ? amount : null,
      finalPaymentAmount: order.payments === null ? null : amount,
      creditorAgent: agentOf(order.creditor),
      creditorAccount: accountOf(order.creditor),
    };
  });
}
