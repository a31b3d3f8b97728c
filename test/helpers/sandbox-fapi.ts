import assert from 'node:assert/strict';
import { createPrivateKey, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SignJWT } from 'jose';
import * as client from 'openid-client';
import { Agent, fetch as undiciFetch } from 'undici';
import { createUntrustedClientCertificate, ensureTestPki, issueClientCertificate, type CertificateAndKey, type TestPki as Pki } from '../../src/pki/test-pki.ts';
import { authorizeAtSandboxBank, type AuthorizeOptions } from '../../src/sandbox-bank/automate-consent.ts';
import { SANDBOX_CLIENT_ID, sandboxClientRegistration, type SandboxClientRegistration } from '../../src/sandbox-bank/authorization-server/registration.ts';
import type { SandboxBank } from '../../src/sandbox-bank/context.ts';
import { SANDBOX_BANK_PROFILES } from '../../src/sandbox-bank/profiles.ts';
import { startSandboxBank, type SandboxBankServerOptions } from '../../src/sandbox-bank/server.ts';

/**
 * The sandbox banks driven as FAPI servers by a real client (openid-client v6 over undici with
 * openlean's transport certificate), for the sandbox-bank tests. The certificates and keys are
 * the test PKI (src/pki/test-pki.ts), made once per test process in a temporary directory.
 */

export const BANKS: readonly SandboxBank[] = SANDBOX_BANK_PROFILES;
export const REDIRECT_URI = 'https://tpp.example/callback';
export const CLIENT_ID = SANDBOX_CLIENT_ID;

export type Pem = CertificateAndKey;

export interface TestPki extends Pki {
  /** Chained to the CA, but another subject: tokens bound to `transport` are not its, and `tls_client_auth` refuses it. */
  other: Pem;
  /** Under a CA nobody trusts: the TLS listener refuses it. */
  untrusted: Pem;
}

let shared: Promise<TestPki> | null = null;

/** This test process's PKI directory, shared with the servers it starts (`SANDBOX_PKI_DIR`, see server.ts). */
export const TEST_PKI_DIR = path.join(os.tmpdir(), `openlean-test-pki-${process.pid}`);

/** The test PKI of this test process (in a temporary directory removed at exit), plus the other and the untrusted certificate. */
export function testPki(): Promise<TestPki> {
  shared ??= (async () => {
    process.once('exit', () => fs.rmSync(TEST_PKI_DIR, { recursive: true, force: true }));
    const pki = await ensureTestPki(TEST_PKI_DIR);
    const [other, untrusted] = await Promise.all([
      issueClientCertificate(pki.ca, 'CN=someone else,O=another TPP,C=AE'),
      createUntrustedClientCertificate(pki.transport.subject_dn),
    ]);
    return { ...pki, other, untrusted };
  })();
  return shared;
}

/** openlean's registration at every sandbox bank, as the CLI makes it, plus the tests' callback. */
export function registrations(pki: Pki): Record<string, SandboxClientRegistration> {
  return sandboxClientRegistration(pki, BANKS.map((b) => b.identifier), [REDIRECT_URI]);
}

export interface FapiSandbox {
  url: string;
  tlsUrl: string;
  pki: TestPki;
  close(): Promise<void>;
}

/** The sandbox banks on their own (HTTP and TLS on free ports), with openlean registered at each. */
export async function startFapiSandbox(
  options: Omit<SandboxBankServerOptions, 'tls' | 'clients'> & { pki?: TestPki; tlsPort?: number },
): Promise<FapiSandbox> {
  const { tlsPort, ...rest } = options;
  const pki = options.pki ?? (await testPki());
  delete (rest as { pki?: TestPki }).pki;
  const server = await startSandboxBank({
    port: 0,
    ...rest,
    tls: { port: tlsPort ?? 0, ca_pem: pki.ca.cert_pem, cert_pem: pki.server.cert_pem, key_pem: pki.server.key_pem },
    clients: registrations(pki),
  });
  return { ...server, pki };
}

/** undici's fetch presenting `certificate` (if any) and trusting the test CA. */
export function mtlsFetch(pki: TestPki, certificate: Pem | null = pki.transport) {
  const dispatcher = new Agent({ connect: { ca: pki.ca.cert_pem, ...(certificate ? { cert: certificate.cert_pem, key: certificate.key_pem } : {}) } });
  const fetcher = ((url: string | URL, init: RequestInit = {}) => undiciFetch(url, { ...(init as object), dispatcher } as never)) as unknown as typeof fetch;
  return Object.assign(fetcher, { close: () => dispatcher.close() });
}

export interface BankClient {
  bank: SandboxBank;
  config: client.Configuration;
  issuer: string;
  /** The OBIE API on the TLS listener. */
  ais: string;
  fetch: ReturnType<typeof mtlsFetch>;
  signingKey: client.PrivateKey;
}

/** openid-client configured as openlean at `bankId`, per the bank's profile: client authentication, mTLS aliases, hybrid flow. */
export async function bankClient(sandbox: FapiSandbox, bankId: string, certificate: Pem = sandbox.pki.transport): Promise<BankClient> {
  const bank = BANKS.find((b) => b.identifier === bankId)!;
  const fetcher = mtlsFetch(sandbox.pki, certificate);
  const signing = sandbox.pki.signing[bank.signing_alg];
  const algorithm = bank.signing_alg === 'PS256' ? { name: 'RSA-PSS', hash: 'SHA-256' } : { name: 'ECDSA', namedCurve: 'P-256' };
  const signingKey = { key: await createPrivateKey(signing.key_pem).toCryptoKey(algorithm, false, ['sign']), kid: signing.kid };
  const issuer = `${sandbox.url}/${bank.identifier}`;
  const config = await client.discovery(
    new URL(issuer),
    CLIENT_ID,
    { use_mtls_endpoint_aliases: true, id_token_signed_response_alg: bank.signing_alg },
    bank.client_auth === 'tls_client_auth' ? client.TlsClientAuth() : client.PrivateKeyJwt(signingKey),
    { execute: [client.allowInsecureRequests], [client.customFetch]: fetcher as never },
  );
  if (bank.response_type === 'code id_token') client.useCodeIdTokenResponseType(config);
  return { bank, config, issuer, ais: `${sandbox.tlsUrl}/${bank.identifier}/open-banking/v3.1/aisp`, fetch: fetcher, signingKey };
}

export async function clientToken(c: BankClient): Promise<string> {
  return (await client.clientCredentialsGrant(c.config, { scope: 'accounts' })).access_token;
}

export const FULL_PERMISSIONS = [
  'ReadAccountsDetail',
  'ReadBalances',
  'ReadTransactionsDetail',
  'ReadTransactionsCredits',
  'ReadTransactionsDebits',
  'ReadBeneficiariesDetail',
  'ReadDirectDebits',
  'ReadStandingOrdersDetail',
  'ReadScheduledPaymentsDetail',
  'ReadParty',
  'ReadPartyPSU',
];

export interface Reply<T = any> {
  status: number;
  headers: Headers;
  text: string;
  body: T;
}

/** A request over the client's mutual-TLS connection (or plain fetch for http URLs). */
export async function mtlsCall(c: BankClient | null, url: string, init: RequestInit = {}): Promise<Reply> {
  const res = await (c && url.startsWith('https:') ? c.fetch : fetch)(url, { redirect: 'manual', ...init });
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: res.status, headers: res.headers, text, body };
}

export async function createConsent(c: BankClient, data: Record<string, unknown> = {}): Promise<Reply> {
  return mtlsCall(c, `${c.ais}/account-access-consents`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await clientToken(c)}`, 'content-type': 'application/json' },
    body: JSON.stringify({ Data: { Permissions: FULL_PERMISSIONS, ...data }, Risk: {} }),
  });
}

export interface AuthorizationRequest {
  url: URL;
  verifier: string;
  state: string;
  nonce: string;
}

/**
 * The authorization request for a consent as the OBIE FAPI profile has it: a signed request
 * object (JAR) carrying the consent as the `openbanking_intent_id` essential claim, pushed (PAR)
 * when the bank wants it, PKCE S256, a nonce.
 */
export async function authorizationRequest(c: BankClient, consentId: string, extra: Record<string, string> = {}): Promise<AuthorizationRequest> {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const params = {
    redirect_uri: REDIRECT_URI,
    scope: 'openid accounts',
    state,
    nonce,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    claims: JSON.stringify({ id_token: { openbanking_intent_id: { value: consentId, essential: true }, acr: { essential: true, values: ['urn:openbanking:psd2:sca'] } } }),
    ...extra,
  };
  const jar = await client.buildAuthorizationUrlWithJAR(c.config, params, c.signingKey);
  const url = c.bank.par || c.bank.security_profile === 'fapi2' ? await client.buildAuthorizationUrlWithPAR(c.config, jar.searchParams) : jar;
  return { url, verifier, state, nonce };
}

export interface Connection {
  consentId: string;
  accessToken: string;
  refreshToken: string;
  idToken: string | undefined;
  ais: string;
  client: BankClient;
  get(pathOrUrl: string, headers?: Record<string, string>): Promise<Reply>;
  /** Swaps the tokens for new ones with the refresh grant, as a client does once its access token expires. */
  refresh(): Promise<void>;
}

/** A consent created, authorised by `login` (through the control API) and its code exchanged. */
export async function connect(c: BankClient, login: string, options: { data?: Record<string, unknown>; authorize?: Partial<AuthorizeOptions> } = {}): Promise<Connection> {
  const created = await createConsent(c, options.data);
  assert.equal(created.status, 201, created.text);
  const consentId: string = created.body.Data.ConsentId;
  const request = await authorizationRequest(c, consentId);
  const back = new URL(await authorizeAtSandboxBank(request.url.toString(), { login, ...options.authorize }));
  const tokens = await client.authorizationCodeGrant(c.config, back, { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce });
  assert.ok(tokens.refresh_token, 'a refresh token');
  const connection: Connection = {
    consentId,
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token,
    idToken: tokens.id_token,
    ais: c.ais,
    client: c,
    get: (pathOrUrl, headers = {}) => mtlsCall(c, pathOrUrl.startsWith('http') ? pathOrUrl : `${c.ais}${pathOrUrl}`, { headers: { authorization: `Bearer ${connection.accessToken}`, ...headers } }),
    async refresh() {
      const refreshed = await client.refreshTokenGrant(c.config, connection.refreshToken);
      connection.accessToken = refreshed.access_token;
      connection.refreshToken = refreshed.refresh_token ?? connection.refreshToken;
    },
  };
  return connection;
}

export async function putJson(url: string, body: unknown): Promise<Reply> {
  return mtlsCall(null, url, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

/**
 * A raw request to the bank's token endpoint over mutual TLS, authenticated as the bank wants
 * (a `private_key_jwt` assertion signed with openlean's key, or the certificate alone), for
 * assertions on the exact OAuth answer (status, `error`) that openid-client turns into exceptions.
 */
export async function tokenRequest(c: BankClient, params: Record<string, string>, options: { clientId?: string } = {}): Promise<Reply> {
  const endpoint = c.config.serverMetadata().mtls_endpoint_aliases?.token_endpoint ?? c.config.serverMetadata().token_endpoint!;
  const clientId = options.clientId ?? CLIENT_ID;
  const auth: Record<string, string> = { client_id: clientId };
  if (c.bank.client_auth === 'private_key_jwt') {
    const nowS = Math.floor(Date.now() / 1000);
    auth.client_assertion_type = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
    auth.client_assertion = await new SignJWT({ jti: randomUUID() })
      .setProtectedHeader({ alg: c.bank.signing_alg, kid: c.signingKey.kid! })
      .setIssuer(clientId)
      .setSubject(clientId)
      .setAudience(c.issuer)
      .setIssuedAt(nowS)
      .setExpirationTime(nowS + 60)
      .sign(c.signingKey.key);
  }
  return mtlsCall(c, endpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ ...auth, ...params }) });
}

/** What a bank sent back to the redirect URI: the query (`code`), or the fragment (`code id_token`). */
export function callbackParams(location: string): Record<string, string> {
  const url = new URL(location);
  return Object.fromEntries(new URLSearchParams(url.hash.length > 1 ? url.hash.slice(1) : url.search));
}
