import type { AccountPlan } from './accounts.ts';
import type { AccountSubType, Profile } from './model.ts';
import type { Rng } from './prng.ts';
import { CATEGORY_TRAITS, type SpendCategory } from './spend-categories.ts';

/**
 * The unplanned side of a customer's month: how often they spend, withdraw cash and send money,
 * and what that costs on average, which the plan uses to fit spending to income.
 */

/** What a day's activity can be, beyond spending at merchants. */
export type Activity = SpendCategory | 'atm' | 'transferOut' | 'transferIn' | 'refund' | 'roundUp' | 'goalWithdrawal';

/** Amount ranges in AED of the activities that are not merchant spending. */
export const ATM_RANGE = [100, 1_200] as const;
export const TRANSFER_OUT_RANGE = [100, 2_500] as const;
export const TRANSFER_IN_RANGE = [50, 1_500] as const;
export const GOAL_WITHDRAWAL_RANGE = [5, 60] as const;
/** A one-off scheduled payment, as a share of the monthly salary. */
export const SCHEDULED_SHARE_OF_SALARY = [0.02, 0.12] as const;
export const REFUND_CATEGORIES: readonly SpendCategory[] = ['shopping', 'electronics', 'dining', 'delivery'];

/**
 * Expected entries per day, `[activity, default, thin, high_volume]`. Thin customers live on
 * cash: a rare purchase, a monthly trip to the ATM, a transfer home. Savings accounts only see
 * card-like traffic in the high-volume profile, where round-ups and goal withdrawals stand in for
 * a busy savings pot.
 */
const ACTIVITY: Readonly<Record<AccountSubType, readonly (readonly [Activity, number, number, number])[]>> = {
  CurrentAccount: [
    ['groceries', 0.5, 0.03, 2],
    ['coffee', 0.55, 0, 2.25],
    ['delivery', 0.45, 0.01, 2],
    ['dining', 0.2, 0, 1.25],
    ['transport', 0.55, 0, 2.5],
    ['fuel', 0.15, 0.02, 0.6],
    ['pharmacy', 0.06, 0.005, 0.4],
    ['shopping', 0.14, 0, 1],
    ['electronics', 0.02, 0, 0.1],
    ['entertainment', 0.05, 0, 0.4],
    ['atm', 0.08, 0.07, 0.4],
    ['transferOut', 0.08, 0.03, 0.75],
    ['transferIn', 0.05, 0.005, 1.25],
    ['refund', 0.02, 0, 0.25],
  ],
  CreditCard: [
    ['groceries', 0.15, 0, 1.75],
    ['coffee', 0.1, 0, 1.5],
    ['delivery', 0.12, 0, 2],
    ['dining', 0.15, 0, 1.75],
    ['transport', 0.1, 0, 2.5],
    ['fuel', 0.08, 0, 0.75],
    ['pharmacy', 0.03, 0, 0.5],
    ['shopping', 0.15, 0, 2.5],
    ['electronics', 0.03, 0, 0.25],
    ['entertainment', 0.05, 0, 0.75],
    ['travel', 0.015, 0, 0.1],
    ['refund', 0.015, 0, 0.3],
  ],
  Savings: [
    ['roundUp', 0, 0, 12],
    ['goalWithdrawal', 0, 0, 4.5],
  ],
  Loan: [],
};
/** With a credit card in the wallet, part of the everyday spending moves off the debit card. */
const DEBIT_CARD_SHARE_WITH_CREDIT_CARD = 0.75;

export type ActivityMix = readonly (readonly [Activity, number])[];

export function isSpending(activity: Activity): activity is SpendCategory {
  return Object.hasOwn(CATEGORY_TRAITS, activity);
}

/** Expected entries per day of each activity on an account; `activity` is the customer's own pace. */
function activityMix(subType: AccountSubType, profile: Profile, activity: number, hasCard: boolean): ActivityMix {
  return ACTIVITY[subType]
    .map(([kind, normal, thin, heavy]) => {
      const debitCardShare = isSpending(kind) && subType === 'CurrentAccount' && hasCard ? DEBIT_CARD_SHARE_WITH_CREDIT_CARD : 1;
      const rate = { default: normal * activity * debitCardShare, thin, high_volume: heavy }[profile];
      return [kind, rate] as const;
    })
    .filter(([, rate]) => rate > 0);
}

/** Each account's mix, index-aligned with `accounts`; a default customer keeps a pace of their own. */
export function accountMixes(rng: Rng, accounts: readonly AccountPlan[], profile: Profile): ActivityMix[] {
  const hasCard = accounts.some((a) => a.subType === 'CreditCard');
  const activity = profile === 'default' ? 0.95 + 0.55 * rng.next() : 1;
  return accounts.map((a) => activityMix(a.subType, profile, activity, hasCard));
}

/** Mean of a log-uniform draw on [min, max]. */
export function logUniformMean([min, max]: readonly [number, number]): number {
  return (max - min) / Math.log(max / min);
}

/** Weekend days per week, for the average weekend uplift. */
const WEEKEND_SHARE = 2 / 7;

/**
 * Expected net outflow per day of `mixes`, in AED before the customer's scales apply: merchant
 * spending (less refunds) and cash (ATM and transfers out, less transfers in) apart, since the
 * plan scales them separately.
 */
export function expectedDailyOutflow(mixes: readonly ActivityMix[]): { merchant: number; cash: number } {
  let merchant = 0;
  let cash = 0;
  for (const mix of mixes) {
    for (const [activity, rate] of mix) {
      if (isSpending(activity)) {
        const t = CATEGORY_TRAITS[activity];
        merchant += rate * (1 + WEEKEND_SHARE * (t.weekendFactor - 1)) * logUniformMean([t.minAmount, t.maxAmount]);
        continue;
      }
      switch (activity) {
        case 'atm':
          cash += rate * logUniformMean(ATM_RANGE);
          break;
        case 'transferOut':
          cash += rate * logUniformMean(TRANSFER_OUT_RANGE);
          break;
        case 'transferIn':
          cash -= rate * logUniformMean(TRANSFER_IN_RANGE);
          break;
        case 'refund': {
          const means = REFUND_CATEGORIES.map((c) => logUniformMean([CATEGORY_TRAITS[c].minAmount, CATEGORY_TRAITS[c].maxAmount]));
          merchant -= (rate * means.reduce((a, b) => a + b, 0)) / means.length;
          break;
        }
        // Savings round-ups and goal withdrawals move money within the savings pot only.
        case 'roundUp':
        case 'goalWithdrawal':
          break;
      }
    }
  }
  return { merchant, cash };
}
