import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, type JWK, type CryptoKey } from 'jose';
import type { Kysely } from 'kysely';
import { ensureSigningKey } from '../store/signing-keys.ts';
import type { DB } from '../store/schema.ts';

export const TOKEN_ALG = 'ES256';

export interface SigningKeys {
  /** The key new tokens are signed with. */
  current: { kid: string; key: CryptoKey };
  /** Public keys of every known kid, for verification and the JWKS document. */
  publicKeys: Map<string, CryptoKey>;
  jwks: { keys: JWK[] };
}

/**
 * Loads the token signing keys from the database, creating the first one if there is none.
 * Keys live in the database, not in a process, so every API process signs and verifies alike.
 */
export async function loadSigningKeys(db: Kysely<DB>): Promise<SigningKeys> {
  const rows = await ensureSigningKey(db, async () => {
    const { privateKey, publicKey } = await generateKeyPair(TOKEN_ALG, { extractable: true });
    const kid = randomUUID();
    return {
      kid,
      alg: TOKEN_ALG,
      private_jwk: JSON.stringify(await exportJWK(privateKey)),
      public_jwk: JSON.stringify({ ...(await exportJWK(publicKey)), kid, alg: TOKEN_ALG, use: 'sig' }),
      created_at: new Date().toISOString(),
    };
  });
  const publicKeys = new Map<string, CryptoKey>();
  const jwks: JWK[] = [];
  for (const row of rows) {
    const jwk = JSON.parse(row.public_jwk) as JWK;
    jwks.push(jwk);
    publicKeys.set(row.kid, (await importJWK(jwk, row.alg)) as CryptoKey);
  }
  const newest = rows[0]!;
  return {
    current: { kid: newest.kid, key: (await importJWK(JSON.parse(newest.private_jwk) as JWK, newest.alg)) as CryptoKey },
    publicKeys,
    jwks: { keys: jwks },
  };
}
