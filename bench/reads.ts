/**
 * npm run bench:reads — openlean's read path against a bare node:http server sending the
 * identical bytes, measured with the same load generator (autocannon) in the same run; and
 * openlean with its audit trail on (the default) against a second openlean process on the same
 * database with `AUDIT=off` (docs/decisions/017: at most 5 % apart).
 * Each server runs in its own process; the load generator runs in this one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { freePort } from '../test/helpers/free-port.ts';
import { median } from './median.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const DURATION = Number(process.env.BENCH_DURATION ?? 4);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
/** Throughput with the audit trail on, over that with `AUDIT=off` (issue 17: at most 5 % slower). */
const AUDIT_TARGET = 0.95;

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

async function startOpenlean(dataDir: string, name: string, env: Record<string, string> = {}) {
  const port = await freePort();
  // Its stdout (quickstart, then a log line per request) goes to a file: a pipe drained by this
  // busy load-generating process would throttle the server being measured.
  const logFile = path.join(dataDir, `${name}.log`);
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/openlean.js'), 'serve'], {
    // The limiter counts every request, as it does by default, but never refuses one: the bench measures serving.
    // Any free port for the sandbox banks' TLS listener: two openlean processes run side by side.
    env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: process.env.LOG_LEVEL ?? 'info', RATE_LIMIT_PER_MINUTE: '100000000', SANDBOX_BANKS_TLS_PORT: '0', ...env },
    stdio: ['ignore', fs.openSync(logFile, 'w'), 'inherit'],
  });
  const started = Date.now();
  while (!(fs.existsSync(logFile) && fs.readFileSync(logFile, 'utf8').includes('Quick start'))) {
    if (child.exitCode !== null || Date.now() - started > 30_000) throw new Error(`openlean did not start:\n${fs.readFileSync(logFile, 'utf8')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, url: `http://127.0.0.1:${port}` };
}

async function startBaseline(bodies: Record<string, string>) {
  const child = spawn(process.execPath, [path.join(ROOT, 'bench/baseline-server.ts')], { stdio: ['pipe', 'pipe', 'inherit'] });
  child.stdin!.end(JSON.stringify(bodies));
  const port = await waitForLine(child, /^(\d+)\n/);
  return { child, url: `http://127.0.0.1:${port}` };
}

async function json(url: string, init: RequestInit = {}) {
  const res = await fetch(url, init);
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${url}: ${res.status} ${await res.text()}`);
  return { body: await res.text(), headers: res.headers };
}

interface Measurement {
  rps: number;
  p99: number;
  errors: number;
  /** CPU µs per request: the whole server process, and its main thread. */
  cpuUs?: number;
  mainCpuUs?: number;
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
 * Loads `url`; with the server's pid, also the CPU it spent per request (µs), in all and on its
 * main thread: steadier than throughput on a shared machine, and it shows where the work went
 * (the audit trail's writer thread is not the main thread).
 */
async function load(url: string, headers: Record<string, string>, pid?: number): Promise<Measurement> {
  const before = cpuMs(pid);
  const result = await autocannon({ url, connections: CONNECTIONS, duration: DURATION, headers, pipelining: 1 });
  const after = cpuMs(pid);
  const errors = result.errors + result.timeouts + result.non2xx;
  const perRequest = (ms: number) => (ms * 1000) / Math.max(1, result.requests.total);
  const cpu = before && after ? { cpuUs: perRequest(after.process - before.process), mainCpuUs: perRequest(after.main - before.main) } : {};
  return { rps: result.requests.average, p99: result.latency.p99, errors, ...cpu };
}

async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'openlean-bench-'));
  const openlean = await startOpenlean(dataDir, 'server', { AUDIT: 'on' });
  const creds = JSON.parse(fs.readFileSync(path.join(dataDir, 'sandbox-app.json'), 'utf8'));
  const tokenOf = async (url: string) =>
    JSON.parse(
      (await json(`${url}/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'api', ...creds }).toString(),
      })).body,
    ).access_token as string;
  const token = await tokenOf(openlean.url);
  const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const customer = JSON.parse((await json(`${openlean.url}/customers/v1`, { method: 'POST', headers: auth, body: JSON.stringify({ app_user_id: 'bench' }) })).body);
  const entity = JSON.parse(
    (await json(`${openlean.url}/sandbox/v1/entities`, { method: 'POST', headers: auth, body: JSON.stringify({ customer_id: customer.customer_id, login: 'bench' }) })).body,
  );
  const headers = { authorization: `Bearer ${token}`, entity_id: entity.id };
  while (JSON.parse((await json(`${openlean.url}/data/v2/refreshes/${entity.refresh_id}`, { headers })).body).status !== 'FINISHED') {
    await new Promise((r) => setTimeout(r, 50));
  }

  const accountsPath = '/data/v2/accounts';
  const accounts = await json(openlean.url + accountsPath, { headers });
  const accountId = JSON.parse(accounts.body)[0].account_id;
  const txPath = `/data/v2/accounts/${accountId}/transactions?size=100`;
  const txPage = await json(openlean.url + txPath, { headers });
  if (JSON.parse(txPage.body).length !== 100) throw new Error('the bench entity needs at least 100 transactions');

  const baseline = await startBaseline({ [accountsPath]: accounts.body, [txPath]: txPage.body });
  // The same database, keys and entity, without the audit trail.
  const unaudited = await startOpenlean(dataDir, 'server-audit-off', { AUDIT: 'off' });
  // Its own token: each process is its own issuer (PUBLIC_URL follows the port).
  const headersOff = { authorization: `Bearer ${await tokenOf(unaudited.url)}`, entity_id: entity.id };
  if ((await json(unaudited.url + txPath, { headers: headersOff })).body !== txPage.body) throw new Error('AUDIT=off openlean does not send the identical bytes');
  const baselineCheck = await json(baseline.url + txPath);
  if (baselineCheck.body !== txPage.body) throw new Error('baseline does not send the identical bytes');

  const cases = [
    { name: 'GET /data/v2/accounts', path: accountsPath, bytes: Buffer.byteLength(accounts.body), target: 0.6 },
    { name: 'GET …/transactions?size=100', path: txPath, bytes: Buffer.byteLength(txPage.body), target: 0.5 },
  ];
  console.log(
    `node ${process.version}, ${os.cpus().length} CPUs; autocannon ${CONNECTIONS} connections; ${ROUNDS} rounds of ${DURATION}s ` +
      'baseline, openlean (audit on), openlean AUDIT=off; figures are medians over rounds, the ratios medians of per-round ratios',
  );

  const cpuRows: Record<string, string>[] = [];
  const rows = [];
  let failed = false;
  for (const c of cases) {
    // Warm-up: JIT, statement and token caches, and the response cache.
    await load(openlean.url + c.path, headers);
    await load(baseline.url + c.path, headers);
    await load(unaudited.url + c.path, headersOff);
    const rounds: Array<{ base: Measurement; mine: Measurement; off: Measurement }> = [];
    for (let round = 0; round < ROUNDS; round++) {
      const base = await load(baseline.url + c.path, headers);
      const mine = await load(openlean.url + c.path, headers, openlean.child.pid);
      const off = await load(unaudited.url + c.path, headersOff, unaudited.child.pid);
      if (mine.errors > 0 || base.errors > 0 || off.errors > 0) throw new Error(`${c.name}: ${mine.errors} openlean / ${off.errors} AUDIT=off / ${base.errors} baseline errors`);
      rounds.push({ base, mine, off });
    }
    const ratio = median(rounds.map((r) => r.mine.rps / r.base.rps));
    const auditRatio = median(rounds.map((r) => r.mine.rps / r.off.rps));
    failed ||= ratio < c.target || auditRatio < AUDIT_TARGET;
    rows.push({
      endpoint: c.name,
      'body bytes': c.bytes,
      'node:http req/s': Math.round(median(rounds.map((r) => r.base.rps))),
      'openlean req/s': Math.round(median(rounds.map((r) => r.mine.rps))),
      'node:http p99 ms': median(rounds.map((r) => r.base.p99)),
      'openlean p99 ms': median(rounds.map((r) => r.mine.p99)),
      ratio: ratio.toFixed(2),
      'ratio range': `${Math.min(...rounds.map((r) => r.mine.rps / r.base.rps)).toFixed(2)}–${Math.max(...rounds.map((r) => r.mine.rps / r.base.rps)).toFixed(2)}`,
      target: `≥ ${c.target}`,
      verdict: ratio >= c.target ? 'ok' : 'BELOW TARGET',
      'AUDIT=off req/s': Math.round(median(rounds.map((r) => r.off.rps))),
      'audit on/off': auditRatio.toFixed(3),
      'on/off range': `${Math.min(...rounds.map((r) => r.mine.rps / r.off.rps)).toFixed(2)}–${Math.max(...rounds.map((r) => r.mine.rps / r.off.rps)).toFixed(2)}`,
      'audit verdict': auditRatio >= AUDIT_TARGET ? 'ok' : 'BELOW TARGET',
    });
    if (rounds[0]!.mine.cpuUs !== undefined) {
      cpuRows.push({
        endpoint: c.name,
        'CPU µs/read, audit on': median(rounds.map((r) => r.mine.cpuUs!)).toFixed(1),
        'CPU µs/read, AUDIT=off': median(rounds.map((r) => r.off.cpuUs!)).toFixed(1),
        'main thread µs/read, audit on': median(rounds.map((r) => r.mine.mainCpuUs!)).toFixed(1),
        'main thread µs/read, AUDIT=off': median(rounds.map((r) => r.off.mainCpuUs!)).toFixed(1),
      });
    }
  }
  console.table(rows);
  // Throughput on a machine whose cores are all busy counts the writer thread's CPU against the
  // reads; CPU per read shows what each thread pays.
  if (cpuRows.length) console.table(cpuRows);

  openlean.child.kill('SIGTERM');
  unaudited.child.kill('SIGTERM');
  baseline.child.kill('SIGTERM');
  fs.rmSync(dataDir, { recursive: true, force: true });
  process.exitCode = failed ? 1 : 0;
}

await main();
