/**
 * How much of a retry's delay is random (AWS Architecture Blog, "Exponential Backoff And
 * Jitter"): `full` spreads clients that failed together over the whole interval; `equal` keeps
 * half of it fixed, so a retry never comes at once.
 */
export type Jitter = 'full' | 'equal';

/**
 * Delay in ms before retry number `retry` (1 = the first retry): `baseMs` doubled per retry and
 * capped at `capMs`, then jittered: uniform in [0, ceiling) with `full` jitter, in
 * [ceiling / 2, ceiling) with `equal`. Whole milliseconds, rounded down.
 *
 * @example backoffDelay(3, { baseMs: 100, capMs: 1000, jitter: 'full' }) // 0 to 399
 */
export function backoffDelay(retry: number, options: { baseMs: number; capMs: number; jitter: Jitter; random?: () => number }): number {
  const ceiling = Math.min(options.capMs, options.baseMs * 2 ** Math.max(0, retry - 1));
  const randomShare = options.jitter === 'full' ? ceiling : ceiling / 2;
  return Math.floor(ceiling - randomShare + randomShare * (options.random ?? Math.random)());
}
