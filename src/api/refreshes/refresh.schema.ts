import Type from 'typebox';
import { DATA_RESOURCES } from '../../domain/permissions.ts';
import { Nullable, StringEnum } from '../../domain/typebox.ts';
import { REFRESH_ERROR_CODES, REFRESH_STATUSES, REFRESH_TRIGGERS, RESOURCE_STATUSES } from '../../domain/refresh.ts';
import { refreshError } from '../../refresh/refresh-state.ts';
import type { RefreshRow } from '../../store/schema.ts';

const RefreshError = Type.Object({
  code: StringEnum(REFRESH_ERROR_CODES),
  detail: Type.String(),
});

export const Refresh = Type.Object(
  {
    refresh_id: Type.String({ format: 'uuid' }),
    entity_id: Type.String({ format: 'uuid' }),
    trigger: StringEnum(REFRESH_TRIGGERS),
    status: StringEnum(REFRESH_STATUSES),
    created_at: Type.String({ format: 'date-time' }),
    started_at: Nullable(Type.String({ format: 'date-time' })),
    finished_at: Nullable(Type.String({ format: 'date-time' })),
    resources: Type.Array(
      Type.Object({
        resource: StringEnum(DATA_RESOURCES),
        status: StringEnum(RESOURCE_STATUSES, {
          description:
            'FINISHED: all the bank sent was stored. PARTIAL: stored, but records were skipped or some accounts\' answers were malformed (their earlier data stays). FAILED: nothing of it was stored this time; earlier data stays',
        }),
        records: Nullable(Type.Integer({ minimum: 0, description: 'Records stored; null until fetched' })),
        records_skipped: Nullable(Type.Integer({ minimum: 0, description: 'Records the bank sent that were not stored (malformed, of a code not understood, rejected, duplicated); null until fetched' })),
        issues: Type.Array(Type.String(), { maxItems: 20, description: 'What the bank got wrong and what openlean did about it' }),
        error: Type.Union([RefreshError, Type.Null()], { description: 'Why the resource, or part of it, could not be stored' }),
      }),
    ),
    attempts: Type.Integer({ minimum: 0, description: 'Attempts started so far; a wait the bank asked for is not an attempt' }),
    next_attempt_at: Nullable(Type.String({ format: 'date-time', description: 'While the refresh waits to try again: when it will' })),
    error: Type.Union([RefreshError, Type.Null()], { description: 'Why the refresh failed, or, while it waits to try again (`next_attempt_at`), why the last attempt failed' }),
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
export type DataPending = Type.Static<typeof DataPending>;

export function toRefresh(row: RefreshRow): Refresh {
  return {
    refresh_id: row.id,
    entity_id: row.entity_id,
    trigger: row.trigger,
    status: row.status,
    created_at: row.created_at,
    started_at: row.started_at,
    finished_at: row.finished_at,
    resources: row.resources,
    attempts: row.attempts,
    next_attempt_at: row.next_attempt_at,
    error: refreshError(row),
  };
}
