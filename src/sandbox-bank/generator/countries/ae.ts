import { luhnCheckDigit } from '../luhn.ts';
import type { Rng } from '../prng.ts';
import { biller, counterpartyBank as bank, merchant as m, type Country } from './country.ts';
import { EXPAT_FAMILIES, REGIONAL_SUBSCRIPTIONS } from './region.ts';

/** Residential buildings a flat address names. */
const BUILDING_NAMES = [
  'Al Noor Tower',
  'Marina Heights',
  'Al Waleed Building',
  'Crescent Tower',
  'Park View Residence',
  'Al Zarooni Building',
  'Sky Gardens',
  'Lake Shore Tower',
  'Golden Sands 5',
  'Emerald Residence',
  'Al Fajer Building',
];

/** Emirates ID: `784-YYYY-NNNNNNN-C`, 784 the UAE's ISO numeric code, YYYY the birth year, C a Luhn digit. */
function emiratesId(rng: Rng, birthYear: number): string {
  const serial = rng.digits(7);
  const check = luhnCheckDigit(`784${birthYear}${serial}`);
  return `784-${birthYear}-${serial}-${check}`;
}

/** The United Arab Emirates: post-dated rent cheques, salaries through the Wage Protection System. */
export const UAE: Country = {
  code: 'AE',
  iban: { bankCode: /^\d{3}$/, accountLength: 16 },
  accountNumberLength: 13,
  callingCode: '971',
  mobilePrefixes: ['50', '52', '54', '55', '56', '58'],
  mobileDigits: 7,
  landlineDigits: 7,
  weekend: [6, 0],
  vatPercent: 5,
  spendScale: 1,
  retailStepMinor: 1,
  instantScheme: 'AANI',
  salary: { min: 11_000, max: 48_000, roundTo: 250, typical: 20_000 },
  rent: { mode: 'cheques', minShare: 0.2, maxShare: 0.3, roundTo: 1_000 },
  utilityBill: { min: 280, max: 780 },
  telecomBill: { min: 150, max: 420 },
  belowMinimumFee: { minimumBalance: 3_000, fee: 25 },
  remittanceFee: 25,
  cardReplacementFee: 50,
  atmNote: 100,
  loanRoundTo: 5_000,
  cardLimitRoundTo: 1_000,
  expatriateShare: 0.5,
  employers: [
    'Emirates Group',
    'Emaar Properties PJSC',
    'Majid Al Futtaim Holding',
    'ADNOC Distribution',
    'Etihad Airways',
    'Al-Futtaim Group',
    'Dubai Holding LLC',
    'Aldar Properties PJSC',
    'Cleveland Clinic Abu Dhabi',
    'DP World',
    'Jumeirah Group',
    'Careem Networks FZ-LLC',
  ],
  cities: [
    {
      town: 'Dubai',
      subDivision: 'Dubai',
      areas: ['Al Barsha 1', 'Jumeirah Village Circle', 'Dubai Marina', 'Al Nahda 2', 'Mirdif', 'Business Bay', 'Al Qusais 1', 'Dubai Silicon Oasis'],
      streets: ['Sheikh Zayed Road', 'Al Khail Road', 'Hessa Street', 'Al Wasl Road', 'Al Rigga Street', 'Algeria Street', 'Umm Suqeim Street'],
      utility: biller('DEWA', '4900'),
      areaCode: '4',
      postCodes: null,
    },
    {
      town: 'Abu Dhabi',
      subDivision: 'Abu Dhabi',
      areas: ['Al Reem Island', 'Khalifa City', 'Al Khalidiyah', 'Mohammed Bin Zayed City', 'Al Muroor', 'Al Raha Beach'],
      streets: ['Corniche Road', 'Airport Road', 'Hamdan Bin Mohammed Street', 'Al Falah Street', 'Muroor Road'],
      utility: biller('ADDC', '4900'),
      areaCode: '2',
      postCodes: null,
    },
    {
      town: 'Sharjah',
      subDivision: 'Sharjah',
      areas: ['Al Majaz 2', 'Al Nahda', 'Al Taawun', 'Muwaileh', 'Al Khan', 'Al Qasimia'],
      streets: ['Al Wahda Street', 'King Faisal Street', 'Al Khan Road', 'University City Road', 'Jamal Abdul Nasser Street'],
      utility: biller('SEWA', '4900'),
      areaCode: '6',
      postCodes: null,
    },
  ],
  telecoms: [biller('e& (Etisalat)', '4814'), biller('du', '4814')],
  insurers: [biller('Sukoon Insurance', '6300'), biller('Orient Insurance', '6300'), biller('Daman Health', '6300'), biller('GIG Gulf', '6300')],
  gyms: [biller('Fitness First UAE', '7997'), biller('GymNation', '7997'), biller("Gold's Gym UAE", '7997')],
  landlordCompanies: ['Nakheel PJSC', 'Dubai Properties LLC', 'Deyaar Development', 'Aldar Properties PJSC', 'Arady Properties'],
  carDealers: ['Al-Futtaim Motors', 'Arabian Automobiles Company', 'AGMC', 'Al Tayer Motors', 'Al Masaood Automobiles'],
  banks: [
    bank('Emirates NBD', 'EBILAEAD', 'AE', '026'),
    bank('First Abu Dhabi Bank', 'NBADAEAA', 'AE', '035'),
    bank('Abu Dhabi Commercial Bank', 'ADCBAEAA', 'AE', '030'),
    bank('Dubai Islamic Bank', 'DUIBAEAD', 'AE', '024'),
    bank('Mashreq', 'BOMLAEAD', 'AE', '033'),
    bank('RAKBANK', 'NRAKAEAK', 'AE', '040'),
    bank('Abu Dhabi Islamic Bank', 'ABDIAEAD', 'AE', '050'),
  ],
  citizenFamilyNames: [
    'Al Mansoori',
    'Al Nuaimi',
    'Al Shamsi',
    'Al Ketbi',
    'Al Mazrouei',
    'Al Dhaheri',
    'Al Falasi',
    'Al Suwaidi',
    'Al Hammadi',
    'Al Marzooqi',
    'Al Muhairi',
    'Al Zaabi',
    'Al Blooshi',
    'Al Kaabi',
  ],
  expatFamilyNames: EXPAT_FAMILIES,
  savingsNicknames: ['Rainy day', 'Holiday fund', 'Emergency fund'],
  merchants: {
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
  subscriptions: [...REGIONAL_SUBSCRIPTIONS, m('OSN+', '4899'), m('Amazon Prime AE', '5968')],
  accountNumber: ({ branch, cif, serial }) => branch.slice(1) + cif + serial,
  address(rng, city, area) {
    const street = rng.pick(city.streets ?? []);
    const building = rng.pick(BUILDING_NAMES);
    return {
      addressLine: [`Flat ${rng.int(1, 24)}${rng.int(0, 1)}${rng.int(1, 9)}, ${building}`, area, `P.O. Box ${rng.int(1_000, 499_999)}`],
      buildingNumber: String(rng.int(1, 240)),
      streetName: street,
      postCode: null,
    };
  },
  nationalId: (rng, birthDate) => ({ scheme: 'EmiratesId', value: emiratesId(rng, Number(birthDate.slice(0, 4))) }),
  statement: {
    salary: (employer) => `SALARY WPS ${employer}`,
    billPayment: (biller, contract) => `${biller} BILL PAYMENT ${contract}`,
  },
};
