import { banksFileError, parseBanksEntries } from './banks/banks-file.ts';
import type { BankDefinition } from './banks/bank.ts';
import type { TestPki } from './pki/test-pki.ts';
import { SANDBOX_CLIENT_ID, sandboxClientRegistration, type SandboxClientRegistration } from './sandbox-bank/authorization-server/registration.ts';
import { SANDBOX_BANK_PROFILES, type SandboxStandard } from './sandbox-bank/profiles.ts';

/**
 * The composition root's glue between the built-in sandbox banks (the mock ASPSPs of
 * `src/sandbox-bank/`) and openlean's client side (`src/banks/`), which never import each other:
 * openlean's connection to each sandbox bank is a `BANKS_FILE` entry, written here from the mock's
 * profile and the test PKI and read through the operator's own parser, exactly as a real bank's.
 */

/** Where a sandbox bank's account-information API is, under its base, by the standard it speaks. */
const AIS_PATHS = {
  'obie-3.1': '/open-banking/v3.1/aisp',
  'uae-2.1': '/open-finance/account-information/v2.1',
  'ksa-2022.11': '/open-banking/account-information/2022.11.01-final-errata2',
} as const satisfies Record<SandboxStandard, string>;

/** Where the sandbox banks are: `http` for discovery and the user's pages, `tls` for the token, PAR and OBIE endpoints (mutual TLS). */
export interface SandboxLocation {
  /** e.g. `http://127.0.0.1:3000/sandbox-banks` */
  http: string;
  /** e.g. `https://127.0.0.1:3443/sandbox-banks` */
  tls: string;
}

/** The `BANKS_FILE` entries an operator would write for the sandbox banks at `at`, with the test PKI's files. */
export function sandboxBanksFileEntries(pki: TestPki, at: SandboxLocation): Record<string, unknown>[] {
  return SANDBOX_BANK_PROFILES.map((profile) => ({
    identifier: profile.identifier,
    name: profile.name,
    name_ar: profile.name_ar,
    country: profile.country,
    currency: profile.currency,
    time_zone: profile.time_zone,
    logo: profile.logo,
    standard: profile.standard,
    issuer: `${at.http}/${profile.identifier}`,
    api_base_url: `${at.tls}/${profile.identifier}${AIS_PATHS[profile.standard]}`,
    client_id: SANDBOX_CLIENT_ID,
    client_auth: profile.client_auth,
    signing_key: profile.signing_alg === 'PS256' ? pki.files.signing_ps256_key : pki.files.signing_es256_key,
    signing_kid: pki.signing[profile.signing_alg].kid,
    signing_alg: profile.signing_alg,
    transport_cert: pki.files.transport_cert,
    transport_key: pki.files.transport_key,
    ca: pki.files.ca_cert,
    security_profile: profile.security_profile,
    par: profile.par,
    response_type: profile.response_type,
    ...(profile.signed_responses ? { signed_responses: true } : {}),
  }));
}

/** openlean's registration at each sandbox bank (the bank side of the same PKI). */
export function sandboxClients(pki: TestPki): Record<string, SandboxClientRegistration> {
  return sandboxClientRegistration(
    pki,
    SANDBOX_BANK_PROFILES.map((p) => p.identifier),
  );
}

/**
 * Refuses, in sandbox mode, a configured bank that takes a sandbox bank's identifier: both would
 * be listed and `bank_identifier` could not tell them apart. In production the sandbox banks are
 * never listed, so there is nothing to collide with.
 *
 * @throws ConfigError `BANKS_FILE <file>: banks[i] (ID).identifier: …`, one line per collision.
 */
export function checkSandboxCollisions(configured: readonly BankDefinition[], options: { mode: 'sandbox' | 'production'; banksFile: string | undefined }): void {
  if (options.mode !== 'sandbox') return;
  const sandboxIds = new Set(SANDBOX_BANK_PROFILES.map((p) => p.identifier));
  const lines = configured.flatMap((bank, i) =>
    sandboxIds.has(bank.identifier) ? [`banks[${i}] (${bank.identifier}).identifier: is a built-in sandbox bank's identifier in MODE=sandbox; choose another`] : [],
  );
  if (lines.length > 0) throw banksFileError(options.banksFile, lines);
}

/**
 * The bank registry's source: the configured banks, then the sandbox banks once `location()` says
 * where they are (their issuer holds the port, known once the server listens; null while unknown
 * or when there are none). The same array is returned while the location stays the same, so the
 * registry's lookup is rebuilt only when it moves.
 *
 * @throws ConfigError when the sandbox entries do not parse (a broken test PKI).
 */
export function bankSource(configured: readonly BankDefinition[], location: () => SandboxLocation | null, pki: TestPki | null): () => readonly BankDefinition[] {
  let key: string | null = null;
  let banks: readonly BankDefinition[] = configured;
  return () => {
    const at = pki ? location() : null;
    const current = at ? `${at.http} ${at.tls}` : '';
    if (current !== key) {
      key = current;
      banks = at && pki ? [...configured, ...parseBanksEntries(sandboxBanksFileEntries(pki, at), { baseDir: pki.dir, env: {}, sandbox: true, source: 'of the sandbox banks' })] : configured;
    }
    return banks;
  };
}
