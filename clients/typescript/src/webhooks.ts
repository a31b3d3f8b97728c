import { createHmac, timingSafeEqual } from 'node:crypto';

/** The events openlean sends (src/webhooks/events.ts; test/client/webhooks.test.ts keeps them equal). */
export type WebhookEventType =
  | 'entity.created'
  | 'entity.data.refresh.updated'
  | 'entity.data.transactions.updated'
  | 'entity.reconnect_required'
  | 'entity.deleted'
  | 'results.ready';

/** A delivery's body: Lean's envelope (README, "Webhooks"). */
export interface WebhookEvent {
  /** The same on every attempt of one event: de-duplicate on it. */
  event_id: string;
  type: WebhookEventType;
  message: string;
  /** ISO 8601. */
  timestamp: string;
  app_id: string;
  payload: Record<string, unknown>;
}

/** A delivery that is not proven to come from openlean, or is too old or too new to accept. */
export class WebhookVerificationError extends Error {
  override readonly name = 'WebhookVerificationError';
}

/** Request headers as Node's `IncomingHttpHeaders`, a Fetch `Headers`, or a plain record. */
export type HeaderSource = Headers | Record<string, string | string[] | undefined>;

function header(headers: HeaderSource, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const value = headers[name] ?? Object.entries(headers).find(([k]) => k.toLowerCase() === name)?.[1];
  return Array.isArray(value) ? value[0] : value;
}

/** Whether `a` and `b` are the same bytes, in time independent of where they differ. */
function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

const bodyBytes = (body: string | Uint8Array): Buffer => (typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body));

export interface StandardWebhookOptions {
  /** The endpoint's signing secret (`whsec_…`, from `PUT /webhooks/v1/endpoint` or `rotate-secret`). */
  secret: string;
  headers: HeaderSource;
  /** The raw body exactly as received: a re-serialised object does not verify. */
  body: string | Uint8Array;
  /** How far `webhook-timestamp` may be from now, in seconds; default 300 (Standard Webhooks' own). */
  toleranceSeconds?: number;
  /** The clock, in ms since the epoch. */
  now?: () => number;
}

/**
 * Verifies a delivery by the Standard Webhooks scheme (standardwebhooks.com, "Verifying webhook
 * authenticity"): one of the space-separated `v1,<base64>` signatures of `webhook-signature` must
 * be HMAC-SHA256 over `{webhook-id}.{webhook-timestamp}.{body}` keyed with the secret's
 * base64-decoded bytes, compared in constant time; the timestamp (Unix seconds) must lie within
 * the tolerance, which stops replays. During a secret rotation openlean signs with both secrets,
 * so either verifies.
 *
 * @returns the parsed event.
 * @throws WebhookVerificationError naming what failed (missing header, timestamp, signature).
 */
export function verifyStandardWebhook(o: StandardWebhookOptions): WebhookEvent {
  const id = header(o.headers, 'webhook-id');
  const timestamp = header(o.headers, 'webhook-timestamp');
  const signatures = header(o.headers, 'webhook-signature');
  if (!id || !timestamp || !signatures) throw new WebhookVerificationError('missing webhook-id, webhook-timestamp or webhook-signature header');
  if (!/^\d{1,12}$/.test(timestamp)) throw new WebhookVerificationError('webhook-timestamp is not Unix seconds');
  const skew = Math.abs((o.now ?? Date.now)() / 1000 - Number(timestamp));
  if (skew > (o.toleranceSeconds ?? 300)) throw new WebhookVerificationError(`webhook-timestamp is ${Math.round(skew)} s away from now`);
  const key = Buffer.from(o.secret.startsWith('whsec_') ? o.secret.slice('whsec_'.length) : o.secret, 'base64');
  const body = bodyBytes(o.body);
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest();
  const verified = signatures.split(' ').some((s) => s.startsWith('v1,') && sameBytes(Buffer.from(s.slice(3), 'base64'), expected));
  if (!verified) throw new WebhookVerificationError('no webhook-signature matches the secret');
  return JSON.parse(body.toString('utf8')) as WebhookEvent;
}

/**
 * Verifies Lean's `lean-signature` header: `sha512=` and the base64 HMAC-SHA512 of the raw body,
 * keyed with the secret string itself (UTF-8, `whsec_` included), compared in constant time. It
 * covers neither id nor time, so it does not stop a replay: prefer `verifyStandardWebhook`, and
 * use this for code written against Lean.
 *
 * @returns the parsed event.
 * @throws WebhookVerificationError when the header is missing or does not match.
 */
export function verifyLeanSignature(o: { secret: string; headers: HeaderSource; body: string | Uint8Array }): WebhookEvent {
  const given = header(o.headers, 'lean-signature');
  if (!given?.startsWith('sha512=')) throw new WebhookVerificationError('missing lean-signature header');
  const body = bodyBytes(o.body);
  if (!sameBytes(Buffer.from(given.slice('sha512='.length), 'base64'), createHmac('sha512', o.secret).update(body).digest())) {
    throw new WebhookVerificationError('lean-signature does not match the secret');
  }
  return JSON.parse(body.toString('utf8')) as WebhookEvent;
}
