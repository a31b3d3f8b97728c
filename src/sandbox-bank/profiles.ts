/**
 * The sandbox banks as banks: who they are (identity, BIC, IBAN bank code, whether Islamic) and
 * how they behave as ASPSPs (their FAPI profile). This is the mock's own description of itself;
 * openlean's client side learns about these banks only through the entries the composition root
 * builds from it (docs/decisions/010-real-banks-fapi.md), so nothing here is imported from there.
 */
export interface SandboxBankProfile {
  /** `[A-Z0-9_]+`; the `{bank}` path segment and the `bank_identifier` clients use. */
  identifier: string;
  name: string;
  /** Its name in Arabic. */
  name_ar: string;
  /** ISO 3166-1 alpha-2; the generator has country data for AE, SA and BH. */
  country: string;
  /** ISO 4217: the currency its accounts are held in. */
  currency: string;
  /** IANA zone it books in. */
  time_zone: string;
  /** Its BICFI, as servicer of its accounts. */
  bic: string;
  /** National bank code inside its IBANs. */
  iban_bank_code: string;
  /** Islamic banks name their products and their interest differently (profit, finance, covered card). */
  islamic: boolean;
  /** A `data:` URL: an SVG of the bank's initials. */
  logo: string;
  /** The FAPI profile its authorization server enforces. */
  security_profile: SandboxSecurityProfile;
  /** How it authenticates clients at its token and PAR endpoints. */
  client_auth: SandboxClientAuth;
  /** The algorithm it accepts on client assertions and request objects. */
  signing_alg: SandboxSigningAlg;
  response_type: SandboxResponseType;
  /** Whether it requires pushed authorization requests (RFC 9126). */
  par: boolean;
  /**
   * The account-information standard its resource server speaks: OBIE v3.1.11, UAE Open Finance
   * v2.1 (consent as RAR in the PAR) or KSA Open Banking 2022.11 (consent bound by its scope).
   */
  standard: SandboxStandard;
  /**
   * Whether openlean's entry for it asks for signed responses (`signed_responses`, UAE only). The
   * bank itself signs whenever a request accepts `application/jwt`.
   */
  signed_responses?: boolean;
}

export type SandboxStandard = 'obie-3.1' | 'uae-2.1' | 'ksa-2022.11';

export type SandboxSecurityProfile = 'fapi1-advanced' | 'fapi2';
export type SandboxClientAuth = 'private_key_jwt' | 'tls_client_auth';
export type SandboxSigningAlg = 'PS256' | 'ES256';
export type SandboxResponseType = 'code' | 'code id_token';

/** A 64×64 rounded square in `color` with white `initials`, as a `data:` URL. */
function initialsLogo(initials: string, color: string): string {
  return (
    'data:image/svg+xml;base64,' +
    Buffer.from(
      `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect width="64" height="64" rx="12" fill="${color}"/>` +
        `<text x="32" y="41" font-family="sans-serif" font-size="22" fill="#fff" text-anchor="middle">${initials}</text></svg>`,
    ).toString('base64')
  );
}

/**
 * The built-in sandbox banks: three in the UAE (one Islamic, one speaking UAE Open Finance v2.1),
 * two in KSA (one speaking KSA Open Banking), one in a 3-decimal currency; between them every FAPI
 * variant openlean's client supports.
 */
export const SANDBOX_BANK_PROFILES: readonly SandboxBankProfile[] = [
  {
    identifier: 'SANDBOX_FALCON_AE',
    name: 'Falcon Bank (sandbox)',
    name_ar: 'بنك فالكون (تجريبي)',
    country: 'AE',
    currency: 'AED',
    time_zone: 'Asia/Dubai',
    bic: 'FLCNAEADXXX',
    iban_bank_code: '033',
    islamic: false,
    logo: initialsLogo('FB', '#0b5cad'),
    security_profile: 'fapi2',
    client_auth: 'private_key_jwt',
    signing_alg: 'PS256',
    response_type: 'code',
    par: true,
    standard: 'obie-3.1',
  },
  {
    identifier: 'SANDBOX_OASIS_AE',
    name: 'Oasis Islamic Bank (sandbox)',
    name_ar: 'مصرف الواحة الإسلامي (تجريبي)',
    country: 'AE',
    currency: 'AED',
    time_zone: 'Asia/Dubai',
    bic: 'OASIAEADXXX',
    iban_bank_code: '046',
    islamic: true,
    logo: initialsLogo('OI', '#0f7a4f'),
    security_profile: 'fapi2',
    client_auth: 'tls_client_auth',
    signing_alg: 'PS256',
    response_type: 'code',
    par: true,
    standard: 'obie-3.1',
  },
  {
    identifier: 'SANDBOX_NAKHEEL_SA',
    name: 'Nakheel Bank (sandbox)',
    name_ar: 'بنك النخيل (تجريبي)',
    country: 'SA',
    currency: 'SAR',
    time_zone: 'Asia/Riyadh',
    bic: 'NAKHSARIXXX',
    iban_bank_code: '80',
    islamic: false,
    logo: initialsLogo('NB', '#7a3e0f'),
    security_profile: 'fapi1-advanced',
    client_auth: 'private_key_jwt',
    signing_alg: 'PS256',
    response_type: 'code id_token',
    par: true,
    standard: 'obie-3.1',
  },
  {
    identifier: 'SANDBOX_PEARL_BH',
    name: 'Pearl Bank (sandbox)',
    name_ar: 'بنك اللؤلؤ (تجريبي)',
    country: 'BH',
    currency: 'BHD',
    time_zone: 'Asia/Bahrain',
    bic: 'PRLBBHBMXXX',
    iban_bank_code: 'PRLB',
    islamic: false,
    logo: initialsLogo('PB', '#5a2a82'),
    security_profile: 'fapi1-advanced',
    client_auth: 'private_key_jwt',
    signing_alg: 'ES256',
    response_type: 'code id_token',
    par: false,
    standard: 'obie-3.1',
  },
  {
    identifier: 'SANDBOX_SAQR_AE',
    name: 'Saqr Bank (sandbox)',
    name_ar: 'بنك صقر (تجريبي)',
    country: 'AE',
    currency: 'AED',
    time_zone: 'Asia/Dubai',
    bic: 'SAQRAEADXXX',
    iban_bank_code: '051',
    islamic: false,
    logo: initialsLogo('SB', '#9a1b1b'),
    security_profile: 'fapi2',
    client_auth: 'private_key_jwt',
    signing_alg: 'PS256',
    response_type: 'code',
    par: true,
    standard: 'uae-2.1',
    signed_responses: true,
  },
  {
    identifier: 'SANDBOX_RIYADH_SA',
    name: 'Riyadh Bank of Commerce (sandbox)',
    name_ar: 'بنك الرياض التجاري (تجريبي)',
    country: 'SA',
    currency: 'SAR',
    time_zone: 'Asia/Riyadh',
    bic: 'RYDCSARIXXX',
    iban_bank_code: '65',
    islamic: false,
    logo: initialsLogo('RC', '#1d6b5f'),
    security_profile: 'fapi1-advanced',
    client_auth: 'private_key_jwt',
    signing_alg: 'PS256',
    response_type: 'code id_token',
    par: true,
    standard: 'ksa-2022.11',
  },
];
