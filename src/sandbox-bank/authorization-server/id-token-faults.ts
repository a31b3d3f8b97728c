import { decodeJwt, decodeProtectedHeader, importJWK, SignJWT } from 'jose';
import type { ActiveFaults } from '../faults.ts';
import type { BankKeys } from '../state.ts';
import { signingKeyFor } from './keys.ts';

/**
 * ID tokens spoilt on purpose, so a client's checks (OIDC Core §3.1.3.7, §3.3.2.12) can be
 * tested: each fault changes one claim (or drops the signature) and the token is signed again
 * with the bank's own key, so only the check for that claim can catch it.
 */
export const ID_TOKEN_FAULTS = ['id_token_alg_none', 'id_token_wrong_issuer', 'id_token_wrong_audience', 'id_token_wrong_nonce', 'id_token_expired'] as const;

export const hasIdTokenFault = (faults: ActiveFaults) => ID_TOKEN_FAULTS.some((f) => faults.has(f));

/** `sub` of an ID token, to find whose faults apply; null when it is not a JWT. */
export function subjectOf(idToken: string): string | null {
  try {
    const { sub } = decodeJwt(idToken);
    return typeof sub === 'string' ? sub : null;
  } catch {
    return null;
  }
}

export async function tamperIdToken(idToken: string, faults: ActiveFaults, keys: BankKeys): Promise<string> {
  const header = decodeProtectedHeader(idToken);
  const claims = decodeJwt(idToken);
  const nowS = Math.floor(Date.now() / 1000);
  if (faults.has('id_token_wrong_issuer')) claims.iss = `${claims.iss}/not-the-issuer`;
  if (faults.has('id_token_wrong_audience')) claims.aud = 'someone-else';
  if (faults.has('id_token_wrong_nonce')) claims.nonce = 'not-the-nonce';
  if (faults.has('id_token_expired')) Object.assign(claims, { iat: nowS - 7200, exp: nowS - 3600 });
  if (faults.has('id_token_alg_none')) {
    const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    return `${part({ alg: 'none', typ: header.typ ?? 'JWT' })}.${part(claims)}.`;
  }
  const alg = header.alg!;
  const key = signingKeyFor(keys.jwks, alg);
  return new SignJWT(claims).setProtectedHeader({ ...header, alg, kid: key.kid }).sign(await importJWK(key as Parameters<typeof importJWK>[0], alg));
}
