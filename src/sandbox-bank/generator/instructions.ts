import { formatAmount } from '../money.ts';
import { dayInMonth, instantOf, isoInstant, localDay, calendarDay } from './calendar.ts';
import type {
  CashAccount,
  FinancialInstitution,
  GeneratedBeneficiary,
  GeneratedDirectDebit,
  GeneratedScheduledPayment,
  GeneratedStandingOrder,
  ObAmount,
} from './model.ts';
import type { Creditor, CustomerPlan } from './plan.ts';
import { deriveSeed, seedHex } from './prng.ts';
import { scheduledTransferOn, type Ledger } from './transactions.ts';

/**
 * The payment instructions on the current account, read off the plan and the ledger so they agree
 * with the history: a mandate's previous payment and a standing order's last payment are the
 * entries that executed them.
 */

/** How far ahead the customer has scheduled one-off payments. */
const SCHEDULE_HORIZON_DAYS = 45;

function agentOf(creditor: Creditor): FinancialInstitution {
  return { schemeName: 'UK.OBIE.BICFI', identification: creditor.bank.bic, name: creditor.bank.name };
}

function accountOf(creditor: Creditor): CashAccount {
  return { schemeName: 'UK.OBIE.IBAN', identification: creditor.iban, name: creditor.name };
}

export function beneficiariesOf(plan: CustomerPlan): GeneratedBeneficiary[] {
  return plan.payees.map((payee) => ({
    beneficiaryId: payee.beneficiaryId,
    beneficiaryType: payee.type,
    reference: payee.reference,
    creditorAgent: agentOf(payee),
    creditorAccount: accountOf(payee),
  }));
}

export function directDebitsOf(plan: CustomerPlan, ledger: Ledger, asOfMs: number): GeneratedDirectDebit[] {
  const asOfDay = localDay(asOfMs, plan.offsetMs);
  return plan.mandates.map((mandate) => {
    const previous = ledger.lastPayments.get(mandate.directDebitId);
    return {
      directDebitId: mandate.directDebitId,
      mandateIdentification: mandate.mandateId,
      name: mandate.biller.name,
      directDebitStatusCode: mandate.cancelDay !== null && mandate.cancelDay <= asOfDay ? 'Inactive' : 'Active',
      frequency: mandate.frequency,
      previousPaymentDateTime: previous ? isoInstant(previous.ms) : null,
      previousPaymentAmount: previous ? { amount: formatAmount(previous.minor, plan.currency), currency: plan.currency } : null,
    };
  });
}

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

export function scheduledPaymentsOf(plan: CustomerPlan, asOfMs: number): GeneratedScheduledPayment[] {
  const asOfDay = localDay(asOfMs, plan.offsetMs);
  const payments: GeneratedScheduledPayment[] = [];
  for (let day = asOfDay; day <= asOfDay + SCHEDULE_HORIZON_DAYS; day++) {
    const transfer = scheduledTransferOn(plan, day);
    if (!transfer || transfer.ms <= asOfMs) continue;
    payments.push({
      scheduledPaymentId: seedHex(deriveSeed(plan.seed, day, 0x5c4ed)),
      scheduledPaymentDateTime: isoInstant(transfer.ms),
      scheduledType: transfer.type,
      reference: transfer.reference,
      instructedAmount: { amount: formatAmount(transfer.minor, plan.currency), currency: plan.currency },
      creditorAgent: agentOf(transfer.payee),
      creditorAccount: accountOf(transfer.payee),
    });
  }
  return payments;
}
