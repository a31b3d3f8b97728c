import type { IbanCountry } from './iban.ts';

/** The countries the generator can build customers for. */
export const GENERATOR_COUNTRIES = ['AE', 'SA', 'BH'] as const;
export type GeneratorCountry = (typeof GENERATOR_COUNTRIES)[number];

export function isGeneratorCountry(country: string): country is GeneratorCountry {
  return (GENERATOR_COUNTRIES as readonly string[]).includes(country);
}

/** Another bank, as a counterparty: where beneficiaries and senders hold their accounts. */
export interface CounterpartyBank {
  name: string;
  bic: string;
  country: IbanCountry;
  /** The bank code inside its IBANs. */
  ibanCode: string;
}

/** A company the customer pays, with the name it goes by on statements. */
export interface Biller {
  name: string;
  mcc: string;
}

export interface City {
  town: string;
  subDivision: string;
  areas: readonly string[];
  /** Null where roads are numbered rather than named (Bahrain: Road 2803, Block 428). */
  streets: readonly string[] | null;
  /** Electricity and water: each emirate has its own authority. */
  utility: Biller;
  /** The landline area code after the country code. */
  areaCode: string;
  /** Saudi national-address post codes of the city, as an inclusive range. */
  postCodes: readonly [number, number] | null;
}

/** Amount ranges are in the local currency's major units. */
export interface CountryFacts {
  callingCode: string;
  mobilePrefixes: readonly string[];
  /** Subscriber digits after the mobile prefix. */
  mobileDigits: number;
  landlineDigits: number;
  /** Days off (0 = Sunday): payroll and cheque clearing move to the working day before. */
  weekend: readonly number[];
  vatPercent: number;
  /** Converts the AED-denominated spending ranges of `CATEGORY_TRAITS` to the local currency. */
  spendScale: number;
  /** Card amounts are multiples of this many minor units (Bahraini prices end in 0 or 5 fils). */
  retailStepMinor: number;
  /** The instant-payment scheme transfers to friends go through. */
  instantScheme: string;
  salary: { min: number; max: number; roundTo: number; typical: number };
  /** Rent as a share of salary; the UAE pays a year's rent in post-dated cheques, the others monthly. */
  rent: { mode: 'cheques' | 'monthly'; minShare: number; maxShare: number; roundTo: number };
  utilityBill: { min: number; max: number };
  telecomBill: { min: number; max: number };
  /** Monthly fee when the current account's balance is under `minimumBalance`; null where banks charge none. */
  belowMinimumFee: { minimumBalance: number; fee: number } | null;
  remittanceFee: number;
  cardReplacementFee: number;
  atmNote: number;
  /** Loan principals and card limits are round numbers. */
  loanRoundTo: number;
  cardLimitRoundTo: number;
  employers: readonly string[];
  cities: readonly City[];
  telecoms: readonly Biller[];
  insurers: readonly Biller[];
  gyms: readonly Biller[];
  landlordCompanies: readonly string[];
  carDealers: readonly string[];
  banks: readonly CounterpartyBank[];
  citizenFamilyNames: readonly string[];
  /** Families of Arab expatriates, who send money home. */
  expatFamilyNames: readonly string[];
}

const bank = (name: string, bic: string, country: IbanCountry, ibanCode: string): CounterpartyBank => ({
  name,
  bic,
  country,
  ibanCode,
});
const biller = (name: string, mcc: string): Biller => ({ name, mcc });

const EXPAT_FAMILIES = [
  'Haddad',
  'Khoury',
  'Nassar',
  'Saleh',
  'Abdel Rahman',
  'El Sayed',
  'Awad',
  'Darwish',
  'Mahmoud',
  'Barakat',
  'Hijazi',
  'Qasem',
];

/** Where expatriates' families bank, for remittances home. */
export const HOME_BANKS: readonly CounterpartyBank[] = [
  bank('Arab Bank', 'ARABJOAX', 'JO', 'ARAB1180'),
  bank('Housing Bank for Trade and Finance', 'HBHOJOAX', 'JO', 'HBHO0290'),
  bank('National Bank of Egypt', 'NBEGEGCX', 'EG', '00030001'),
  bank('Banque Misr', 'BMISEGCX', 'EG', '00020014'),
];

export const COUNTRIES: Readonly<Record<GeneratorCountry, CountryFacts>> = {
  AE: {
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
  },
  SA: {
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
  },
  BH: {
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
  },
};
