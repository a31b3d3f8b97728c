import type { DataResource } from '../domain/permissions.ts';
import { BankError, type BankCredentials, type FetchDataInput } from './connector.ts';
import type { BankDefinition } from './bank.ts';
import { createBankHttp, type BankHttp, type HttpEvent, type HttpResponse } from './obie/http.ts';
import { GrantAnswerLost, type FapiClient, type TokenSet } from './security/fapi-client.ts';

/**
 * What every account-information connector (OBIE, UAE, KSA) does with a consent's tokens during
 * one fetch, written once: refresh the access token before it expires or when the bank refuses
 * it, at most once per fetch, handing rotated credentials to the caller at once; a refresh whose
 * answer was lost is recorded so that a following `invalid_grant` says why.
 */

/** An access token this close to its expiry is refreshed before use rather than after a 401. */
const EXPIRY_MARGIN_MS = 60_000;

/** The HTTP settings a connector is given (all optional; defaults as documented on `ObieConnectorOptions`). */
export interface ConnectorHttpOptions {
  timeout_ms?: number;
  max_attempts?: number;
  max_retry_after_ms?: number;
  circuit_threshold?: number;
  circuit_half_open_after_ms?: number;
}

/**
 * A connector's calls to banks: 10 s per attempt, 5 attempts, `Retry-After` up to 30 s, backoff
 * from 250 ms doubling up to 8 s, a circuit opening after 10 failures in a row for 10 s.
 */
export function connectorHttp(options: ConnectorHttpOptions, onEvent: (event: HttpEvent) => void): BankHttp {
  return createBankHttp(
    {
      timeout_ms: options.timeout_ms ?? 10_000,
      max_attempts: options.max_attempts ?? 5,
      max_retry_after_ms: options.max_retry_after_ms ?? 30_000,
      base_backoff_ms: 250,
      max_backoff_ms: 8_000,
      circuit_threshold: options.circuit_threshold ?? 10,
      circuit_half_open_after_ms: options.circuit_half_open_after_ms ?? 10_000,
    },
    onEvent,
  );
}

/** A token response as the credentials openlean keeps; `expires_in` is counted from `nowMs`. */
export function credentialsFrom(consentId: string, t: TokenSet, previousRefresh: string | null, nowMs: number): BankCredentials {
  return {
    consent_id: consentId,
    access_token: t.access_token,
    // RFC 6749 §6: a bank that does not rotate refresh tokens keeps the old one valid.
    refresh_token: t.refresh_token ?? previousRefresh,
    access_token_expires_at: t.expires_in === null ? null : new Date(nowMs + t.expires_in * 1000).toISOString(),
    refresh_answer_lost_at: null,
  };
}

/** `rejected`: the bank refused the request itself, with its own words (`reason`, per standard). */
export function refused(what: string, res: HttpResponse, reason: string, resource: DataResource | null = null): BankError {
  return new BankError('rejected', `${what}: the bank refused the request (${res.status}, ${reason})`, { resource, status: res.status });
}

/** `malformed`: the bank answered something that breaks its standard's format. */
export function malformed(what: string, problem: string, resource: DataResource | null = null, cause?: unknown): BankError {
  return new BankError('malformed', `${what}: the bank's response is malformed (${problem})`, { resource, cause });
}

/** Runs `tasks` `limit` at a time; the first failure aborts the rest (through `abort`) and is thrown. */
export async function runLimited(tasks: readonly (() => Promise<void>)[], limit: number, abort: AbortController): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) await tasks[next++]!();
  };
  try {
    await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  } catch (err) {
    abort.abort();
    throw err;
  }
}

export interface ConsentSessionDeps {
  bank: BankDefinition;
  fapi: FapiClient;
  http: BankHttp;
  /** The bank's mutual-TLS fetch: certificate-bound tokens go over the certificate they are bound to. */
  transport: (input: string, init: RequestInit) => Promise<Response>;
  input: Pick<FetchDataInput, 'credentials' | 'onCredentials'>;
  signal: AbortSignal | undefined;
  now: () => Date;
  onRefreshed: () => void;
  /** The bank's own words for a refused request, in its standard's error format. */
  reasonOf: (res: HttpResponse) => string;
}

export interface ConsentSession {
  /** The credentials now: different from the input once the access token was refreshed. */
  credentials(): BankCredentials;
  /** Refreshes the access token first when it expires within a minute. */
  refreshIfExpiring(): Promise<void>;
  /**
   * One GET with the consent's token; a refused token (401/403) is refreshed once and the page
   * asked again. Any other non-2xx is `rejected`; a refusal that outlives a fresh token means the
   * consent is dead: `reconnect_required`. At a bank with `signed_responses` the answer is asked
   * for signed and is the verified JWT's `message`; an unsigned or unverifiable one is `malformed`:
   * never used, and not asked again (a key rotation is handled by re-reading the JWKS first).
   */
  get(url: string, resource: DataResource): Promise<unknown>;
}

export function openConsentSession(deps: ConsentSessionDeps): ConsentSession {
  const { bank, fapi, http, input, now } = deps;
  let credentials = input.credentials;

  /** The body of a 2xx answer: as parsed, or, at a bank that signs, the verified JWT's `message` (UAE v2.1 `*Signed` schemas). */
  const bodyOf = async (res: HttpResponse, resource: DataResource): Promise<unknown> => {
    if (!bank.signed_responses) return res.body;
    if (res.jwt === undefined) throw malformed(`GET ${resource}`, 'an unsigned answer where signed responses (application/jwt) were asked for', resource);
    let payload: Record<string, unknown>;
    try {
      payload = await fapi.verifyBankJwt(bank, res.jwt, now());
    } catch (err) {
      throw err instanceof BankError ? new BankError(err.kind, `GET ${resource}: ${err.message}`, { resource, status: res.status, cause: err }) : err;
    }
    if (!('message' in payload)) throw malformed(`GET ${resource}`, 'the signed response has no message claim', resource);
    return payload.message;
  };
  let refresh: Promise<void> | null = null;

  /** At most once per fetch; concurrent callers share the one refresh. */
  const refreshToken = (resource: DataResource | null) => {
    refresh ??= (async () => {
      let t: TokenSet;
      try {
        t = await fapi.refresh(bank, credentials.refresh_token!);
      } catch (err) {
        if (err instanceof GrantAnswerLost) {
          // The bank has probably rotated the refresh token: keep what it sent, and say so later.
          credentials = { ...credentials, refresh_token: err.refresh_token ?? credentials.refresh_token, refresh_answer_lost_at: now().toISOString() };
          await input.onCredentials?.(credentials);
          throw new BankError('unavailable', err.message, { resource, status: err.status, cause: err });
        }
        if (err instanceof BankError && err.kind === 'reconnect_required' && credentials.refresh_answer_lost_at) {
          throw new BankError(
            'reconnect_required',
            `${err.message}; the bank's answer to an earlier token refresh (${credentials.refresh_answer_lost_at}) was lost after it had rotated the refresh token`,
            { resource, status: err.status, cause: err },
          );
        }
        throw err instanceof BankError ? new BankError(err.kind, err.message, { resource, status: err.status, retry_after_ms: err.retry_after_ms, cause: err }) : err;
      }
      credentials = credentialsFrom(credentials.consent_id, t, credentials.refresh_token, now().getTime());
      deps.onRefreshed();
      await input.onCredentials?.(credentials);
    })();
    return refresh;
  };

  return {
    credentials: () => credentials,

    async refreshIfExpiring() {
      const expiresAt = credentials.access_token_expires_at === null ? null : Date.parse(credentials.access_token_expires_at);
      if (expiresAt !== null && expiresAt - EXPIRY_MARGIN_MS <= now().getTime() && credentials.refresh_token !== null) await refreshToken(null);
    },

    async get(url, resource) {
      for (;;) {
        const used = credentials.access_token;
        const headers: Record<string, string> = { authorization: `Bearer ${used}`, ...(bank.signed_responses ? { accept: 'application/jwt' } : {}) };
        const res = await http.send(bank.identifier, { method: 'GET', url, headers, signal: deps.signal, resource, fetch: deps.transport });
        if (res.status >= 200 && res.status < 300) return bodyOf(res, resource);
        if (res.status !== 401 && res.status !== 403) throw refused(`GET ${resource}`, res, deps.reasonOf(res), resource);
        if (used !== credentials.access_token) continue;
        if (refresh === null && credentials.refresh_token !== null) {
          await refreshToken(resource);
          continue;
        }
        throw new BankError('reconnect_required', `the bank refuses the consent (${res.status}, ${deps.reasonOf(res)})`, { resource, status: res.status });
      }
    },
  };
}
