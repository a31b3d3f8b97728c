import type { JsonWebKey } from 'node:crypto';

/**
 * What a sandbox bank's authorization server needs to know, as plain data: the bank's FAPI
 * profile as an ASPSP (docs/decisions/010-real-banks-fapi.md) and openlean's client registration
 * at it. Field names follow `SandboxBankProfile` (profiles.ts) and RFC 7591 / RFC 8705 client
 * metadata, so either can be passed as is.
 */

export type SecurityProfile = 'fapi1-advanced' | 'fapi2';
export type ClientAuth = 'private_key_jwt' | 'tls_client_auth';
export type SigningAlg = 'PS256' | 'ES256';
export type ResponseType = 'code' | 'code id_token';

/** A bank's FAPI profile: how its authorization server wants to be called. */
export interface SandboxFapiProfile {
  identifier: string;
  /** Shown on its pages. */
  name: string;
  security_profile: SecurityProfile;
  /** How the client authenticates at the token and PAR endpoints. */
  client_auth: ClientAuth;
  /** The algorithm of client assertions and request objects; also the ID tokens' until rotated (control API). */
  signing_alg: SigningAlg;
  response_type: ResponseType;
  /** Whether authorization requests must be pushed (RFC 9126); FAPI 2.0 banks require it whatever this says. */
  par: boolean;
  /**
   * Its account-information standard; absent: OBIE. `uae-2.1`: the consent arrives as RAR
   * `authorization_details` and is created when pushed; `ksa-2022.11`: it is bound by the scope
   * `accounts:<ConsentId>`.
   */
  standard?: 'obie-3.1' | 'uae-2.1' | 'ksa-2022.11';
}

/** openlean's registration at one bank (RFC 7591 §2 and RFC 8705 §2.1.2 metadata). */
export interface SandboxClientRegistration {
  client_id: string;
  /** Public JWKs of openlean's signing keys: client assertions (`private_key_jwt`) and request objects are checked with them. */
  jwks: { keys: JsonWebKey[] };
  /** RFC 4514 subject of openlean's transport certificate, e.g. `CN=openlean,O=openlean`; checked under `tls_client_auth`. */
  tls_client_auth_subject_dn: string;
  /**
   * Registered redirect URIs. The sandbox also accepts any other absolute http(s) URI without a
   * fragment (openlean's callback depends on its PUBLIC_URL, known at run time); a real bank would not.
   */
  redirect_uris: string[];
}

export const ACR_SCA = 'urn:openbanking:psd2:sca';

/** openlean's client id at every sandbox bank. */
export const SANDBOX_CLIENT_ID = 'openlean';

/** What of the test PKI (src/pki/test-pki.ts `TestPki`) a registration names, as plain data. */
export interface SandboxClientCredentials {
  transport: { subject_dn: string };
  signing: { PS256: { public_jwk: object }; ES256: { public_jwk: object } };
}

/**
 * openlean's registration at each of `bankIds`: client id `openlean`, the public JWKs of its two
 * signing keys (PS256, ES256), its transport certificate's subject for `tls_client_auth`, and
 * `redirect_uris` (e.g. `${PUBLIC_URL}/link/callback`; the sandbox also takes any other http(s)
 * callback, so none need be given). The same for the `openlean sandbox-bank` CLI and for an openlean
 * serving the sandbox banks itself.
 */
export function sandboxClientRegistration(
  credentials: SandboxClientCredentials,
  bankIds: readonly string[],
  redirectUris: readonly string[] = [],
): Record<string, SandboxClientRegistration> {
  const registration: SandboxClientRegistration = {
    client_id: SANDBOX_CLIENT_ID,
    jwks: { keys: [credentials.signing.PS256.public_jwk, credentials.signing.ES256.public_jwk] as JsonWebKey[] },
    tls_client_auth_subject_dn: credentials.transport.subject_dn,
    redirect_uris: [...redirectUris],
  };
  return Object.fromEntries(bankIds.map((id) => [id, registration]));
}
