import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import SQLite from 'better-sqlite3';
import type { Profile } from '../../src/sandbox-bank/generator/model.ts';
import { eventually } from '../helpers/eventually.ts';
import { bankCountsBetween } from '../helpers/expected.ts';
import { freePort } from '../helpers/free-port.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BANK = 'SANDBOX_NAKHEEL_SA';

/**
 * The worker is the `openlean serve` process itself on the embedded default; it is SIGKILLed in
 * the middle of refreshes, several times, and restarted on the same data directory. Leases expire,
 * the jobs run again, and in the end every refresh is FINISHED with exactly the bank's rows, and
 * announced IN_PROGRESS and FINISHED exactly once each however often its job ran. SQLite only:
 * the subject is the embedded deployment, whose SQLite file the test reads after the kills (the
 * PostgreSQL deployment's crashes are test/scale/multi-process.test.ts's).
 */
describe('crash safety of refreshes', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'openlean-crash-'));
  let child: ChildProcess | null = null;
  let url = '';
  let starts = 0;
  after(() => {
    child?.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function start(): Promise<void> {
    const port = await freePort();
    const out = path.join(dataDir, `server-${++starts}.log`);
    child = spawn(process.execPath, [path.join(ROOT, 'bin/openlean.js'), 'serve'], {
      env: {
        ...process.env,
        DATA_DIR: dataDir,
        PORT: String(port),
        // Any free port: another suite may run a server at the same time.
        SANDBOX_BANKS_TLS_PORT: '0',
        LOG_LEVEL: 'warn',
        JOB_LEASE_MS: '1000',
        JOB_POLL_MS: '50',
        REFRESH_RETRY_BASE_MS: '50',
        REFRESH_MAX_ATTEMPTS: '10',
        REFRESH_SCHEDULE_HOURS: '0',
        WORKER_CONCURRENCY: '2',
      },
      stdio: ['ignore', fs.openSync(out, 'w'), 'inherit'],
    });
    const running = child;
    await eventually('the server started', () => {
      if (running.exitCode !== null) throw new Error(`server exited ${running.exitCode}:\n${fs.readFileSync(out, 'utf8')}`);
      return fs.readFileSync(out, 'utf8').includes('Quick start');
    }, 30_000).catch((err: Error) => {
      throw new Error(`${err.message}:\n${fs.readFileSync(out, 'utf8')}`);
    });
    url = `http://127.0.0.1:${port}`;
  }

  function kill(): Promise<void> {
    return new Promise((resolve) => {
      child!.once('exit', () => resolve());
      child!.kill('SIGKILL');
    });
  }

  async function api(pathname: string, init: { method?: string; token?: string; entity?: string; json?: unknown } = {}) {
    const headers: Record<string, string> = {};
    if (init.token) headers.authorization = `Bearer ${init.token}`;
    if (init.entity) headers.entity_id = init.entity;
    if (init.json) headers['content-type'] = 'application/json';
    const res = await fetch(url + pathname, { method: init.method ?? (init.json ? 'POST' : 'GET'), headers, body: init.json ? JSON.stringify(init.json) : undefined });
    return { status: res.status, body: (await res.json()) as any, headers: res.headers };
  }

  async function token(): Promise<string> {
    const creds = JSON.parse(fs.readFileSync(path.join(dataDir, 'sandbox-app.json'), 'utf8'));
    const res = await fetch(`${url}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'api', ...creds }),
    });
    return ((await res.json()) as { access_token: string }).access_token;
  }

  it('SIGKILL mid-refresh, three times: every refresh FINISHED, no row lost or duplicated', async () => {
    await start();
    let tok = await token();
    const customer = (await api('/customers/v1', { token: tok, json: { app_user_id: 'crash-test' } })).body.customer_id;
    const entities: Array<{ id: string; login: string; profile: string }> = [];
    for (const [login, profile] of [['crash-a', 'high_volume'], ['crash-b', 'high_volume'], ['crash-c', 'default']]) {
      const res = await api('/sandbox/v1/entities', { token: tok, json: { customer_id: customer, bank_identifier: BANK, login, profile } });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      entities.push({ id: res.body.id, login: login!, profile: profile! });
    }

    // Slow answers from the bank (100–400 ms each) keep every refresh, incremental ones included,
    // running long enough to be killed in the middle of.
    for (const e of entities) {
      const res = await fetch(`${url}/sandbox-banks/${BANK}/control/users/${e.login}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ profile: e.profile, faults: ['latency'] }),
      });
      assert.ok(res.ok);
    }

    let interrupted = 0;
    for (let round = 0; round < 3; round++) {
      // A refresh writes its data in one transaction at its end: any moment while it is IN_PROGRESS is the middle.
      interrupted += await eventually('a refresh in progress', async () => {
        const latest = await Promise.all(entities.map((e) => api('/data/v2/refreshes?size=1', { token: tok, entity: e.id })));
        return latest.filter((r) => r.body[0].status === 'IN_PROGRESS').length;
      }, 30_000);
      await kill();
      await start();
      tok = await token();
      for (const e of entities) {
        const res = await api('/data/v2/refreshes', { method: 'POST', token: tok, entity: e.id });
        assert.equal(res.status, 202, JSON.stringify(res.body));
      }
    }

    assert.ok(interrupted >= 3, `the kills landed while refreshes were running (${interrupted} times)`);
    for (const e of entities) {
      await eventually(`every refresh of ${e.login} FINISHED`, async () => {
        const list = await api('/data/v2/refreshes?size=100', { token: tok, entity: e.id });
        const statuses = list.body.map((r: any) => r.status);
        assert.ok(!statuses.includes('FAILED'), `a refresh failed: ${JSON.stringify(list.body.find((r: any) => r.status === 'FAILED'))}`);
        return statuses.every((st: string) => st === 'FINISHED');
      }, 120_000);
    }

    for (const e of entities) {
      const refreshes = (await api('/data/v2/refreshes?size=100', { token: tok, entity: e.id })).body;
      const real = bankCountsBetween(BANK, e.login, e.profile as Profile, refreshes.at(-1).started_at, refreshes[0].finished_at);
      const accounts = (await api('/data/v2/accounts', { token: tok, entity: e.id })).body;
      assert.equal(accounts.length, real.length);
      for (const [i, account] of accounts.entries()) {
        const ids: string[] = [];
        let next: string | null = `/data/v2/accounts/${account.account_id}/transactions?size=1000`;
        while (next) {
          const page = await api(next, { token: tok, entity: e.id });
          ids.push(...page.body.map((t: any) => t.id));
          next = /^<([^>]+)>; rel="next"$/.exec(page.headers.get('link') ?? '')?.[1] ?? null;
        }
        assert.equal(new Set(ids).size, ids.length, 'no duplicated row');
        assert.ok(real[i]!.has(ids.length), `${e.login} account ${i}: ${ids.length} rows for ${[...real[i]!]} real transactions`);
      }
    }

    const db = new SQLite(path.join(dataDir, 'openlean.db'), { readonly: true });
    const events = (db.prepare('SELECT body FROM webhook_events').all() as Array<{ body: string }>).map((e) => JSON.parse(e.body));
    db.close();
    for (const e of entities) {
      assert.equal(events.filter((ev) => ev.type === 'entity.created' && ev.payload.entity_id === e.id).length, 1);
      for (const r of (await api('/data/v2/refreshes?size=100', { token: tok, entity: e.id })).body) {
        const announced = events.filter((ev) => ev.payload.refresh_id === r.refresh_id).map((ev) => ev.payload.status);
        assert.deepEqual(announced.sort(), ['FINISHED', 'IN_PROGRESS'], `refresh ${r.refresh_id}`);
      }
    }
  });
});
