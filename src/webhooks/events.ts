import type { Kysely } from 'kysely';
import { timeOrderedId } from '../domain/ids.ts';
import type { JobQueue } from '../jobs/queue.ts';
import type { DB, EntityRow, RefreshRow } from '../store/schema.ts';
import { hasEndpoint, insertEvent } from '../store/webhooks.ts';
import { refreshError } from '../refresh/refresh-state.ts';

/** What an application hears about, as DESIGN §2.6 lists it. */
export const WEBHOOK_EVENT_TYPES = [
  'entity.created',
  'entity.data.refresh.updated',
  'entity.data.transactions.updated',
  'entity.reconnect_required',
  'entity.deleted',
  'results.ready',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export interface WebhookEventInput {
  app_id: string;
  type: WebhookEventType;
  /** The event's data; the envelope (event_id, type, timestamp) is added when recorded. */
  payload: Record<string, unknown>;
}

/** The queue's job kind for delivering one event. */
export const WEBHOOK_JOB = 'webhook';

/** Retries a delivery may be scheduled for (`WEBHOOK_RETRY_SCHEDULE_MS` has at most this many); bounds its job's attempts. */
export const WEBHOOK_MAX_RETRIES = 20;

export interface DeliveryJob {
  event_id: string;
}

/** Lean's envelope has a human-readable `message` beside the type. */
const MESSAGES: Record<WebhookEventType, string> = {
  'entity.created': 'An entity was created for your customer.',
  'entity.data.refresh.updated': 'A data refresh of an entity changed status.',
  'entity.data.transactions.updated': 'Transactions of the entity\'s accounts were added, changed or removed; read them with the transactions sync feed.',
  'entity.reconnect_required': 'The bank no longer honours the entity\'s consent; the customer must reconnect it.',
  'entity.deleted': 'The entity was deleted: its consent was revoked and its bank data purged.',
  'results.ready': 'Your results are ready.',
};

/**
 * Writes the event to the outbox inside the caller's transaction, so it exists if and only if the
 * change it announces committed; the worker delivers it afterwards. Returns the event id.
 *
 * The body is fixed here, so every attempt sends the same bytes. An event of an application with
 * no endpoint is recorded all the same but queued for no one: setting an endpoint later does not
 * replay the past, as with Stripe or Lean.
 */
export async function recordEvent(trx: Kysely<DB>, jobs: JobQueue, event: WebhookEventInput, now: Date): Promise<string> {
  const id = timeOrderedId(now);
  const timestamp = now.toISOString();
  // Lean's field names (type, message, payload, timestamp, event_id), so code written for Lean reads it.
  const body = JSON.stringify({ type: event.type, message: MESSAGES[event.type], payload: event.payload, timestamp, event_id: id, app_id: event.app_id });
  await insertEvent(trx, { id, app_id: event.app_id, type: event.type, body, created_at: timestamp });
  if (await hasEndpoint(trx, event.app_id)) await queueDelivery(trx, jobs, id, now);
  return id;
}

/** Queues a delivery of the event (with its own retries), due at once. */
export async function queueDelivery(db: Kysely<DB>, jobs: JobQueue, eventId: string, now: Date): Promise<void> {
  const job: DeliveryJob = { event_id: eventId };
  // The handler gives up by the configured schedule; the job's own bound only stops a handler that keeps crashing.
  await jobs.enqueue(db, { kind: WEBHOOK_JOB, payload: job, runAt: now, maxAttempts: WEBHOOK_MAX_RETRIES + 1 });
}

/** An event about the entity as it is after the change (`status` included). */
export function entityEvent(type: Exclude<WebhookEventType, 'entity.data.refresh.updated' | 'entity.data.transactions.updated' | 'results.ready'>, entity: EntityRow): WebhookEventInput {
  return {
    app_id: entity.app_id,
    type,
    payload: {
      entity_id: entity.id,
      customer_id: entity.customer_id,
      bank_identifier: entity.bank_identifier,
      status: entity.status,
      permissions: entity.permissions,
    },
  };
}

/**
 * `entity.data.refresh.updated` for the refresh as it is after the change: its status, what
 * happened to each resource, and, while it waits to try again, why (`error`), the attempt it is on
 * and when the next one runs (`next_attempt_at`).
 */
export function refreshEvent(
  entity: EntityRow,
  refresh: Pick<RefreshRow, 'id' | 'trigger' | 'status' | 'error_code' | 'error_detail' | 'resources' | 'attempts' | 'next_attempt_at'>,
): WebhookEventInput {
  return {
    app_id: entity.app_id,
    type: 'entity.data.refresh.updated',
    payload: {
      refresh_id: refresh.id,
      entity_id: entity.id,
      customer_id: entity.customer_id,
      status: refresh.status,
      trigger: refresh.trigger,
      resources: refresh.resources,
      attempts: refresh.attempts,
      next_attempt_at: refresh.next_attempt_at,
      error: refreshError(refresh),
    },
  };
}

/**
 * `entity.data.transactions.updated`: a refresh added, changed or removed transactions of the
 * accounts named (`account_ids`), which `GET /data/v2/accounts/{account_id}/transactions/sync`
 * now returns from the client's last cursor (Plaid's SYNC_UPDATES_AVAILABLE).
 */
export function transactionsEvent(entity: EntityRow, accountIds: readonly string[]): WebhookEventInput {
  return {
    app_id: entity.app_id,
    type: 'entity.data.transactions.updated',
    payload: { entity_id: entity.id, customer_id: entity.customer_id, account_ids: [...accountIds] },
  };
}

/**
 * `results.ready`: the asynchronous data read `resultsId` can be fetched at
 * `GET /data/v2/results/{results_id}`. Lean's payload is `{ id }` (the results_id); the entity and
 * customer are added so a receiver need not remember which read it was (docs/decisions/015).
 */
export function resultsReadyEvent(entity: EntityRow, resultsId: string): WebhookEventInput {
  return {
    app_id: entity.app_id,
    type: 'results.ready',
    payload: { id: resultsId, results_id: resultsId, entity_id: entity.id, customer_id: entity.customer_id },
  };
}
