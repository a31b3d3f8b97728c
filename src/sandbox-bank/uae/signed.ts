import { generateKeyPairSync } from 'node:crypto';
import { importJWK, SignJWT, type JWK } from 'jose';
import type { FastifyRequest } from 'fastify';
import { signingKeyFor } from '../authorization-server/keys.ts';
import type { ActiveFaults } from '../faults.ts';
import type { BankKeys } from '../state.ts';

/**
 * UAE v2.1 signed responses: a read answered as `application/jwt` (the spec's `AE…Signed`
 * schemas: the `Jwt` claims `iss`, `aud`, `iat`, `nbf`, `exp`, and the JSON answer as `message`),
 * signed with the bank's own key, the one its JWKS publishes (the key that signs its ID tokens).
 *
 * Faults spoil one thing each, so that a client's checks can be tested one by one:
 * `signed_response_wrong_key` signs with a key the JWKS does not hold (under the real key's `kid`),
 * `signed_response_wrong_audience` names another client, `signed_response_expired` expired an hour
 * ago on the bank's clock.
 */
/** How long a signed response is valid: enough for the client to read it, no more. */
const LIFETIME_S = 300;

/** Whether the request accepts a signed answer (RFC 9110 §12.5.1; the UAE spec's `application/jwt`). */
export const acceptsJwt = (request: FastifyRequest) => /\bapplication\/jwt\b/i.test(request.headers.accept ?? '');

/** An RSA and an EC key no JWKS holds, made once per process: what `signed_response_wrong_key` signs with. */
let strangers: { RSA: JWK; EC: JWK } | undefined;
const strangerKey = (kty: 'RSA' | 'EC'): JWK => {
  strangers ??= {
    RSA: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }) as JWK,
    EC: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }) as JWK,
  };
  return strangers[kty];
};

export interface SignedAnswer {
  /** The bank's issuer (its discovery's `issuer`). */
  issuer: string;
  /** The client whose token asked. */
  audience: string;
  keys: BankKeys;
  /** The bank's clock, ms since the epoch. */
  nowMs: number;
  faults: ActiveFaults;
}

/** `body` as a compact JWS whose payload carries it as `message`. */
export async function signedResponse(body: unknown, s: SignedAnswer): Promise<string> {
  const alg = s.keys.idTokenAlg === 'ES256' ? 'ES256' : 'PS256';
  const key = signingKeyFor(s.keys.jwks, alg);
  const nowS = Math.floor(s.nowMs / 1000);
  const iat = s.faults.has('signed_response_expired') ? nowS - 2 * LIFETIME_S - 3600 : nowS;
  const signWith = s.faults.has('signed_response_wrong_key') ? strangerKey(alg === 'ES256' ? 'EC' : 'RSA') : (key as JWK);
  return new SignJWT({ message: body as Record<string, unknown> })
    .setProtectedHeader({ alg, kid: key.kid, typ: 'JWT' })
    .setIssuer(s.issuer)
    .setAudience([s.faults.has('signed_response_wrong_audience') ? 'someone-else' : s.audience])
    .setIssuedAt(iat)
    .setNotBefore(iat)
    .setExpirationTime(iat + LIFETIME_S)
    .sign(await importJWK(signWith, alg));
}
