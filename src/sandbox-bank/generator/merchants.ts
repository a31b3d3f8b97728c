import type { GeneratorCountry } from './countries.ts';

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

const m = (name: string, mcc: string): Merchant => ({ name, mcc });

const SUBSCRIPTIONS: readonly Merchant[] = [
  m('Netflix', '4899'),
  m('Shahid VIP', '4899'),
  m('Spotify', '5815'),
  m('Anghami', '5815'),
  m('APPLE.COM/BILL', '5818'),
  m('YouTube Premium', '5815'),
];

/** Monthly card subscriptions, by country (streaming line-ups differ). */
export const SUBSCRIPTION_MERCHANTS: Readonly<Record<GeneratorCountry, readonly Merchant[]>> = {
  AE: [...SUBSCRIPTIONS, m('OSN+', '4899'), m('Amazon Prime AE', '5968')],
  SA: [...SUBSCRIPTIONS, m('STC TV', '4899'), m('Amazon Prime SA', '5968')],
  BH: [...SUBSCRIPTIONS, m('OSN+', '4899')],
};

export const MERCHANTS: Readonly<Record<GeneratorCountry, Readonly<Record<SpendCategory, readonly Merchant[]>>>> = {
  AE: {
    groceries: [
      m('Carrefour', '5411'),
      m('Lulu Hypermarket', '5411'),
      m('Spinneys', '5411'),
      m('Union Coop', '5411'),
      m('Waitrose', '5411'),
      m('Choithrams', '5411'),
      m('Al Maya Supermarket', '5411'),
    ],
    coffee: [
      m('Starbucks', '5814'),
      m('Tim Hortons', '5814'),
      m('Costa Coffee', '5814'),
      m('% Arabica', '5814'),
      m('Dose Cafe', '5814'),
      m('Caribou Coffee', '5814'),
    ],
    delivery: [m('Talabat', '5814'), m('Deliveroo', '5814'), m('Noon Food', '5814'), m('Careem Food', '5814')],
    dining: [
      m('Shake Shack', '5812'),
      m('Operation Falafel', '5812'),
      m('Al Mallah', '5812'),
      m('Zaatar w Zeit', '5812'),
      m('Ravi Restaurant', '5812'),
      m('The Cheesecake Factory', '5812'),
      m('Al Safadi', '5812'),
    ],
    transport: [m('Careem', '4121'), m('Uber', '4121'), m('RTA Nol Top-up', '4111'), m('Salik', '4784')],
    fuel: [m('ENOC', '5541'), m('ADNOC Distribution', '5541'), m('Emarat', '5541')],
    pharmacy: [m('Aster Pharmacy', '5912'), m('Life Pharmacy', '5912'), m('Boots', '5912'), m('BinSina Pharmacy', '5912')],
    shopping: [
      m('Noon.com', '5399'),
      m('Amazon.ae', '5399'),
      m('Centrepoint', '5651'),
      m('Max Fashion', '5651'),
      m('IKEA', '5712'),
      m('Namshi', '5651'),
      m('Home Centre', '5712'),
    ],
    electronics: [m('Sharaf DG', '5732'), m('Jumbo Electronics', '5732'), m('Virgin Megastore', '5735'), m('Emax', '5732')],
    entertainment: [m('VOX Cinemas', '7832'), m('Reel Cinemas', '7832'), m('Dubai Parks and Resorts', '7996'), m('Ski Dubai', '7999')],
    travel: [m('Emirates', '4511'), m('flydubai', '4511'), m('Etihad Airways', '4511'), m('Booking.com', '4722'), m('Almosafer', '4722')],
  },
  SA: {
    groceries: [
      m('Panda', '5411'),
      m('Tamimi Markets', '5411'),
      m('Danube', '5411'),
      m('Othaim Markets', '5411'),
      m('Carrefour', '5411'),
      m('Lulu Hypermarket', '5411'),
      m('Farm Superstores', '5411'),
    ],
    coffee: [
      m('Starbucks', '5814'),
      m("Barn's", '5814'),
      m('Dr.Cafe Coffee', '5814'),
      m('Half Million', '5814'),
      m('Tim Hortons', '5814'),
      m("Dunkin'", '5814'),
    ],
    delivery: [m('HungerStation', '5814'), m('Jahez', '5814'), m('The Chefz', '5814'), m('Mrsool', '5814'), m('ToYou', '5814')],
    dining: [
      m('Al Baik', '5814'),
      m('Kudu', '5814'),
      m('Herfy', '5814'),
      m('Shawarmer', '5814'),
      m('Maestro Pizza', '5812'),
      m('Al Romansiah', '5812'),
      m('Najd Village', '5812'),
    ],
    transport: [m('Careem', '4121'), m('Uber', '4121'), m('Jeeny', '4121'), m('Riyadh Metro', '4111')],
    fuel: [m('Aldrees', '5541'), m('Petromin', '5541'), m('SASCO', '5541'), m('Naft', '5541')],
    pharmacy: [m('Nahdi Pharmacy', '5912'), m('Al-Dawaa Pharmacy', '5912'), m('Whites Pharmacy', '5912')],
    shopping: [
      m('Noon.com', '5399'),
      m('Amazon.sa', '5399'),
      m('Centrepoint', '5651'),
      m('Namshi', '5651'),
      m('IKEA', '5712'),
      m('Jarir Bookstore', '5942'),
      m('Max Fashion', '5651'),
    ],
    electronics: [m('eXtra', '5732'), m('Jarir Bookstore', '5942'), m('Virgin Megastore', '5735')],
    entertainment: [m('Muvi Cinemas', '7832'), m('VOX Cinemas', '7832'), m('AMC Cinemas', '7832'), m('Boulevard Riyadh City', '7996')],
    travel: [m('Saudia', '4511'), m('flynas', '4511'), m('flyadeal', '4511'), m('Almosafer', '4722'), m('Booking.com', '4722')],
  },
  BH: {
    groceries: [
      m('Lulu Hypermarket', '5411'),
      m('Al Jazira Supermarket', '5411'),
      m('Carrefour', '5411'),
      m('Mega Mart', '5411'),
      m('Ramez', '5411'),
      m('Al Helli Supermarket', '5411'),
    ],
    coffee: [m('Starbucks', '5814'), m('Costa Coffee', '5814'), m('Caribou Coffee', '5814'), m('Tim Hortons', '5814'), m("Dunkin'", '5814')],
    delivery: [m('Talabat', '5814'), m('Jahez', '5814')],
    dining: [
      m("Haji's Cafe", '5812'),
      m("Nando's", '5812'),
      m('Zaatar w Zeit', '5812'),
      m('Saffron by Jena', '5812'),
      m('Al Abraaj Restaurant', '5812'),
    ],
    transport: [m('Careem', '4121'), m('Uber', '4121'), m('Bahrain Public Transport', '4111')],
    fuel: [m('Bapco Energies Station', '5541')],
    pharmacy: [m('Nasser Pharmacy', '5912'), m('Ibn Sina Pharmacy', '5912'), m('Jaffar Pharmacy', '5912')],
    shopping: [
      m('Centrepoint', '5651'),
      m('Max Fashion', '5651'),
      m('IKEA', '5712'),
      m('Jashanmal', '5311'),
      m('Homes R Us', '5712'),
    ],
    electronics: [m('Sharaf DG', '5732'), m('Virgin Megastore', '5735'), m('Ashrafs', '5732')],
    entertainment: [m('Cineco', '7832'), m('VOX Cinemas', '7832'), m('Wahooo! Waterpark', '7996')],
    travel: [m('Gulf Air', '4511'), m('Booking.com', '4722'), m('Almosafer', '4722')],
  },
};
