import os from 'node:os';

/** The middle value (the mean of the two middle ones for an even count): what the benches report per round. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The 99th percentile of `values`: the value at that rank, not interpolated. */
export function p99(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * 0.99))]!;
}

/**
 * A figure measured once per round, as the benches print it: the `median`, that median as `text`
 * and the `range` as `min–max`, both to `digits` decimals.
 */
export function spread(values: number[], digits: number): { median: number; text: string; range: string } {
  return { median: median(values), text: median(values).toFixed(digits), range: `${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)}` };
}

/** The verdict on a figure that must reach `target`. */
export const atLeast = (value: number, target: number) => (value >= target ? 'ok' : 'BELOW TARGET');

/** The verdict on a figure that must not exceed `target`. */
export const atMost = (value: number, target: number) => (value <= target ? 'ok' : 'ABOVE TARGET');

/** Milliseconds as seconds to one decimal. */
export const seconds = (ms: number) => (ms / 1000).toFixed(1);

/** `node <version>, <n> CPUs`: how every bench's first line starts. */
export const machine = () => `node ${process.version}, ${os.cpus().length} CPUs`;

/** Progress of long setup on stderr, one line rewritten in place, so stdout keeps only the figures. */
export function progress(what: string, done: number, total: number): void {
  process.stderr.write(`\r  ${what}: ${done}/${total}${done >= total ? '\n' : ''}`);
}
