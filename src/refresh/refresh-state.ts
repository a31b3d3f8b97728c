import type { FetchReport } from '../banks/connector.ts';
import type { DataResource } from '../domain/permissions.ts';
import type { RefreshFailure, RefreshStatus, ResourceProgress, ResourceStatus } from '../domain/refresh.ts';

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
  return resources.map((resource) => ({ resource, status: 'PENDING', records: null, records_skipped: null, issues: [], error: null }));
}

export function withStatus(progress: readonly ResourceProgress[], status: ResourceStatus): ResourceProgress[] {
  return progress.map((p) => ({ ...p, status }));
}

/**
 * Every resource as the refresh stored it: `records` per resource, and the fetch's report of what
 * was skipped or failed. A resource none of whose parts (accounts, or the entity's one) could be
 * read is FAILED; one with a part failed or a record skipped is PARTIAL; else FINISHED.
 *
 * @example finishedResources(progress, { accounts: 2, transactions: 90 }, { transactions: { fetched: 0, failed: 2, failure: '…', skipped: 0, issues: ['…'] } })
 */
export function finishedResources(
  progress: readonly ResourceProgress[],
  records: Partial<Record<DataResource, number>>,
  report: FetchReport['resources'],
): ResourceProgress[] {
  return progress.map((p) => {
    const r = report[p.resource];
    const failed = r?.failed ?? 0;
    const skipped = r?.skipped ?? 0;
    const issues = r?.issues ?? [];
    const status: ResourceStatus = failed > 0 && (r?.fetched ?? 0) === 0 ? 'FAILED' : failed > 0 || skipped > 0 ? 'PARTIAL' : 'FINISHED';
    const error: RefreshFailure | null = failed > 0 ? { code: 'BANK_RESPONSE_INVALID', detail: `${failed} of ${failed + (r?.fetched ?? 0)} malformed; ${r!.failure}` } : null;
    return { ...p, status, records: records[p.resource] ?? 0, records_skipped: skipped, issues, error };
  });
}

/**
 * A refresh writes all of its data or none of it, so when it fails nothing of it was stored: every
 * resource is FAILED, and the one the bank failed on is named in the failure's detail.
 */
export function failedResources(progress: readonly ResourceProgress[]): ResourceProgress[] {
  return progress.map((p) => ({ ...p, status: 'FAILED', records: null, records_skipped: null }));
}

/** A wait at least this long is one a client should hear of: announced, and it does not cost an attempt when the bank asked for it. */
export const LONG_WAIT_MS = 60_000;

/**
 * The refresh's `error` as the API shows it: why it failed, or, while it waits to try again, why
 * the last attempt failed; null otherwise.
 */
export function refreshError(row: { status: RefreshStatus; error_code: RefreshFailure['code'] | null; error_detail: string | null }): RefreshFailure | null {
  if (!row.error_code || (row.status !== 'FAILED' && row.status !== 'IN_PROGRESS')) return null;
  return { code: row.error_code, detail: row.error_detail ?? '' };
}
