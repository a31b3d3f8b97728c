import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { PERMISSION_FOR, type DataResource } from '../domain/permissions.ts';
import { ApiError } from '../errors/api-error.ts';
import type { Store } from '../store/database.ts';
import type { JobQueue } from '../jobs/queue.ts';
import {
  activeRefresh,
  countRefreshesSince,
  getRefresh,
  insertRefresh,
  refreshForIdempotencyKey,
  rememberIdempotencyKey,
} from '../store/refreshes.ts';
import type { RefreshTrigger } from '../domain/refresh.ts';
import type { DB, EntityRow, RefreshRow } from '../store/schema.ts';
import { pendingResources } from './refresh-state.ts';

export const REFRESH_JOB = 'refresh';
const IDEMPOTENCY_WINDOW_MS = 86_400_000;

/** Every resource the entity's consent lets a refresh fetch, in a fixed order. */
export function resourcesFor(entity: EntityRow): DataResource[] {
  const granted = new Set(entity.permissions);
  return (Object.keys(PERMISSION_FOR) as DataResource[]).filter((r) => granted.has(PERMISSION_FOR[r]));
}

export interface RefreshRequest {
  jobs: JobQueue;
  entity: EntityRow;
  trigger: RefreshTrigger;
  now: Date;
  maxAttempts: number;
  /** Manual refreshes allowed per entity per UTC day. */
  manualDailyLimit?: number;
  idempotencyKey?: string;
}

/**
 * Starts a refresh, or answers with the one that already covers the request: a refresh already
 * waiting or running is joined rather than doubled (coalescing), and a repeated Idempotency-Key
 * answers what it answered the first time. The refresh row and its job are written in one
 * transaction, so a refresh is never recorded without the work that will finish it.
 */
export async function requestRefresh(store: Store, req: RefreshRequest): Promise<{ refresh: RefreshRow; created: boolean }> {
  return store.db.transaction().execute((trx) => requestRefreshIn(trx, req));
}

/** `requestRefresh` inside the caller's transaction, for writes that must commit together with it. */
export async function requestRefreshIn(trx: Kysely<DB>, req: RefreshRequest): Promise<{ refresh: RefreshRow; created: boolean }> {
  const at = req.now.toISOString();
  if (req.idempotencyKey) {
    const seen = await refreshForIdempotencyKey(trx, req.entity.app_id, req.idempotencyKey, new Date(req.now.getTime() - IDEMPOTENCY_WINDOW_MS).toISOString());
    if (seen && seen.entity_id !== req.entity.id) {
      throw new ApiError('IDEMPOTENCY_CONFLICT', 'This Idempotency-Key was already used for another entity', { param: 'Idempotency-Key' });
    }
    const earlier = seen && (await getRefresh(trx, seen.refresh_id));
    if (earlier) return { refresh: earlier, created: false };
  }
  const remember = async (refresh: RefreshRow) => {
    if (req.idempotencyKey) {
      await rememberIdempotencyKey(trx, { app_id: req.entity.app_id, key: req.idempotencyKey, entity_id: req.entity.id, refresh_id: refresh.id, created_at: at });
    }
  };

  const running = await activeRefresh(trx, req.entity.id);
  if (running) {
    await remember(running);
    return { refresh: running, created: false };
  }
  if (req.trigger === 'MANUAL' && req.manualDailyLimit !== undefined) {
    const dayStart = `${at.slice(0, 10)}T00:00:00.000Z`;
    if ((await countRefreshesSince(trx, req.entity.id, 'MANUAL', dayStart)) >= req.manualDailyLimit) {
      const secondsToMidnight = Math.ceil((Date.parse(dayStart) + 86_400_000 - req.now.getTime()) / 1000);
      throw new ApiError('REFRESH_LIMIT_REACHED', `Entity ${req.entity.id} has used its ${req.manualDailyLimit} manual refreshes for today (UTC)`, {
        headers: { 'retry-after': String(secondsToMidnight) },
      });
    }
  }
  const refresh: RefreshRow = {
    id: randomUUID(),
    entity_id: req.entity.id,
    trigger: req.trigger,
    status: 'PENDING',
    created_at: at,
    started_at: null,
    finished_at: null,
    resources: pendingResources(resourcesFor(req.entity)),
    error_code: null,
    error_detail: null,
    attempts: 0,
    next_attempt_at: null,
  };
  await insertRefresh(trx, refresh);
  await req.jobs.enqueue(trx, { kind: REFRESH_JOB, payload: { refresh_id: refresh.id }, runAt: req.now, maxAttempts: req.maxAttempts });
  await remember(refresh);
  return { refresh, created: true };
}
