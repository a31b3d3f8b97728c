import crypto, { type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { ConfigError } from '../errors/config-error.ts';
import { isCountryCode } from '../domain/countries.ts';
import { isKnownCurrency } from '../domain/money.ts';
import { PERMISSIONS, type Permission } from '../domain/permissions.ts';
import {
  BANK_QUIRKS,
  CAPABILITIES,
  CLIENT_AUTHS,
  RESPONSE_TYPES,
  SECURITY_PROFILES,
  SIGNING_ALGS,
  STANDARDS,
  type BankDefinition,
  type BankQuirks,
  type ClientAuth,
  type ResponseType,
  type SecurityProfile,
  type SigningAlg,
  type Standard,
} from './bank.ts';

/**
 * One bank as `BANKS_FILE` spells it (docs/banks.md, "BANKS_FILE reference"). The PEM fields
 * (`signing_key`, `transport_cert`, `transport_key`, `ca`) name a file, relative to the
 * BANKS_FILE's directory, or `env:NAME` for PEM content held in environment variable NAME.
 */
export interface BanksFileEntry {
  identifier: string;
  name: string;
  /** Its name in Arabic, for the Arabic link pages. */
  name_ar?: string;
  country: string;
  currency: string;
  time_zone: string;
  logo?: string;
  permissions?: Permission[];
  standard: Standard;
  issuer: string;
  api_base_url: string;
  client_id: string;
  client_auth: ClientAuth;
  signing_key: string;
  signing_kid: string;
  signing_alg: SigningAlg;
  transport_cert: string;
  transport_key: string;
  ca?: string;
  security_profile: SecurityProfile;
  par?: boolean;
  response_type?: ResponseType;
  scopes?: string[];
  signed_responses?: boolean;
  /** How the bank departs from its standard (`BankQuirks`), e.g. `{no_transaction_date_filter: true}`. */
  quirks?: BankQuirks;
}

/** Every field an entry may have; anything else is a typo. */
const FIELDS = [
  'identifier',
  'name',
  'name_ar',
  'country',
  'currency',
  'time_zone',
  'logo',
  'permissions',
  'standard',
  'issuer',
  'api_base_url',
  'client_id',
  'client_auth',
  'signing_key',
  'signing_kid',
  'signing_alg',
  'transport_cert',
  'transport_key',
  'ca',
  'security_profile',
  'par',
  'response_type',
  'scopes',
  'signed_responses',
  'quirks',
] as const satisfies readonly (keyof BanksFileEntry)[];

/** What `openlean banks import` writes where only the operator knows the value; refused until replaced. */
export const FILL_IN = 'FILL_IN';

/** Hosts a bank may be reached at over plain http: only this machine (a local test bank). */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
const IDENTIFIER = /^[A-Z0-9_]+$/;
/** RFC 6749 §3.3 scope-token. */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

export interface BanksEntriesOptions {
  /** Relative PEM paths are resolved from here: the BANKS_FILE's directory. */
  baseDir: string;
  /** Where `env:NAME` values are read from. */
  env: NodeJS.ProcessEnv;
  /** What the error message names after `BANKS_FILE`: the file's path. */
  source?: string;
  /** Marks every entry a built-in sandbox bank; only the composition root sets it, never a file. */
  sandbox?: boolean;
}

export interface BanksFileOptions extends Omit<BanksEntriesOptions, 'sandbox'> {
  format: 'json' | 'yaml';
}

/**
 * The ConfigError for problems with a banks file: `BANKS_FILE <source>:` and then one problem per
 * line, e.g. `  banks[2] (MY_BANK).client_auth: must be one of private_key_jwt, tls_client_auth, got "basic"`.
 */
export function banksFileError(source: string | undefined, problems: readonly string[]): ConfigError {
  return new ConfigError(`BANKS_FILE${source ? ` ${source}` : ''}:\n${problems.map((p) => `  ${p}`).join('\n')}`);
}

/**
 * Reads and checks `file` (JSON when it ends in `.json`, YAML otherwise), loading every PEM it names.
 *
 * @throws ConfigError listing every problem at once (`BANKS_FILE <file>: …`).
 */
export function loadBanksFile(file: string, env: NodeJS.ProcessEnv): BankDefinition[] {
  const resolved = path.resolve(file);
  let text: string;
  try {
    text = fs.readFileSync(resolved, 'utf8');
  } catch (err) {
    throw banksFileError(file, [`cannot read it (${readFailure(err)})`]);
  }
  return parseBanksFile(text, { format: path.extname(resolved).toLowerCase() === '.json' ? 'json' : 'yaml', baseDir: path.dirname(resolved), env, source: file });
}

/**
 * Parses a banks file's text: `{ banks: [entry, …] }` or a bare list of entries.
 *
 * @throws ConfigError listing every problem at once.
 */
export function parseBanksFile(text: string, options: BanksFileOptions): BankDefinition[] {
  let document: unknown;
  try {
    document = options.format === 'json' ? JSON.parse(text) : YAML.parse(text);
  } catch (err) {
    throw banksFileError(options.source, [`is not valid ${options.format.toUpperCase()}: ${(err as Error).message.split('\n')[0]!.replace(/:$/, '')}`]);
  }
  if (Array.isArray(document)) return parseBanksEntries(document, options);
  if (isRecord(document)) {
    const problems = Object.keys(document)
      .filter((key) => key !== 'banks')
      .map((key) => `${key}: unknown field; the file holds only "banks"`);
    if (!Array.isArray(document.banks)) problems.push(`banks: must be a list of banks, got ${describe(document.banks)}`);
    if (problems.length > 0) throw banksFileError(options.source, problems);
    return parseBanksEntries(document.banks as unknown[], options);
  }
  throw banksFileError(options.source, [`must be {"banks": [ … ]} or a list of banks, got ${describe(document)}`]);
}

/**
 * Checks entries as a banks file holds them and turns them into bank definitions, with their PEM
 * files loaded; identifiers must be unique among them.
 *
 * @throws ConfigError listing every problem of every entry at once.
 */
export function parseBanksEntries(entries: readonly unknown[], options: BanksEntriesOptions): BankDefinition[] {
  const problems: string[] = [];
  const banks: BankDefinition[] = [];
  const firstIndex = new Map<string, number>();
  entries.forEach((raw, index) => {
    const bank = parseEntry(raw, index, options, problems);
    const identifier = isRecord(raw) && typeof raw.identifier === 'string' ? raw.identifier : null;
    if (identifier !== null && IDENTIFIER.test(identifier)) {
      const first = firstIndex.get(identifier);
      if (first === undefined) firstIndex.set(identifier, index);
      else problems.push(`banks[${index}] (${identifier}).identifier: duplicates banks[${first}]`);
    }
    if (bank) banks.push(bank);
  });
  if (problems.length > 0) throw banksFileError(options.source, problems);
  return banks;
}

function parseEntry(raw: unknown, index: number, options: BanksEntriesOptions, problems: string[]): BankDefinition | null {
  if (!isRecord(raw)) {
    problems.push(`banks[${index}]: must be a mapping of fields, got ${describe(raw)}`);
    return null;
  }
  const label = typeof raw.identifier === 'string' && raw.identifier !== '' ? `banks[${index}] (${raw.identifier})` : `banks[${index}]`;
  const before = problems.length;
  const fail = (field: string, message: string) => void problems.push(`${label}.${field}: ${message}`);

  for (const key of Object.keys(raw)) {
    if (key === 'sandbox') fail(key, 'cannot be set in BANKS_FILE: only the built-in banks are sandbox banks');
    else if (!(FIELDS as readonly string[]).includes(key)) fail(key, unknownField(key));
  }

  const text = (field: string, optional = false): string | undefined => {
    const value = raw[field];
    if (value === undefined || value === null) {
      if (!optional) fail(field, 'is required');
      return undefined;
    }
    if (typeof value !== 'string') return void fail(field, `must be a string, got ${describe(value)}`);
    if (value.trim() === '') return void fail(field, 'must not be empty');
    if (value === FILL_IN) return void fail(field, `is still ${FILL_IN}: replace it with your own value`);
    return value;
  };
  const oneOf = <T extends string>(field: string, allowed: readonly T[], optional = false): T | undefined => {
    const value = text(field, optional);
    if (value === undefined) return undefined;
    if (!(allowed as readonly string[]).includes(value)) return void fail(field, `must be one of ${allowed.join(', ')}, got ${quote(value)}`);
    return value as T;
  };
  const url = (field: string): string | undefined => {
    const value = text(field);
    if (value === undefined) return undefined;
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      return void fail(field, `must be an absolute URL, got ${quote(value)}`);
    }
    if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && LOOPBACK_HOSTS.has(parsed.hostname))) {
      return void fail(field, `must be an https URL (http only on 127.0.0.1, localhost or [::1]), got ${quote(value)}`);
    }
    if (parsed.username || parsed.password || parsed.search || parsed.hash) return void fail(field, `must have no credentials, query or fragment, got ${quote(value)}`);
    return value;
  };
  const list = (field: string): unknown[] | undefined => {
    const value = raw[field];
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value) || value.length === 0) return void fail(field, `must be a non-empty list, got ${describe(value)}`);
    return value;
  };
  const flag = (field: string): boolean | undefined => {
    const value = raw[field];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'boolean') return void fail(field, `must be true or false, got ${describe(value)}`);
    return value;
  };
  const pem = (field: string, optional = false): string | undefined => {
    const value = text(field, optional);
    if (value === undefined) return undefined;
    if (value.startsWith('env:')) {
      const name = value.slice('env:'.length);
      if (!ENV_NAME.test(name)) return void fail(field, `env: must name an environment variable, got ${quote(value)}`);
      const content = options.env[name];
      if (content === undefined) return void fail(field, `environment variable ${name} is not set`);
      if (content.trim() === '') return void fail(field, `environment variable ${name} is empty`);
      // Platforms that hold secrets on one line store the PEM's line breaks as the two characters \n.
      return content.includes('\n') ? content : content.replaceAll('\\n', '\n');
    }
    const file = path.resolve(options.baseDir, value);
    try {
      return fs.readFileSync(file, 'utf8');
    } catch (err) {
      return void fail(field, `cannot read ${file} (${readFailure(err)})`);
    }
  };
  const privateKey = (field: string, content: string | undefined): KeyObject | undefined => {
    if (content === undefined) return undefined;
    try {
      return crypto.createPrivateKey(content);
    } catch {
      return void fail(field, 'is not an unencrypted PEM private key');
    }
  };

  const identifier = text('identifier');
  if (identifier !== undefined && !IDENTIFIER.test(identifier)) fail('identifier', `must be upper-case letters, digits and _ ([A-Z0-9_]+), got ${quote(identifier)}`);
  const name = text('name');
  const nameAr = text('name_ar', true);
  const country = text('country');
  if (country !== undefined && !isCountryCode(country)) {
    fail('country', `must be an ISO 3166-1 alpha-2 code such as AE, SA or GB, got ${quote(country)}${country === 'UK' ? ' (the United Kingdom is GB)' : ''}`);
  }
  const currency = text('currency');
  if (currency !== undefined && !isKnownCurrency(currency)) {
    fail('currency', `must be an ISO 4217 code openlean knows the minor units of (such as AED, SAR, BHD, GBP), got ${quote(currency)}`);
  }
  const zoneText = text('time_zone');
  const timeZone = zoneText === undefined ? undefined : canonicalTimeZone(zoneText);
  if (zoneText !== undefined && timeZone === null) fail('time_zone', `must be an IANA time zone such as Asia/Dubai, got ${quote(zoneText)}`);

  const logo = text('logo', true);
  if (logo !== undefined && !/^(https:\/\/|data:image\/)/.test(logo)) fail('logo', `must be an https: or data:image/ URL, got ${quote(logo)}`);

  const permissionList = list('permissions');
  const permissions: Permission[] = [];
  permissionList?.forEach((p, i) => {
    if (typeof p !== 'string' || !(PERMISSIONS as readonly string[]).includes(p)) fail(`permissions[${i}]`, `must be one of ${PERMISSIONS.join(', ')}, got ${describe(p)}`);
    else if (permissions.includes(p as Permission)) fail(`permissions[${i}]`, `repeats ${p}`);
    else permissions.push(p as Permission);
  });
  const scopeList = list('scopes');
  const scopes: string[] = [];
  scopeList?.forEach((s, i) => {
    if (typeof s !== 'string' || !SCOPE_TOKEN.test(s)) fail(`scopes[${i}]`, `must be one scope, without spaces or quotes, got ${describe(s)}`);
    else scopes.push(s);
  });

  const standard = oneOf('standard', STANDARDS);
  const issuer = url('issuer');
  const apiBaseUrl = url('api_base_url');
  const clientId = text('client_id');
  const clientAuth = oneOf('client_auth', CLIENT_AUTHS);

  const signingAlg = oneOf('signing_alg', SIGNING_ALGS);
  const signingPem = pem('signing_key');
  const signingKey = privateKey('signing_key', signingPem);
  if (signingKey && signingAlg) {
    const mismatch = keyMismatch(signingKey, signingAlg);
    if (mismatch) fail('signing_key', mismatch);
  }
  const signingKid = text('signing_kid');

  const certPem = pem('transport_cert');
  let cert: crypto.X509Certificate | undefined;
  if (certPem !== undefined) {
    try {
      cert = new crypto.X509Certificate(certPem);
    } catch {
      fail('transport_cert', 'is not a PEM certificate');
    }
  }
  if (cert && Date.parse(cert.validTo) <= Date.now()) fail('transport_cert', `expired on ${new Date(cert.validTo).toISOString()}`);
  const transportPem = pem('transport_key');
  const transportKey = privateKey('transport_key', transportPem);
  if (cert && transportKey && !cert.checkPrivateKey(transportKey)) fail('transport_key', 'does not match transport_cert (it is not the private key of its public key)');

  const caPem = pem('ca', true);
  if (caPem !== undefined) {
    const blocks = caPem.match(CERTIFICATE_BLOCK) ?? [];
    if (blocks.length === 0) fail('ca', 'holds no PEM certificate');
    blocks.forEach((block, i) => {
      try {
        new crypto.X509Certificate(block);
      } catch {
        fail('ca', `certificate ${i + 1} is not a valid certificate`);
      }
    });
  }

  const securityProfile = oneOf('security_profile', SECURITY_PROFILES);
  const par = flag('par');
  const responseType = oneOf('response_type', RESPONSE_TYPES, true);
  if (securityProfile === 'fapi2' && par === false) fail('par', 'must be true with security_profile fapi2: FAPI 2.0 requires PAR');
  if (securityProfile === 'fapi2' && responseType === 'code id_token') fail('response_type', 'must be code with security_profile fapi2: FAPI 2.0 has no hybrid flow');
  const signedResponses = flag('signed_responses');
  if (signedResponses === true && standard !== undefined && standard !== 'uae-2.1') fail('signed_responses', `is for uae-2.1 banks (application/jwt answers); ${standard} has none`);

  const quirks: BankQuirks = {};
  const rawQuirks = raw.quirks;
  if (rawQuirks !== undefined && rawQuirks !== null) {
    if (!isRecord(rawQuirks)) fail('quirks', `must be a mapping of quirk names to true or false, got ${describe(rawQuirks)}`);
    else {
      for (const [key, value] of Object.entries(rawQuirks)) {
        if (!(BANK_QUIRKS as readonly string[]).includes(key)) fail(`quirks.${key}`, `is not a quirk openlean knows: ${BANK_QUIRKS.join(', ')}`);
        else if (typeof value !== 'boolean') fail(`quirks.${key}`, `must be true or false, got ${describe(value)}`);
        else quirks[key as keyof BankQuirks] = value;
      }
    }
  }

  if (problems.length > before) return null;
  // Every required field was read above; a missing one is a problem, so none is undefined here.
  return {
    identifier: identifier!,
    name: name!,
    ...(nameAr === undefined ? {} : { name_ar: nameAr }),
    country: country!,
    currency: currency!,
    time_zone: timeZone!,
    logo: logo ?? null,
    capabilities: CAPABILITIES,
    permissions: permissionList ? permissions : PERMISSIONS,
    standard: standard!,
    sandbox: options.sandbox ?? false,
    issuer: issuer!,
    api_base_url: apiBaseUrl!.replace(/\/+$/, ''),
    client_id: clientId!,
    client_auth: clientAuth!,
    signing: { key_pem: signingPem!, kid: signingKid!, alg: signingAlg! },
    transport: { cert_pem: certPem!, key_pem: transportPem! },
    ca_pem: caPem ?? null,
    security_profile: securityProfile!,
    par: par ?? securityProfile === 'fapi2',
    response_type: responseType ?? (securityProfile === 'fapi2' ? 'code' : 'code id_token'),
    scopes: scopeList ? scopes : ['accounts'],
    signed_responses: signedResponses ?? false,
    ...(Object.keys(quirks).length > 0 ? { quirks } : {}),
  };
}

/** Why `key` cannot sign with `alg` (PS256: RSA of 2048 bits or more, as FAPI requires; ES256: EC P-256), or null. */
function keyMismatch(key: KeyObject, alg: SigningAlg): string | null {
  const type = key.asymmetricKeyType;
  const details = key.asymmetricKeyDetails ?? {};
  const rsa = type === 'rsa' || type === 'rsa-pss';
  if (alg === 'PS256') {
    if (!rsa) return `is ${describeKey(key)}, but signing_alg PS256 needs an RSA key`;
    if ((details.modulusLength ?? 0) < 2048) return `is ${describeKey(key)}; PS256 under FAPI needs 2048 bits or more`;
    return null;
  }
  if (type !== 'ec' || details.namedCurve !== 'prime256v1') return `is ${describeKey(key)}, but signing_alg ES256 needs an EC P-256 key`;
  return null;
}

function describeKey(key: KeyObject): string {
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'rsa':
    case 'rsa-pss':
      return `a ${details.modulusLength}-bit RSA key`;
    case 'ec':
      return `an EC ${details.namedCurve === 'prime256v1' ? 'P-256' : details.namedCurve === 'secp384r1' ? 'P-384' : details.namedCurve === 'secp521r1' ? 'P-521' : details.namedCurve} key`;
    default:
      return `an ${key.asymmetricKeyType ?? 'unknown'} key`;
  }
}

/** The IANA zone `zone` names (`asia/dubai` is Asia/Dubai, `Etc/UTC` is UTC), or null if it names none. */
function canonicalTimeZone(zone: string): string | null {
  try {
    return new Intl.DateTimeFormat('en', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

/** `unknown field`, with the field probably meant when the name is a near miss. */
function unknownField(key: string): string {
  const squash = (s: string) => s.toLowerCase().replace(/[-_]/g, '');
  const near = FIELDS.find((f) => squash(f) === squash(key)) ?? FIELDS.find((f) => editDistance(f, key.toLowerCase()) <= 2);
  return near ? `unknown field (did you mean ${near}?)` : `unknown field; the fields are ${FIELDS.join(', ')}`;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = row;
  }
  return previous[b.length]!;
}

function readFailure(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : (code ?? String(err));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A value as a message shows it: JSON, cut short (a data: URL logo can be long). */
function quote(value: string): string {
  const json = JSON.stringify(value);
  return json.length > 80 ? `${json.slice(0, 77)}…"` : json;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return quote(value);
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : 'a list';
  if (isRecord(value)) return 'a mapping';
  return String(value);
}
