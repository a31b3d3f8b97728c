import { backoffDelay } from '../domain/backoff.ts';

/** The longest wait before a job's retry; pg-boss's queues are given the same (src/jobs/pg-boss-queue.ts). */
export const JOB_RETRY_CAP_MS = 15 * 60_000;

/**
 * Delay before retry number `attempt` (1 = the first retry) of a job or a refresh: exponential
 * from `baseMs`, capped, with equal jitter (half fixed, half random) so many refreshes failing
 * together against one bank do not come back together.
 */
export function retryDelay(attempt: number, baseMs: number, capMs = JOB_RETRY_CAP_MS, random: () => number = Math.random): number {
  return backoffDelay(attempt, { baseMs, capMs, jitter: 'equal', random });
}
