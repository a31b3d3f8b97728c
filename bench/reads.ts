/**
 * npm run bench:reads — openlean's read path against a bare node:http server sending the
 * identical bytes, measured with the same native load generator (wrk) sending each server the
 * same request (its token and `entity_id` header included) in the same run; openlean
 * with its audit trail on (the default) against a second openlean process on the same database
 * with `AUDIT=off` (docs/decisions/017: at most 5 % apart), and what the trail's work costs per
 * read measured alone; and a 100-transaction page from a third
 * openlean with the response cache off (`RESPONSE_CACHE_MB=0`), which is what a first read costs.
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
import { call, createCustomer, createEntity, sandboxApp, tokenFor, waitFinished } from './lib/api.ts';
import { cpuMs, pinnedCores, pinSelf, runnable } from './lib/cpu.ts';
import { auditCostPerRecordUs } from './lib/audit-cost.ts';
import { atLeast, machine, median, spread } from './lib/figures.ts';
import { autocannon, CONNECTIONS, DURATION, ROUNDS, wrk, type LoadResult } from './lib/load.ts';
import { CLI, launch, stop, UNLIMITED, waitForLog, type Proc } from './lib/processes.ts';
import { runBench } from './lib/run.ts';

/** Throughput with the audit trail on, over that with `AUDIT=off` (issue 17: at most 5 % slower). */
const AUDIT_TARGET = 0.95;
/** Transactions on the big page: the API's largest page size. */
const BIG_PAGE = 1000;

const WRK = runnable('wrk', ['--version']);
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
async function load(server: Server, path: string, headers: Record<string, string>): Promise<Measurement> {
  const before = cpuMs(server.proc.child.pid);
  const result = WRK ? await wrk(server.url + path, headers, PIN?.generator) : await autocannon(server.url + path, headers);
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
  let openlean = await startOpenlean(dataDir, 'server', { AUDIT: 'on' });
  // Each server its own token: each process is its own issuer (PUBLIC_URL follows the port).
  const headersOf = async (server: Server) => ({ authorization: `Bearer ${await tokenFor(server.url, creds)}`, entity_id: entity.id });
  /** The bytes `server` sends for `pathname`. */
  const read = async (server: Server, pathname: string, headers: Record<string, string> = {}) => (await call(server.url, pathname, { headers })).text;
  let headers = await headersOf(openlean);

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

  const baseline = await startBaseline(dataDir, { [accountsPath]: accounts, [txPath]: txPage, [big.path]: big.body });
  // The same database, keys and entity, without the audit trail; and with it but without the response cache.
  let unaudited = await startOpenlean(dataDir, 'server-audit-off', { AUDIT: 'off' });
  const uncached = await startOpenlean(dataDir, 'server-uncached', { AUDIT: 'on', RESPONSE_CACHE_MB: '0' });
  let headersOff = await headersOf(unaudited);
  const headersUncached = await headersOf(uncached);

  const bigName = big.count === BIG_PAGE ? `GET …/transactions?size=${BIG_PAGE}` : `GET …/transactions?size=${BIG_PAGE} (only ${big.count} stored)`;
  const cases = [
    { name: 'GET /data/v2/accounts', path: accountsPath, body: accounts, target: 0.85, off: true, auditTarget: AUDIT_TARGET },
    { name: 'GET …/transactions?size=100', path: txPath, body: txPage, target: 0.8, off: true, auditTarget: AUDIT_TARGET },
    { name: bigName, path: big.path, body: big.body, off: true },
    { name: 'GET …/transactions?size=100, RESPONSE_CACHE_MB=0', path: txPath, body: txPage, target: 0.4, off: false, uncached: true },
  ];
  for (const c of cases) {
    const bodies = [
      ['baseline', await read(baseline, c.path)],
      ['AUDIT=off openlean', await read(unaudited, c.path, headersOff)],
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
      'each round baseline, openlean (audit on), openlean AUDIT=off in turn, the openlean pair started anew and warmed up before each round (RESPONSE_CACHE_MB=0: baseline, then that openlean); figures are medians over rounds, ratios medians of per-round ratios (range min–max)',
  );
  if (big.count < BIG_PAGE) console.log(`The bench entity's fullest account has ${big.count} transactions: the big page has that many.`);

  const rows = [];
  const cpuRows: Record<string, string>[] = [];
  /** Per audited case, the AUDIT=off server's CPU µs per read (median over rounds). */
  const unauditedUs: { endpoint: string; us: number }[] = [];
  let failed = false;
  /**
   * A new pair of openlean processes, audit on and AUDIT=off. One process's luck (where its code
   * and heap landed, what the JIT chose) moved its throughput by ±3 % from one start to the next,
   * as much as the audit trail costs: the pair is started anew each round, so that the median
   * over rounds compares the trail on and off, not two processes.
   */
  async function restartPair(): Promise<void> {
    await Promise.all([stop(openlean.proc), stop(unaudited.proc)]);
    openlean = await startOpenlean(dataDir, 'server', { AUDIT: 'on' });
    unaudited = await startOpenlean(dataDir, 'server-audit-off', { AUDIT: 'off' });
    [headers, headersOff] = await Promise.all([headersOf(openlean), headersOf(unaudited)]);
  }
  for (const c of cases) {
    const subjectsNow = () => {
      const mine = c.uncached ? { server: uncached, headers: headersUncached } : { server: openlean, headers };
      // The bare server is sent the same request (token and entity header included): reading it off the socket is work any server does.
      return [{ server: baseline, headers: mine.headers }, mine, ...(c.off ? [{ server: unaudited, headers: headersOff }] : [])];
    };
    // Warm-up: JIT, statement and token caches, and the response cache.
    for (const s of subjectsNow()) await load(s.server, c.path, s.headers);
    const rounds: Measurement[][] = [];
    for (let round = 0; round < ROUNDS; round++) {
      if (c.off && round > 0) {
        await restartPair();
        for (const s of subjectsNow().slice(1)) await load(s.server, c.path, s.headers);
      }
      const subjects = subjectsNow();
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
    const verdict = (value: number, target: number | undefined) => (target === undefined ? '—' : atLeast(value, target));
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
      if (c.auditTarget !== undefined) unauditedUs.push({ endpoint: c.name, us: median(of(2, 'cpuUs')) });
    }
  }
  console.table(rows);
  // CPU per read is steadier than throughput on a shared machine; the process figure includes its
  // threads besides the main one (the garbage collector's helpers).
  if (cpuRows.length) console.table(cpuRows);

  // Two processes of one server differ in throughput by several % from one start to the next, as
  // much as the trail costs: its own work per read, measured alone in this process, shows what
  // the on/off ratio would be without that noise.
  const auditUs = await auditCostPerRecordUs(dataDir);
  console.log(
    `\nThe audit trail's work alone (bench/lib/audit-cost.ts: building and encoding a read's record, and its share of the batched SQLite writes): ` +
      `${auditUs.toFixed(2)} µs of CPU per read. Set against the AUDIT=off server's CPU per read, the on/off throughput it implies for a server bound by its CPU:`,
  );
  if (unauditedUs.length) console.table(unauditedUs.map((u) => ({ endpoint: u.endpoint, 'AUDIT=off µs/read': u.us.toFixed(1), 'trail µs/read': auditUs.toFixed(2), 'implied on/off': (u.us / (u.us + auditUs)).toFixed(3) })));
  return !failed;
}

await runBench('openlean-bench', main);
