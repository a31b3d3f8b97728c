import Type from 'typebox';
import { Nullable, StringEnum } from '../../domain/typebox.ts';
import { WEBHOOK_DELIVERY_STATUSES } from '../../domain/webhook-delivery.ts';
import type { WebhookEndpointRow } from '../../store/schema.ts';
import type { DeliveryWithType } from '../../store/webhooks.ts';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from '../../webhooks/events.ts';

export const WebhookEndpoint = Type.Object(
  {
    url: Type.String({ format: 'uri' }),
    secret: Type.Optional(
      Type.String({ description: 'The signing secret (`whsec_…`); only in the answers of PUT and rotate-secret', pattern: '^whsec_' }),
    ),
    previous_secret_expires_at: Nullable(
      Type.String({ format: 'date-time', description: 'Until when the secret the last rotation replaced still signs beside the current one; null when it no longer does' }),
    ),
    created_at: Type.String({ format: 'date-time' }),
    updated_at: Type.String({ format: 'date-time' }),
  },
  { $id: 'WebhookEndpoint' },
);
export type WebhookEndpoint = Type.Static<typeof WebhookEndpoint>;

export const WebhookDelivery = Type.Object(
  {
    delivery_id: Type.String({ format: 'uuid', description: 'This attempt' }),
    event_id: Type.String({ format: 'uuid', description: 'The event, also sent as `webhook-id`: the same on every attempt' }),
    event_type: StringEnum(WEBHOOK_EVENT_TYPES),
    attempt: Type.Integer({ minimum: 1, description: '1 for the first attempt of a delivery; a redelivery starts again at 1' }),
    status: StringEnum(WEBHOOK_DELIVERY_STATUSES, { description: 'SUCCEEDED when the endpoint answered 2xx' }),
    url: Type.String(),
    response_status: Nullable(Type.Integer({ description: 'The endpoint\'s HTTP status; null when none came (refused, unreachable, timed out)' })),
    latency_ms: Type.Integer({ minimum: 0 }),
    error: Nullable(Type.String()),
    attempted_at: Type.String({ format: 'date-time' }),
    next_attempt_at: Nullable(
      Type.String({ format: 'date-time', description: 'When the next attempt is due; null when there will be none (delivered, or given up after the last retry)' }),
    ),
  },
  { $id: 'WebhookDelivery' },
);
export type WebhookDelivery = Type.Static<typeof WebhookDelivery>;

export function toWebhookEndpoint(row: WebhookEndpointRow, now: Date, secret?: string): WebhookEndpoint {
  const graceEnds = row.previous_secret_expires_at;
  return {
    url: row.url,
    ...(secret === undefined ? {} : { secret }),
    previous_secret_expires_at: graceEnds && Date.parse(graceEnds) > now.getTime() ? graceEnds : null,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

export function toWebhookDelivery(row: DeliveryWithType): WebhookDelivery {
  return {
    delivery_id: row.id,
    event_id: row.event_id,
    event_type: row.event_type as WebhookEventType,
    attempt: row.attempt,
    status: row.status,
    url: row.url,
    response_status: row.response_status,
    latency_ms: row.latency_ms,
    error: row.error,
    attempted_at: row.attempted_at,
    next_attempt_at: row.next_attempt_at,
  };
}
