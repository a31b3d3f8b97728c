import type { KeyRing } from '../auth/secret-box.ts';
import { recordInTransaction, type AuditEventInput } from '../audit/recorder.ts';
import type { FastifyBaseLogger } from 'fastify';
import { BankError, type BankConnector, type BankCredentials } from '../banks/connector.ts';
import { openCredentials, sealCredentials } from '../entities/connection-credentials.ts';
import { bankFailure } from '../banks/bank-failure.ts';
import type { BankRegistry } from '../banks/registry.ts';
import { effectiveStatus } from '../entities/effective-status.ts';
import { applySnapshot, oldestPendingAt } from '../store/bank-data.ts';
import { getConnection, saveConnection } from '../store/connections.ts';
import type { Store } from '../store/database.ts';
import { getEntity, moveEntityStatus } from '../store/entities.ts';
import { getRefresh, moveRefresh, transactionsSyncedAt, type RefreshChanges } from '../store/refreshes.ts';
import type { RefreshErrorCode, RefreshFailure, RefreshStatus, ResourceProgress } from '../domain/refresh.ts';
import type { EntityRow, RefreshRow } from '../store/schema.ts';
import { entityEvent, recordEvent, refreshEvent, transactionsEvent } from '../webhooks/events.ts';
import { settleResults } from './settle-results.ts';
import { retryDelay } from '../jobs/backoff.ts';
import type { Attempt, JobOutcome, JobQueue } from '../jobs/queue.ts';
import {
  canMove,
  failedResources,
  finishedResources,
  isTerminal,
  LONG_WAIT_MS,
  withStatus,
} from './refresh-state.ts';
import { learnedQuirks, rememberQuirks } from '../store/bank-quirks.ts';
import { resourcesFor } from './request-refresh.ts';

export interface RefreshDeps {
  store: Store;
  jobs: JobQueue;
  connector: BankConnector;
  banks: BankRegistry;
  /** Seals the bank credentials at rest. */
  key: KeyRing;
  overlapDays: number;
  retryBaseMs: number;
  now: () => Date;
  log: FastifyBaseLogger;
}

type RefreshPatch = RefreshChanges & { status: RefreshStatus };

/**
 * The audit record of a refresh that ended (docs/decisions/017: the consent was used to fetch from
 * the bank): who asked is the refresh's trigger; OK when it finished, FAILED with its error code.
 */
function refreshedEvent(entity: EntityRow, refresh: RefreshRow, patch: RefreshPatch): AuditEventInput {
  const failed = patch.status === 'FAILED';
  return {
    app_id: entity.app_id,
    customer_id: entity.customer_id,
    entity_id: entity.id,
    kind: 'consent.refreshed',
    outcome: failed ? 'FAILED' : 'OK',
    error_code: failed ? (patch.error_code ?? null) : null,
    detail: `${refresh.trigger} refresh ${refresh.id} ${patch.status}`,
  };
}

/**
 * Moves the refresh into `patch.status` and records `entity.data.refresh.updated` in the same
 * transaction, so the event exists if and only if the change committed. False, writing nothing,
 * when the refresh was no longer in a status it can move from (another worker got there first).
 */
async function moveAndAnnounce(deps: RefreshDeps, refresh: RefreshRow, entity: EntityRow | undefined, patch: RefreshPatch): Promise<boolean> {
  const from = (['PENDING', 'IN_PROGRESS'] as const).filter((s) => s !== patch.status && canMove(s, patch.status));
  return deps.store.db.transaction().execute(async (trx) => {
    if (!(await moveRefresh(trx, refresh.id, from, patch))) return false;
    if (entity) await recordEvent(trx, deps.jobs, refreshEvent(entity, { ...refresh, ...patch }), deps.now());
    if (entity && isTerminal(patch.status)) {
      await settleResults(trx, deps.jobs, refresh.id, entity, deps.now());
      await recordInTransaction(trx, refreshedEvent(entity, refresh, patch), deps.now());
    }
    return true;
  });
}

/**
 * Runs one attempt of a refresh: fetch everything the consent covers from the bank, then write it
 * with the store's one atomic write path. Safe to run again after a crash at any point: a finished
 * refresh is left alone and writing the same data twice changes nothing. Transient bank failures
 * retry with backoff until the attempts run out; a dead consent fails at once and marks the entity
 * RECONNECT_REQUIRED. The data of the previous successful refresh stays readable throughout.
 */
export async function runRefresh(deps: RefreshDeps, refreshId: string, attempt: Attempt): Promise<JobOutcome> {
  const { store } = deps;
  const refresh = await getRefresh(store.db, refreshId);
  if (!refresh || isTerminal(refresh.status)) return { done: true };
  const progress = refresh.resources;
  const entity = await getEntity(store.db, refresh.entity_id);
  if (!entity) return fail(deps, refresh, progress, undefined, { code: 'INTERNAL_ERROR', detail: 'The entity no longer exists' });

  const status = effectiveStatus(entity, deps.now());
  if (status === 'REVOKED') return fail(deps, refresh, progress, entity, { code: 'CONSENT_REVOKED', detail: 'The consent was revoked' });
  if (status === 'EXPIRED') return fail(deps, refresh, progress, entity, { code: 'CONSENT_EXPIRED', detail: `The consent expired at ${entity.consent_expires_at}` });
  if (status === 'RECONNECT_REQUIRED') {
    return fail(deps, refresh, progress, entity, { code: 'RECONNECT_REQUIRED', detail: 'The bank no longer honours the consent; the user must reconnect' });
  }
  const bank = deps.banks.get(entity.bank_identifier);
  const connection = await getConnection(store.db, entity.id);
  if (!bank || !connection) return fail(deps, refresh, progress, entity, { code: 'INTERNAL_ERROR', detail: 'The entity has no bank connection' });

  const started: RefreshPatch = {
    status: 'IN_PROGRESS',
    started_at: refresh.started_at ?? deps.now().toISOString(),
    resources: withStatus(progress, 'IN_PROGRESS'),
    attempts: attempt.number,
    next_attempt_at: null,
  };
  // A retried attempt finds the refresh IN_PROGRESS already: no second event. Neither: it ended elsewhere.
  if (!(await moveAndAnnounce(deps, refresh, entity, started)) && !(await moveRefresh(store.db, refresh.id, ['IN_PROGRESS'], started))) return { done: true };
  // The refresh as it now is: what the events of this attempt describe.
  const running: RefreshRow = { ...refresh, ...started };

  try {
    const credentials = openCredentials(deps.key, entity.id, connection.credentials);
    // Banks rotate refresh tokens: new ones are stored the moment they exist, so a fetch that
    // fails afterwards does not leave the entity holding a token the bank has retired.
    const storeCredentials = (fresh: BankCredentials) =>
      saveConnection(store.db, {
        entity_id: entity.id,
        consent_id: fresh.consent_id,
        credentials: sealCredentials(deps.key, entity.id, fresh),
        updated_at: deps.now().toISOString(),
      });
    // What the operator configured, and what openlean learned by itself about the bank.
    const quirks = { ...bank.quirks, ...(await learnedQuirks(store.db, bank.identifier)) };
    const result = await deps.connector.fetchData({
      bank: { ...bank, quirks },
      credentials,
      resources: resourcesFor(entity),
      transactions_from: transactionsFrom(refresh, { synced_at: await transactionsSyncedAt(store.db, entity.id) }, deps.overlapDays, await oldestPendingAt(store.db, entity.id)),
      signal: attempt.signal,
      onCredentials: storeCredentials,
    });
    if (JSON.stringify(result.credentials) !== JSON.stringify(credentials)) await storeCredentials(result.credentials);
    if (Object.keys(result.report.learned).length > 0) {
      await rememberQuirks(store.db, bank.identifier, result.report.learned, deps.now());
      deps.log.info({ bank: bank.identifier, quirks: result.report.learned }, 'learned how the bank departs from its standard');
    }
    attempt.signal.throwIfAborted();
    const applied = await applySnapshot(store, entity.id, result.snapshot, {
      // The entity's first data is announced by its refresh finishing; changes to it after that by this.
      onTransactionsChanged: entity.synced_at
        ? (trx, accountIds) => recordEvent(trx, deps.jobs, transactionsEvent(entity, accountIds), deps.now()).then(() => {})
        : undefined,
    });
    await moveAndAnnounce(deps, running, entity, {
      status: 'FINISHED',
      finished_at: deps.now().toISOString(),
      resources: finishedResources(progress, applied.records, result.report.resources),
      error_code: null,
      error_detail: null,
      next_attempt_at: null,
    });
    return { done: true };
  } catch (err) {
    return failedAttempt(deps, running, progress, entity, attempt, err);
  }
}

/**
 * Full history the first time; afterwards from the last refresh that read every account's
 * transactions (`synced_at`), minus an overlap for late and backdated bookings, and at the latest
 * from the oldest stored pending transaction, which must be seen again to know whether it booked,
 * changed or was released.
 */
export function transactionsFrom(refresh: Pick<RefreshRow, 'trigger'>, entity: Pick<EntityRow, 'synced_at'>, overlapDays: number, oldestPending: string | null): string | null {
  if (refresh.trigger === 'INITIAL' || !entity.synced_at) return null;
  const overlap = new Date(Date.parse(entity.synced_at) - overlapDays * 86_400_000).toISOString();
  return oldestPending !== null && oldestPending < overlap ? oldestPending : overlap;
}

async function failedAttempt(deps: RefreshDeps, refresh: RefreshRow, progress: ResourceProgress[], entity: EntityRow, attempt: Attempt, err: unknown): Promise<JobOutcome> {
  if (err instanceof BankError && err.kind === 'reconnect_required') {
    const at = deps.now();
    await deps.store.db.transaction().execute(async (trx) => {
      // Only an ACTIVE entity moves: one revoked meanwhile stays revoked, and says nothing more.
      if (await moveEntityStatus(trx, entity.id, ['ACTIVE'], 'RECONNECT_REQUIRED', at.toISOString())) {
        await recordEvent(trx, deps.jobs, entityEvent('entity.reconnect_required', { ...entity, status: 'RECONNECT_REQUIRED' }), at);
        await recordInTransaction(
          trx,
          { app_id: entity.app_id, customer_id: entity.customer_id, entity_id: entity.id, kind: 'consent.revoked', outcome: 'OK', error_code: 'RECONNECT_REQUIRED', detail: `${entity.bank_identifier} no longer honours the consent (refresh ${refresh.id}): ${err.message}` },
          at,
        );
      }
    });
    deps.store.entities.changed(entity.id);
    return fail(deps, refresh, progress, entity, bankFailure(err));
  }
  if (attempt.signal.aborted) {
    deps.log.info({ refresh_id: refresh.id, reason: String(attempt.signal.reason) }, 'refresh interrupted; it will run again');
    return { retryAt: deps.now(), reason: 'interrupted' };
  }
  const retryable = !(err instanceof BankError) || err.retryable;
  const failure = bankFailure(err);
  const detail = failure?.detail ?? 'The refresh failed unexpectedly';
  if (!(err instanceof BankError)) deps.log.error({ err, refresh_id: refresh.id }, 'refresh attempt failed');
  else deps.log.warn({ refresh_id: refresh.id, kind: err.kind, status: err.status, attempt: attempt.number }, err.message);

  const code: RefreshErrorCode = failure?.code ?? 'INTERNAL_ERROR';
  // The bank named a long wait (a daily quota): the refresh waits as told, and that is no failed attempt.
  const told = err instanceof BankError && err.kind === 'rate_limited' ? (err.retry_after_ms ?? 0) : 0;
  const uncounted = told >= LONG_WAIT_MS;
  if (retryable && (attempt.number < attempt.max || uncounted)) {
    const wait = Math.max(retryDelay(attempt.number, deps.retryBaseMs), told);
    const retryAt = new Date(deps.now().getTime() + wait);
    await recordWait(deps, refresh, entity, {
      status: 'IN_PROGRESS',
      resources: withStatus(progress, 'IN_PROGRESS'),
      attempts: attempt.number,
      error_code: code,
      error_detail: `Attempt ${attempt.number} failed: ${detail}; next attempt at ${retryAt.toISOString()}`,
      next_attempt_at: retryAt.toISOString(),
    }, wait >= LONG_WAIT_MS);
    return { retryAt, reason: detail, ...(uncounted ? { uncounted: true } : {}) };
  }
  return fail(deps, refresh, progress, entity, { code, detail: `${detail} (after ${attempt.number} attempts)` });
}

/**
 * Records why the refresh waits and until when. A wait a client would notice (`LONG_WAIT_MS` or
 * more) is announced with `entity.data.refresh.updated`, once per wait, in the same transaction;
 * the short backoffs between quick retries are not.
 */
async function recordWait(deps: RefreshDeps, refresh: RefreshRow, entity: EntityRow, patch: RefreshPatch, announce: boolean): Promise<void> {
  await deps.store.db.transaction().execute(async (trx) => {
    if (!(await moveRefresh(trx, refresh.id, ['IN_PROGRESS'], patch))) return;
    if (announce) await recordEvent(trx, deps.jobs, refreshEvent(entity, { ...refresh, ...patch }), deps.now());
  });
}

/** Ends the refresh FAILED; without the entity (it vanished) there is no one to announce it to. */
async function fail(deps: RefreshDeps, refresh: RefreshRow, progress: ResourceProgress[], entity: EntityRow | undefined, failure: RefreshFailure): Promise<JobOutcome> {
  await moveAndAnnounce(deps, refresh, entity, {
    status: 'FAILED',
    started_at: refresh.started_at ?? deps.now().toISOString(),
    finished_at: deps.now().toISOString(),
    resources: failedResources(progress),
    error_code: failure.code,
    error_detail: failure.detail,
    next_attempt_at: null,
  });
  return { done: true };
}
