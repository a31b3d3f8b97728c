import { roundedMinor } from '../amounts.ts';
import type { PlanContext } from '../plan.ts';
import { CODES, detailsOf, isOpen, post, upper, type CustomerDay } from '../posting.ts';
import type { Merchant } from '../spend-categories.ts';

/** Streaming and other monthly subscriptions, charged to the credit card once the customer has one. */

export interface SubscriptionPlan {
  merchant: Merchant;
  dayOfMonth: number;
  amountMinor: number;
}

/** Up to three different services of the country's line-up. */
export function planSubscriptions(ctx: PlanContext): SubscriptionPlan[] {
  const { rng, country } = ctx;
  const subscriptions: SubscriptionPlan[] = [];
  const count = ctx.thin ? 0 : rng.int(1, 3);
  const available = [...country.subscriptions];
  for (let i = 0; i < count; i++) {
    const merchant = available.splice(rng.int(0, available.length - 1), 1)[0]!;
    subscriptions.push({
      merchant,
      dayOfMonth: rng.int(1, 28),
      amountMinor: roundedMinor(rng.pick([14.99, 19.99, 29.99, 39.99, 56]) * country.spendScale, ctx.exp, 0),
    });
  }
  return subscriptions;
}

export function chargeSubscriptions({ plan, books, cal, at }: CustomerDay): void {
  for (const subscription of plan.subscriptions) {
    if (cal.dayOfMonth !== Math.min(subscription.dayOfMonth, cal.daysInMonth)) continue;
    post(isOpen(books.card, cal.day) ? books.card : books.current, {
      ms: at(0, 6),
      minor: subscription.amountMinor,
      credit: false,
      info: `${upper(subscription.merchant.name)} ${plan.country.code}`,
      reference: null,
      code: CODES.cardPurchase,
      merchant: detailsOf(subscription.merchant),
      card: true,
    });
  }
}
