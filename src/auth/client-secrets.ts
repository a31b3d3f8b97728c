import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Client secrets are 256 random bits, so a fast hash is as safe as a slow one: there is nothing to
 * brute-force. SHA-256 keeps the token endpoint cheap (see docs/decisions/002-client-secret-hashing.md).
 */
export function newClientSecret(): string {
  return 'sk_' + randomBytes(32).toString('base64url');
}

export function newClientId(): string {
  return 'ck_' + randomBytes(12).toString('hex');
}

export function hashClientSecret(secret: string): string {
  return 'sha256:' + createHash('sha256').update(secret).digest('base64url');
}

export function verifyClientSecret(secret: string, hash: string): boolean {
  const expected = Buffer.from(hash);
  const actual = Buffer.from(hashClientSecret(secret));
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
