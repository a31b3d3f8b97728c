import type { City, Country } from './countries/index.ts';
import type { Gender, Person, PostalAddress } from './model.ts';
import type { Rng } from './prng.ts';

const MALE_NAMES = [
  'Mohammed',
  'Ahmed',
  'Abdullah',
  'Khalid',
  'Omar',
  'Ali',
  'Hassan',
  'Hussain',
  'Yousef',
  'Saeed',
  'Sultan',
  'Rashid',
  'Hamad',
  'Faisal',
  'Saud',
  'Fahad',
  'Majed',
  'Tariq',
  'Ibrahim',
  'Mansour',
  'Nasser',
  'Salem',
  'Hamdan',
  'Waleed',
  'Adel',
  'Bader',
  'Turki',
  'Nawaf',
  'Ziad',
  'Karim',
];

const FEMALE_NAMES = [
  'Fatima',
  'Aisha',
  'Maryam',
  'Noura',
  'Sara',
  'Hessa',
  'Latifa',
  'Mona',
  'Reem',
  'Shamma',
  'Alia',
  'Amal',
  'Dana',
  'Huda',
  'Layla',
  'Lubna',
  'Maha',
  'Nadia',
  'Rania',
  'Salma',
  'Hind',
  'Jawaher',
  'Asma',
  'Nouf',
  'Lama',
  'Ghada',
  'Yasmin',
  'Rana',
];

const EMAIL_DOMAINS = ['gmail.com', 'outlook.com', 'hotmail.com', 'yahoo.com', 'icloud.com'];

function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z]/g, '');
}

function isoDate(year: number, month: number, day: number): string {
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** A home address in the city, written the way the country's post does it. */
export function addressIn(rng: Rng, country: Country, city: City): PostalAddress {
  const area = rng.pick(city.areas);
  return {
    addressType: 'Residential',
    townName: city.town,
    countrySubDivision: city.subDivision,
    country: country.code,
    ...country.address(rng, city, area),
  };
}

export interface PersonSpec {
  partyId: string;
  partyNumber: string;
  gender: Gender;
  /** Expatriates get an expatriate family name and, in Saudi Arabia, a resident (iqama) number. */
  expatriate: boolean;
  address: PostalAddress;
  areaCode: string;
}

/** A person with a full identity; `rng` draws only from this person's own stream. */
export function generatePerson(rng: Rng, country: Country, spec: PersonSpec): Person {
  const givenName = rng.pick(spec.gender === 'Male' ? MALE_NAMES : FEMALE_NAMES);
  const fatherName = rng.pick(MALE_NAMES);
  const grandfatherName = rng.pick(MALE_NAMES);
  const familyName = rng.pick(spec.expatriate ? country.expatFamilyNames : country.citizenFamilyNames);
  const year = rng.int(1968, 2001);
  const birthDate = isoDate(year, rng.int(1, 12), rng.int(1, 28));
  const nationalId = country.nationalId(rng, birthDate, !spec.expatriate);
  const suffix = rng.chance(0.6) ? String(year % 100).padStart(2, '0') : '';
  const emailAddress = `${slug(givenName)}.${slug(familyName)}${suffix}@${rng.pick(EMAIL_DOMAINS)}`;
  const mobile = `+${country.callingCode}-${rng.pick(country.mobilePrefixes)}${rng.digits(country.mobileDigits)}`;
  const phone = rng.chance(0.35) ? `+${country.callingCode}-${spec.areaCode}${rng.int(2, 8)}${rng.digits(country.landlineDigits - 1)}` : null;
  return {
    partyId: spec.partyId,
    partyNumber: spec.partyNumber,
    givenName,
    fatherName,
    familyName,
    name: `${givenName} ${familyName}`,
    fullLegalName: `${givenName} ${fatherName} ${grandfatherName} ${familyName}`,
    gender: spec.gender,
    birthDate,
    nationalId,
    emailAddress,
    mobile,
    phone,
    address: spec.address,
  };
}

/** A name for a counterparty who is a person (a friend, a landlord, a relative). */
export function personName(rng: Rng, country: Country, familyName?: string): string {
  const given = rng.pick(rng.chance(0.6) ? MALE_NAMES : FEMALE_NAMES);
  return `${given} ${familyName ?? rng.pick(rng.chance(0.7) ? country.citizenFamilyNames : country.expatFamilyNames)}`;
}
