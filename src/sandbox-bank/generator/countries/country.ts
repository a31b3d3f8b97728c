import type { IbanFormat } from '../iban.ts';
import type { NationalId, PostalAddress } from '../model.ts';
import type { Rng } from '../prng.ts';
import type { Merchant, SpendCategory } from '../spend-categories.ts';

/** The countries the generator can build customers for. */
export const GENERATOR_COUNTRIES = ['AE', 'SA', 'BH'] as const;
export type GeneratorCountry = (typeof GENERATOR_COUNTRIES)[number];

/** Where a customer's money can go: the generator's countries and the home countries of expatriates. */
export type BankingCountryCode = GeneratorCountry | 'JO' | 'EG';

/** What the generator needs of any country whose accounts appear in a customer's data. */
export interface BankingCountry {
  code: BankingCountryCode;
  iban: IbanFormat;
  /** Digits of a domestic account number, for counterparties' accounts. */
  accountNumberLength: number;
}

/** Another bank, as a counterparty: where beneficiaries and senders hold their accounts. */
export interface CounterpartyBank {
  name: string;
  bic: string;
  country: BankingCountryCode;
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

/** The part of a home address each country's post writes its own way. */
export type StreetAddress = Pick<PostalAddress, 'addressLine' | 'buildingNumber' | 'streetName' | 'postCode'>;

/** The pieces a bank's own account numbers are made of; `digit` is a random one some formats end with. */
export interface AccountNumberParts {
  branch: string;
  /** The customer number (CIF). */
  cif: string;
  serial: string;
  digit: string;
}

/**
 * Everything country-specific the generator knows: prices, people, companies, formats and the
 * wording of statements. Amount ranges are in the local currency's major units.
 */
export interface Country extends BankingCountry {
  code: GeneratorCountry;
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
  /** Share of the customers who are expatriates. */
  expatriateShare: number;
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
  savingsNicknames: readonly string[];
  /** Card acceptors by category. */
  merchants: Readonly<Record<SpendCategory, readonly Merchant[]>>;
  /** Monthly card subscriptions (streaming line-ups differ). */
  subscriptions: readonly Merchant[];
  /** The bank's own domestic account number. */
  accountNumber(parts: AccountNumberParts): string;
  /** The street part of a home address in `area` of `city`. */
  address(rng: Rng, city: City, area: string): StreetAddress;
  /** The id a bank files a person under; `citizen` only matters where residents get other numbers. */
  nationalId(rng: Rng, birthDate: string, citizen: boolean): NationalId;
  /** Statement narratives, upper case as the banks print them. */
  statement: {
    salary(employer: string): string;
    billPayment(biller: string, contract: string): string;
  };
}

export const counterpartyBank = (name: string, bic: string, country: BankingCountryCode, ibanCode: string): CounterpartyBank => ({
  name,
  bic,
  country,
  ibanCode,
});
export const biller = (name: string, mcc: string): Biller => ({ name, mcc });
export const merchant = (name: string, mcc: string): Merchant => ({ name, mcc });
