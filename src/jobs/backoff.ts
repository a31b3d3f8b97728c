/**
 * Delay before retry number `attempt` (1 = the first retry): exponential from `baseMs`, capped,
 * with "equal jitter" (half fixed, half random) so many refreshes failing together against one
 * bank do not come back together.
 */
export function retryDelay(attempt: number, baseMs: number, capMs = 15 * 60_000, random: () => number = Math.random): number {
  const exponential = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential / 2 + (exponential / 2) * random());
}
