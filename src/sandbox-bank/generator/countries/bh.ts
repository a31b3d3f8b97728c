import type { Rng } from '../prng.ts';
import { biller, counterpartyBank as bank, merchant as m, type Country } from './country.ts';
import { EXPAT_FAMILIES, REGIONAL_SUBSCRIPTIONS } from './region.ts';

/**
 * Bahraini CPR: 9 digits opening with the birth year and month (YYMM). The check-digit rule is
 * not published, so the rest is drawn at random.
 */
function bahrainCpr(rng: Rng, birthDate: string): string {
  return birthDate.slice(2, 4) + birthDate.slice(5, 7) + rng.digits(5);
}

/** Bahrain: a three-decimal currency, numbered roads and blocks. */
export const BAHRAIN: Country = {
  code: 'BH',
  iban: { bankCode: /^[A-Z]{4}$/, accountLength: 14 },
  accountNumberLength: 12,
  callingCode: '973',
  mobilePrefixes: ['33', '34', '35', '36', '39'],
  mobileDigits: 6,
  landlineDigits: 6,
  weekend: [5, 6],
  vatPercent: 10,
  spendScale: 0.1,
  retailStepMinor: 5,
  instantScheme: 'FAWRI+',
  salary: { min: 750, max: 3_600, roundTo: 25, typical: 1_500 },
  rent: { mode: 'monthly', minShare: 0.2, maxShare: 0.3, roundTo: 5 },
  utilityBill: { min: 14, max: 55 },
  telecomBill: { min: 12, max: 38 },
  belowMinimumFee: { minimumBalance: 200, fee: 2 },
  remittanceFee: 2,
  cardReplacementFee: 5,
  atmNote: 10,
  loanRoundTo: 500,
  cardLimitRoundTo: 100,
  expatriateShare: 0.22,
  employers: [
    'Bapco Energies',
    'Aluminium Bahrain (Alba)',
    'Gulf Air',
    'Batelco',
    'Investcorp',
    'GFH Financial Group',
    'Bahrain Airport Company',
    'Nass Corporation',
    'Almoayyed International Group',
  ],
  cities: [
    {
      town: 'Manama',
      subDivision: 'Capital Governorate',
      areas: ['Seef', 'Juffair', 'Adliya', 'Hoora', 'Sanabis', 'Gudaibiya', 'Um Al Hassam'],
      streets: null,
      utility: biller('EWA', '4900'),
      areaCode: '17',
      postCodes: null,
    },
    {
      town: 'Muharraq',
      subDivision: 'Muharraq Governorate',
      areas: ['Busaiteen', 'Amwaj Islands', 'Arad', 'Hidd'],
      streets: null,
      utility: biller('EWA', '4900'),
      areaCode: '17',
      postCodes: null,
    },
    {
      town: 'Riffa',
      subDivision: 'Southern Governorate',
      areas: ['East Riffa', 'West Riffa', 'Al Hajiyat', 'Bukuwara'],
      streets: null,
      utility: biller('EWA', '4900'),
      areaCode: '17',
      postCodes: null,
    },
  ],
  telecoms: [biller('Batelco', '4814'), biller('Zain Bahrain', '4814'), biller('stc Bahrain', '4814')],
  insurers: [biller('Solidarity Bahrain', '6300'), biller('GIG Bahrain', '6300'), biller('Bahrain National Life', '6300')],
  gyms: [biller('Fitness First Bahrain', '7997'), biller('Bodylines', '7997')],
  landlordCompanies: ['Seef Properties', 'Diyar Al Muharraq', 'Edamah Real Estate'],
  carDealers: ['Ebrahim K. Kanoo', 'Behbehani Bros.', 'Y.K. Almoayyed & Sons', 'Euro Motors'],
  banks: [
    bank('National Bank of Bahrain', 'NBOBBHBM', 'BH', 'NBOB'),
    bank('BBK', 'BBKUBHBM', 'BH', 'BBKU'),
    bank('Ahli United Bank', 'AUBBBHBM', 'BH', 'AUBB'),
    bank('Bahrain Islamic Bank', 'BIBBBHBM', 'BH', 'BIBB'),
  ],
  citizenFamilyNames: [
    'Al Dosari',
    'Al Jalahma',
    'Al Mannai',
    'Kanoo',
    'Fakhro',
    'Al Zayani',
    'Al Sayed',
    'Al Mahmood',
    'Al Aradi',
    'Al Binali',
    'Al Mutawa',
    'Al Musallam',
    'Al Kooheji',
    'Bukhammas',
  ],
  expatFamilyNames: EXPAT_FAMILIES,
  savingsNicknames: ['Rainy day', 'Holiday fund', 'Emergency fund'],
  merchants: {
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
  subscriptions: [...REGIONAL_SUBSCRIPTIONS, m('OSN+', '4899')],
  accountNumber: ({ branch, cif, serial }) => branch.slice(2) + cif + serial,
  address(rng, _city, area) {
    const road = `Road ${rng.int(1, 99) * 100 + rng.int(1, 40)}`;
    const building = String(rng.int(1, 2_999));
    return {
      addressLine: [`Flat ${rng.int(1, 40)}, Building ${building}`, `${road}, Block ${rng.int(300, 999)}`, area],
      buildingNumber: building,
      streetName: road,
      postCode: null,
    };
  },
  nationalId: (rng, birthDate) => ({ scheme: 'BahrainCpr', value: bahrainCpr(rng, birthDate) }),
  statement: {
    salary: (employer) => `SALARY ${employer}`,
    billPayment: (biller, contract) => `${biller} BILL PAYMENT ${contract}`,
  },
};
