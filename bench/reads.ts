/**
 * npm run bench:reads — openlean's read path against a bare node:http server sending the
 * identical bytes, measured with the same native load generator (wrk) in the same run; openlean
 * with its audit trail on (the default) against a second openlean process on the same database
 * with `AUDIT=off` (docs/decisions/017: at most 5 % apart); and a 100-transaction page from a third
 * openlean with the response cache off (`RESPONSE_CACHE_MB=0`), which is what a first read costs.
 *
 * Each server runs in its own process pinned to one core, wrk (one thread) on another, so that
 * the figures compare servers rather than what is left of a core the load generator also wants.
 * Without wrk, autocannon runs in this process instead: it is then itself the bottleneck, and the
 * ratios say little.
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../test/helpers/free-port.ts';
import { median } from './lib/figures.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const DURATION = Number(process.env.BENCH_DURATION ?? 4);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
/** Throughput with the audit trail on, over that with `AUDIT=off` (issue 17: at most 5 % slower). */
const AUDIT_TARGET = 0.95;
/** Transactions on the big page: the API's largest page size. */
const BIG_PAGE = 1000;

/** True when `command` can be run (it may still exit non-zero, as `wrk --version` does). */
function runnable(command: string, args: string[]): boolean {
  return !spawnSync(command, args, { stdio: 'ignore' }).error;
}

/** The CPUs this process may run on, from a Linux affinity list such as `0-3,6`. */
function allowedCpus(): number[] {
  const list = /^Cpus_allowed_list:\s*(\S+)/m.exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1] ?? '';
  return list.split(',').flatMap((part) => {
    const [from, to = from] = part.split('-').map(Number);
    return Array.from({ length: to! - from! + 1 }, (_, i) => from! + i);
  });
}

const WRK = runnable('wrk', ['--version']);
const CPUS = runnable('taskset', ['--version']) ? allowedCpus() : [];
/** Cores for the servers and for the load generator, when there are two to pin to. */
const PIN = CPUS.length >= 2 ? { server: CPUS[0]!, generator: CPUS[1]! } : null;

/** `command args` to run pinned to `core` (through taskset, which execs it under the same pid), or as is. */
function onCore(core: number | undefined, command: string, args: string[]): [string, string[]] {
  return core === undefined ? [command, args] : ['taskset', ['-c', String(core), command, ...args]];
}

function waitForLine(child: ChildProcess, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c) => {
      out += c;
      const m = pattern.exec(out);
      if (m) resolve(m[1] ?? m[0]);
    });
    child.on('exit', (code) => reject(new Error(`process exited (${code}) before it was ready:\n${out}`)));
  });
}

/** Every server this run started, stopped at the end whether the bench finished or threw. */
const children: ChildProcess[] = [];

/** SIGTERM to a server, resolved once it has exited: until then it still writes to the data directory. */
function stop(child: ChildProcess): Promise<unknown> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });
}

async function startOpenlean(dataDir: string, name: string, env: Record<string, string> = {}): Promise<Server> {
  const port = await freePort();
  // Its stdout (quickstart, then a log line per request) goes to a file: a pipe drained by this
  // process would make it part of the server's cost.
  const logFile = path.join(dataDir, `${name}.log`);
  const [command, args] = onCore(PIN?.server, process.execPath, [path.join(ROOT, 'bin/openlean.js'), 'serve']);
  const child = spawn(command, args, {
    // The limiter counts every request, as it does by default, but never refuses one: the bench measures serving.
    // Any free port for the sandbox banks' TLS listener: several openlean processes run side by side.
    env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: process.env.LOG_LEVEL ?? 'info', RATE_LIMIT_PER_MINUTE: '100000000', SANDBOX_BANKS_TLS_PORT: '0', ...env },
    stdio: ['ignore', fs.openSync(logFile, 'w'), 'inherit'],
  });
  children.push(child);
  const started = Date.now();
  while (!(fs.existsSync(logFile) && fs.readFileSync(logFile, 'utf8').includes('Quick start'))) {
    if (child.exitCode !== null || Date.now() - started > 30_000) throw new Error(`openlean did not start:\n${fs.readFileSync(logFile, 'utf8')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, url: `http://127.0.0.1:${port}` };
}

async function startBaseline(bodies: Record<string, string>): Promise<Server> {
  const [command, args] = onCore(PIN?.server, process.execPath, [path.join(ROOT, 'bench/baseline-server.ts')]);
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  children.push(child);
  child.stdin!.end(JSON.stringify(bodies));
  const port = await waitForLine(child, /^(\d+)\n/);
  return { child, url: `http://127.0.0.1:${port}` };
}

/** A server under test: its process (whose CPU is read) and base URL. */
interface Server {
  child: ChildProcess;
  url: string;
}

async function json(url: string, init: RequestInit = {}) {
  const res = await fetch(url, init);
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${url}: ${res.status} ${await res.text()}`);
  return { body: await res.text(), headers: res.headers };
}

/** What one load run measured. */
interface LoadResult {
  /** Requests per second over the run. */
  rps: number;
  /** 99th percentile latency, ms. */
  p99: number;
  /** Responses other than 2xx/3xx, socket errors and timeouts. */
  errors: number;
  /** Requests completed. */
  requests: number;
}

interface Measurement extends LoadResult {
  /** CPU µs per request: the whole server process, and its main thread (Linux only). */
  cpuUs?: number;
  mainCpuUs?: number;
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

async function wrk(url: string, headers: Record<string, string>): Promise<LoadResult> {
  const args = ['-t1', `-c${CONNECTIONS}`, `-d${DURATION}s`, '--latency', ...Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]), url];
  const [command, argv] = onCore(PIN?.generator, 'wrk', args);
  return parseWrk((await promisify(execFile)(command, argv)).stdout);
}

async function autocannon(url: string, headers: Record<string, string>): Promise<LoadResult> {
  const { default: run } = await import('autocannon');
  const result = await run({ url, connections: CONNECTIONS, duration: DURATION, headers, pipelining: 1 });
  return { rps: result.requests.average, p99: result.latency.p99, errors: result.errors + result.timeouts + result.non2xx, requests: result.requests.total };
}

/** CPU time (ms) a process has used, and its main thread alone (Linux `/proc`); null elsewhere. */
function cpuMs(pid: number | undefined): { process: number; main: number } | null {
  const ticks = (file: string) => {
    // Fields 14 and 15 (utime, stime), after the parenthesised command name; USER_HZ is 100 on Linux.
    const fields = fs.readFileSync(file, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  };
  try {
    return { process: ticks(`/proc/${pid}/stat`), main: ticks(`/proc/${pid}/task/${pid}/stat`) };
  } catch {
    return null;
  }
}

/**
 * Loads `path` on `server`, and reads the CPU the server spent per request (µs), in all and on its
 * main thread: steadier than throughput on a shared machine, and it shows where the work went
 * (the garbage collector's helper threads are not the main thread).
 */
async function load(server: Server, path: string, headers: Record<string, string>): Promise<Measurement> {
  const before = cpuMs(server.child.pid);
  const result = await (WRK ? wrk : autocannon)(server.url + path, headers);
  const after = cpuMs(server.child.pid);
  const perRequest = (ms: number) => (ms * 1000) / Math.max(1, result.requests);
  const cpu = before && after ? { cpuUs: perRequest(after.process - before.process), mainCpuUs: perRequest(after.main - before.main) } : {};
  return { ...result, ...cpu };
}

/** `median` of the values, and `min–max`, to `digits` decimals. */
function spread(values: number[], digits: number) {
  return { median: median(values), text: median(values).toFixed(digits), range: `${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)}` };
}

async function main(dataDir: string) {
  if (!WRK) {
    process.stderr.write(
      'WARNING: wrk not found; falling back to autocannon in this process. It saturates before the servers do, so the ' +
        'ratios understate the gaps and vary from run to run. Install wrk (apt-get install wrk) for figures that mean something.\n',
    );
  }
  // This process generates the load without wrk, and otherwise only waits: either way it keeps off the servers' core.
  if (PIN) spawnSync('taskset', ['-a', '-p', '-c', String(PIN.generator), String(process.pid)], { stdio: 'ignore' });

  // Makes the entity and runs its refresh, then stops: the servers measured all start alike, on the
  // stored data, none of them carrying what a refresh left in its heap.
  const setup = await startOpenlean(dataDir, 'setup', { AUDIT: 'on' });
  const creds = JSON.parse(fs.readFileSync(path.join(dataDir, 'sandbox-app.json'), 'utf8'));
  const tokenOf = async (url: string) =>
    JSON.parse(
      (await json(`${url}/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'api', ...creds }).toString(),
      })).body,
    ).access_token as string;
  const token = await tokenOf(setup.url);
  const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const customer = JSON.parse((await json(`${setup.url}/customers/v1`, { method: 'POST', headers: auth, body: JSON.stringify({ app_user_id: 'bench' }) })).body);
  const entity = JSON.parse(
    (await json(`${setup.url}/sandbox/v1/entities`, { method: 'POST', headers: auth, body: JSON.stringify({ customer_id: customer.customer_id, login: 'bench' }) })).body,
  );
  const setupHeaders = { authorization: `Bearer ${token}`, entity_id: entity.id };
  while (JSON.parse((await json(`${setup.url}/data/v2/refreshes/${entity.refresh_id}`, { headers: setupHeaders })).body).status !== 'FINISHED') {
    await new Promise((r) => setTimeout(r, 50));
  }

  await stop(setup.child);
  const openlean = await startOpenlean(dataDir, 'server', { AUDIT: 'on' });
  const headers = { authorization: `Bearer ${await tokenOf(openlean.url)}`, entity_id: entity.id };

  const accountsPath = '/data/v2/accounts';
  const accounts = await json(openlean.url + accountsPath, { headers });
  // The account with the most transactions, so that the big page is as full as the entity allows.
  const bigPages = await Promise.all(
    JSON.parse(accounts.body).map(async (a: { account_id: string }) => {
      const pagePath = `/data/v2/accounts/${a.account_id}/transactions?size=${BIG_PAGE}`;
      const page = await json(openlean.url + pagePath, { headers });
      return { accountId: a.account_id, path: pagePath, body: page.body, count: JSON.parse(page.body).length as number };
    }),
  );
  const big = bigPages.reduce((a, b) => (b.count > a.count ? b : a));
  const txPath = `/data/v2/accounts/${big.accountId}/transactions?size=100`;
  const txPage = await json(openlean.url + txPath, { headers });
  if (JSON.parse(txPage.body).length !== 100) throw new Error('the bench entity needs at least 100 transactions');

  const baseline = await startBaseline({ [accountsPath]: accounts.body, [txPath]: txPage.body, [big.path]: big.body });
  // The same database, keys and entity, without the audit trail; and with it but without the response cache.
  const unaudited = await startOpenlean(dataDir, 'server-audit-off', { AUDIT: 'off' });
  const uncached = await startOpenlean(dataDir, 'server-uncached', { AUDIT: 'on', RESPONSE_CACHE_MB: '0' });
  // Their own tokens: each process is its own issuer (PUBLIC_URL follows the port).
  const headersOf = async (server: Server) => ({ authorization: `Bearer ${await tokenOf(server.url)}`, entity_id: entity.id });
  const headersOff = await headersOf(unaudited);
  const headersUncached = await headersOf(uncached);

  const bigName = big.count === BIG_PAGE ? `GET …/transactions?size=${BIG_PAGE}` : `GET …/transactions?size=${BIG_PAGE} (only ${big.count} stored)`;
  const cases = [
    { name: 'GET /data/v2/accounts', path: accountsPath, body: accounts.body, target: 0.85, off: true, auditTarget: AUDIT_TARGET },
    { name: 'GET …/transactions?size=100', path: txPath, body: txPage.body, target: 0.8, off: true, auditTarget: AUDIT_TARGET },
    { name: bigName, path: big.path, body: big.body, off: true },
    { name: 'GET …/transactions?size=100, RESPONSE_CACHE_MB=0', path: txPath, body: txPage.body, target: 0.4, off: false, uncached: true },
  ];
  for (const c of cases) {
    const bodies = [
      ['baseline', await json(baseline.url + c.path)],
      ['AUDIT=off openlean', await json(unaudited.url + c.path, { headers: headersOff })],
      ['RESPONSE_CACHE_MB=0 openlean', await json(uncached.url + c.path, { headers: headersUncached })],
    ] as const;
    for (const [who, res] of bodies) if (res.body !== c.body) throw new Error(`${c.name}: ${who} does not send the identical bytes`);
  }

  const generator = WRK
    ? `${/^wrk \S+/.exec(spawnSync('wrk', ['--version'], { encoding: 'utf8' }).stdout)?.[0] ?? 'wrk'} (1 thread)`
    : 'autocannon (in process, fallback)';
  const pinning = PIN ? `servers pinned to core ${PIN.server}, load generator to core ${PIN.generator} (taskset)` : 'not pinned (needs taskset and 2 cores)';
  console.log(
    `node ${process.version}, ${os.cpus().length} CPUs; ${generator}, ${CONNECTIONS} connections; ${pinning}; ${ROUNDS} rounds of ${DURATION}s, ` +
      'each round baseline, openlean (audit on), openlean AUDIT=off in turn (RESPONSE_CACHE_MB=0: baseline, then that openlean); figures are medians over rounds, ratios medians of per-round ratios (range min–max)',
  );
  if (big.count < BIG_PAGE) console.log(`The bench entity's fullest account has ${big.count} transactions: the big page has that many.`);

  const rows = [];
  const cpuRows: Record<string, string>[] = [];
  let failed = false;
  for (const c of cases) {
    const mine = c.uncached ? { server: uncached, headers: headersUncached } : { server: openlean, headers };
    const subjects = [{ server: baseline, headers: {} }, mine, ...(c.off ? [{ server: unaudited, headers: headersOff }] : [])];
    // Warm-up: JIT, statement and token caches, and the response cache.
    for (const s of subjects) await load(s.server, c.path, s.headers);
    const rounds: Measurement[][] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const measured: Measurement[] = [];
      for (const s of subjects) measured.push(await load(s.server, c.path, s.headers));
      const errors = measured.map((m) => m.errors);
      if (errors.some((n) => n > 0)) throw new Error(`${c.name}, round ${round + 1}: errors (baseline, openlean, AUDIT=off): ${errors.join(', ')}`);
      rounds.push(measured);
    }
    const of = (i: number, field: keyof Measurement) => rounds.map((r) => r[i]![field]!);
    const ratio = spread(rounds.map((r) => r[1]!.rps / r[0]!.rps), 2);
    const audit = c.off ? spread(rounds.map((r) => r[1]!.rps / r[2]!.rps), 3) : null;
    const missed = (c.target !== undefined && ratio.median < c.target) || (audit !== null && c.auditTarget !== undefined && audit.median < c.auditTarget);
    failed ||= missed;
    const verdict = (value: number, target: number | undefined) => (target === undefined ? '—' : value >= target ? 'ok' : 'BELOW TARGET');
    rows.push({
      endpoint: c.name,
      'body bytes': Buffer.byteLength(c.body),
      'node:http req/s': Math.round(median(of(0, 'rps'))),
      'openlean req/s': Math.round(median(of(1, 'rps'))),
      'node:http p99 ms': median(of(0, 'p99')),
      'openlean p99 ms': median(of(1, 'p99')),
      ratio: ratio.text,
      'ratio range': ratio.range,
      target: c.target === undefined ? '—' : `≥ ${c.target}`,
      verdict: verdict(ratio.median, c.target),
      'AUDIT=off req/s': c.off ? Math.round(median(of(2, 'rps'))) : '—',
      'audit on/off': audit?.text ?? '—',
      'on/off range': audit?.range ?? '—',
      'audit verdict': audit ? verdict(audit.median, c.auditTarget) : '—',
    });
    if (rounds[0]!.every((m) => m.cpuUs !== undefined)) {
      const us = (i: number, field: 'cpuUs' | 'mainCpuUs') => median(of(i, field)).toFixed(1);
      cpuRows.push({
        endpoint: c.name,
        'node:http µs/read': us(0, 'cpuUs'),
        'openlean µs/read': us(1, 'cpuUs'),
        'openlean main thread µs/read': us(1, 'mainCpuUs'),
        'AUDIT=off µs/read': c.off ? us(2, 'cpuUs') : '—',
        'AUDIT=off main thread µs/read': c.off ? us(2, 'mainCpuUs') : '—',
      });
    }
  }
  console.table(rows);
  // CPU per read is steadier than throughput on a shared machine; the process figure includes its
  // threads besides the main one (the garbage collector's helpers).
  if (cpuRows.length) console.table(cpuRows);
  process.exitCode = failed ? 1 : 0;
}

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'openlean-bench-'));
try {
  await main(dataDir);
} finally {
  await Promise.all(children.map(stop));
  fs.rmSync(dataDir, { recursive: true, force: true });
}
