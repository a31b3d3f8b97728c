/** A card acceptor, with its ISO 18245 merchant category code. */
export interface Merchant {
  name: string;
  mcc: string;
}

export const SPEND_CATEGORIES = [
  'groceries',
  'coffee',
  'delivery',
  'dining',
  'transport',
  'fuel',
  'pharmacy',
  'shopping',
  'electronics',
  'entertainment',
  'travel',
] as const;
export type SpendCategory = (typeof SPEND_CATEGORIES)[number];

/**
 * How people spend in a category: the amount range in AED (scaled to the local currency and the
 * customer's income) and the local hours purchases happen in.
 */
export interface CategoryTraits {
  minAmount: number;
  maxAmount: number;
  fromHour: number;
  toHour: number;
  /** Extra activity on the weekend. */
  weekendFactor: number;
}

export const CATEGORY_TRAITS: Readonly<Record<SpendCategory, CategoryTraits>> = {
  groceries: { minAmount: 12, maxAmount: 260, fromHour: 9, toHour: 23, weekendFactor: 1.4 },
  coffee: { minAmount: 9, maxAmount: 38, fromHour: 7, toHour: 21, weekendFactor: 0.9 },
  delivery: { minAmount: 22, maxAmount: 120, fromHour: 12, toHour: 24, weekendFactor: 1.3 },
  dining: { minAmount: 35, maxAmount: 260, fromHour: 12, toHour: 24, weekendFactor: 1.6 },
  transport: { minAmount: 8, maxAmount: 60, fromHour: 7, toHour: 24, weekendFactor: 0.8 },
  fuel: { minAmount: 50, maxAmount: 200, fromHour: 6, toHour: 23, weekendFactor: 1 },
  pharmacy: { minAmount: 12, maxAmount: 180, fromHour: 9, toHour: 23, weekendFactor: 1 },
  shopping: { minAmount: 30, maxAmount: 500, fromHour: 10, toHour: 23, weekendFactor: 1.7 },
  electronics: { minAmount: 99, maxAmount: 2_500, fromHour: 10, toHour: 23, weekendFactor: 1.8 },
  entertainment: { minAmount: 30, maxAmount: 220, fromHour: 14, toHour: 24, weekendFactor: 2.2 },
  travel: { minAmount: 350, maxAmount: 3_000, fromHour: 0, toHour: 24, weekendFactor: 1 },
};
