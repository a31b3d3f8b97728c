import type { BankErrorKind } from '../banks/connector.ts';
import type { DataResource } from '../domain/permissions.ts';
import type { RefreshStatus } from '../store/schema.ts';

/** One resource's part of a refresh, as `GET /data/v2/refreshes/{id}` shows it. */
export interface ResourceProgress {
  resource: DataResource;
  status: RefreshStatus;
  /** Records the bank returned; null until the resource is fetched. */
  records: number | null;
}

export interface RefreshFailure {
  code: RefreshErrorCode;
  detail: string;
}

/** Why a refresh ended FAILED; stable, like the API's error codes. */
export const REFRESH_ERROR_CODES = ['RECONNECT_REQUIRED', 'BANK_UNAVAILABLE', 'BANK_RATE_LIMITED', 'BANK_REJECTED', 'CONSENT_EXPIRED', 'CONSENT_REVOKED', 'INTERNAL_ERROR'] as const;
export type RefreshErrorCode = (typeof REFRESH_ERROR_CODES)[number];

export const ERROR_FOR_BANK_FAILURE = {
  reconnect_required: 'RECONNECT_REQUIRED',
  unavailable: 'BANK_UNAVAILABLE',
  rate_limited: 'BANK_RATE_LIMITED',
  rejected: 'BANK_REJECTED',
} as const satisfies Record<BankErrorKind, RefreshErrorCode>;

/** The only moves a refresh makes: forward, and never out of an end state. */
const NEXT: Record<RefreshStatus, readonly RefreshStatus[]> = {
  PENDING: ['IN_PROGRESS', 'FAILED'],
  IN_PROGRESS: ['IN_PROGRESS', 'FINISHED', 'FAILED'],
  FINISHED: [],
  FAILED: [],
};

export function canMove(from: RefreshStatus, to: RefreshStatus): boolean {
  return NEXT[from].includes(to);
}

export function isTerminal(status: RefreshStatus): boolean {
  return NEXT[status].length === 0;
}

export function pendingResources(resources: readonly DataResource[]): ResourceProgress[] {
  return resources.map((resource) => ({ resource, status: 'PENDING', records: null }));
}

export function withStatus(progress: readonly ResourceProgress[], status: RefreshStatus): ResourceProgress[] {
  return progress.map((p) => ({ ...p, status }));
}

/** Every resource finished, with the records the bank returned for it. */
export function finishedResources(progress: readonly ResourceProgress[], records: Partial<Record<DataResource, number>>): ResourceProgress[] {
  return progress.map((p) => ({ ...p, status: 'FINISHED', records: records[p.resource] ?? 0 }));
}

/**
 * A refresh writes all of its data or none of it, so when it fails nothing of it was stored: every
 * resource is FAILED, and the one the bank failed on is named in the failure's detail.
 */
export function failedResources(progress: readonly ResourceProgress[]): ResourceProgress[] {
  return progress.map((p) => ({ ...p, status: 'FAILED', records: null }));
}
