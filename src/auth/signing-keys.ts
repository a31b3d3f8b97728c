import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, type JWK, type CryptoKey } from 'jose';
import type { Kysely } from 'kysely';
import { deleteSigningKeys, ensureSigningKey, insertSigningKey, listSigningKeys, replaceSealedSigningKey, type PublicJwk, type SigningKeyRow } from '../store/signing-keys.ts';
import type { DB } from '../store/schema.ts';
import { isSealed, open, seal, type KeyRing } from './secret-box.ts';

export const TOKEN_ALG = 'ES256';

/** Binds a sealed private key to its kid, so it cannot be swapped onto another key's row. */
export const signingKeyAad = (kid: string) => `signing-key:${kid}`;

/** Which keys sign, are published and are finished with at one moment; see `signingKeysAt`. */
export interface SigningKeyState<R> {
  /** The key new tokens are signed with. */
  current: R;
  /** Keys in JWKS: the current one, the ones still to activate, and retired ones whose tokens may not have expired. */
  published: R[];
  /** Retired keys every token of which has expired: no longer published or verified. */
  expired: R[];
}

/**
 * The keys' roles at `nowMs` (ms since the epoch), decided from the rows alone, so every process
 * with the same rows and a synchronised clock agrees. The current key is the one with the latest
 * `activates_at` not after now (ties: the greatest kid); when none has activated yet, the earliest
 * to activate. A key retires when the next key activates and stays published `ttlSeconds` more
 * (the longest a token it signed lives); after that it is expired.
 *
 * @throws Error when there are no rows.
 */
export function signingKeysAt<R extends Pick<SigningKeyRow, 'kid' | 'activates_at'>>(rows: readonly R[], nowMs: number, ttlSeconds: number): SigningKeyState<R> {
  if (rows.length === 0) throw new Error('no signing keys');
  const byActivation = [...rows].sort((a, b) => (a.activates_at === b.activates_at ? (a.kid < b.kid ? -1 : 1) : a.activates_at < b.activates_at ? -1 : 1));
  const times = byActivation.map((r) => Date.parse(r.activates_at));
  let currentIndex = 0;
  for (let i = 0; i < byActivation.length; i++) if (times[i]! <= nowMs) currentIndex = i;
  const published: R[] = [];
  const expired: R[] = [];
  byActivation.forEach((row, i) => {
    // Retired when the next key activated (it is past, since the current key is later still).
    const done = i < currentIndex && times[i + 1]! + ttlSeconds * 1000 <= nowMs;
    (done ? expired : published).push(row);
  });
  return { current: byActivation[currentIndex]!, published: published.reverse(), expired };
}

/** A new ES256 key pair as a row: its private JWK sealed with the ring's current key. */
export async function newSigningKeyRow(ring: KeyRing, createdAt: Date, activatesAt: Date): Promise<SigningKeyRow> {
  const { privateKey, publicKey } = await generateKeyPair(TOKEN_ALG, { extractable: true });
  const kid = randomUUID();
  return {
    kid,
    alg: TOKEN_ALG,
    private_jwk_sealed: seal(ring, JSON.stringify(await exportJWK(privateKey)), signingKeyAad(kid)),
    public_jwk: { ...(await exportJWK(publicKey)), kty: 'EC', kid, alg: TOKEN_ALG, use: 'sig' },
    created_at: createdAt.toISOString(),
    activates_at: activatesAt.toISOString(),
  };
}

/**
 * Seals the private keys written in clear before they were sealed (migration 013), each with a
 * compare-and-set on the clear value, so processes doing it at once seal each key once. Returns
 * how many this call sealed.
 */
export async function sealPlaintextSigningKeys(db: Kysely<DB>, ring: KeyRing): Promise<number> {
  let sealed = 0;
  for (const row of await listSigningKeys(db)) {
    if (isSealed(row.private_jwk_sealed)) continue;
    if (await replaceSealedSigningKey(db, row.kid, row.private_jwk_sealed, seal(ring, row.private_jwk_sealed, signingKeyAad(row.kid)))) sealed++;
  }
  return sealed;
}

/** The deployment's signing keys as loaded at one moment, answering for any time after it. */
export interface SigningKeys {
  /** The key tokens issued at `nowMs` are signed with. */
  signingKey(nowMs: number): { kid: string; key: CryptoKey };
  /** The public key of `kid` if it is published at `nowMs`; otherwise undefined. */
  publicKey(kid: string, nowMs: number): CryptoKey | undefined;
  /** The JWKS document at `nowMs`. */
  jwks(nowMs: number): { keys: PublicJwk[] };
}

/**
 * Loads the token-signing keys from the database, creating the first one (active at once) if there
 * is none and sealing any still in clear. Keys live in the database, not in a process, so every
 * API process signs and verifies alike. Expired keys are left unopened.
 *
 * @throws Error when a key's private part does not open with `ring` (a key missing from the ring).
 */
export async function loadSigningKeys(db: Kysely<DB>, ring: KeyRing, ttlSeconds: number, now: Date = new Date()): Promise<SigningKeys> {
  let rows = await ensureSigningKey(db, () => newSigningKeyRow(ring, now, now));
  if (rows.some((r) => !isSealed(r.private_jwk_sealed))) {
    await sealPlaintextSigningKeys(db, ring);
    rows = await listSigningKeys(db);
  }
  const live = signingKeysAt(rows, now.getTime(), ttlSeconds).published;
  const loaded = await Promise.all(
    live.map(async (row) => ({
      row,
      jwk: row.public_jwk,
      publicKey: (await importJWK(row.public_jwk, row.alg)) as CryptoKey,
      privateKey: (await importJWK(JSON.parse(open(ring, row.private_jwk_sealed, signingKeyAad(row.kid))) as JWK, row.alg)) as CryptoKey,
    })),
  );
  const at = (nowMs: number) => signingKeysAt(loaded.map((l) => ({ ...l, kid: l.row.kid, activates_at: l.row.activates_at })), nowMs, ttlSeconds);
  return {
    signingKey(nowMs) {
      const { current } = at(nowMs);
      return { kid: current.row.kid, key: current.privateKey };
    },
    publicKey(kid, nowMs) {
      return at(nowMs).published.find((l) => l.kid === kid)?.publicKey;
    },
    jwks(nowMs) {
      return { keys: at(nowMs).published.map((l) => l.jwk) };
    },
  };
}

/**
 * Adds a key that is published at once and starts signing `overlapSeconds` later, by which time
 * every process has re-read the keys and every verifier's JWKS cache has seen it. Keys expired
 * for good (retired longer than `ttlSeconds` ago) are deleted with it.
 */
export async function rotateSigningKey(db: Kysely<DB>, ring: KeyRing, options: { now: Date; overlapSeconds: number; ttlSeconds: number }): Promise<{ added: SigningKeyRow; deleted: string[] }> {
  const { now, overlapSeconds, ttlSeconds } = options;
  await ensureSigningKey(db, () => newSigningKeyRow(ring, now, now));
  const added = await newSigningKeyRow(ring, now, new Date(now.getTime() + overlapSeconds * 1000));
  await insertSigningKey(db, added);
  const { expired } = signingKeysAt(await listSigningKeys(db), now.getTime(), ttlSeconds);
  const deleted = expired.map((r) => r.kid);
  await deleteSigningKeys(db, deleted);
  return { added, deleted };
}
