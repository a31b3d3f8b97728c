import { luhnCheckDigit } from '../luhn.ts';
import type { Rng } from '../prng.ts';
import { biller, counterpartyBank as bank, merchant as m, type Country } from './country.ts';
import { EXPAT_FAMILIES, REGIONAL_SUBSCRIPTIONS } from './region.ts';

/** Saudi national id: 10 digits, 1 for citizens and 2 for residents (iqama), the last a Luhn digit. */
function saudiId(rng: Rng, citizen: boolean): string {
  const body = (citizen ? '1' : '2') + rng.digits(8);
  return body + luhnCheckDigit(body);
}

/** Saudi Arabia: bills paid through SADAD, national addresses with post codes. */
export const SAUDI_ARABIA: Country = {
  code: 'SA',
  iban: { bankCode: /^\d{2}$/, accountLength: 18 },
  accountNumberLength: 15,
  callingCode: '966',
  mobilePrefixes: ['50', '53', '54', '55', '56', '57', '58', '59'],
  mobileDigits: 7,
  landlineDigits: 7,
  weekend: [5, 6],
  vatPercent: 15,
  spendScale: 1,
  retailStepMinor: 1,
  instantScheme: 'SARIE',
  salary: { min: 9_000, max: 42_000, roundTo: 250, typical: 17_000 },
  rent: { mode: 'monthly', minShare: 0.16, maxShare: 0.26, roundTo: 100 },
  utilityBill: { min: 160, max: 620 },
  telecomBill: { min: 110, max: 380 },
  belowMinimumFee: null,
  remittanceFee: 25,
  cardReplacementFee: 30,
  atmNote: 100,
  loanRoundTo: 5_000,
  cardLimitRoundTo: 1_000,
  expatriateShare: 0.22,
  employers: [
    'Saudi Aramco',
    'SABIC',
    'Saudi Telecom Company',
    'Almarai Company',
    "Ma'aden",
    'Saudia Group',
    'Jarir Marketing Company',
    'Elm Company',
    'ACWA Power',
    'Savola Group',
    'King Faisal Specialist Hospital',
  ],
  cities: [
    {
      town: 'Riyadh',
      subDivision: 'Riyadh Region',
      areas: ['Al Olaya', 'Al Malqa', 'Al Yasmin', 'Al Nakheel', 'Al Sulimaniyah', 'Hittin', 'Al Wurud', 'Al Rabwah'],
      streets: ['King Fahd Road', 'Olaya Street', 'Takhassusi Street', 'Prince Turki Bin Abdulaziz Al Awwal Road', 'Anas Ibn Malik Road', 'King Abdullah Road'],
      utility: biller('Saudi Electricity Company', '4900'),
      areaCode: '11',
      postCodes: [11_000, 13_999],
    },
    {
      town: 'Jeddah',
      subDivision: 'Makkah Region',
      areas: ['Al Rawdah', 'Al Hamra', 'Al Zahra', 'Al Shati', 'Obhur Al Shamaliyah', 'Al Salamah', 'Al Naeem'],
      streets: ['Prince Sultan Road', 'Tahlia Street', 'King Abdulaziz Road', 'Palestine Street', 'Madinah Road', 'Sari Street'],
      utility: biller('Saudi Electricity Company', '4900'),
      areaCode: '12',
      postCodes: [21_000, 23_999],
    },
    {
      town: 'Dammam',
      subDivision: 'Eastern Province',
      areas: ['Al Shati', 'Al Faisaliyah', 'Al Mazruiyah', 'Al Nuzha', 'Al Aziziyah'],
      streets: ['King Saud Street', 'King Fahd Road', 'Prince Mohammed Bin Fahd Road', 'Al Khaleej Road'],
      utility: biller('Saudi Electricity Company', '4900'),
      areaCode: '13',
      postCodes: [32_000, 34_999],
    },
  ],
  telecoms: [biller('STC', '4814'), biller('Mobily', '4814'), biller('Zain KSA', '4814')],
  insurers: [biller('Tawuniya', '6300'), biller('Bupa Arabia', '6300'), biller('Al Rajhi Takaful', '6300'), biller('Walaa Insurance', '6300')],
  gyms: [biller('Fitness Time', '7997'), biller("Gold's Gym Arabia", '7997'), biller('Body Masters', '7997')],
  landlordCompanies: ['Dar Al Arkan Real Estate', 'Retal Urban Development', 'Jabal Omar Development', 'Al Akaria'],
  carDealers: ['Abdul Latif Jameel Motors', 'Aljomaih Automotive', 'Mohamed Yousuf Naghi Motors', 'Al-Futtaim Auto Saudi'],
  banks: [
    bank('Saudi National Bank', 'NCBKSAJE', 'SA', '10'),
    bank('Riyad Bank', 'RIBLSARI', 'SA', '20'),
    bank('Saudi Awwal Bank', 'SABBSARI', 'SA', '45'),
    bank('Al Rajhi Bank', 'RJHISARI', 'SA', '80'),
    bank('Alinma Bank', 'INMASARI', 'SA', '05'),
    bank('Banque Saudi Fransi', 'BSFRSARI', 'SA', '55'),
    bank('Arab National Bank', 'ARNBSARI', 'SA', '30'),
  ],
  citizenFamilyNames: [
    'Al Otaibi',
    'Al Qahtani',
    'Al Ghamdi',
    'Al Zahrani',
    'Al Harbi',
    'Al Dossary',
    'Al Shehri',
    'Al Mutairi',
    'Al Anazi',
    'Al Subaie',
    'Al Shammari',
    'Al Malki',
    'Al Omari',
    'Al Juhani',
  ],
  expatFamilyNames: EXPAT_FAMILIES,
  savingsNicknames: ['Umrah fund', 'Wedding savings', 'Emergency fund'],
  merchants: {
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
  subscriptions: [...REGIONAL_SUBSCRIPTIONS, m('STC TV', '4899'), m('Amazon Prime SA', '5968')],
  accountNumber: ({ branch, cif, serial, digit }) => branch + cif + serial + digit,
  /** The Saudi national address: building number, street, district, post code and additional number. */
  address(rng, city, area) {
    const street = rng.pick(city.streets ?? []);
    const building = String(rng.int(1_000, 9_999));
    const [low, high] = city.postCodes ?? [10_000, 99_999];
    return {
      addressLine: [`${building} ${street}`, `${area} District`, `Additional No. ${rng.int(1_000, 9_999)}`],
      buildingNumber: building,
      streetName: street,
      postCode: String(rng.int(low, high)),
    };
  },
  nationalId: (rng, _birthDate, citizen) => ({ scheme: 'SaudiNationalId', value: saudiId(rng, citizen) }),
  statement: {
    salary: (employer) => `PAYROLL ${employer}`,
    billPayment: (biller, contract) => `SADAD PAYMENT ${biller} ${contract}`,
  },
};
