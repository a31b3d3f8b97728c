import Type from 'typebox';
import { DATA_RESOURCES } from '../../domain/permissions.ts';
import { Nullable, StringEnum } from '../../domain/typebox.ts';
import { REFRESH_ERROR_CODES, type RefreshErrorCode, type ResourceProgress } from '../../refresh/refresh-state.ts';
import type { RefreshRow } from '../../store/schema.ts';

const RefreshStatus = StringEnum(['PENDING', 'IN_PROGRESS', 'FINISHED', 'FAILED']);

export const Refresh = Type.Object(
  {
    refresh_id: Type.String({ format: 'uuid' }),
    entity_id: Type.String({ format: 'uuid' }),
    trigger: StringEnum(['INITIAL', 'MANUAL', 'SCHEDULED']),
    status: RefreshStatus,
    created_at: Type.String({ format: 'date-time' }),
    started_at: Nullable(Type.String({ format: 'date-time' })),
    finished_at: Nullable(Type.String({ format: 'date-time' })),
    resources: Type.Array(
      Type.Object({
        resource: StringEnum(DATA_RESOURCES),
        status: RefreshStatus,
        records: Nullable(Type.Integer({ minimum: 0, description: 'Records the bank returned; null until fetched' })),
      }),
    ),
    error: Nullable(
      Type.Object({
        code: StringEnum(REFRESH_ERROR_CODES),
        detail: Type.String(),
      }),
    ),
  },
  { $id: 'Refresh' },
);
export type Refresh = Type.Static<typeof Refresh>;

/** What a data read answers before the entity's first refresh has finished. */
export const DataPending = Type.Object(
  {
    status: Type.Literal('PENDING'),
    refresh_id: Type.String({ format: 'uuid', description: 'The refresh to wait for' }),
  },
  { $id: 'DataPending' },
);

export function toRefresh(row: RefreshRow): Refresh {
  return {
    refresh_id: row.id,
    entity_id: row.entity_id,
    trigger: row.trigger,
    status: row.status,
    created_at: row.created_at,
    started_at: row.started_at,
    finished_at: row.finished_at,
    resources: JSON.parse(row.resources) as ResourceProgress[],
    error: row.status === 'FAILED' && row.error_code ? { code: row.error_code as RefreshErrorCode, detail: row.error_detail ?? '' } : null,
  };
}
