import { PERMISSIONS, type Permission } from '../domain/permissions.ts';

/** A bank openlean can connect to, as `GET /banks/v1` lists it. */
export interface BankDefinition {
  identifier: string;
  name: string;
  /** ISO 3166-1 alpha-2. */
  country: string;
  /** The currency its accounts are held in. */
  currency: string;
  /** IANA zone the bank books in; transaction date filters use it. */
  time_zone: string;
  bic: string;
  /** National bank code used inside its IBANs. */
  iban_bank_code: string;
  logo: string;
  capabilities: readonly Capability[];
  permissions: readonly Permission[];
  /** `sandbox` banks are served by openlean's own mock ASPSP. */
  kind: 'sandbox';
}

export const CAPABILITIES = ['data'] as const;
export type Capability = (typeof CAPABILITIES)[number];

/** The Gulf countries openlean's registry can hold; `GET /banks/v1?country=` accepts these. */
export const COUNTRIES = ['AE', 'SA', 'BH', 'KW', 'OM', 'QA'] as const;
export type Country = (typeof COUNTRIES)[number];

const logo = (initials: string, color: string) =>
  'data:image/svg+xml;base64,' +
  Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect width="64" height="64" rx="12" fill="${color}"/>` +
      `<text x="32" y="41" font-family="sans-serif" font-size="22" fill="#fff" text-anchor="middle">${initials}</text></svg>`,
  ).toString('base64');

/** The built-in sandbox banks: two in the UAE, one in KSA, one in a 3-decimal currency. */
export const SANDBOX_BANKS: readonly BankDefinition[] = [
  {
    identifier: 'SANDBOX_FALCON_AE',
    name: 'Falcon Bank (sandbox)',
    country: 'AE',
    currency: 'AED',
    time_zone: 'Asia/Dubai',
    bic: 'FLCNAEADXXX',
    iban_bank_code: '033',
    logo: logo('FB', '#0b5cad'),
    capabilities: ['data'],
    permissions: PERMISSIONS,
    kind: 'sandbox',
  },
  {
    identifier: 'SANDBOX_OASIS_AE',
    name: 'Oasis Islamic Bank (sandbox)',
    country: 'AE',
    currency: 'AED',
    time_zone: 'Asia/Dubai',
    bic: 'OASIAEADXXX',
    iban_bank_code: '046',
    logo: logo('OI', '#0f7a4f'),
    capabilities: ['data'],
    permissions: PERMISSIONS,
    kind: 'sandbox',
  },
  {
    identifier: 'SANDBOX_NAKHEEL_SA',
    name: 'Nakheel Bank (sandbox)',
    country: 'SA',
    currency: 'SAR',
    time_zone: 'Asia/Riyadh',
    bic: 'NAKHSARIXXX',
    iban_bank_code: '80',
    logo: logo('NB', '#7a3e0f'),
    capabilities: ['data'],
    permissions: PERMISSIONS,
    kind: 'sandbox',
  },
  {
    identifier: 'SANDBOX_PEARL_BH',
    name: 'Pearl Bank (sandbox)',
    country: 'BH',
    currency: 'BHD',
    time_zone: 'Asia/Bahrain',
    bic: 'PRLBBHBMXXX',
    iban_bank_code: 'PRLB',
    logo: logo('PB', '#5a2a82'),
    capabilities: ['data'],
    permissions: PERMISSIONS,
    kind: 'sandbox',
  },
];

export interface BankRegistry {
  list(): readonly BankDefinition[];
  get(identifier: string): BankDefinition | undefined;
}

export function createBankRegistry(banks: readonly BankDefinition[] = SANDBOX_BANKS): BankRegistry {
  const byId = new Map(banks.map((b) => [b.identifier, b]));
  return { list: () => banks, get: (identifier) => byId.get(identifier) };
}
