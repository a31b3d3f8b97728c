import { counterpartyBank as bank, type BankingCountry, type CounterpartyBank } from './country.ts';

/** The home countries expatriates send money to: their banks and account formats. */

/** IBAN bank code is the 4-letter bank and 4-digit branch. */
export const JORDAN: BankingCountry = { code: 'JO', iban: { bankCode: /^[A-Z]{4}\d{4}$/, accountLength: 18 }, accountNumberLength: 10 };

/** IBAN bank code is the 4-digit bank and 4-digit branch. */
export const EGYPT: BankingCountry = { code: 'EG', iban: { bankCode: /^\d{8}$/, accountLength: 17 }, accountNumberLength: 13 };

/** Where expatriates' families bank, for remittances home. */
export const HOME_BANKS: readonly CounterpartyBank[] = [
  bank('Arab Bank', 'ARABJOAX', 'JO', 'ARAB1180'),
  bank('Housing Bank for Trade and Finance', 'HBHOJOAX', 'JO', 'HBHO0290'),
  bank('National Bank of Egypt', 'NBEGEGCX', 'EG', '00030001'),
  bank('Banque Misr', 'BMISEGCX', 'EG', '00020014'),
];
