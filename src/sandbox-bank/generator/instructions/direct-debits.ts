import { formatAmount } from '../../money.ts';
import { roundedMinor } from '../amounts.ts';
import { dayInMonth, isoInstant, localDay } from '../calendar.ts';
import type { Biller } from '../countries/index.ts';
import type { Ledger } from '../ledger.ts';
import type { DirectDebitFrequency, GeneratedDirectDebit } from '../model.ts';
import type { CustomerPlan, PlanContext } from '../plan.ts';
import { CODES, detailsOf, post, upper, type CustomerDay } from '../posting.ts';
import { deriveSeed, seedHex } from '../prng.ts';

/** Direct debits from the current account, which life events set up (telecom, insurance, gym): a creditor collects on a day every so many months. */

export interface MandatePlan {
  directDebitId: string;
  mandateId: string;
  biller: Biller;
  frequency: DirectDebitFrequency;
  monthsBetween: number;
  dayOfMonth: number;
  baseMinor: number;
  /** Telecom bills vary month to month; premiums and memberships do not. */
  variable: boolean;
  /** Month index of the first collection. */
  firstMonth: number;
  /** Local day the customer cancelled it, if they did. */
  cancelDay: number | null;
}

/** Signs a mandate with `biller`; the collection day and first month are drawn here, after the caller's fields. */
export function addMandate(ctx: PlanContext, biller: Biller, fields: Pick<MandatePlan, 'frequency' | 'monthsBetween' | 'baseMinor' | 'variable' | 'cancelDay'>): void {
  const mseed = deriveSeed(ctx.seed, 0xdd, ctx.mandates.length);
  ctx.mandates.push({
    directDebitId: seedHex(mseed, 0),
    mandateId: `${biller.name.replace(/[^A-Za-z]/g, '').slice(0, 6).toUpperCase()}${seedHex(mseed, 1).toUpperCase()}`,
    biller,
    dayOfMonth: ctx.rng.int(3, 20),
    firstMonth: ctx.openMonth + ctx.rng.int(1, 2),
    ...fields,
  });
}

/** The day's collections, early in the morning. */
export function collectDirectDebits({ plan, books, cal, rng, at }: CustomerDay): void {
  const { day, monthIndex } = cal;
  const { exp } = plan;
  for (const mandate of plan.mandates) {
    const sinceFirst = monthIndex - mandate.firstMonth;
    if (sinceFirst < 0 || sinceFirst % mandate.monthsBetween !== 0) continue;
    if (day !== dayInMonth(monthIndex, mandate.dayOfMonth)) continue;
    if (mandate.cancelDay !== null && day >= mandate.cancelDay) continue;
    const minor = mandate.variable ? roundedMinor((mandate.baseMinor / 10 ** exp) * (0.9 + 0.4 * rng.next()), exp, 0) : mandate.baseMinor;
    post(books.current, {
      ms: at(3, 6),
      minor,
      credit: false,
      info: `DIRECT DEBIT ${upper(mandate.biller.name)} ${mandate.mandateId}`,
      reference: mandate.mandateId,
      code: CODES.directDebit,
      merchant: detailsOf(mandate.biller),
      instruction: mandate.directDebitId,
    });
  }
}

/** The mandates as OBIE lists them; the previous payment is the entry that collected it. */
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
