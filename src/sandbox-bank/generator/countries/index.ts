import { ibanOf } from '../iban.ts';
import type { Rng } from '../prng.ts';
import { UAE } from './ae.ts';
import { BAHRAIN } from './bh.ts';
import { GENERATOR_COUNTRIES, type BankingCountry, type BankingCountryCode, type Country, type CounterpartyBank, type GeneratorCountry } from './country.ts';
import { EGYPT, JORDAN } from './home.ts';
import { SAUDI_ARABIA } from './sa.ts';

export type * from './country.ts';
export { HOME_BANKS } from './home.ts';

export const COUNTRIES: Readonly<Record<GeneratorCountry, Country>> = { AE: UAE, SA: SAUDI_ARABIA, BH: BAHRAIN };

const BANKING_COUNTRIES: Readonly<Record<BankingCountryCode, BankingCountry>> = { ...COUNTRIES, JO: JORDAN, EG: EGYPT };

export function isGeneratorCountry(country: string): country is GeneratorCountry {
  return (GENERATOR_COUNTRIES as readonly string[]).includes(country);
}

/** The IBAN of `accountNumber` at a bank of `country` whose IBANs carry `bankCode`. */
export function ibanIn(country: BankingCountryCode, bankCode: string, accountNumber: string): string {
  return ibanOf(country, BANKING_COUNTRIES[country].iban, bankCode, accountNumber);
}

/** A domestic account number at `bank`, as long as its country's are. */
export function counterpartyAccountNumber(rng: Rng, bank: CounterpartyBank): string {
  return rng.digits(BANKING_COUNTRIES[bank.country].accountNumberLength);
}
