import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import autocannonRun from 'autocannon';
import { cpuMs, onCore } from './cpu.ts';

/** Seconds per load run, connections the load generator keeps open, and rounds of runs a figure is the median of. */
export const DURATION = Number(process.env.BENCH_DURATION ?? 4);
export const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
export const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

/** What one load run measured. */
export interface LoadResult {
  /** Requests per second over the run. */
  rps: number;
  /** 99th percentile latency, ms. */
  p99: number;
  /** Responses other than 2xx/3xx, socket errors and timeouts. */
  errors: number;
  /** Requests completed. */
  requests: number;
}

/** autocannon's figures: those of every load generator, and the mean latency (ms). */
export interface AutocannonResult extends LoadResult {
  mean: number;
}

/** `url` loaded by autocannon in this process for `seconds` (default `DURATION`) over `connections` connections. */
export async function autocannon(url: string, headers: Record<string, string>, connections = CONNECTIONS, seconds = DURATION): Promise<AutocannonResult> {
  const result = await autocannonRun({ url, connections, duration: seconds, headers, pipelining: 1 });
  return {
    rps: result.requests.average,
    p99: result.latency.p99,
    mean: result.latency.average,
    errors: result.errors + result.timeouts + result.non2xx,
    requests: result.requests.total,
  };
}

const TIME_UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** wrk's report (`--latency`): requests/s, the 99 % line of the latency distribution, and every kind of error it counts. */
function parseWrk(report: string): LoadResult {
  const rps = /^Requests\/sec:\s+([\d.]+)/m.exec(report);
  const p99 = /^\s+99%\s+([\d.]+)(us|ms|s|m|h)\s*$/m.exec(report);
  const requests = /^\s+(\d+) requests in /m.exec(report);
  if (!rps || !p99 || !requests) throw new Error(`unexpected wrk output:\n${report}`);
  // Both lines appear only when their counts are not all zero.
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(report);
  const non2xx3xx = /Non-2xx or 3xx responses: (\d+)/.exec(report);
  const errors = (socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0) + (non2xx3xx ? Number(non2xx3xx[1]) : 0);
  return { rps: Number(rps[1]), p99: Number(p99[1]) * TIME_UNIT_MS[p99[2]!]!, errors, requests: Number(requests[1]) };
}

/** `url` loaded by wrk (one thread, pinned to `core` when given) for `seconds` (default `DURATION`) over `CONNECTIONS` connections. */
export async function wrk(url: string, headers: Record<string, string>, core?: number, seconds = DURATION): Promise<LoadResult> {
  const args = ['-t1', `-c${CONNECTIONS}`, `-d${seconds}s`, '--latency', ...Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]), url];
  const [command, argv] = onCore(core, 'wrk', args);
  return parseWrk((await promisify(execFile)(command, argv)).stdout);
}

/** `a` then `b`, or `b` then `a` in odd rounds (ABBA), so neither side always runs on the other's heels. */
export async function inTurn<A, B>(round: number, a: () => Promise<A>, b: () => Promise<B>): Promise<[A, B]> {
  if (round % 2 === 0) {
    const first = await a();
    return [first, await b()];
  }
  const first = await b();
  return [await a(), first];
}

/** What `withCpu` ran, and the CPU share (100 = one core) spent meanwhile. */
export interface Cpu<T> {
  result: T;
  /** CPU % of the servers, summed (NaN where `/proc` cannot be read). */
  servers: number;
  /** CPU % of this process, the load generator. */
  generator: number;
}

/** `run`, with the CPU the processes `pids` and this one used meanwhile. */
export async function withCpu<T>(pids: Array<number | undefined>, run: () => Promise<T>): Promise<Cpu<T>> {
  const processMs = (pid: number | undefined) => cpuMs(pid)?.process ?? NaN;
  const before = pids.map(processMs);
  const self = process.cpuUsage();
  const started = performance.now();
  const result = await run();
  const wallMs = performance.now() - started;
  const usedMs = pids.reduce((n: number, pid, i) => n + processMs(pid) - before[i]!, 0);
  const mine = process.cpuUsage(self);
  return { result, servers: (100 * usedMs) / wallMs, generator: (100 * (mine.user + mine.system)) / 1000 / wallMs };
}
