import { createLocalJWKSet, errors as joseErrors, importPKCS8, jwtVerify, type JSONWebKeySet, type JWTPayload } from 'jose';
import * as oidc from 'openid-client';
import type { BankDefinition } from '../bank.ts';
import { BankError } from '../connector.ts';
import type { BankTransports } from './bank-transport.ts';

/**
 * openlean as a FAPI relying party, on openid-client (OpenID-certified for FAPI 1.0 Advanced and
 * FAPI 2.0 RPs): discovery (honouring `mtls_endpoint_aliases`, RFC 8705 §5), client
 * authentication by `private_key_jwt` (RFC 7523) or `tls_client_auth` (RFC 8705 §2.1), signed
 * request objects (JAR, RFC 9101) pushed through PAR (RFC 9126) or passed by value, PKCE S256,
 * state and nonce, the authorization-code and hybrid (`code id_token`, FAPI 1.0 Advanced §5.2.2)
 * flows with ID-token validation (signature from the bank's JWKS, `iss`, `aud`, `exp`, `nonce`,
 * `c_hash`, `s_hash`), and the refresh and client-credentials grants.
 *
 * Token grants are never retried here: a grant whose answer was lost may have taken effect (a
 * refresh token rotates, a code is spent), so a timeout or 5xx is one failed attempt, thrown as
 * `unavailable` with `grantAnswerLost` set, and the caller decides.
 */
export interface FapiClient {
  /** A client-credentials access token, e.g. scope `accounts` to manage consents. */
  clientCredentials(bank: BankDefinition, scope: string): Promise<string>;
  /** The URL to send the user to, and what to keep until the user returns. */
  authorizationRequest(bank: BankDefinition, request: AuthorizationRequest): Promise<AuthorizationStart>;
  /** Validates the bank's answer at the callback (and its ID token) and exchanges the code. */
  exchangeCode(bank: BankDefinition, input: CodeExchange): Promise<TokenSet>;
  refresh(bank: BankDefinition, refreshToken: string): Promise<TokenSet>;
  /**
   * Verifies a JWT the bank signed (a UAE signed response, `application/jwt`): the signature with a
   * key of the bank's JWKS (its discovery's `jwks_uri`, fetched again once when the `kid` is not
   * there, for rotated keys), `iss` the bank's issuer, `aud` openlean's `client_id`, `exp` and `nbf`
   * present and, with `iat`, valid at `now` within 60 s (RFC 7519 §4.1).
   *
   * @returns the payload
   * @throws BankError `unavailable`, saying which check failed
   */
  verifyBankJwt(bank: BankDefinition, jwt: string, now: Date): Promise<JWTPayload>;
  /** Forgets what discovery said about the bank (its endpoints, algorithms and keys). */
  forget(bank: BankDefinition): void;
}

/** Clock difference tolerated between openlean and a bank on a signed response's times. */
const SIGNED_RESPONSE_TOLERANCE_S = 60;

export interface AuthorizationRequest {
  redirect_uri: string;
  /** Extra request-object claims, e.g. OBIE's `claims` with `openbanking_intent_id`. */
  claims?: Record<string, unknown>;
  /** BCP 47 tags, space separated (OIDC Core §3.1.2.1). */
  ui_locales?: string;
  /** The whole `scope`, when the standard binds the consent in it (KSA: `openid accounts:<ConsentId>`); `openid` plus the bank's scopes otherwise. */
  scope?: string;
  /** Rich authorization requests (RFC 9396), e.g. the UAE consent; signed inside the request object. */
  authorization_details?: readonly Record<string, unknown>[];
}

export interface AuthorizationStart {
  authorize_url: string;
  state: string;
  nonce: string;
  code_verifier: string;
}

export interface CodeExchange {
  redirect_uri: string;
  /** Every parameter the bank sent back to the redirect URI (query, or fragment for `code id_token`). */
  params: Readonly<Record<string, string>>;
  state: string;
  nonce: string;
  code_verifier: string;
}

export interface TokenSet {
  access_token: string;
  refresh_token: string | null;
  /** Seconds, as the bank said; null when it did not. */
  expires_in: number | null;
}

/** A token endpoint call whose outcome is unknown: it may have taken effect at the bank. */
export class GrantAnswerLost extends BankError {
  readonly #refreshToken: string | null;

  constructor(message: string, options: { refresh_token?: string | null; status?: number | null; cause?: unknown } = {}) {
    super('unavailable', message, { status: options.status ?? null, cause: options.cause });
    this.name = 'GrantAnswerLost';
    this.#refreshToken = options.refresh_token ?? null;
  }

  /**
   * Set when the bank's answer carried a refresh token although the call then failed (e.g. a bad
   * ID token): the bank has rotated it, so it must be kept. A getter, so that logging the error
   * never writes the token.
   */
  get refresh_token(): string | null {
    return this.#refreshToken;
  }
}

export interface FapiClientOptions {
  transports: BankTransports;
  /** Per call to the bank's authorization server. */
  timeout_ms: number;
}

type GrantName = 'client credentials token' | 'code exchange' | 'token refresh';

/** Loopback issuers (the sandbox banks) may use plain HTTP for discovery and the browser-facing endpoints. */
const isLoopbackHttp = (url: string) => /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(\/|$)/.test(url);

/** The most specific message in an openid-client error chain, with the JWT claim it is about. */
function describe(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err; e instanceof Error && parts.length < 3; e = e.cause) {
    if (!parts.includes(e.message)) parts.push(e.message);
  }
  const cause = err instanceof Error ? (err.cause as { cause?: { claim?: string; expected?: unknown } } | undefined) : undefined;
  const claim = cause?.cause?.claim;
  return parts.join(': ') + (claim ? ` (claim ${claim})` : '');
}

/** The HTTP status somewhere in an error's cause chain (an OAuth error body, or the response itself), if any. */
function statusOf(err: unknown): number | null {
  let e: unknown = err;
  for (let depth = 0; depth < 5 && typeof e === 'object' && e !== null; depth++, e = (e as { cause?: unknown }).cause) {
    const status = (e as { status?: unknown }).status;
    if (typeof status === 'number') return status;
  }
  return null;
}

/** Codes of openid-client errors that mean the bank's answer failed validation. */
const VALIDATION_CODES = new Set([
  'OAUTH_JWT_CLAIM_COMPARISON_FAILED',
  'OAUTH_JWT_TIMESTAMP_CHECK_FAILED',
  'OAUTH_INVALID_RESPONSE',
  'OAUTH_KEY_SELECTION_FAILED',
  'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED',
  'OAUTH_PARSE_ERROR',
  'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
  'ERR_JOSE_NOT_SUPPORTED',
]);

export function createFapiClient(options: FapiClientOptions): FapiClient {
  const configurations = new Map<string, Promise<oidc.Configuration>>();
  /** The last token endpoint body per bank, read when validation throws after the bank rotated a refresh token. */
  const lastTokenBody = new WeakMap<oidc.Configuration, { refresh_token?: unknown }>();

  async function discover(bank: BankDefinition): Promise<oidc.Configuration> {
    const transport = options.transports.for(bank);
    const key = bank.client_auth === 'private_key_jwt' ? await importPKCS8(bank.signing.key_pem, bank.signing.alg) : null;
    const auth = key ? oidc.PrivateKeyJwt({ key, kid: bank.signing.kid }) : oidc.TlsClientAuth();
    let config: oidc.Configuration | undefined;
    const fetchImpl = async (url: string, init: RequestInit) => {
      const res = await transport.fetch(url, { ...init, redirect: 'manual' });
      if (config && init.method === 'POST' && res.ok && res.headers.get('content-type')?.includes('json')) {
        const copy = await res.clone().json().catch(() => null);
        if (copy && typeof copy === 'object' && 'access_token' in copy) lastTokenBody.set(config, copy as { refresh_token?: unknown });
      }
      return res;
    };
    const execute: ((c: oidc.Configuration) => void)[] = [];
    if (isLoopbackHttp(bank.issuer)) execute.push(oidc.allowInsecureRequests);
    if (bank.response_type === 'code id_token') execute.push(oidc.useCodeIdTokenResponseType, oidc.enableDetachedSignatureResponseChecks);
    try {
      config = await oidc.discovery(
        new URL(bank.issuer),
        bank.client_id,
        { use_mtls_endpoint_aliases: true, token_endpoint_auth_method: bank.client_auth, tls_client_certificate_bound_access_tokens: true },
        auth,
        { [oidc.customFetch]: fetchImpl as typeof globalThis.fetch, execute, timeout: Math.ceil(options.timeout_ms / 1000) },
      );
    } catch (err) {
      throw new BankError('unavailable', `OpenID discovery at ${bank.issuer} failed: ${describe(err)}`, { status: statusOf(err), cause: err });
    }
    config.timeout = Math.ceil(options.timeout_ms / 1000);
    return config;
  }

  /** Discovery once per bank; `fresh` fetches it again (each new consent journey does, to pick up rotated keys). */
  function configuration(bank: BankDefinition, fresh = false): Promise<oidc.Configuration> {
    let pending = fresh ? undefined : configurations.get(bank.identifier);
    if (!pending) {
      pending = discover(bank);
      configurations.set(bank.identifier, pending);
      pending.catch(() => configurations.delete(bank.identifier));
    }
    return pending;
  }

  /** The bank's JWKS for verifying what it signs, per bank; fetched on first use and when a `kid` is unknown. */
  const bankKeySets = new Map<string, Promise<ReturnType<typeof createLocalJWKSet>>>();
  async function fetchBankKeys(bank: BankDefinition): Promise<ReturnType<typeof createLocalJWKSet>> {
    const uri = (await configuration(bank)).serverMetadata().jwks_uri;
    if (!uri) throw new BankError('unavailable', `the bank's discovery at ${bank.issuer} names no jwks_uri`);
    let res: Response;
    try {
      res = await options.transports.for(bank).fetch(uri, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(options.timeout_ms) });
    } catch (err) {
      throw new BankError('unavailable', `the bank's JWKS at ${uri} did not answer: ${describe(err)}`, { cause: err });
    }
    const body = res.ok ? ((await res.json().catch(() => null)) as JSONWebKeySet | null) : null;
    if (!body || !Array.isArray(body.keys)) throw new BankError('unavailable', `the bank's JWKS at ${uri} answered ${res.status} without a key set`, { status: res.status });
    return createLocalJWKSet(body);
  }
  function bankKeys(bank: BankDefinition, fresh: boolean) {
    let pending = fresh ? undefined : bankKeySets.get(bank.identifier);
    if (!pending) {
      pending = fetchBankKeys(bank);
      bankKeySets.set(bank.identifier, pending);
      pending.catch(() => bankKeySets.delete(bank.identifier));
    }
    return pending;
  }

  const signingKey = async (bank: BankDefinition) => ({ key: await importPKCS8(bank.signing.key_pem, bank.signing.alg), kid: bank.signing.kid });

  /**
   * A token endpoint call. The bank's OAuth error (RFC 6749 §5.2) is `rejected` (or, for
   * `invalid_grant` on a user's grant, `reconnect_required`); an answer that fails validation is
   * `rejected` with the reason; no answer (timeout, connection, 5xx) is a `GrantAnswerLost`.
   */
  async function grant(bank: BankDefinition, what: GrantName, call: (config: oidc.Configuration) => Promise<oidc.TokenEndpointResponse>): Promise<TokenSet> {
    const config = await configuration(bank);
    lastTokenBody.delete(config);
    let res: oidc.TokenEndpointResponse;
    try {
      res = await call(config);
    } catch (err) {
      throw grantError(bank, what, err, lastTokenBody.get(config));
    }
    return {
      access_token: res.access_token,
      refresh_token: typeof res.refresh_token === 'string' ? res.refresh_token : null,
      expires_in: typeof res.expires_in === 'number' ? res.expires_in : null,
    };
  }

  function grantError(bank: BankDefinition, what: GrantName, err: unknown, body: { refresh_token?: unknown } | undefined): BankError {
    const userGrant = what !== 'client credentials token';
    if (err instanceof BankError) return err;
    if (err instanceof oidc.ResponseBodyError) {
      if (err.status >= 500) return new GrantAnswerLost(`${what}: the bank failed (${err.status}, ${err.error})`, { status: err.status, cause: err });
      const reason = [err.error, err.error_description].filter(Boolean).join(': ');
      if (userGrant && err.error === 'invalid_grant') {
        return new BankError('reconnect_required', `${what}: the bank no longer honours the grant (${err.status}, ${reason})`, { status: err.status, cause: err });
      }
      return new BankError('rejected', `${what}: the bank refused the request (${err.status}, ${reason})`, { status: err.status, cause: err });
    }
    const code = (err as { code?: string }).code;
    if (code !== undefined && VALIDATION_CODES.has(code)) {
      // The answer came but cannot be trusted; any cached keys or algorithms may be stale.
      configurations.delete(bank.identifier);
      // Only a refresh grant's answer is kept in part: the bank has rotated the token it spent.
      const refresh = what === 'token refresh' && typeof body?.refresh_token === 'string' ? body.refresh_token : null;
      const message = `${what}: the bank's answer failed validation (${describe(err)})`;
      return refresh ? new GrantAnswerLost(message, { refresh_token: refresh, cause: err }) : new BankError('rejected', message, { cause: err });
    }
    const status = statusOf(err);
    if (code === 'OAUTH_RESPONSE_IS_NOT_CONFORM' || code === 'OAUTH_RESPONSE_IS_NOT_JSON') {
      return new GrantAnswerLost(`${what}: the bank answered ${status ?? 'unexpectedly'} (${describe(err)})`, { status, cause: err });
    }
    return new GrantAnswerLost(`${what}: no answer from the bank (${describe(err)})`, { status, cause: err });
  }

  return {
    async clientCredentials(bank, scope) {
      const tokens = await grant(bank, 'client credentials token', (config) => oidc.clientCredentialsGrant(config, { scope }));
      return tokens.access_token;
    },

    async authorizationRequest(bank, request) {
      const config = await configuration(bank, true);
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      const code_verifier = oidc.randomPKCECodeVerifier();
      const params: Record<string, string> = {
        redirect_uri: request.redirect_uri,
        scope: request.scope ?? ['openid', ...bank.scopes].join(' '),
        state,
        nonce,
        code_challenge: await oidc.calculatePKCECodeChallenge(code_verifier),
        code_challenge_method: 'S256',
        ...(request.claims ? { claims: JSON.stringify(request.claims) } : {}),
        ...(request.ui_locales ? { ui_locales: request.ui_locales } : {}),
        ...(request.authorization_details ? { authorization_details: JSON.stringify(request.authorization_details) } : {}),
      };
      let url: URL;
      try {
        const signed = await oidc.buildAuthorizationUrlWithJAR(config, params, await signingKey(bank));
        url = bank.par ? await oidc.buildAuthorizationUrlWithPAR(config, signed.searchParams) : signed;
      } catch (err) {
        if (err instanceof oidc.ResponseBodyError) {
          const reason = [err.error, err.error_description].filter(Boolean).join(': ');
          const kind = err.status >= 500 ? 'unavailable' : 'rejected';
          throw new BankError(kind, `pushed authorization request: the bank refused it (${err.status}, ${reason})`, { status: err.status, cause: err });
        }
        throw new BankError('unavailable', `pushed authorization request failed: ${describe(err)}`, { status: statusOf(err), cause: err });
      }
      return { authorize_url: url.toString(), state, nonce, code_verifier };
    },

    async exchangeCode(bank, input) {
      const hybrid = bank.response_type === 'code id_token';
      const current = new URL(input.redirect_uri);
      const params = new URLSearchParams(input.params);
      if (hybrid) current.hash = params.toString();
      else for (const [name, value] of params) current.searchParams.set(name, value);
      return grant(bank, 'code exchange', (config) =>
        oidc.authorizationCodeGrant(config, current, { expectedState: input.state, expectedNonce: input.nonce, pkceCodeVerifier: input.code_verifier, idTokenExpected: true }),
      );
    },

    refresh(bank, refreshToken) {
      return grant(bank, 'token refresh', (config) => oidc.refreshTokenGrant(config, refreshToken));
    },

    async verifyBankJwt(bank, jwt, now) {
      const verify = async (fresh: boolean) =>
        jwtVerify(jwt, await bankKeys(bank, fresh), {
          issuer: bank.issuer,
          audience: bank.client_id,
          currentDate: now,
          clockTolerance: SIGNED_RESPONSE_TOLERANCE_S,
          requiredClaims: ['iss', 'exp', 'nbf'],
          // FAPI's algorithms (FAPI 2.0 Security Profile §5.4): never `none` or a shared secret.
          algorithms: ['PS256', 'ES256'],
        });
      try {
        try {
          return (await verify(false)).payload;
        } catch (err) {
          if (!(err instanceof joseErrors.JWKSNoMatchingKey)) throw err;
          return (await verify(true)).payload;
        }
      } catch (err) {
        if (err instanceof BankError) throw err;
        // jose names the failing claim on JWTClaimValidationFailed and JWTExpired.
        const claim = err instanceof joseErrors.JWTClaimValidationFailed || err instanceof joseErrors.JWTExpired ? ` (claim ${err.claim})` : '';
        throw new BankError('malformed', `the bank's signed response failed verification: ${(err as Error).message}${claim}`, { cause: err });
      }
    },

    forget(bank) {
      configurations.delete(bank.identifier);
      bankKeySets.delete(bank.identifier);
    },
  };
}
