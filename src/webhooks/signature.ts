import { createHmac, randomBytes } from 'node:crypto';

const SECRET_PREFIX = 'whsec_';

/** A Standard Webhooks signing secret: `whsec_` and 32 random bytes in base64. */
export function newSigningSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64');
}

/**
 * The Standard Webhooks signature of one attempt: `v1,` and the base64 HMAC-SHA256 of
 * `{id}.{timestamp}.{body}`, keyed with the secret's base64-decoded bytes (without `whsec_`).
 */
export function standardSignature(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

/**
 * Lean's `lean-signature`: `sha512=` and the base64 HMAC-SHA512 of the raw body, keyed with the
 * secret string itself (UTF-8, `whsec_` included). It covers neither id nor timestamp, so unlike
 * the Standard Webhooks signature it does not stop replays; it is there so code written for Lean
 * verifies unchanged.
 */
export function leanSignature(secret: string, body: string): string {
  return `sha512=${createHmac('sha512', secret).update(body).digest('base64')}`;
}

export interface SignedAttempt {
  /** The event id: the same on every attempt, so receivers can de-duplicate. */
  id: string;
  /** The attempt's time. */
  at: Date;
  body: string;
  /** The current secret first, then one still in its rotation grace period, if any. */
  secrets: readonly [string, ...string[]];
}

/**
 * The headers that sign an attempt: Standard Webhooks' three, with one `v1,` signature per secret
 * (space-separated, so a receiver holding either the new or the old secret verifies during a
 * rotation), and Lean's `lean-signature` with the current secret.
 */
export function signatureHeaders(a: SignedAttempt): Record<string, string> {
  const timestamp = Math.floor(a.at.getTime() / 1000);
  return {
    'webhook-id': a.id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': a.secrets.map((s) => standardSignature(s, a.id, timestamp, a.body)).join(' '),
    'lean-signature': leanSignature(a.secrets[0], a.body),
  };
}
