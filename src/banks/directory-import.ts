import YAML from 'yaml';
import { ConfigError } from '../errors/config-error.ts';
import { FILL_IN, type BanksFileEntry } from './banks-file.ts';
import type { SecurityProfile, Standard } from './bank.ts';

/**
 * A trust framework's participants list, as Raidiam's directory serves it at `/participants`
 * (Al Tareq in the UAE, Open Finance Brasil, …): organisations, each with its authorisation
 * servers and the API families each serves. Only the fields the import reads.
 */
interface Organisation {
  OrganisationId?: string;
  OrganisationName?: string;
  RegisteredName?: string;
  Status?: string;
  /** ISO 3166-1 alpha-2. */
  Country?: string;
  CountryOfRegistration?: string;
  AuthorisationServers?: AuthorisationServer[];
}

interface AuthorisationServer {
  AuthorisationServerId?: string;
  Status?: string;
  CustomerFriendlyName?: string;
  CustomerFriendlyLogoUri?: string;
  /** `{issuer}/.well-known/openid-configuration`. */
  OpenIDDiscoveryDocument?: string;
  Issuer?: string | null;
  ApiResources?: ApiResource[];
}

interface ApiResource {
  /** `account` in the UAE, `accounts` in Brazil, … */
  ApiFamilyType?: string;
  ApiVersion?: string;
  ApiDiscoveryEndpoints?: Array<{ ApiEndpoint?: string }>;
}

/** What the import made of a participants list. */
export interface DirectoryImport {
  /** One per authorisation server serving account information, in the list's order. */
  entries: BanksFileEntry[];
  /** Authorisation servers left out, and why. */
  skipped: Array<{ name: string; reason: string }>;
}

/** Facts of the countries with an open-finance directory, for fields the list does not carry. */
const COUNTRY_DEFAULTS: Readonly<Record<string, { currency: string; time_zone: string; security_profile: SecurityProfile; standard: Standard }>> = {
  // Al Tareq (the UAE's API Hub) is FAPI 2.0 with UAE Open Finance v2.1; SAMA's KSA Open Banking,
  // the other Gulf frameworks and the UK's are FAPI 1.0 Advanced.
  AE: { currency: 'AED', time_zone: 'Asia/Dubai', security_profile: 'fapi2', standard: 'uae-2.1' },
  SA: { currency: 'SAR', time_zone: 'Asia/Riyadh', security_profile: 'fapi1-advanced', standard: 'ksa-2022.11' },
  BH: { currency: 'BHD', time_zone: 'Asia/Bahrain', security_profile: 'fapi1-advanced', standard: 'obie-3.1' },
  KW: { currency: 'KWD', time_zone: 'Asia/Kuwait', security_profile: 'fapi1-advanced', standard: 'obie-3.1' },
  OM: { currency: 'OMR', time_zone: 'Asia/Muscat', security_profile: 'fapi1-advanced', standard: 'obie-3.1' },
  QA: { currency: 'QAR', time_zone: 'Asia/Qatar', security_profile: 'fapi1-advanced', standard: 'obie-3.1' },
  GB: { currency: 'GBP', time_zone: 'Europe/London', security_profile: 'fapi1-advanced', standard: 'obie-3.1' },
};

const DISCOVERY_SUFFIX = /\/\.well-known\/openid-configuration\/?$/;
/**
 * An account-information resource segment of an endpoint URL. The API's base is what comes before
 * the last one that no version segment follows: Brazil's `…/accounts/v2/accounts` has `accounts`
 * in its base path too.
 */
const AIS_RESOURCE = /\/(?:accounts|account-access-consents|balances|transactions|beneficiaries|direct-debits|standing-orders|scheduled-payments|parties|party|statements|products|offers)(?=\/|$)/g;
const VERSION_SEGMENT = /\/v\d[^/]*(\/|$)/;

/** `url` without its trailing resource path (`/accounts…`), query or fragment. */
export function withoutResourcePath(url: string): string {
  const origin = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(url)?.[0] ?? '';
  const path = url.slice(origin.length).replace(/[?#].*$/, '');
  const cut = [...path.matchAll(AIS_RESOURCE)].map((m) => m.index).find((i) => !VERSION_SEGMENT.test(path.slice(i)));
  return (origin + path.slice(0, cut)).replace(/\/+$/, '');
}

/** Whether an API family is account information: `account` (UAE), `accounts` (Brazil), `account-information`. */
export function isAccountInformation(familyType: string): boolean {
  const family = familyType.toLowerCase();
  return family === 'account' || family.includes('accounts') || family.includes('account-information') || family.includes('account_information');
}

/**
 * BANKS_FILE entries for the authorisation servers of `participants` (the parsed `/participants`
 * JSON: a list of organisations, or `{ data: [...] }`) that serve account information. What only
 * the operator knows (client id, keys, certificates) is `FILL_IN`; what the list does not say is a
 * guess from the country, which the file's header asks the operator to check.
 *
 * @throws ConfigError when `participants` is not a list of organisations.
 */
export function importDirectory(participants: unknown): DirectoryImport {
  const organisations = Array.isArray(participants) ? participants : isRecord(participants) && Array.isArray(participants.data) ? participants.data : null;
  if (!organisations) throw new ConfigError('--directory: expected a trust framework\'s /participants JSON, a list of organisations');
  const entries: BanksFileEntry[] = [];
  const skipped: DirectoryImport['skipped'] = [];
  const taken = new Set<string>();
  for (const organisation of organisations as Organisation[]) {
    if (!isRecord(organisation)) continue;
    const orgName = text(organisation.OrganisationName) ?? text(organisation.RegisteredName) ?? text(organisation.OrganisationId) ?? 'unnamed organisation';
    for (const server of Array.isArray(organisation.AuthorisationServers) ? organisation.AuthorisationServers : []) {
      if (!isRecord(server)) continue;
      const name = text(server.CustomerFriendlyName) ?? orgName;
      const skip = (reason: string) => void skipped.push({ name, reason });
      if (organisation.Status !== undefined && organisation.Status !== 'Active') {
        skip(`organisation is ${organisation.Status}`);
        continue;
      }
      if (server.Status !== undefined && server.Status !== 'Active') {
        skip(`authorisation server is ${server.Status}`);
        continue;
      }
      const resource = newestAccountResource(server.ApiResources);
      if (!resource) {
        skip('serves no account information');
        continue;
      }
      const apiBaseUrl = apiBase(resource);
      if (!apiBaseUrl) {
        skip('its account information API lists no endpoint');
        continue;
      }
      const issuer = text(server.Issuer) ?? text(server.OpenIDDiscoveryDocument)?.replace(DISCOVERY_SUFFIX, '');
      if (!issuer) {
        skip('has neither Issuer nor OpenIDDiscoveryDocument');
        continue;
      }
      const country = text(organisation.Country) ?? text(organisation.CountryOfRegistration);
      const known = country ? COUNTRY_DEFAULTS[country] : undefined;
      const logo = text(server.CustomerFriendlyLogoUri);
      entries.push({
        identifier: uniqueIdentifier(name, taken),
        name,
        country: country && /^[A-Z]{2}$/.test(country) ? country : FILL_IN,
        currency: known?.currency ?? FILL_IN,
        time_zone: known?.time_zone ?? FILL_IN,
        ...(logo?.startsWith('https://') ? { logo } : {}),
        standard: known?.standard ?? 'obie-3.1',
        issuer,
        api_base_url: apiBaseUrl,
        client_id: FILL_IN,
        client_auth: 'private_key_jwt',
        signing_key: FILL_IN,
        signing_kid: FILL_IN,
        signing_alg: 'PS256',
        transport_cert: FILL_IN,
        transport_key: FILL_IN,
        security_profile: known?.security_profile ?? 'fapi1-advanced',
      });
    }
  }
  return { entries, skipped };
}

/**
 * The banks file for `entries`: YAML with a header saying what to fill in (JSON has no comments,
 * so there the caller says it), or JSON. `source` is where the list came from.
 */
export function renderBanksFile(entries: readonly BanksFileEntry[], options: { format: 'yaml' | 'json'; source: string }): string {
  if (options.format === 'json') return `${JSON.stringify({ banks: entries }, null, 2)}\n`;
  return `${IMPORT_INSTRUCTIONS.replace('{source}', options.source)
    .split('\n')
    .map((line) => `# ${line}`.trimEnd())
    .join('\n')}\n${YAML.stringify({ banks: entries }, { lineWidth: 0 })}`;
}

/** What the operator must do with imported entries; the YAML header, and the CLI's note for JSON. */
export const IMPORT_INSTRUCTIONS = `BANKS_FILE entries imported by \`openlean banks import\` from {source}.
Keep only the banks you are registered with, and in each replace every ${FILL_IN} with your registration there:
  client_id       your client id at the bank
  signing_key     PEM file of the key you sign client assertions and request objects with (or env:NAME)
  signing_kid     that key's kid, as your registration names it
  transport_cert  your mutual-TLS client certificate, PEM file (or env:NAME)
  transport_key   its private key, PEM file (or env:NAME)
Then check standard, security_profile, client_auth, signing_alg, currency and time_zone against the bank's
discovery document (issuer + /.well-known/openid-configuration) and its documentation.
Every field is described in docs/banks.md.`;

function newestAccountResource(resources: unknown): ApiResource | null {
  const accounts = (Array.isArray(resources) ? resources : []).filter(
    (r): r is ApiResource => isRecord(r) && typeof r.ApiFamilyType === 'string' && isAccountInformation(r.ApiFamilyType),
  );
  return accounts.sort((a, b) => compareVersions(b.ApiVersion ?? '', a.ApiVersion ?? ''))[0] ?? null;
}

/** `2.1.0` > `2.0.10` > `1.0`; anything not a number sorts last. */
function compareVersions(a: string, b: string): number {
  const pa = a.replace(/^v/i, '').split('.').map(Number);
  const pb = b.replace(/^v/i, '').split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = Number.isFinite(pa[i]) ? pa[i]! : -1;
    const y = Number.isFinite(pb[i]) ? pb[i]! : -1;
    if (x !== y) return x - y;
  }
  return 0;
}

/** The API's base URL: an endpoint with its resource path (`/accounts…`) cut off. */
function apiBase(resource: ApiResource): string | null {
  for (const endpoint of Array.isArray(resource.ApiDiscoveryEndpoints) ? resource.ApiDiscoveryEndpoints : []) {
    const url = isRecord(endpoint) ? text(endpoint.ApiEndpoint) : undefined;
    if (url && URL.canParse(url)) return withoutResourcePath(url);
  }
  return null;
}

/** `Example-Server` → `EXAMPLE_SERVER`, then `EXAMPLE_SERVER_2` if taken. */
function uniqueIdentifier(name: string, taken: Set<string>): string {
  const base =
    name
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/[^A-Za-z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .toUpperCase() || 'BANK';
  let identifier = base;
  for (let n = 2; taken.has(identifier); n++) identifier = `${base}_${n}`;
  taken.add(identifier);
  return identifier;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function isRecord(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
