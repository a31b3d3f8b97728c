import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, it } from 'node:test';
import pg from 'pg';
import { eventually } from '../helpers/eventually.ts';
import { bankCountsBetween } from '../helpers/expected.ts';
import { freePort } from '../helpers/free-port.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { describeDialects } from '../helpers/dialects.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CLI = path.join(ROOT, 'bin/openlean.js');
const BANK = 'SANDBOX_NAKHEEL_SA';
const ENTITIES = 200;
/** Small customers: the test is about processes, not volume (bench/ covers volume). */
const PROFILE = 'thin';

interface Proc {
  name: string;
  child: ChildProcess;
  log: string;
}

/**
 * The deployment of docs/deployment.md, for real: the sandbox banks as their own party, two API
 * processes and two workers, all separate `openlean` processes on one PostgreSQL database. 200
 * entities are created through both APIs and their INITIAL refreshes run on the workers at once;
 * one worker is SIGKILLed while it holds jobs, a third is started, and the second is stopped. Every refresh must
 * end FINISHED with exactly the bank's rows, and both APIs must answer the same throughout.
 */
describeDialects('multi-process deployment on PostgreSQL', { dialects: ['postgres'] }, (dialect) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openlean-scale-'));
  const procs: Proc[] = [];
  let database: TestDatabase;
  let env: NodeJS.ProcessEnv;
  let bankUrl = '';
  let client: pg.Client | undefined;

  function launch(name: string, args: string[], extra: NodeJS.ProcessEnv = {}): Proc {
    const log = path.join(dir, `${name}.log`);
    const dataDir = path.join(dir, name);
    fs.mkdirSync(dataDir, { recursive: true });
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...env, DATA_DIR: dataDir, ...extra },
      stdio: ['ignore', fs.openSync(log, 'w'), fs.openSync(log, 'a')],
    });
    const proc = { name, child, log };
    procs.push(proc);
    return proc;
  }

  async function waitForLog(proc: Proc, text: string): Promise<void> {
    await eventually(`${proc.name} started`, () => {
      const out = fs.readFileSync(proc.log, 'utf8');
      if (proc.child.exitCode !== null) throw new Error(`${proc.name} exited ${proc.child.exitCode}:\n${out}`);
      return out.includes(text);
    }, 60_000);
  }

  async function startApi(name: string): Promise<string> {
    const port = await freePort();
    await waitForLog(launch(name, ['serve', '--role', 'api'], { PORT: String(port) }), 'Quick start');
    return `http://127.0.0.1:${port}`;
  }

  async function startWorker(name: string): Promise<Proc> {
    const proc = launch(name, ['serve', '--role', 'worker']);
    await waitForLog(proc, 'openlean worker running');
    return proc;
  }

  before(async () => {
    database = await createTestDatabase(dir, dialect);
    env = {
      ...process.env,
      DATABASE_URL: database.url,
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      MODE: 'sandbox',
      // What the load balancer in front of the API processes answers at: one issuer for all tokens.
      PUBLIC_URL: 'http://openlean.test',
      SANDBOX_BANKS: 'off',
      LOG_LEVEL: 'warn',
      JOB_POLL_MS: '100',
      JOB_LEASE_MS: '10000',
      REFRESH_RETRY_BASE_MS: '100',
      REFRESH_MAX_ATTEMPTS: '10',
      REFRESH_SCHEDULE_HOURS: '0',
      WORKER_CONCURRENCY: '4',
      RATE_LIMIT_PER_MINUTE: '1000000',
    };
    const [bankPort, bankTlsPort] = [await freePort(), await freePort()];
    await waitForLog(launch('bank', ['sandbox-bank', '--port', String(bankPort), '--tls-port', String(bankTlsPort)]), 'sandbox banks listening');
    bankUrl = `http://127.0.0.1:${bankPort}/sandbox-banks`;
    env.SANDBOX_BANK_URL = bankUrl;
    env.SANDBOX_BANK_TLS_URL = `https://127.0.0.1:${bankTlsPort}/sandbox-banks`;
    // openlean's side of the bank's test PKI: its transport certificate and signing keys.
    env.SANDBOX_PKI_DIR = path.join(dir, 'bank', 'sandbox-pki');
    execFileSync(process.execPath, [CLI, 'migrate'], { env });
  });

  after(async () => {
    await client?.end();
    for (const p of procs) p.child.kill('SIGKILL');
    await Promise.all(procs.map((p) => (p.child.exitCode === null && p.child.signalCode === null ? new Promise((r) => p.child.once('exit', r)) : null)));
    await database?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('2 APIs + 2 workers, 200 concurrent refreshes, a worker SIGKILLed: all FINISHED, no row lost or doubled, same answers', async () => {
    const apis = [await startApi('api-1'), await startApi('api-2')];
    // The sandbox application is the database's, not a process's: both print the same credentials.
    const printed = ['api-1', 'api-2'].map((name) => fs.readFileSync(path.join(dir, name, 'sandbox-app.json'), 'utf8'));
    assert.equal(printed[0], printed[1]);
    const workers = [await startWorker('worker-1'), await startWorker('worker-2')];

    const credentials = JSON.parse(execFileSync(process.execPath, [CLI, 'apps', 'create', '--name', 'scale', '--json'], { env }).toString());
    async function call(base: string, pathname: string, init: { method?: string; token?: string; entity?: string; json?: unknown } = {}) {
      const headers: Record<string, string> = {};
      if (init.token) headers.authorization = `Bearer ${init.token}`;
      if (init.entity) headers.entity_id = init.entity;
      if (init.json) headers['content-type'] = 'application/json';
      const res = await fetch(base + pathname, { method: init.method ?? (init.json ? 'POST' : 'GET'), headers, body: init.json ? JSON.stringify(init.json) : undefined });
      const text = await res.text();
      return { status: res.status, text, body: text ? JSON.parse(text) : undefined, headers: res.headers };
    }
    // A token issued by one API process is honoured by the other: the signing keys are shared.
    const tokenRes = await fetch(`${apis[0]}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'api', ...credentials }),
    });
    const token = ((await tokenRes.json()) as { access_token: string }).access_token;
    const customer = await call(apis[1]!, '/customers/v1', { token, json: { app_user_id: 'scale' } });
    assert.equal(customer.status, 201, customer.text);

    // Every fifth user answers slowly (100–400 ms per resource), so refreshes are in flight when the worker dies.
    const logins = Array.from({ length: ENTITIES }, (_, i) => `scale-${i}`);
    for (const login of logins.filter((_, i) => i % 5 === 0)) {
      const res = await fetch(`${bankUrl}/${BANK}/control/users/${login}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ faults: ['latency'] }) });
      assert.ok(res.ok);
    }

    // Reads go on through both APIs the whole time, one at a time, until the refreshes end (the
    // waits below bound that); none may fail.
    const entities: Array<{ id: string; login: string }> = [];
    const readStatuses = new Map<number, number>();
    let reading = true;
    let n = 0;
    const reader = eventually('the refreshes ended', async () => {
      const e = entities[n % Math.max(1, entities.length)];
      if (e) {
        const res = await call(apis[n % 2]!, '/data/v2/accounts', { token, entity: e.id });
        readStatuses.set(res.status, (readStatuses.get(res.status) ?? 0) + 1);
      }
      n++;
      return !reading;
    }, 3_600_000);

    for (let i = 0; i < ENTITIES; i += 10) {
      await Promise.all(
        logins.slice(i, i + 10).map(async (login, j) => {
          const res = await call(apis[(i + j) % 2]!, '/sandbox/v1/entities', { token, json: { customer_id: customer.body.customer_id, bank_identifier: BANK, login, profile: PROFILE } });
          assert.equal(res.status, 201, res.text);
          entities.push({ id: res.body.id, login });
        }),
      );
    }

    // SIGKILL worker-1 once a quarter of the refreshes are done (it holds four others then), and add a third worker.
    const db = (client = new pg.Client({ connectionString: database.url }));
    db.on('error', () => {});
    await db.connect();
    const finished = async () => Number((await db.query(`select count(*) from refreshes where status = 'FINISHED'`)).rows[0].count);
    await eventually('a quarter of the refreshes FINISHED', async () => (await finished()) >= ENTITIES / 4, 240_000);
    const killed = workers[0]!;
    await new Promise<void>((resolve) => {
      killed.child.once('exit', () => resolve());
      killed.child.kill('SIGKILL');
    });
    const atKill = await finished();
    assert.ok(atKill < ENTITIES, 'refreshes were still running when the worker died');
    workers.push(await startWorker('worker-3'));

    // Removing a worker the orderly way: SIGTERM hands its running jobs back at once, and it exits.
    await eventually('half of the refreshes FINISHED', async () => (await finished()) >= ENTITIES / 2, 240_000);
    const leaving = workers[1]!;
    const code = await new Promise<number | null>((resolve) => {
      leaving.child.once('exit', (c) => resolve(c));
      leaving.child.kill('SIGTERM');
    });
    assert.equal(code, 0, fs.readFileSync(leaving.log, 'utf8'));

    await eventually('every refresh FINISHED', async () => {
      const { rows } = await db.query(`select status, count(*)::int as n from refreshes group by status`);
      const by = Object.fromEntries(rows.map((r) => [r.status, r.n]));
      assert.ok(!by.FAILED, `a refresh failed: ${JSON.stringify(by)}`);
      return by.FINISHED === ENTITIES;
    }, 240_000);
    reading = false;
    await reader;

    // The jobs the dead worker held ran again elsewhere: it really died mid-job.
    const retried = (await db.query(`select count(*)::int as n from pgboss.job where name = 'refresh' and retry_count > 0`)).rows[0].n;
    assert.ok(retried >= 1, `jobs of the killed worker were retried (${retried})`);
    assert.deepEqual([...readStatuses.keys()].filter((s) => s !== 200 && s !== 202), [], `read statuses ${JSON.stringify([...readStatuses])}`);
    assert.ok((readStatuses.get(200) ?? 0) > 0);

    // Both APIs answer the same, and that answer is the bank's: every transaction once.
    const { rows: refreshRows } = await db.query(`select entity_id, started_at, finished_at from refreshes`);
    const window = new Map(refreshRows.map((r) => [r.entity_id, r]));
    for (const e of entities) {
      const [a, b] = await Promise.all(apis.map((api) => call(api, '/data/v2/accounts', { token, entity: e.id })));
      assert.equal(a!.status, 200, a!.text);
      assert.equal(a!.text, b!.text, `accounts of ${e.login} differ between the API processes`);
      const real = bankCountsBetween(BANK, e.login, PROFILE, window.get(e.id).started_at, window.get(e.id).finished_at);
      assert.equal(a!.body.length, real.length);
      for (const [i, account] of (a!.body as Array<{ account_id: string }>).entries()) {
        const ids: string[] = [];
        let next: string | null = `/data/v2/accounts/${account.account_id}/transactions?size=1000`;
        while (next) {
          const [ta, tb] = await Promise.all(apis.map((api) => call(api, next!, { token, entity: e.id })));
          assert.equal(ta!.text, tb!.text, `transactions of ${e.login} differ between the API processes`);
          ids.push(...(ta!.body as Array<{ id: string }>).map((t) => t.id));
          next = /^<([^>]+)>; rel="next"$/.exec(ta!.headers.get('link') ?? '')?.[1] ?? null;
        }
        assert.equal(new Set(ids).size, ids.length, 'no duplicated row');
        assert.ok(real[i]!.has(ids.length), `${e.login} account ${i}: ${ids.length} rows for ${[...real[i]!]} at the bank`);
      }
    }
    const { rows: doubled } = await db.query(
      `select account_id, bank_transaction_id from transactions where bank_transaction_id is not null group by 1, 2 having count(*) > 1`,
    );
    assert.deepEqual(doubled, [], 'a bank transaction stored twice');

    // Each refresh announced IN_PROGRESS and FINISHED exactly once, however often its job ran.
    const { rows: events } = await db.query(`select body from webhook_events where type = 'entity.data.refresh.updated'`);
    const announced = new Map<string, string[]>();
    for (const { body } of events) {
      const payload = JSON.parse(body).payload;
      announced.set(payload.refresh_id, [...(announced.get(payload.refresh_id) ?? []), payload.status].sort());
    }
    assert.equal(announced.size, ENTITIES);
    for (const statuses of announced.values()) assert.deepEqual(statuses, ['FINISHED', 'IN_PROGRESS']);

    // A change made through one API is seen by the other at once: its entity cache heard of it.
    const gone = entities[0]!;
    assert.equal((await call(apis[1]!, '/data/v2/accounts', { token, entity: gone.id })).status, 200);
    const del = await call(apis[0]!, `/customers/v1/${customer.body.customer_id}/entities/${gone.id}`, { method: 'DELETE', token });
    assert.ok(del.status === 204 || del.status === 200, del.text);
    await eventually('the other API process stops serving the deleted entity', async () => (await call(apis[1]!, '/data/v2/accounts', { token, entity: gone.id })).status === 403, 5_000);
  });
});
