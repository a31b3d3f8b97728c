import type { Kysely } from 'kysely';
import { open, seal, type KeyRing } from '../auth/secret-box.ts';
import type { DB, WebhookEndpointRow } from '../store/schema.ts';
import { getEndpoint, rotateEndpointSecret, upsertEndpoint } from '../store/webhooks.ts';
import { newSigningSecret } from './signature.ts';

/** Binds a sealed secret to its application, so it cannot be copied to another's row and open there. */
export const webhookSecretAad = (appId: string) => `webhook-secret:${appId}`;

export interface EndpointWithSecret {
  row: WebhookEndpointRow;
  secret: string;
}

/** Sets the application's endpoint URL; the first call creates its signing secret, later calls keep it. */
export async function setEndpoint(db: Kysely<DB>, key: KeyRing, appId: string, url: string, now: Date): Promise<EndpointWithSecret> {
  const row = await upsertEndpoint(db, { app_id: appId, url, sealedSecret: seal(key, newSigningSecret(), webhookSecretAad(appId)), at: now.toISOString() });
  return { row, secret: open(key, row.secret, webhookSecretAad(appId)) };
}

/**
 * Replaces the signing secret; the one replaced keeps signing beside it for `graceHours`, so
 * receivers can switch without losing deliveries. Undefined when the application has no endpoint.
 */
export async function rotateSecret(db: Kysely<DB>, key: KeyRing, appId: string, graceHours: number, now: Date): Promise<EndpointWithSecret | undefined> {
  const secret = newSigningSecret();
  const expires = new Date(now.getTime() + graceHours * 3_600_000).toISOString();
  if (!(await rotateEndpointSecret(db, appId, seal(key, secret, webhookSecretAad(appId)), expires, now.toISOString()))) return undefined;
  return { row: (await getEndpoint(db, appId))!, secret };
}

/** The secrets that sign an attempt at `at`: the current one, then the previous one while its grace lasts. */
export function signingSecrets(key: KeyRing, row: WebhookEndpointRow, at: Date): [string, ...string[]] {
  const current = open(key, row.secret, webhookSecretAad(row.app_id));
  const inGrace = row.previous_secret && row.previous_secret_expires_at && Date.parse(row.previous_secret_expires_at) > at.getTime();
  return inGrace ? [current, open(key, row.previous_secret!, webhookSecretAad(row.app_id))] : [current];
}
