import type { City, CountryFacts, GeneratorCountry } from './countries.ts';
import type { Gender, Person, PostalAddress } from './model.ts';
import { nationalIdFor } from './national-id.ts';
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

const EMAIL_DOMAINS = ['gmail.com', 'outlook.com', 'hotmail.com', 'yahoo.com', 'icloud.com'];

function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z]/g, '');
}

function isoDate(year: number, month: number, day: number): string {
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** A home address in the city, written the way each country's post does it. */
export function addressIn(rng: Rng, country: GeneratorCountry, city: City): PostalAddress {
  const area = rng.pick(city.areas);
  const base = { addressType: 'Residential' as const, townName: city.town, countrySubDivision: city.subDivision, country };
  switch (country) {
    case 'AE': {
      const street = rng.pick(city.streets ?? []);
      const building = rng.pick(BUILDING_NAMES);
      return {
        ...base,
        addressLine: [`Flat ${rng.int(1, 24)}${rng.int(0, 1)}${rng.int(1, 9)}, ${building}`, area, `P.O. Box ${rng.int(1_000, 499_999)}`],
        buildingNumber: String(rng.int(1, 240)),
        streetName: street,
        postCode: null,
      };
    }
    case 'SA': {
      // The Saudi national address: building number, street, district, post code and additional number.
      const street = rng.pick(city.streets ?? []);
      const building = String(rng.int(1_000, 9_999));
      const [low, high] = city.postCodes ?? [10_000, 99_999];
      return {
        ...base,
        addressLine: [`${building} ${street}`, `${area} District`, `Additional No. ${rng.int(1_000, 9_999)}`],
        buildingNumber: building,
        streetName: street,
        postCode: String(rng.int(low, high)),
      };
    }
    case 'BH': {
      const road = `Road ${rng.int(1, 99) * 100 + rng.int(1, 40)}`;
      const building = String(rng.int(1, 2_999));
      return {
        ...base,
        addressLine: [`Flat ${rng.int(1, 40)}, Building ${building}`, `${road}, Block ${rng.int(300, 999)}`, area],
        buildingNumber: building,
        streetName: road,
        postCode: null,
      };
    }
  }
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
export function generatePerson(rng: Rng, country: GeneratorCountry, facts: CountryFacts, spec: PersonSpec): Person {
  const givenName = rng.pick(spec.gender === 'Male' ? MALE_NAMES : FEMALE_NAMES);
  const fatherName = rng.pick(MALE_NAMES);
  const grandfatherName = rng.pick(MALE_NAMES);
  const familyName = rng.pick(spec.expatriate ? facts.expatFamilyNames : facts.citizenFamilyNames);
  const year = rng.int(1968, 2001);
  const birthDate = isoDate(year, rng.int(1, 12), rng.int(1, 28));
  const nationalId = nationalIdFor(country, rng, birthDate, !spec.expatriate);
  const suffix = rng.chance(0.6) ? String(year % 100).padStart(2, '0') : '';
  const emailAddress = `${slug(givenName)}.${slug(familyName)}${suffix}@${rng.pick(EMAIL_DOMAINS)}`;
  const mobile = `+${facts.callingCode}-${rng.pick(facts.mobilePrefixes)}${rng.digits(facts.mobileDigits)}`;
  const phone = rng.chance(0.35) ? `+${facts.callingCode}-${spec.areaCode}${rng.int(2, 8)}${rng.digits(facts.landlineDigits - 1)}` : null;
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
export function personName(rng: Rng, facts: CountryFacts, familyName?: string): string {
  const given = rng.pick(rng.chance(0.6) ? MALE_NAMES : FEMALE_NAMES);
  return `${given} ${familyName ?? rng.pick(rng.chance(0.7) ? facts.citizenFamilyNames : facts.expatFamilyNames)}`;
}
