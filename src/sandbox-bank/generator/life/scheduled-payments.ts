import { formatAmount } from '../../money.ts';
import { SCHEDULED_SHARE_OF_SALARY } from '../activity.ts';
import { roundedMinor } from '../amounts.ts';
import { instantOf, isoInstant, localDay } from '../calendar.ts';
import { accountOf, agentOf, type Payee } from '../instructions/payees.ts';
import type { GeneratedScheduledPayment, Profile } from '../model.ts';
import type { CustomerPlan } from '../plan.ts';
import { CODES, post, upper, type CustomerDay } from '../posting.ts';
import { Rng, deriveSeed, seedHex } from '../prng.ts';

/**
 * One-off payments the customer sets up ahead of time (school fees, gifts) to a payee other than
 * the landlord. Each day's is drawn from that day's own stream, so the coming ones can be listed
 * without playing out the history, and each executes on its day like any transfer.
 */

/** How far ahead the customer has scheduled one-off payments. */
const SCHEDULE_HORIZON_DAYS = 45;

interface ScheduledTransfer {
  ms: number;
  payee: Payee;
  minor: number;
  reference: string;
  type: 'Arrival' | 'Execution';
}

/** Chance, per day, of a payment scheduled for it. */
export function scheduledChanceOf(profile: Profile): number {
  return profile === 'thin' ? 1 / 120 : 1 / 30;
}

const streamOf = (plan: CustomerPlan, day: number) => deriveSeed(plan.seed, day, 0x5c4ed);

function scheduledTransferOn(plan: CustomerPlan, day: number): ScheduledTransfer | null {
  const rng = new Rng(streamOf(plan, day));
  if (!rng.chance(plan.scheduledChance)) return null;
  const payee = rng.pick(plan.payees.filter((p) => p.role !== 'landlord'));
  const reference = rng.pick(
    payee.role === 'friend' ? ['Wedding gift', 'Trip share', 'Loan repayment'] : ['School fees', 'Eid gift', 'Medical bills', 'Family support'],
  );
  return {
    ms: instantOf(day, 7 * 60 + rng.int(0, 59), plan.offsetMs),
    payee,
    minor: roundedMinor((rng.logUniform(...SCHEDULED_SHARE_OF_SALARY) * plan.salary.baseMinor) / 10 ** plan.exp, plan.exp, plan.country.salary.roundTo / 5),
    reference,
    type: rng.chance(0.8) ? 'Execution' : 'Arrival',
  };
}

export function executeScheduledPayment({ plan, books, cal }: CustomerDay): void {
  const scheduled = scheduledTransferOn(plan, cal.day);
  if (!scheduled) return;
  post(books.current, {
    ms: scheduled.ms,
    minor: scheduled.minor,
    credit: false,
    info: `TRANSFER TO ${upper(scheduled.payee.name)} ${upper(scheduled.reference)}`,
    reference: scheduled.reference,
    code: scheduled.payee.role === 'home' ? CODES.remittance : CODES.transferOut,
  });
}

/** The payments still to execute within the horizon, as OBIE lists them. */
export function scheduledPaymentsOf(plan: CustomerPlan, asOfMs: number): GeneratedScheduledPayment[] {
  const asOfDay = localDay(asOfMs, plan.offsetMs);
  const payments: GeneratedScheduledPayment[] = [];
  for (let day = asOfDay; day <= asOfDay + SCHEDULE_HORIZON_DAYS; day++) {
    const transfer = scheduledTransferOn(plan, day);
    if (!transfer || transfer.ms <= asOfMs) continue;
    payments.push({
      scheduledPaymentId: seedHex(streamOf(plan, day)),
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
