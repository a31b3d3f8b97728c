import { UnexpectedResponseError } from './problem.ts';

/**
 * The token endpoint's refusal, as OAuth 2.0 words it (RFC 6749 §5.2), not problem+json: for
 * example `invalid_client` for an unknown client or a wrong secret, `invalid_scope`.
 */
export class TokenError extends Error {
  override readonly name = 'TokenError';
  /** The HTTP status (400 or 401). */
  readonly status: number;
  /** RFC 6749 §5.2 `error`: `invalid_client`, `invalid_request`, `invalid_scope`, `unsupported_grant_type`... */
  readonly error: string;
  readonly error_description: string | undefined;

  constructor(status: number, body: { error: string; error_description?: string }) {
    super(`token request refused: ${body.error}${body.error_description ? ` (${body.error_description})` : ''}`);
    this.status = status;
    this.error = body.error;
    this.error_description = body.error_description;
  }
}

export interface TokenSourceOptions {
  /** openlean's base URL, e.g. `http://localhost:3000`. */
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  /** `api` (default) or `customer.<customer_id>`. */
  scope?: string;
  /** Seconds before its expiry at which a token is replaced; default 60. */
  renewBeforeSeconds?: number;
  fetch?: typeof fetch;
  /** The clock, in ms since the epoch (tests move it). */
  now?: () => number;
}

/**
 * openlean access tokens by the OAuth 2.0 client-credentials grant (RFC 6749 §4.4) at
 * `POST /oauth2/token`: one token is kept and shared, and replaced `renewBeforeSeconds` before
 * its `expires_in` runs out, so no request goes out with a token about to expire. Concurrent
 * callers share one token request.
 *
 * @throws TokenError when openlean refuses the credentials or the scope (an RFC 6749 §5.2 error).
 */
export class TokenSource {
  readonly #o: Required<Omit<TokenSourceOptions, 'fetch'>> & { fetch: typeof fetch };
  #current: { token: string; renewAt: number } | null = null;
  #pending: Promise<string> | null = null;

  constructor(o: TokenSourceOptions) {
    this.#o = { scope: 'api', renewBeforeSeconds: 60, now: Date.now, fetch: globalThis.fetch, ...o, baseUrl: o.baseUrl.replace(/\/+$/, '') };
  }

  /** A token valid for at least `renewBeforeSeconds` more. */
  async token(): Promise<string> {
    if (this.#current && this.#o.now() < this.#current.renewAt) return this.#current.token;
    this.#pending ??= this.#request().finally(() => {
      this.#pending = null;
    });
    return this.#pending;
  }

  /** Forgets the token, so the next call asks for a new one (after openlean refused it). */
  reset(): void {
    this.#current = null;
  }

  async #request(): Promise<string> {
    const asked = this.#o.now();
    const res = await this.#o.fetch(`${this.#o.baseUrl}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: this.#o.clientId, client_secret: this.#o.clientSecret, scope: this.#o.scope }),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // Not JSON: reported as it came.
    }
    if (!res.ok) {
      const refusal = body as { error?: unknown; error_description?: unknown };
      throw typeof refusal?.error === 'string'
        ? new TokenError(res.status, { error: refusal.error, ...(typeof refusal.error_description === 'string' ? { error_description: refusal.error_description } : {}) })
        : new UnexpectedResponseError(res.status, body);
    }
    const { access_token, expires_in } = body as { access_token?: unknown; expires_in?: unknown };
    if (typeof access_token !== 'string' || typeof expires_in !== 'number') throw new UnexpectedResponseError(res.status, body);
    // Counted from when it was asked for: the server's expiry cannot come before that.
    this.#current = { token: access_token, renewAt: asked + Math.max(0, expires_in - this.#o.renewBeforeSeconds) * 1000 };
    return access_token;
  }
}
