import { generateKeyPairSync, randomBytes, randomUUID, type JsonWebKey } from 'node:crypto';
import type { BankKeys } from '../state.ts';

/** Algorithms a bank can sign ID tokens with: its JWKS always holds an RSA key (RS256, PS256) and a P-256 key (ES256). */
export const ID_TOKEN_ALGS = ['PS256', 'ES256', 'RS256'] as const;
export type IdTokenAlg = (typeof ID_TOKEN_ALGS)[number];

/** A fresh private JWKS for a bank: one RSA 2048 and one P-256 key, each with a new random `kid`. */
export function generateBankJwks(): BankKeys['jwks'] {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
  return { keys: [{ ...rsa, kid: randomUUID(), use: 'sig' }, { ...ec, kid: randomUUID(), use: 'sig' }] as JsonWebKey[] };
}

/** The first keys of a bank: a fresh JWKS, the profile's algorithm for ID tokens, a cookie secret. */
export function initialBankKeys(idTokenAlg: IdTokenAlg): Omit<BankKeys, 'version'> {
  return { jwks: generateBankJwks(), idTokenAlg, cookieSecret: randomBytes(32).toString('base64url') };
}

/** The private JWK that signs `alg`: RSA for RS256/PS256, EC for ES256. */
export function signingKeyFor(jwks: BankKeys['jwks'], alg: string): JsonWebKey & { kid: string } {
  const kty = alg === 'ES256' ? 'EC' : 'RSA';
  const key = jwks.keys.find((k) => k.kty === kty);
  if (!key) throw new Error(`The bank has no ${kty} key for ${alg}`);
  return key as JsonWebKey & { kid: string };
}
