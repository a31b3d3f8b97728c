/**
 * npm run bench:reads — openlean's read path against a bare node:http server sending the
 * identical bytes, measured with the same native load generator (wrk) sending each server the
 * same request (its token and `entity_id` header included) in the same run; a 100-transaction
 * page from a second openlean with the response cache off (`RESPONSE_CACHE_MB=0`), which is what a
 * first read costs; and the audit trail on against `AUDIT=off` (docs/decisions/017: at most 5 %
 * apart), as two servers in one process (`bench/lib/audit-twin.ts`, decision 021) loaded in turns.
 *
 * Each server runs in its own process pinned to one core, wrk (one thread) on another, so that
 * the figures compare servers rather than what is left of a core the load generator also wants.
 * Without wrk, autocannon runs in this process instead: it is then itself the bottleneck, and the
 * ratios say little.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort } from '../test/helpers/free-port.ts';
import { call, createCustomer, createEntity, sandboxApp, tokenFor, waitFinished, type Credentials } from './lib/api.ts';
import { cpuMs, pinnedCores, pinSelf, runnable } from './lib/cpu.ts';
import { atLeast, machine, median, spread } from './lib/figures.ts';
import { autocannon, CONNECTIONS, DURATION, inTurn, ROUNDS, wrk, type LoadResult } from './lib/load.ts';
import { CLI, launch, stop, UNLIMITED, waitForLog, type Proc } from './lib/processes.ts';
import { runBench } from './lib/run.ts';

/** Throughput with the audit trail on, over that with `AUDIT=off` (issue 17: at most 5 % slower). */
const AUDIT_TARGET = 0.95;
/** Turns each side of the audit comparison is loaded per process, and seconds per turn. */
const AUDIT_TURNS = Number(process.env.BENCH_AUDIT_TURNS ?? 10);
const AUDIT_TURN_SECONDS = 1;
/** Turns of warm-up per side and case, before any case of a process is measured. */
const AUDIT_WARMUP_TURNS = 3;
/** Transactions on the big page: the API's largest page size. */
const BIG_PAGE = 1000;

const WRK = runnable('wrk', ['--version']);
/**
 * What to run: `npm run bench:reads` both comparisons, `bench:reads:audit` (argument `audit`) the
 * audit trail's alone, to settle issue 17's 5 % without the quarter hour of the rest.
 */
const ONLY_AUDIT = process.argv[2] === 'audit';
if (process.argv.length > 2 && !ONLY_AUDIT) throw new Error(`bench:reads takes no argument but "audit"; got ${process.argv.slice(2).join(' ')}`);
/** Cores for the servers and for the load generator, when there are two to pin to. */
const PIN = pinnedCores();

/** A server under test: its process (whose CPU is read) and base URL. */
interface Server {
  proc: Proc;
  url: string;
}

/** `openlean serve` on `dataDir` (every openlean here shares it: the same database, keys and entity), its log there as `<name>.log`. */
async function startOpenlean(dataDir: string, name: string, env: Record<string, string> = {}): Promise<Server> {
  const port = await freePort();
  const proc = launch(name, process.execPath, [CLI, 'serve'], {
    // Any free port for the sandbox banks' TLS listener: several openlean processes run side by side.
    env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: process.env.LOG_LEVEL ?? 'info', ...UNLIMITED, SANDBOX_BANKS_TLS_PORT: '0', ...env },
    log: path.join(dataDir, `${name}.log`),
    core: PIN?.server,
  });
  await waitForLog(proc, 'Quick start');
  return { proc, url: `http://127.0.0.1:${port}` };
}

/** bench/baseline-server.ts answering each path of `bodies` with its body. */
async function startBaseline(dataDir: string, bodies: Record<string, string>): Promise<Server> {
  const port = await freePort();
  const bodiesFile = path.join(dataDir, 'baseline-bodies.json');
  fs.writeFileSync(bodiesFile, JSON.stringify(bodies));
  const proc = launch('baseline', process.execPath, [path.join(import.meta.dirname, 'baseline-server.ts'), bodiesFile, String(port)], {
    env: process.env,
    log: path.join(dataDir, 'baseline.log'),
    core: PIN?.server,
  });
  await waitForLog(proc, 'listening');
  return { proc, url: `http://127.0.0.1:${port}` };
}

/**
 * The headers of a read of `entityId` from the server at `url`, with a token of its own: each
 * server is its own issuer (PUBLIC_URL follows the port).
 */
async function readHeaders(url: string, creds: Credentials, entityId: string): Promise<Record<string, string>> {
  return { authorization: `Bearer ${await tokenFor(url, creds)}`, entity_id: entityId };
}

interface Measurement extends LoadResult {
  /** CPU µs per request: the whole server process, and its main thread (Linux only). */
  cpuUs?: number;
  mainCpuUs?: number;
}

/**
 * Loads `path` on `server`, and reads the CPU the server spent per request (µs), in all and on its
 * main thread: steadier than throughput on a shared machine, and it shows where the work went
 * (the garbage collector's helper threads are not the main thread).
 */
async function load(server: Server, path: string, headers: Record<string, string>, seconds = DURATION): Promise<Measurement> {
  const before = cpuMs(server.proc.child.pid);
  const result = WRK ? await wrk(server.url + path, headers, PIN?.generator, seconds) : await autocannon(server.url + path, headers, CONNECTIONS, seconds);
  const after = cpuMs(server.proc.child.pid);
  const perRequest = (ms: number) => (ms * 1000) / Math.max(1, result.requests);
  const cpu = before && after ? { cpuUs: perRequest(after.process - before.process), mainCpuUs: perRequest(after.main - before.main) } : {};
  return { ...result, ...cpu };
}

async function main(dataDir: string): Promise<boolean> {
  if (!WRK) {
    process.stderr.write(
      'WARNING: wrk not found; falling back to autocannon in this process. It saturates before the servers do, so the ' +
        'ratios understate the gaps and vary from run to run. Install wrk (apt-get install wrk) for figures that mean something.\n',
    );
  }
  // This process generates the load without wrk, and otherwise only waits: either way it keeps off the servers' core.
  if (PIN) pinSelf(PIN.generator);

  // Makes the entity and runs its refresh, then stops: the servers measured all start alike, on the
  // stored data, none of them carrying what a refresh left in its heap.
  const setup = await startOpenlean(dataDir, 'setup', { AUDIT: 'on' });
  const creds = sandboxApp(dataDir);
  const setupToken = await tokenFor(setup.url, creds);
  const customerId = await createCustomer(setup.url, setupToken, 'bench');
  const entity = await createEntity(setup.url, setupToken, { customer_id: customerId, login: 'bench' });
  await waitFinished(setup.url, setupToken, entity);

  await stop(setup.proc);
  const openlean = await startOpenlean(dataDir, 'server');
  const headersOf = (server: Server) => readHeaders(server.url, creds, entity.id);
  /** The bytes `server` sends for `pathname`. */
  const read = async (server: Server, pathname: string, headers: Record<string, string> = {}) => (await call(server.url, pathname, { headers })).text;
  const headers = await headersOf(openlean);

  const accountsPath = '/data/v2/accounts';
  const accounts = await read(openlean, accountsPath, headers);
  // The account with the most transactions, so that the big page is as full as the entity allows.
  const bigPages = await Promise.all(
    JSON.parse(accounts).map(async (a: { account_id: string }) => {
      const pagePath = `/data/v2/accounts/${a.account_id}/transactions?size=${BIG_PAGE}`;
      const page = await read(openlean, pagePath, headers);
      return { accountId: a.account_id, path: pagePath, body: page, count: JSON.parse(page).length as number };
    }),
  );
  const big = bigPages.reduce((a, b) => (b.count > a.count ? b : a));
  const txPath = `/data/v2/accounts/${big.accountId}/transactions?size=100`;
  const txPage = await read(openlean, txPath, headers);
  if (JSON.parse(txPage).length !== 100) throw new Error('the bench entity needs at least 100 transactions');

  const audited = [
    { name: 'GET /data/v2/accounts', path: accountsPath, body: accounts },
    { name: 'GET …/transactions?size=100', path: txPath, body: txPage },
  ];
  if (ONLY_AUDIT) {
    await stop(openlean.proc);
    return auditOnOff(dataDir, creds, entity.id, audited);
  }

  const baseline = await startBaseline(dataDir, { [accountsPath]: accounts, [txPath]: txPage, [big.path]: big.body });
  // The same database, keys and entity, without the response cache.
  const uncached = await startOpenlean(dataDir, 'server-uncached', { RESPONSE_CACHE_MB: '0' });
  const headersUncached = await headersOf(uncached);

  const bigName = big.count === BIG_PAGE ? `GET …/transactions?size=${BIG_PAGE}` : `GET …/transactions?size=${BIG_PAGE} (only ${big.count} stored)`;
  const cases = [
    { ...audited[0]!, target: 0.85 },
    { ...audited[1]!, target: 0.8 },
    { name: bigName, path: big.path, body: big.body },
    { name: 'GET …/transactions?size=100, RESPONSE_CACHE_MB=0', path: txPath, body: txPage, target: 0.4, uncached: true },
  ];
  for (const c of cases) {
    const bodies = [
      ['baseline', await read(baseline, c.path)],
      ['RESPONSE_CACHE_MB=0 openlean', await read(uncached, c.path, headersUncached)],
    ] as const;
    for (const [who, body] of bodies) if (body !== c.body) throw new Error(`${c.name}: ${who} does not send the identical bytes`);
  }

  const generator = WRK
    ? `${/^wrk \S+/.exec(spawnSync('wrk', ['--version'], { encoding: 'utf8' }).stdout)?.[0] ?? 'wrk'} (1 thread)`
    : 'autocannon (in process, fallback)';
  const pinning = PIN ? `servers pinned to core ${PIN.server}, load generator to core ${PIN.generator} (taskset)` : 'not pinned (needs taskset and 2 cores)';
  console.log(
    `${machine()}; ${generator}, ${CONNECTIONS} connections, every server sent the same request (Authorization, entity_id); ${pinning}; ${ROUNDS} rounds of ${DURATION}s, ` +
      'each round baseline, then openlean (RESPONSE_CACHE_MB=0: that openlean); figures are medians over rounds, ratios medians of per-round ratios (range min–max)',
  );
  if (big.count < BIG_PAGE) console.log(`The bench entity's fullest account has ${big.count} transactions: the big page has that many.`);

  const rows = [];
  const cpuRows: Record<string, string>[] = [];
  let failed = false;
  for (const c of cases) {
    const mine = c.uncached ? { server: uncached, headers: headersUncached } : { server: openlean, headers };
    // The bare server is sent the same request (token and entity header included): reading it off the socket is work any server does.
    const subjects = [{ server: baseline, headers: mine.headers }, mine];
    // Warm-up: JIT, statement and token caches, and the response cache.
    for (const s of subjects) await load(s.server, c.path, s.headers);
    const rounds: Measurement[][] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const measured: Measurement[] = [];
      for (const s of subjects) measured.push(await load(s.server, c.path, s.headers));
      const errors = measured.map((m) => m.errors);
      if (errors.some((n) => n > 0)) throw new Error(`${c.name}, round ${round + 1}: errors (baseline, openlean): ${errors.join(', ')}`);
      rounds.push(measured);
    }
    const of = (i: number, field: keyof Measurement) => rounds.map((r) => r[i]![field]!);
    const ratio = spread(rounds.map((r) => r[1]!.rps / r[0]!.rps), 2);
    failed ||= c.target !== undefined && ratio.median < c.target;
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
      verdict: c.target === undefined ? '—' : atLeast(ratio.median, c.target),
    });
    if (rounds[0]!.every((m) => m.cpuUs !== undefined)) {
      const us = (i: number, field: 'cpuUs' | 'mainCpuUs') => median(of(i, field)).toFixed(1);
      cpuRows.push({ endpoint: c.name, 'node:http µs/read': us(0, 'cpuUs'), 'openlean µs/read': us(1, 'cpuUs'), 'openlean main thread µs/read': us(1, 'mainCpuUs') });
    }
  }
  console.table(rows);
  // CPU per read is steadier than throughput on a shared machine; the process figure includes its
  // threads besides the main one (the garbage collector's helpers).
  if (cpuRows.length) console.table(cpuRows);
  await Promise.all([stop(openlean.proc), stop(uncached.proc), stop(baseline.proc)]);

  const auditMet = await auditOnOff(dataDir, creds, entity.id, audited);
  return !failed && auditMet;
}

/** One process of two servers on `dataDir`, audit on and `AUDIT=off` (bench/lib/audit-twin.ts), and each one's token. */
async function startTwin(dataDir: string, creds: Credentials, entityId: string, round: number) {
  const log = path.join(dataDir, `audit-twin-${round}.log`);
  const proc = launch('audit-twin', process.execPath, [path.join(import.meta.dirname, 'lib/audit-twin.ts')], {
    env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: process.env.LOG_LEVEL ?? 'info', ...UNLIMITED },
    log,
    core: PIN?.server,
  });
  await waitForLog(proc, 'audit twin listening');
  const [, onUrl, offUrl] = /audit twin listening (\S+) (\S+)/.exec(fs.readFileSync(log, 'utf8'))!;
  const side = async (url: string) => ({ server: { proc, url }, headers: await readHeaders(url, creds, entityId) });
  return { proc, on: await side(onUrl!), off: await side(offUrl!) };
}

/**
 * The audit trail on against `AUDIT=off` (issue 17: at most 5 % slower), per case: `ROUNDS`
 * processes of the two servers (bench/lib/audit-twin.ts), each side loaded `AUDIT_TURNS` times for
 * `AUDIT_TURN_SECONDS` in turns (ABBA). A process's ratio is its two sides' throughput over all
 * their turns; the process's CPU while a side was loaded, per read, is that side's. Prints the
 * median over processes, and returns whether it reached the target.
 */
async function auditOnOff(dataDir: string, creds: Credentials, entityId: string, cases: { name: string; path: string; body: string }[]): Promise<boolean> {
  type Side = { requests: number; seconds: number; cpuMs: number; errors: number };
  const results = new Map(cases.map((c) => [c.name, [] as { on: Side; off: Side }[]]));
  for (let round = 0; round < ROUNDS; round++) {
    const twin = await startTwin(dataDir, creds, entityId, round);
    // Warm-up, of every case before any is measured: JIT, token cache, the response cache, and the
    // trail's writer, whose first seconds grow its WAL file. Warmed case by case, the first case
    // measured paid for that alone: on/off 0.934 for the accounts read measured first, 0.969 second.
    for (const c of cases) {
      for (const side of [twin.on, twin.off]) {
        const body = (await call(side.server.url, c.path, { headers: side.headers })).text;
        if (body !== c.body) throw new Error(`${c.name}: the audit twin does not send the identical bytes`);
        for (let i = 0; i < AUDIT_WARMUP_TURNS; i++) await load(side.server, c.path, side.headers, AUDIT_TURN_SECONDS);
      }
    }
    for (const c of cases) {
      const sum = { on: { requests: 0, seconds: 0, cpuMs: 0, errors: 0 }, off: { requests: 0, seconds: 0, cpuMs: 0, errors: 0 } };
      const turn = async (name: 'on' | 'off') => {
        const m = await load(twin[name].server, c.path, twin[name].headers, AUDIT_TURN_SECONDS);
        const s = sum[name];
        s.requests += m.requests;
        s.seconds += m.requests / m.rps;
        s.cpuMs += ((m.cpuUs ?? NaN) * m.requests) / 1000;
        s.errors += m.errors;
      };
      for (let t = 0; t < AUDIT_TURNS; t++) await inTurn(t, () => turn('on'), () => turn('off'));
      if (sum.on.errors + sum.off.errors > 0) throw new Error(`${c.name}, audit round ${round + 1}: errors (on, off): ${sum.on.errors}, ${sum.off.errors}`);
      results.get(c.name)!.push(sum);
    }
    await stop(twin.proc);
  }
  console.log(
    `\nThe audit trail on and AUDIT=off: two openlean servers in one process (bench/lib/audit-twin.ts, decision 021), pinned as above; ${ROUNDS} processes, ` +
      `every case warmed up first (${AUDIT_WARMUP_TURNS} × ${AUDIT_TURN_SECONDS}s a side), then each side loaded ${AUDIT_TURNS} times for ${AUDIT_TURN_SECONDS}s in turns (ABBA); figures are medians over processes (range min–max)`,
  );
  let met = true;
  console.table(
    cases.map((c) => {
      const per = results.get(c.name)!;
      const rps = (s: Side) => s.requests / s.seconds;
      const cpuUs = (s: Side) => (s.cpuMs * 1000) / s.requests;
      const ratio = spread(per.map((p) => rps(p.on) / rps(p.off)), 3);
      met &&= ratio.median >= AUDIT_TARGET;
      return {
        endpoint: c.name,
        'audit on req/s': Math.round(median(per.map((p) => rps(p.on)))),
        'AUDIT=off req/s': Math.round(median(per.map((p) => rps(p.off)))),
        'on/off': ratio.text,
        'on/off range': ratio.range,
        'on µs/read': median(per.map((p) => cpuUs(p.on))).toFixed(1),
        'off µs/read': median(per.map((p) => cpuUs(p.off))).toFixed(1),
        'trail µs/read': spread(per.map((p) => cpuUs(p.on) - cpuUs(p.off)), 2).text,
        target: `≥ ${AUDIT_TARGET}`,
        verdict: atLeast(ratio.median, AUDIT_TARGET),
      };
    }),
  );
  return met;
}

await runBench('openlean-bench', main);
