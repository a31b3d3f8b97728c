import type { Kysely } from 'kysely';
import type { DB } from '../store/schema.ts';

/** What an application hears about, as DESIGN §2.6 lists it. */
export const WEBHOOK_EVENT_TYPES = ['entity.created', 'entity.data.refresh.updated', 'entity.reconnect_required', 'entity.deleted'] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export interface WebhookEventInput {
  app_id: string;
  type: WebhookEventType;
  /** The event's data; the envelope (event_id, type, timestamp) is added when recorded. */
  payload: Record<string, unknown>;
}

/**
 * Writes the event to the outbox inside the caller's transaction, so it exists if and only if the
 * change it announces committed; the worker delivers it afterwards. Returns the event id.
 */
export async function recordEvent(_trx: Kysely<DB>, _event: WebhookEventInput, _now: Date): Promise<string> {
  throw new Error('recordEvent is being implemented');
}
