import type { DataResource } from './permissions.ts';

/**
 * A refresh's closed sets and the shape of its per-resource progress, defined once: the store's
 * column types (src/store/schema.ts), the refresh rules (src/refresh/refresh-state.ts) and the API
 * schema (src/api/refreshes/refresh.schema.ts) all take them from here.
 */

/** What started a refresh: the entity's connection, a client's request, or the scheduler. */
export const REFRESH_TRIGGERS = ['INITIAL', 'MANUAL', 'SCHEDULED'] as const;
export type RefreshTrigger = (typeof REFRESH_TRIGGERS)[number];

/** Where a refresh is; FINISHED and FAILED are end states (src/refresh/refresh-state.ts `canMove`). */
export const REFRESH_STATUSES = ['PENDING', 'IN_PROGRESS', 'FINISHED', 'FAILED'] as const;
export type RefreshStatus = (typeof REFRESH_STATUSES)[number];

/** A resource's status in a refresh: a refresh's own, or PARTIAL when it finished with part of the resource left out. */
export const RESOURCE_STATUSES = ['PENDING', 'IN_PROGRESS', 'FINISHED', 'PARTIAL', 'FAILED'] as const;
export type ResourceStatus = (typeof RESOURCE_STATUSES)[number];

/** Why a refresh ended FAILED; stable, like the API's error codes. */
export const REFRESH_ERROR_CODES = ['RECONNECT_REQUIRED', 'BANK_UNAVAILABLE', 'BANK_RESPONSE_INVALID', 'BANK_RATE_LIMITED', 'BANK_REJECTED', 'CONSENT_EXPIRED', 'CONSENT_REVOKED', 'INTERNAL_ERROR'] as const;
export type RefreshErrorCode = (typeof REFRESH_ERROR_CODES)[number];

export interface RefreshFailure {
  code: RefreshErrorCode;
  detail: string;
}

/** One resource's part of a refresh, as `GET /data/v2/refreshes/{id}` shows it. */
export interface ResourceProgress {
  resource: DataResource;
  /**
   * FINISHED: everything the bank sent was stored. PARTIAL: stored, but some records were skipped
   * or some accounts' answers were malformed (their earlier data stays). FAILED: nothing of it was
   * stored; what was stored before stays.
   */
  status: ResourceStatus;
  /** Records stored; null until the resource is fetched. */
  records: number | null;
  /** Records the bank sent that were not stored; null until the resource is fetched. */
  records_skipped: number | null;
  /** What the bank got wrong and what openlean did about it (at most 20). */
  issues: string[];
  /** Why the resource, or part of it, could not be stored. */
  error: RefreshFailure | null;
}
