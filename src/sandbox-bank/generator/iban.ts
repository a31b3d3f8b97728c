/**
 * IBANs (ISO 13616) for the countries the sandbox customers bank in or send money to. Each country
 * fixes the bank-code format and the account-number length; shorter account numbers are
 * zero-padded, as the banks there do.
 */

const FORMATS = {
  AE: { bankCode: /^\d{3}$/, accountLength: 16 },
  SA: { bankCode: /^\d{2}$/, accountLength: 18 },
  BH: { bankCode: /^[A-Z]{4}$/, accountLength: 14 },
  /** Bank code is the 4-letter bank and 4-digit branch. */
  JO: { bankCode: /^[A-Z]{4}\d{4}$/, accountLength: 18 },
  /** Bank code is the 4-digit bank and 4-digit branch. */
  EG: { bankCode: /^\d{8}$/, accountLength: 17 },
} as const;

export type IbanCountry = keyof typeof FORMATS;

/** The remainder of the number the IBAN letters-to-digits rule (A = 10 … Z = 35) makes of `text`. */
function mod97(text: string): number {
  let remainder = 0;
  for (const ch of text) {
    const value = parseInt(ch, 36);
    remainder = (value > 9 ? remainder * 100 + value : remainder * 10 + value) % 97;
  }
  return remainder;
}

/** Country, check digits, bank code, padded account number: `ibanOf('AE', '033', '1234567890123') === 'AE200330001234567890123'`. */
export function ibanOf(country: IbanCountry, bankCode: string, accountNumber: string): string {
  const format = FORMATS[country];
  if (!format.bankCode.test(bankCode)) throw new RangeError(`bank code ${bankCode} does not fit ${country} IBANs`);
  if (!/^[0-9A-Z]+$/.test(accountNumber) || accountNumber.length > format.accountLength) {
    throw new RangeError(`account number ${accountNumber} does not fit ${country} IBANs`);
  }
  const bban = bankCode + accountNumber.padStart(format.accountLength, '0');
  const check = 98 - mod97(bban + country + '00');
  return country + String(check).padStart(2, '0') + bban;
}
