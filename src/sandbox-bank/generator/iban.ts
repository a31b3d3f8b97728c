/**
 * IBANs (ISO 13616). Each country fixes the bank-code format and the account-number length
 * (countries/); shorter account numbers are zero-padded, as the banks there do.
 */

export interface IbanFormat {
  bankCode: RegExp;
  accountLength: number;
}

/** The remainder of the number the IBAN letters-to-digits rule (A = 10 … Z = 35) makes of `text`. */
function mod97(text: string): number {
  let remainder = 0;
  for (const ch of text) {
    const value = parseInt(ch, 36);
    remainder = (value > 9 ? remainder * 100 + value : remainder * 10 + value) % 97;
  }
  return remainder;
}

/**
 * Country, check digits, bank code, padded account number:
 * `ibanOf('AE', { bankCode: /^\d{3}$/, accountLength: 16 }, '033', '1234567890123') === 'AE200330001234567890123'`.
 */
export function ibanOf(country: string, format: IbanFormat, bankCode: string, accountNumber: string): string {
  if (!format.bankCode.test(bankCode)) throw new RangeError(`bank code ${bankCode} does not fit ${country} IBANs`);
  if (!/^[0-9A-Z]+$/.test(accountNumber) || accountNumber.length > format.accountLength) {
    throw new RangeError(`account number ${accountNumber} does not fit ${country} IBANs`);
  }
  const bban = bankCode + accountNumber.padStart(format.accountLength, '0');
  const check = 98 - mod97(bban + country + '00');
  return country + String(check).padStart(2, '0') + bban;
}
