import Type from 'typebox';
import { ENTITY_STATUSES } from '../../domain/entity-status.ts';
import { StringEnum } from '../../domain/typebox.ts';
import { PERMISSIONS } from '../../domain/permissions.ts';
import { effectiveStatus, reconnectIdOf } from '../../entities/effective-status.ts';
import type { EntityRow } from '../../store/schema.ts';

export const Entity = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    customer_id: Type.String({ format: 'uuid' }),
    app_id: Type.String({ format: 'uuid' }),
    bank_identifier: Type.String(),
    permissions: Type.Array(StringEnum(PERMISSIONS)),
    status: StringEnum(ENTITY_STATUSES),
    consent_expires_at: Type.String({ format: 'date-time' }),
    created_at: Type.String({ format: 'date-time' }),
    last_synced_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
      description: 'When the entity\'s data was last refreshed completely; null before its first refresh',
    }),
    reconnect_id: Type.Union([Type.String(), Type.Null()], {
      description:
        'Set while the entity needs its user again (status RECONNECT_REQUIRED or EXPIRED), null otherwise: open the Link ' +
        'reconnect journey (/link/reconnect or OpenleanLink.reconnect) with it. Opaque.',
    }),
  },
  { $id: 'Entity' },
);
export type Entity = Type.Static<typeof Entity>;

export function toEntity(row: EntityRow, now: Date): Entity {
  return {
    id: row.id,
    customer_id: row.customer_id,
    app_id: row.app_id,
    bank_identifier: row.bank_identifier,
    permissions: row.permissions,
    status: effectiveStatus(row, now),
    consent_expires_at: row.consent_expires_at,
    created_at: row.created_at,
    last_synced_at: row.synced_at,
    reconnect_id: reconnectIdOf(row, now),
  };
}
