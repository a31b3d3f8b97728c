import type { NationalId } from './model.ts';
import type { Rng } from './prng.ts';

/** The digit that makes `digits` followed by it pass the Luhn check. */
function luhnCheckDigit(digits: string): string {
  let sum = 0;
  // The appended check digit takes the rightmost place, so doubling starts at the last given digit.
  for (let i = digits.length - 1, double = true; i >= 0; i--, double = !double) {
    let d = Number(digits[i]);
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}

/** Emirates ID: `784-YYYY-NNNNNNN-C`, 784 the UAE's ISO numeric code, YYYY the birth year, C a Luhn digit. */
function emiratesId(rng: Rng, birthYear: number): string {
  const serial = rng.digits(7);
  const check = luhnCheckDigit(`784${birthYear}${serial}`);
  return `784-${birthYear}-${serial}-${check}`;
}

/** Saudi national id: 10 digits, 1 for citizens and 2 for residents (iqama), the last a Luhn digit. */
function saudiId(rng: Rng, citizen: boolean): string {
  const body = (citizen ? '1' : '2') + rng.digits(8);
  return body + luhnCheckDigit(body);
}

/**
 * Bahraini CPR: 9 digits opening with the birth year and month (YYMM). The check-digit rule is
 * not published, so the rest is drawn at random.
 */
function bahrainCpr(rng: Rng, birthDate: string): string {
  return birthDate.slice(2, 4) + birthDate.slice(5, 7) + rng.digits(5);
}

/** The id a bank in `country` files a person under; `citizen` only matters in Saudi Arabia. */
export function nationalIdFor(country: 'AE' | 'SA' | 'BH', rng: Rng, birthDate: string, citizen: boolean): NationalId {
  switch (country) {
    case 'AE':
      return { scheme: 'EmiratesId', value: emiratesId(rng, Number(birthDate.slice(0, 4))) };
    case 'SA':
      return { scheme: 'SaudiNationalId', value: saudiId(rng, citizen) };
    case 'BH':
      return { scheme: 'BahrainCpr', value: bahrainCpr(rng, birthDate) };
  }
}
