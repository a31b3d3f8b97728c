import { randomUUID } from 'node:crypto';
import { SignJWT, errors as joseErrors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { LRUCache } from 'lru-cache';
import { TOKEN_ALG, type SigningKeys } from './signing-keys.ts';

export const AUDIENCE = 'openlean';

/** `api` for a client backend; `customer.<customer_id>` for the link pages acting for one customer. */
export type Scope = { kind: 'api' } | { kind: 'customer'; customerId: string };

export interface Principal {
  appId: string;
  clientId: string;
  scope: Scope;
  /** Seconds since the epoch. */
  expiresAt: number;
}

const CUSTOMER_SCOPE = /^customer\.([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/** Parses a requested scope string; undefined when it is not one openlean issues. */
export function parseScope(scope: string): Scope | undefined {
  if (scope === 'api') return { kind: 'api' };
  const m = CUSTOMER_SCOPE.exec(scope);
  return m ? { kind: 'customer', customerId: m[1]! } : undefined;
}

export function formatScope(scope: Scope): string {
  return scope.kind === 'api' ? 'api' : `customer.${scope.customerId}`;
}

/**
 * A bearer token openlean does not accept; the API answers it 401 `INVALID_TOKEN`. `expired`: a
 * genuine token past its expiry, which the Link pages tell apart from a forged or malformed one.
 */
export class InvalidTokenError extends Error {
  readonly expired: boolean;

  constructor(message: string, options: { expired?: boolean } = {}) {
    super(message);
    this.name = 'InvalidTokenError';
    this.expired = options.expired ?? false;
  }
}

const expired = () => new InvalidTokenError('The access token has expired', { expired: true });

export interface TokenService {
  issue(input: { appId: string; clientId: string; scope: Scope }): Promise<{ token: string; expiresIn: number }>;
  /** Verifies a bearer token; throws `InvalidTokenError`. Verified tokens are cached until they expire. */
  verify(token: string): Promise<Principal>;
  /** The principal of a token verified before and not yet expired, synchronously; otherwise undefined. */
  verifyCached(token: string): Principal | undefined;
  /** The JWKS document: every key published now. */
  jwks(): Promise<ReturnType<SigningKeys['jwks']>>;
}

/**
 * How long a process signs and publishes from the keys it loaded before re-reading them, in ms:
 * it learns of a rotation within this, well inside the shortest overlap (SIGNING_KEY_OVERLAP_SECONDS).
 */
export const SIGNING_KEYS_RELOAD_MS = 30_000;

export interface TokenServiceOptions {
  /**
   * The `iss` of the tokens issued and required of those verified: the base URL clients reach the
   * server at, also the issuer of its RFC 8414 metadata. A function because with port 0 and no
   * `PUBLIC_URL` that URL is only known once the server listens.
   */
  issuer: () => string;
  ttlSeconds: number;
  keys: SigningKeys;
  /** Re-reads keys from the store: for a kid another process created, and every `SIGNING_KEYS_RELOAD_MS`. */
  reloadKeys: () => Promise<SigningKeys>;
  now?: () => number;
}

/** A JWS in compact serialisation: three base64url parts (RFC 7515 §7.1, RFC 4648 §5). */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** Characters of a token's end that key the verified-token cache: 96 bits of its RS256 signature. */
const SIGNATURE_KEY_LENGTH = 16;

export function createTokenService(options: TokenServiceOptions): TokenService {
  const now = options.now ?? Date.now;
  let keys = options.keys;
  let loadedAt = now();
  let reloading: Promise<SigningKeys> | null = null;
  // Keyed by the last characters of the token (of its signature), the whole token compared on a
  // hit: a map hashes its key at every lookup, and hashing the whole token (about 600 characters,
  // a new string per request) was a microsecond of every read, the whole signature (342) half of
  // one. Two tokens sharing the key only take turns in the cache.
  const verified = new LRUCache<string, { token: string; principal: Principal }>({ max: 50_000 });
  const signatureOf = (token: string) => token.slice(-SIGNATURE_KEY_LENGTH);
  const cachedPrincipal = (token: string): Principal | undefined => {
    const entry = verified.get(signatureOf(token));
    return entry !== undefined && entry.token === token ? entry.principal : undefined;
  };

  /** One re-read at a time; callers during it share its result. */
  const reload = async (): Promise<SigningKeys> => {
    reloading ??= options.reloadKeys().then(
      (fresh) => {
        keys = fresh;
        loadedAt = now();
        reloading = null;
        return fresh;
      },
      (err: unknown) => {
        reloading = null;
        throw err;
      },
    );
    return reloading;
  };
  /** The keys, re-read first when they are older than `SIGNING_KEYS_RELOAD_MS` (or the clock went back). */
  const fresh = async (): Promise<SigningKeys> => {
    const age = now() - loadedAt;
    // The keys held stay good for far longer than one failed re-read (a database blip): use them, and retry next time.
    return age >= SIGNING_KEYS_RELOAD_MS || age < 0 ? reload().catch(() => keys) : keys;
  };

  const getKey: JWTVerifyGetKey = async (header) => {
    const kid = header.kid ?? '';
    let key = (await fresh()).publicKey(kid, now());
    // A kid another process just created: re-read, but at most every 5 s, so forged kids cost nothing.
    if (!key && now() - loadedAt > 5_000) key = (await reload()).publicKey(kid, now());
    if (!key) throw new joseErrors.JWKSNoMatchingKey();
    return key;
  };

  return {
    jwks: async () => (await fresh()).jwks(now()),

    async issue({ appId, clientId, scope }) {
      const signing = (await fresh()).signingKey(now());
      const token = await new SignJWT({ app_id: appId, scope: formatScope(scope) })
        .setProtectedHeader({ alg: TOKEN_ALG, kid: signing.kid, typ: 'at+jwt' })
        .setIssuer(options.issuer())
        .setAudience(AUDIENCE)
        .setSubject(clientId)
        .setJti(randomUUID())
        .setIssuedAt(Math.floor(now() / 1000))
        .setExpirationTime(Math.floor(now() / 1000) + options.ttlSeconds)
        .sign(signing.key);
      return { token, expiresIn: options.ttlSeconds };
    },

    verifyCached(token) {
      const cached = cachedPrincipal(token);
      return cached && cached.expiresAt * 1000 > now() ? cached : undefined;
    },

    async verify(token) {
      const cached = cachedPrincipal(token);
      if (cached) {
        if (cached.expiresAt * 1000 > now()) return cached;
        verified.delete(signatureOf(token));
        throw expired();
      }
      // Only the compact form is a token (RFC 7515 §7.1): the JWS library would overlook, say, a
      // space in the signature, and the cache would then hold a string the Authorization header's
      // syntax refuses.
      if (!COMPACT_JWS.test(token)) throw new InvalidTokenError('The access token is not valid');
      let payload;
      try {
        ({ payload } = await jwtVerify(token, getKey, {
          issuer: options.issuer(),
          audience: AUDIENCE,
          algorithms: [TOKEN_ALG],
          currentDate: new Date(now()),
        }));
      } catch (err) {
        if (err instanceof joseErrors.JWTExpired) throw expired();
        if (err instanceof joseErrors.JOSEError) throw new InvalidTokenError('The access token is not valid');
        throw err;
      }
      const scope = typeof payload.scope === 'string' ? parseScope(payload.scope) : undefined;
      if (!scope || typeof payload.app_id !== 'string' || !payload.sub || !payload.exp) {
        throw new InvalidTokenError('The access token is missing required claims');
      }
      const principal: Principal = { appId: payload.app_id, clientId: payload.sub, scope, expiresAt: payload.exp };
      verified.set(signatureOf(token), { token, principal });
      return principal;
    },
  };
}
