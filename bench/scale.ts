/**
 * npm run bench:scale — what the PostgreSQL deployment (separate API and worker processes on one
 * database, the sandbox banks as their own process) buys, each section measured in one run:
 *
 * 1. Reads: two API processes on PostgreSQL, loaded at the same time with half the connections
 *    each, against the embedded default (`openlean serve`: SQLite, in-process banks) loaded alone,
 *    for `GET /data/v2/accounts` and a 100-transaction page. Reported, no target; every response
 *    must be 2xx.
 * 2. Refreshes per minute with 1 and with 2 worker processes (target ratio ≥ 1.7): K entities whose
 *    bank answers slowly (the sandbox `latency` fault: 100–400 ms per account resource), a manual
 *    refresh queued for each while no worker runs, then the workers started; the rate is read from
 *    the `refreshes` table (count / (last finished_at − first started_at)).
 * 3. The cost of a transactions page with 10 M stored transactions against 10 k (target ≤ 1.5):
 *    two databases, each with one real sandbox entity, padded with synthetic rows; one API process
 *    each, response cache off, the same page (first, and later by cursor) loaded in turns.
 *
 * Every openlean runs as its own process with stdout to a file; autocannon runs in this one. The
 * databases are created as `openlean_bench_<random>` and dropped at the end, failure or not.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { countTransactions, listTransactions, type TransactionQuery } from '../src/store/bank-data.ts';
import { openStore } from '../src/store/database.ts';
import { createPostgresDatabase, withClient, type TestDatabase } from '../test/helpers/database.ts';
import { freePort } from '../test/helpers/free-port.ts';
import { median } from './median.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const CLI = path.join(ROOT, 'bin/openlean.js');
const BANK = 'SANDBOX_NAKHEEL_SA';
const ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const DURATION = Number(process.env.BENCH_DURATION ?? 4);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
/** Section 2: entities refreshed per phase, jobs per worker process, and 1-worker/2-worker phase pairs. */
const ENTITIES = Number(process.env.BENCH_ENTITIES ?? 96);
const WORKER_CONCURRENCY = Number(process.env.BENCH_WORKER_CONCURRENCY ?? 4);
const REFRESH_ROUNDS = Number(process.env.BENCH_REFRESH_ROUNDS ?? 3);
/** Section 3: stored transactions in the small and the big database, and the accounts the big filler is spread over. */
const SMALL_TRANSACTIONS = Number(process.env.BENCH_SMALL_TRANSACTIONS ?? 10_000);
const BIG_TRANSACTIONS = Number(process.env.BENCH_BIG_TRANSACTIONS ?? 10_000_000);
const FILLER_ACCOUNTS = Number(process.env.BENCH_FILLER_ACCOUNTS ?? 1_000);
/** Section 3: `Link: rel="next"` hops to the later page. */
const PAGE_DEPTH = Number(process.env.BENCH_PAGE_DEPTH ?? 5);
const SECTIONS = new Set((process.env.BENCH_SECTIONS ?? '1,2,3').split(',').map((s) => Number(s.trim())));

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openlean-scale-bench-'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const seconds = (ms: number) => (ms / 1000).toFixed(1);

// ---------------------------------------------------------------- databases

const admin = <T>(run: (client: pg.Client) => Promise<T>) => withClient(ADMIN_URL, run);

const databases: TestDatabase[] = [];

/** Progress of long setup on stderr, one line rewritten in place, so stdout keeps only the figures. */
function progress(what: string, done: number, total: number): void {
  process.stderr.write(`\r  ${what}: ${done}/${total}${done >= total ? '\n' : ''}`);
}

async function createDatabase(): Promise<string> {
  const database = await createPostgresDatabase(ADMIN_URL, 'openlean_bench');
  databases.push(database);
  return database.url;
}

async function dropDatabases(): Promise<void> {
  for (const database of databases.splice(0)) await database.drop();
}

// ---------------------------------------------------------------- processes

interface Proc {
  name: string;
  child: ChildProcess;
  log: string;
}

const procs = new Set<Proc>();
let launched = 0;

/** The environment every child starts from: none of this shell's openlean settings leak in. */
const BASE_ENV: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  LOG_LEVEL: 'warn',
  REFRESH_SCHEDULE_HOURS: '0',
  // The limiter counts every request, as it does by default, but never refuses one: the bench measures serving.
  RATE_LIMIT_PER_MINUTE: '100000000',
};

function launch(name: string, args: string[], env: NodeJS.ProcessEnv): Proc {
  const unique = `${name}-${++launched}`;
  const log = path.join(dir, `${unique}.log`);
  const dataDir = path.join(dir, unique);
  fs.mkdirSync(dataDir, { recursive: true });
  // Output goes to a file: a pipe drained by this busy load-generating process would throttle the server.
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { DATA_DIR: dataDir, ...env },
    stdio: ['ignore', fs.openSync(log, 'w'), fs.openSync(log, 'a')],
  });
  const proc = { name: unique, child, log };
  procs.add(proc);
  child.once('exit', () => procs.delete(proc));
  return proc;
}

async function waitForLog(proc: Proc, text: string): Promise<void> {
  const started = Date.now();
  for (;;) {
    const out = fs.readFileSync(proc.log, 'utf8');
    if (out.includes(text)) return;
    if (proc.child.exitCode !== null || Date.now() - started > 60_000) throw new Error(`${proc.name} did not start:\n${out}`);
    await sleep(50);
  }
}

const exited = (proc: Proc) => proc.child.exitCode !== null || proc.child.signalCode !== null;

/** SIGTERM, then wait for the process to finish its shutdown (SIGKILL after 30 s). */
async function stop(proc: Proc): Promise<void> {
  if (exited(proc)) return;
  const gone = new Promise((r) => proc.child.once('exit', r));
  proc.child.kill('SIGTERM');
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), 30_000);
  await gone;
  clearTimeout(timer);
}

async function killAll(): Promise<void> {
  const all = [...procs];
  for (const p of all) if (!exited(p)) p.child.kill('SIGKILL');
  await Promise.all(all.map((p) => (exited(p) ? null : new Promise((r) => p.child.once('exit', r)))));
}

/** The sandbox banks as their own process; openlean reaches them with their test PKI (SANDBOX_PKI_DIR). */
async function startBank(): Promise<SandboxBankAt> {
  const [port, tlsPort] = [await freePort(), await freePort()];
  const proc = launch('bank', ['sandbox-bank', '--port', String(port), '--tls-port', String(tlsPort)], BASE_ENV);
  await waitForLog(proc, 'sandbox banks listening');
  return { url: `http://127.0.0.1:${port}/sandbox-banks`, tlsUrl: `https://127.0.0.1:${tlsPort}/sandbox-banks`, pkiDir: path.join(dir, proc.name, 'sandbox-pki') };
}

interface SandboxBankAt {
  url: string;
  tlsUrl: string;
  pkiDir: string;
}

/** `openlean serve` as shipped: only DATA_DIR and PORT (and this bench's log level and no scheduler). */
async function startEmbedded(): Promise<{ url: string; proc: Proc; credentials: Credentials }> {
  const port = await freePort();
  const proc = launch('embedded', ['serve'], { ...BASE_ENV, PORT: String(port) });
  await waitForLog(proc, 'Quick start');
  const credentials = JSON.parse(fs.readFileSync(path.join(dir, proc.name, 'sandbox-app.json'), 'utf8')) as Credentials;
  return { url: `http://127.0.0.1:${port}`, proc, credentials };
}

interface Credentials {
  client_id: string;
  client_secret: string;
}

interface Deployment {
  databaseUrl: string;
  credentials: Credentials;
  startApi(extra?: NodeJS.ProcessEnv): Promise<{ url: string; proc: Proc }>;
  startWorker(extra?: NodeJS.ProcessEnv): Promise<Proc>;
}

/** A fresh database, migrated, with an application; its processes share every setting but DATA_DIR. */
async function deployment(label: string, bank: SandboxBankAt): Promise<Deployment> {
  const databaseUrl = await createDatabase();
  const env: NodeJS.ProcessEnv = {
    ...BASE_ENV,
    DATABASE_URL: databaseUrl,
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    MODE: 'sandbox',
    // Lower case: openlean sends the redirect URI as written at PAR but host-lower-cased at the code exchange, so `pages-10M` failed with invalid_grant.
    PUBLIC_URL: `http://openlean-${label.toLowerCase()}.bench`,
    SANDBOX_BANKS: 'off',
    SANDBOX_BANK_URL: bank.url,
    SANDBOX_BANK_TLS_URL: bank.tlsUrl,
    SANDBOX_PKI_DIR: bank.pkiDir,
    REFRESH_MANUAL_DAILY_LIMIT: '100000',
    WORKER_CONCURRENCY: String(WORKER_CONCURRENCY),
  };
  execFileSync(process.execPath, [CLI, 'migrate'], { env });
  const credentials = JSON.parse(execFileSync(process.execPath, [CLI, 'apps', 'create', '--name', 'bench', '--json'], { env }).toString()) as Credentials;
  return {
    databaseUrl,
    credentials,
    async startApi(extra = {}) {
      const port = await freePort();
      const proc = launch(`${label}-api`, ['serve', '--role', 'api'], { ...env, PORT: String(port), ...extra });
      await waitForLog(proc, 'Quick start');
      return { url: `http://127.0.0.1:${port}`, proc };
    },
    async startWorker(extra = {}) {
      const proc = launch(`${label}-worker`, ['serve', '--role', 'worker'], { ...env, ...extra });
      await waitForLog(proc, 'openlean worker running');
      return proc;
    },
  };
}

// ---------------------------------------------------------------- the API

interface Reply {
  status: number;
  text: string;
  body: any;
  headers: Headers;
}

async function call(base: string, pathname: string, init: { method?: string; token?: string; entity?: string; json?: unknown; expect?: number } = {}): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  if (init.entity) headers.entity_id = init.entity;
  if (init.json) headers['content-type'] = 'application/json';
  const method = init.method ?? (init.json ? 'POST' : 'GET');
  const res = await fetch(base + pathname, { method, headers, body: init.json ? JSON.stringify(init.json) : undefined });
  const text = await res.text();
  const expect = init.expect ?? 200;
  if (res.status !== expect) throw new Error(`${method} ${base}${pathname}: ${res.status} (expected ${expect}) ${text}`);
  return { status: res.status, text, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}

async function tokenFor(api: string, credentials: Credentials): Promise<string> {
  const res = await fetch(`${api}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'api', ...credentials }),
  });
  if (!res.ok) throw new Error(`token: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

async function createCustomer(api: string, token: string, appUserId: string): Promise<string> {
  return (await call(api, '/customers/v1', { token, json: { app_user_id: appUserId }, expect: 201 })).body.customer_id;
}

async function createEntity(api: string, token: string, customerId: string, login: string, profile: string): Promise<{ id: string; refresh_id: string }> {
  const res = await call(api, '/sandbox/v1/entities', { token, json: { customer_id: customerId, bank_identifier: BANK, login, profile }, expect: 201 });
  return { id: res.body.id, refresh_id: res.body.refresh_id };
}

async function waitFinished(api: string, token: string, entity: { id: string; refresh_id: string }): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const refresh = (await call(api, `/data/v2/refreshes/${entity.refresh_id}`, { token, entity: entity.id })).body;
    if (refresh.status === 'FINISHED') return;
    if (refresh.status === 'FAILED') throw new Error(`refresh ${entity.refresh_id} failed: ${JSON.stringify(refresh.error)}`);
    if (Date.now() > deadline) throw new Error(`refresh ${entity.refresh_id} still ${refresh.status}`);
    await sleep(50);
  }
}

/** The entity's account with the most transactions (the `X-Total-Count` of its first page). */
async function busiestAccount(api: string, token: string, entityId: string): Promise<{ id: string; total: number }> {
  const accounts = (await call(api, '/data/v2/accounts', { token, entity: entityId })).body as Array<{ account_id: string }>;
  let best = { id: '', total: -1 };
  for (const a of accounts) {
    const res = await call(api, `/data/v2/accounts/${a.account_id}/transactions?size=1`, { token, entity: entityId });
    const total = Number(res.headers.get('x-total-count'));
    if (total > best.total) best = { id: a.account_id, total };
  }
  return best;
}

const nextLink = (res: Reply) => /^<([^>]+)>; rel="next"$/.exec(res.headers.get('link') ?? '')?.[1] ?? null;

// ---------------------------------------------------------------- load

interface Measurement {
  rps: number;
  p99: number;
  mean: number;
  errors: number;
}

async function load(url: string, headers: Record<string, string>, connections = CONNECTIONS): Promise<Measurement> {
  const result = await autocannon({ url, connections, duration: DURATION, headers, pipelining: 1 });
  const errors = result.errors + result.timeouts + result.non2xx;
  return { rps: result.requests.average, p99: result.latency.p99, mean: result.latency.average, errors };
}

/** Several servers at once, the connections shared out: req/s summed, the worst p99. */
async function loadTogether(urls: string[], headers: Record<string, string>): Promise<Measurement> {
  const each = await Promise.all(urls.map((u) => load(u, headers, Math.max(1, Math.round(CONNECTIONS / urls.length)))));
  return {
    rps: each.reduce((n, m) => n + m.rps, 0),
    p99: Math.max(...each.map((m) => m.p99)),
    mean: each.reduce((n, m) => n + m.mean * m.rps, 0) / each.reduce((n, m) => n + m.rps, 0),
    errors: each.reduce((n, m) => n + m.errors, 0),
  };
}

/** `a` then `b`, or `b` then `a` in odd rounds (ABBA), so neither side always runs on the other's heels. */
async function inTurn<A, B>(round: number, a: () => Promise<A>, b: () => Promise<B>): Promise<[A, B]> {
  if (round % 2 === 0) {
    const first = await a();
    return [first, await b()];
  }
  const first = await b();
  return [await a(), first];
}

/** CPU seconds a process has used so far (Linux /proc; NaN elsewhere). */
function cpuSeconds(pid: number | undefined): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** `run`, with the CPU share (100 = one core) the given processes and this one (the load generator) used meanwhile. */
interface Cpu<T> {
  result: T;
  /** CPU % of the servers, summed (100 = one core). */
  servers: number;
  /** CPU % of this process, the load generator. */
  generator: number;
}

async function withCpu<T>(pids: Array<number | undefined>, run: () => Promise<T>): Promise<Cpu<T>> {
  const before = pids.map(cpuSeconds);
  const self = process.cpuUsage();
  const started = performance.now();
  const result = await run();
  const wall = (performance.now() - started) / 1000;
  const used = pids.reduce((n: number, pid, i) => n + cpuSeconds(pid) - before[i]!, 0);
  const mine = process.cpuUsage(self);
  return { result, servers: (100 * used) / wall, generator: (100 * (mine.user + mine.system)) / 1e6 / wall };
}

// ---------------------------------------------------------------- 1. reads

async function reads(pgd: Deployment, apiProcs: Array<{ url: string; proc: Proc }>, token: string, customerId: string): Promise<void> {
  const apis = apiProcs.map((a) => a.url);
  const embedded = await startEmbedded();
  const eToken = await tokenFor(embedded.url, embedded.credentials);
  const eEntity = await createEntity(embedded.url, eToken, await createCustomer(embedded.url, eToken, 'bench-reads'), 'bench-reads', 'default');
  await waitFinished(embedded.url, eToken, eEntity);

  const worker = await pgd.startWorker();
  const pEntity = await createEntity(apis[0]!, token, customerId, 'bench-reads', 'default');
  await waitFinished(apis[0]!, token, pEntity);
  await stop(worker);

  const eHeaders = { authorization: `Bearer ${eToken}`, entity_id: eEntity.id };
  const pHeaders = { authorization: `Bearer ${token}`, entity_id: pEntity.id };
  const eAccount = (await busiestAccount(embedded.url, eToken, eEntity.id)).id;
  const pAccount = (await busiestAccount(apis[0]!, token, pEntity.id)).id;
  const cases = [
    { name: 'GET /data/v2/accounts', embedded: '/data/v2/accounts', pg: '/data/v2/accounts' },
    { name: 'GET …/transactions?size=100', embedded: `/data/v2/accounts/${eAccount}/transactions?size=100`, pg: `/data/v2/accounts/${pAccount}/transactions?size=100` },
  ];
  const rows = [];
  for (const c of cases) {
    const eBody = (await call(embedded.url, c.embedded, { token: eToken, entity: eEntity.id })).text;
    const pBodies = await Promise.all(apis.map(async (api) => (await call(api, c.pg, { token, entity: pEntity.id })).text));
    if (pBodies[0] !== pBodies[1]) throw new Error(`${c.name}: the two API processes answer differently`);
    if (c.pg.includes('size=100') && JSON.parse(pBodies[0]!).length !== 100) throw new Error('the bench entity needs at least 100 transactions');

    // Warm-up: JIT, statement and token caches, and the response caches.
    await load(embedded.url + c.embedded, eHeaders);
    await loadTogether(apis.map((a) => a + c.pg), pHeaders);
    const rounds: Array<{ e: Cpu<Measurement>; p: Cpu<Measurement> }> = [];
    for (let round = 0; round < ROUNDS; round++) {
      const [e, p] = await inTurn(
        round,
        () => withCpu([embedded.proc.child.pid], () => load(embedded.url + c.embedded, eHeaders)),
        () => withCpu(apiProcs.map((a) => a.proc.child.pid), () => loadTogether(apis.map((a) => a + c.pg), pHeaders)),
      );
      if (e.result.errors > 0 || p.result.errors > 0) {
        throw new Error(`${c.name}: ${e.result.errors} embedded / ${p.result.errors} PostgreSQL errors or non-2xx responses`);
      }
      rounds.push({ e, p });
    }
    const ratios = rounds.map((r) => r.p.result.rps / r.e.result.rps);
    const cpu = (pick: (r: (typeof rounds)[0]) => number) => Math.round(median(rounds.map(pick)));
    rows.push({
      endpoint: c.name,
      'body bytes': Buffer.byteLength(pBodies[0]!) === Buffer.byteLength(eBody) ? Buffer.byteLength(eBody) : `${Buffer.byteLength(eBody)}/${Buffer.byteLength(pBodies[0]!)}`,
      'embedded req/s': Math.round(median(rounds.map((r) => r.e.result.rps))),
      '2 APIs on pg req/s': Math.round(median(rounds.map((r) => r.p.result.rps))),
      'embedded p99 ms': median(rounds.map((r) => r.e.result.p99)),
      'pg p99 ms': median(rounds.map((r) => r.p.result.p99)),
      'server CPU % (emb/pg)': `${cpu((r) => r.e.servers)}/${cpu((r) => r.p.servers)}`,
      'autocannon CPU % (emb/pg)': `${cpu((r) => r.e.generator)}/${cpu((r) => r.p.generator)}`,
      errors: rounds.reduce((n, r) => n + r.e.result.errors + r.p.result.errors, 0),
      ratio: median(ratios).toFixed(2),
      'ratio range': `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}`,
      target: '(reported)',
    });
  }
  await stop(embedded.proc);
  console.log(
    `\n1. Reads: 2 API processes on PostgreSQL (${CONNECTIONS / 2} connections each, at once) vs the embedded default (SQLite, ${CONNECTIONS} connections); ` +
      `${ROUNDS} rounds of ${DURATION}s, in turns (ABBA), medians; response caches on (the default); ratio = pg pair / embedded; CPU % of one core (pg: both API processes, PostgreSQL not counted)`,
  );
  console.table(rows);
}

// ---------------------------------------------------------------- 2. refreshes per minute

interface Phase {
  workers: number;
  refreshes: number;
  spanMs: number;
  perMinute: number;
  meanRefreshMs: number;
}

async function refreshRate(pgd: Deployment, bank: SandboxBankAt, apis: string[], token: string, customerId: string): Promise<boolean> {
  const logins = range(ENTITIES).map((i) => `bench-rate-${i}`);
  // Every user answers like a slow bank: a worker process mostly waits, which is what more of them are for.
  for (const login of logins) {
    const res = await fetch(`${bank.url}/${BANK}/control/users/${login}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ faults: ['latency'] }) });
    if (!res.ok) throw new Error(`latency fault for ${login}: ${res.status} ${await res.text()}`);
  }
  const db = new pg.Client({ connectionString: pgd.databaseUrl });
  db.on('error', () => {});
  await db.connect();
  try {
    /** Polls the refreshes until all are FINISHED; any FAILED one ends the bench. */
    const waitAll = async (ids: string[]) => {
      const deadline = Date.now() + 15 * 60_000;
      for (;;) {
        const { rows } = await db.query(`select status, count(*)::int as n from refreshes where id = any($1) group by status`, [ids]);
        const by = Object.fromEntries(rows.map((r) => [r.status, r.n]));
        if (by.FAILED) throw new Error(`refreshes failed: ${JSON.stringify(by)}`);
        if (by.FINISHED === ids.length) return;
        if (Date.now() > deadline) throw new Error(`refreshes not done: ${JSON.stringify(by)}`);
        await sleep(100);
      }
    };

    /** Stopped workers left no job behind to run (again) in the next phase. */
    const noJobsLeft = async () => {
      const { rows } = await db.query(`select state, count(*)::int as n from pgboss.job where state not in ('completed', 'cancelled', 'failed') group by state`);
      if (rows.length > 0) throw new Error(`jobs left after the workers stopped: ${JSON.stringify(rows)}`);
    };

    // The entities and their INITIAL refreshes, two workers running.
    const warmWorkers = await Promise.all(range(2).map(() => pgd.startWorker()));
    const entities: Array<{ id: string; refresh_id: string }> = [];
    for (let i = 0; i < logins.length; i += 8) {
      entities.push(...(await Promise.all(logins.slice(i, i + 8).map((login, j) => createEntity(apis[(i + j) % apis.length]!, token, customerId, login, 'thin')))));
      progress('entities created', entities.length, logins.length);
    }
    await waitAll(entities.map((e) => e.refresh_id));
    await Promise.all(warmWorkers.map(stop));
    await noJobsLeft();

    const phase = async (workers: number): Promise<Phase> => {
      // Queued while no worker runs, so the workers find all of them waiting.
      const ids: string[] = [];
      for (let i = 0; i < entities.length; i += 16) {
        const batch = entities.slice(i, i + 16);
        const replies = await Promise.all(batch.map((e, j) => call(apis[(i + j) % apis.length]!, '/data/v2/refreshes', { method: 'POST', token, entity: e.id, expect: 202 })));
        for (const r of replies) {
          if (r.body.status !== 'PENDING') throw new Error(`a manual refresh is ${r.body.status} before any worker runs`);
          ids.push(r.body.refresh_id);
        }
      }
      const started = await Promise.all(range(workers).map(() => pgd.startWorker()));
      await waitAll(ids);
      await Promise.all(started.map(stop));
      await noJobsLeft();
      const { rows } = await db.query(`select started_at, finished_at from refreshes where id = any($1)`, [ids]);
      const starts = rows.map((r) => Date.parse(r.started_at));
      const ends = rows.map((r) => Date.parse(r.finished_at));
      const spanMs = Math.max(...ends) - Math.min(...starts);
      return {
        workers,
        refreshes: rows.length,
        spanMs,
        perMinute: rows.length / (spanMs / 60_000),
        meanRefreshMs: rows.reduce((n, r) => n + Date.parse(r.finished_at) - Date.parse(r.started_at), 0) / rows.length,
      };
    };

    const pairs: Array<{ one: Phase; two: Phase }> = [];
    for (let round = 0; round < REFRESH_ROUNDS; round++) {
      const one = await phase(1);
      const two = await phase(2);
      pairs.push({ one, two });
    }
    const ratios = pairs.map((p) => p.two.perMinute / p.one.perMinute);
    const ratio = median(ratios);
    const row = (label: string, pick: (p: { one: Phase; two: Phase }) => Phase) => ({
      workers: label,
      'jobs at once': Number(label) * WORKER_CONCURRENCY,
      refreshes: pick(pairs[0]!).refreshes,
      'span s': seconds(median(pairs.map((p) => pick(p).spanMs))),
      'mean refresh ms': Math.round(median(pairs.map((p) => pick(p).meanRefreshMs))),
      'refreshes/min': Math.round(median(pairs.map((p) => pick(p).perMinute))),
    });
    console.log(
      `\n2. Refreshes per minute, ${ENTITIES} thin entities behind a slow bank (latency fault), MANUAL refreshes queued before the workers start; ` +
        `WORKER_CONCURRENCY=${WORKER_CONCURRENCY}; ${REFRESH_ROUNDS} round(s), medians; rate = count / (last finished_at − first started_at)`,
    );
    console.table([row('1', (p) => p.one), row('2', (p) => p.two)]);
    const ok = ratio >= 1.7;
    console.log(
      `   ratio 2 workers / 1 worker: ${ratio.toFixed(2)}${pairs.length > 1 ? ` (range ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})` : ''}; ` +
        `target ≥ 1.7: ${ok ? 'ok' : 'BELOW TARGET'}`,
    );
    return ok;
  } finally {
    await db.end();
  }
}

// ---------------------------------------------------------------- 3. page cost against table size

/**
 * Pads `transactions` to `total` rows with a filler entity whose accounts hold synthetic rows,
 * booked over six years. The table's indexes and constraints are dropped for the load and
 * rebuilt after from their own definitions (checked identical), as a bulk restore does: the same
 * schema in about two minutes, where row-by-row index maintenance took ~30 s per million rows
 * here, and more as the indexes outgrew memory.
 */
async function pad(
  databaseUrl: string,
  realEntityId: string,
  total: number,
  accounts: number,
): Promise<{ ms: number; insertMs: number; indexMs: number; rows: number; bytes: number; accounts: number; perAccount: number }> {
  return withClient(databaseUrl, async (db) => {
    const started = performance.now();
    await db.query(`set synchronous_commit = off`);
    await db.query(`set maintenance_work_mem = '1GB'`);
    const real = Number((await db.query(`select count(*)::int as n from transactions`)).rows[0].n);
    const filler = Math.max(0, total - real);
    const fillerAccounts = Math.max(1, Math.min(accounts, filler));
    const perAccount = Math.floor(filler / fillerAccounts);

    const defs = async () =>
      (
        await db.query(
          `select 'constraint' as kind, conname as name, pg_get_constraintdef(oid) as def, contype from pg_constraint where conrelid = 'transactions'::regclass
           union all
           select 'index', indexname, indexdef, null from pg_indexes
            where tablename = 'transactions' and schemaname = current_schema()
              and indexname not in (select conname from pg_constraint where conrelid = 'transactions'::regclass)
           order by 1, 2`,
        )
      ).rows as Array<{ kind: string; name: string; def: string; contype: string | null }>;
    const before = await defs();
    // Foreign keys first (they lean on the unique indexes), then the rest.
    for (const c of before.filter((d) => d.kind === 'constraint').sort((a, b) => (a.contype === 'f' ? -1 : b.contype === 'f' ? 1 : 0))) {
      await db.query(`alter table transactions drop constraint ${c.name}`);
    }
    for (const i of before.filter((d) => d.kind === 'index')) await db.query(`drop index ${i.name}`);

    const fillerEntity = randomUUID();
    await db.query(`create temp table filler_entity as select * from entities where id = $1`, [realEntityId]);
    await db.query(`update filler_entity set id = $1`, [fillerEntity]);
    await db.query(`insert into entities select * from filler_entity`);
    await db.query(
      `create temp table filler_accounts as
         select a, md5($1 || a)::uuid::text as id,
                left(md5($1 || 'tx' || a), 8) || '-' || substr(md5($1 || 'tx' || a), 9, 4) || '-4' || substr(md5($1 || 'tx' || a), 14, 3) || '-8' ||
                  substr(md5($1 || 'tx' || a), 18, 3) || '-' as id_prefix
           from generate_series(1, $2::int) a`,
      [fillerEntity, fillerAccounts],
    );
    await db.query(
      `insert into accounts (id, entity_id, bank_account_id, position, payload)
       select f.id, $1, 'FILLER-' || f.a, f.a, (select payload from accounts where entity_id = $2 order by position limit 1)
         from filler_accounts f`,
      [fillerEntity, realEntityId],
    );
    // One row per position in an account, shared by all filler accounts: the per-row work of the
    // load is then concatenation, not formatting.
    const stepSeconds = Math.max(1, Math.floor((6 * 365 * 86_400) / Math.max(1, perAccount)));
    await db.query(
      `create temp table filler_template as
         select n, 'FILLER-' || n as key, lpad(to_hex(n), 12, '0') as id_suffix,
                to_char(timestamp '2019-06-01' + n * make_interval(secs => $2::int), 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as booking_at,
                (n * 7919 % 250000) + 100 as amount_minor, case when n % 6 = 0 then 'CREDIT' else 'DEBIT' end as credit_debit,
                (array['Grocery store purchase', 'Card payment', 'Salary', 'Transfer to savings', 'Utility bill', 'Restaurant'])[n % 6 + 1] || ' ' || n as description,
                'REF' || lpad(n::text, 10, '0') as reference, 'Merchant ' || (n % 97) as merchant_name, (5000 + n % 900)::text as merchant_category_code
           from generate_series(0, $1::int - 1) n`,
      [perAccount, stepSeconds],
    );
    const accountsPerChunk = Math.max(1, Math.floor(1_000_000 / Math.max(1, perAccount)));
    const inserting = performance.now();
    for (let lo = 1; lo <= fillerAccounts && perAccount > 0; lo += accountsPerChunk) {
      await db.query(
        `insert into transactions (id, entity_id, account_id, key, bank_transaction_id, status, booking_at, value_at, amount_minor, currency, credit_debit,
                                   description, reference, merchant_name, merchant_category_code, bank_transaction_code, pending_transaction_id)
         select f.id_prefix || t.id_suffix, $1, f.id, t.key, 'BT-' || f.a || '-' || t.n, 'BOOKED', t.booking_at, t.booking_at, t.amount_minor, 'SAR', t.credit_debit,
                t.description, t.reference, t.merchant_name, t.merchant_category_code, 'PMNT-CCRD-POSD', null
           from filler_accounts f cross join filler_template t
          where f.a between $2 and $3`,
        [fillerEntity, lo, lo + accountsPerChunk - 1],
      );
      progress('filler accounts', Math.min(lo + accountsPerChunk - 1, fillerAccounts), fillerAccounts);
    }

    const indexing = performance.now();
    for (const i of before.filter((d) => d.kind === 'index')) await db.query(i.def);
    for (const c of before.filter((d) => d.kind === 'constraint').sort((a, b) => (a.contype === 'f' ? 1 : b.contype === 'f' ? -1 : 0))) {
      await db.query(`alter table transactions add constraint ${c.name} ${c.def}`);
    }
    const indexed = performance.now();
    const after = await defs();
    if (JSON.stringify(after) !== JSON.stringify(before)) throw new Error(`transactions schema changed by the load:\n${JSON.stringify(before)}\n${JSON.stringify(after)}`);
    await db.query(`analyze entities`);
    await db.query(`analyze accounts`);
    await db.query(`analyze transactions`);
    // Write the load out now rather than in a spread checkpoint during the measurement (needs superuser or pg_checkpoint).
    await db.query(`checkpoint`).catch(() => {});
    const rows = Number((await db.query(`select count(*)::int as n from transactions`)).rows[0].n);
    const bytes = Number((await db.query(`select pg_total_relation_size('transactions')::bigint as n`)).rows[0].n);
    return { ms: performance.now() - started, insertMs: indexing - inserting, indexMs: indexed - indexing, rows, bytes, accounts: fillerAccounts, perAccount };
  });
}

/**
 * The same pages read through the store alone (list and count at once, as the handler runs them),
 * one at a time: the database's share of a request, without HTTP and JSON around it. ms per page.
 */
async function storeTimes(databaseUrl: string, accountId: string, depth: number, expectFirstId: string): Promise<{ first: number[]; later: number[] }> {
  const store = openStore(databaseUrl);
  try {
    let after: TransactionQuery['after'];
    for (let i = 0; i < depth; i++) {
      const rows = await listTransactions(store, { accountId, offset: 0, limit: 101, ...(after ? { after } : {}) });
      after = { at: rows[99]!.booking_at, id: rows[99]!.id };
    }
    const page = (q: Partial<TransactionQuery>) => Promise.all([listTransactions(store, { accountId, offset: 0, limit: 101, ...q }), countTransactions(store, { accountId })]);
    const laterFirst = (await page(after ? { after } : {}))[0][0]?.id;
    if (laterFirst !== expectFirstId) throw new Error(`the store's page ${depth + 1} starts at ${laterFirst}, the API's at ${expectFirstId}`);
    const time = async (q: Partial<TransactionQuery>) => {
      for (let i = 0; i < 50; i++) await page(q);
      const out: number[] = [];
      for (let i = 0; i < 300; i++) {
        const t = performance.now();
        await page(q);
        out.push(performance.now() - t);
      }
      return out;
    };
    return { first: await time({}), later: await time(after ? { after } : {}) };
  } finally {
    await store.close();
  }
}

const p99 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * 0.99))]!;

async function pages(bank: SandboxBankAt): Promise<boolean> {
  const sizes = [
    { label: '10k', total: SMALL_TRANSACTIONS, accounts: Math.max(1, Math.round(FILLER_ACCOUNTS / 100)) },
    { label: '10M', total: BIG_TRANSACTIONS, accounts: FILLER_ACCOUNTS },
  ];
  const dbs = [];
  for (const size of sizes) {
    const d = await deployment(`pages-${size.label}`, bank);
    const [api, worker] = await Promise.all([d.startApi(), d.startWorker()]);
    const token = await tokenFor(api.url, d.credentials);
    const entity = await createEntity(api.url, token, await createCustomer(api.url, token, 'bench-pages'), 'bench-pages', 'default');
    await waitFinished(api.url, token, entity);
    await Promise.all([stop(api.proc), stop(worker)]);
    dbs.push({ ...size, d, entity });
  }
  console.log(`\n3. Transactions page cost against stored volume: two databases, each one real \`default\` sandbox entity plus synthetic filler`);
  for (const db of dbs) {
    const loaded = await pad(db.d.databaseUrl, db.entity.id, db.total, db.accounts);
    console.log(
      `   ${db.label} database: ${loaded.rows.toLocaleString('en')} transactions (${loaded.accounts.toLocaleString('en')} filler accounts × ${loaded.perAccount.toLocaleString('en')} ` +
        `+ the real entity's); load took ${seconds(loaded.ms)} s (insert ${seconds(loaded.insertMs)} s, indexes and constraints ${seconds(loaded.indexMs)} s, rest: analyse, setup); ` +
        `table with indexes ${(loaded.bytes / 2 ** 20).toFixed(0)} MiB, ${Math.round(loaded.bytes / loaded.rows)} bytes per transaction`,
    );
  }

  // Fresh API processes on the loaded databases, every request a database query.
  const servers = [];
  for (const db of dbs) {
    const api = await db.d.startApi({ RESPONSE_CACHE_MB: '0' });
    const token = await tokenFor(api.url, db.d.credentials);
    const account = await busiestAccount(api.url, token, db.entity.id);
    const first = `/data/v2/accounts/${account.id}/transactions?size=100`;
    let later = first;
    let depth = 0;
    for (; depth < PAGE_DEPTH; depth++) {
      const res = await call(api.url, later, { token, entity: db.entity.id });
      const next = nextLink(res);
      if (!next) break;
      later = next;
    }
    const check = (await call(api.url, later, { token, entity: db.entity.id })).body as Array<{ id: string }>;
    if ((await call(api.url, first, { token, entity: db.entity.id })).body.length !== 100 || check.length === 0) throw new Error('the real account needs more than 100 transactions');
    const store = await storeTimes(db.d.databaseUrl, account.id, depth, check[0]!.id);
    servers.push({ pid: api.proc.child.pid, url: api.url, headers: { authorization: `Bearer ${token}`, entity_id: db.entity.id }, first, later, depth, account, store });
  }
  const [small, big] = servers as [(typeof servers)[0], (typeof servers)[0]];
  if (small.account.total !== big.account.total) console.log(`   (the real accounts differ: ${small.account.total} vs ${big.account.total} transactions)`);

  const cases = [
    { name: 'first page (size=100)', pick: (s: typeof small) => s.first, store: (s: typeof small) => s.store.first },
    { name: `page ${small.depth + 1} via Link cursor`, pick: (s: typeof small) => s.later, store: (s: typeof small) => s.store.later },
  ];
  const rows = [];
  let ok = true;
  for (const c of cases) {
    await load(small.url + c.pick(small), small.headers);
    await load(big.url + c.pick(big), big.headers);
    const rounds: Array<{ s: Measurement; b: Measurement; sCpu: number; bCpu: number }> = [];
    for (let round = 0; round < ROUNDS; round++) {
      const [s, b] = await inTurn(
        round,
        () => withCpu([small.pid], () => load(small.url + c.pick(small), small.headers)),
        () => withCpu([big.pid], () => load(big.url + c.pick(big), big.headers)),
      );
      if (s.result.errors > 0 || b.result.errors > 0) throw new Error(`${c.name}: ${s.result.errors} (10k) / ${b.result.errors} (10M) errors or non-2xx responses`);
      rounds.push({ s: s.result, b: b.result, sCpu: s.servers, bCpu: b.servers });
    }
    const ratios = rounds.map((r) => r.b.mean / r.s.mean);
    const ratio = median(ratios);
    ok &&= ratio <= 1.5;
    rows.push({
      page: c.name,
      'real account rows': small.account.total,
      '10k req/s': Math.round(median(rounds.map((r) => r.s.rps))),
      '10M req/s': Math.round(median(rounds.map((r) => r.b.rps))),
      '10k p99 ms': median(rounds.map((r) => r.s.p99)),
      '10M p99 ms': median(rounds.map((r) => r.b.p99)),
      '10k mean ms': median(rounds.map((r) => r.s.mean)).toFixed(2),
      '10M mean ms': median(rounds.map((r) => r.b.mean)).toFixed(2),
      'API CPU % 10k/10M': `${Math.round(median(rounds.map((r) => r.sCpu)))}/${Math.round(median(rounds.map((r) => r.bCpu)))}`,
      'cost ratio': ratio.toFixed(2),
      'ratio range': `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}`,
      'store ms 10k/10M (p99)': `${median(c.store(small)).toFixed(2)}/${median(c.store(big)).toFixed(2)} (${p99(c.store(small)).toFixed(1)}/${p99(c.store(big)).toFixed(1)})`,
      target: '≤ 1.5',
      verdict: ratio <= 1.5 ? 'ok' : 'ABOVE TARGET',
    });
  }
  console.log(
    `   transactions page of the real account, one API process per database (RESPONSE_CACHE_MB=0), ${CONNECTIONS} connections; ` +
      `${ROUNDS} rounds of ${DURATION}s, in turns (ABBA), medians; cost ratio = mean latency 10M / 10k; ` +
      'store ms: the same page read through the store alone (list + count), one at a time, median of 300',
  );
  console.table(rows);
  return ok;
}

// ---------------------------------------------------------------- main

async function main() {
  const started = performance.now();
  console.log(
    `node ${process.version}, ${os.cpus().length} CPUs, PostgreSQL ${await admin(async (c) => (await c.query('show server_version')).rows[0].server_version)}; ` +
      `autocannon ${CONNECTIONS} connections, ${DURATION}s per run; sections ${[...SECTIONS].join(',')}`,
  );
  const bank = await startBank();
  let ok = true;
  if (SECTIONS.has(1) || SECTIONS.has(2)) {
    const pgd = await deployment('main', bank);
    const apiProcs = await Promise.all([pgd.startApi(), pgd.startApi()]);
    const apis = apiProcs.map((a) => a.url);
    const token = await tokenFor(apis[0]!, pgd.credentials);
    const customerId = await createCustomer(apis[1]!, token, 'bench');
    if (SECTIONS.has(1)) await reads(pgd, apiProcs, token, customerId);
    if (SECTIONS.has(2)) ok = (await refreshRate(pgd, bank, apis, token, customerId)) && ok;
  }
  if (SECTIONS.has(3)) ok = (await pages(bank)) && ok;
  console.log(`\ntook ${seconds(performance.now() - started)} s`);
  process.exitCode = ok ? 0 : 1;
}

let cleaned: Promise<void> | null = null;
const cleanup = (failed: boolean) =>
  (cleaned ??= (async () => {
    await killAll();
    await dropDatabases().catch((err) => console.error('dropping the bench databases failed:', err));
    if (failed || process.env.BENCH_KEEP_LOGS) console.error(`process logs kept in ${dir}`);
    else fs.rmSync(dir, { recursive: true, force: true });
  })());

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping`);
    void cleanup(true).finally(() => process.exit(130));
  });
}

try {
  await main();
  await cleanup(false);
} catch (err) {
  console.error(err);
  await cleanup(true);
  process.exitCode = 1;
}
