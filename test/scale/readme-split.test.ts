import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, it } from 'node:test';
import { eventually } from '../helpers/eventually.ts';
import { freePort } from '../helpers/free-port.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { describeDialects } from '../helpers/dialects.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CLI = path.join(ROOT, 'bin/openlean.js');

/** The shell block of README's "Running on PostgreSQL", line by line. */
function readmeCommands(): string[] {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Running on PostgreSQL'));
  const block = /```sh\n([\s\S]*?)```/.exec(section)![1]!;
  return block.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('#'));
}

/**
 * README's "Running on PostgreSQL", as written, in sandbox mode with the sandbox banks the API
 * serves itself: `migrate`, then an API (`serve --role api --port 3000`) and a worker (`serve
 * --role worker`) sharing README's exported settings. Only what a test must change is changed: the
 * database (a fresh one, for `createdb`), the port (a free one for 3000, in `PUBLIC_URL` too) and
 * the sandbox banks' mutual-TLS port (a free one, given to both). `npm start` is the other
 * option of the same block. A sandbox entity's INITIAL refresh, run by the worker, must finish.
 * PostgreSQL only, as the split is.
 */
describeDialects("README's PostgreSQL split, as written", { dialects: ['postgres'] }, (dialect) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openlean-readme-split-'));
  const children: ChildProcess[] = [];
  let database: TestDatabase | undefined;
  after(async () => {
    for (const child of children) child.kill('SIGKILL');
    await Promise.all(children.map((c) => (c.exitCode === null && c.signalCode === null ? new Promise((r) => c.once('exit', r)) : null)));
    await database?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('an API and a worker finish a sandbox refresh', async () => {
    database = await createTestDatabase(dir, dialect);
    const [port, tlsPort] = [await freePort(), await freePort()];
    const lines = readmeCommands();
    const exported = lines.find((l) => l.startsWith('export '))!;
    assert.ok(lines.includes('npx openlean migrate'));
    const api = lines.find((l) => l.startsWith('npx openlean serve --role api'))!;
    const worker = lines.find((l) => l.startsWith('npx openlean serve --role worker'))!;
    assert.ok(api && worker, lines.join('\n'));

    // README's environment, evaluated by the shell as a reader's would be, with the test's database and port.
    const shell = `${exported.replace(/DATABASE_URL=\S+/, `DATABASE_URL=${database.url}`).replaceAll(':3000', `:${port}`)}\nenv`;
    const printed = spawnSync('bash', ['-c', shell], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH! } });
    assert.equal(printed.status, 0, printed.stderr);
    const readmeEnv = Object.fromEntries(
      ['DATABASE_URL', 'ENCRYPTION_KEY', 'DATA_DIR', 'PUBLIC_URL'].map((name) => [name, new RegExp(`^${name}=(.*)$`, 'm').exec(printed.stdout)?.[1] ?? '']),
    );
    assert.equal(readmeEnv.PUBLIC_URL, `http://localhost:${port}`);
    const env: NodeJS.ProcessEnv = { ...process.env, ...readmeEnv, SANDBOX_BANKS_TLS_PORT: String(tlsPort), LOG_LEVEL: 'warn', JOB_POLL_MS: '100', REFRESH_SCHEDULE_HOURS: '0' };
    delete env.SANDBOX_BANKS;
    delete env.SANDBOX_BANK_URL;
    delete env.SANDBOX_BANK_TLS_URL;
    delete env.SANDBOX_PKI_DIR;

    const args = (line: string) => line.replace(/\s*&?\s*(#.*)?$/, '').replace('npx openlean ', '').replaceAll('3000', String(port)).split(/\s+/);
    const migrate = spawnSync(process.execPath, [CLI, 'migrate'], { cwd: dir, env, encoding: 'utf8' });
    assert.equal(migrate.status, 0, migrate.stderr);
    const start = (line: string, ready: string) => {
      const child = spawn(process.execPath, [CLI, ...args(line)], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
      children.push(child);
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      return eventually(`${line} started`, () => {
        if (child.exitCode !== null) throw new Error(`${line} exited ${child.exitCode}: ${out}`);
        return out.includes(ready);
      }, 60_000);
    };
    await start(api, 'Quick start');
    await start(worker, 'openlean worker running');

    // The sandbox application the API wrote to README's DATA_DIR.
    const creds = JSON.parse(fs.readFileSync(path.join(dir, readmeEnv.DATA_DIR!, 'sandbox-app.json'), 'utf8'));
    const base = `http://127.0.0.1:${port}`;
    const call = async (pathname: string, init: { token?: string; entity?: string; json?: unknown; form?: Record<string, string> } = {}) => {
      const headers: Record<string, string> = {};
      if (init.token) headers.authorization = `Bearer ${init.token}`;
      if (init.entity) headers.entity_id = init.entity;
      if (init.json) headers['content-type'] = 'application/json';
      const body = init.form ? new URLSearchParams(init.form) : init.json ? JSON.stringify(init.json) : undefined;
      const res = await fetch(base + pathname, { method: body ? 'POST' : 'GET', headers, body });
      return { status: res.status, body: (await res.json()) as any };
    };
    const token = (await call('/oauth2/token', { form: { grant_type: 'client_credentials', scope: 'api', ...creds } })).body.access_token;
    const customer = (await call('/customers/v1', { token, json: { app_user_id: 'readme-split' } })).body.customer_id;
    const entity = await call('/sandbox/v1/entities', { token, json: { customer_id: customer, profile: 'thin' } });
    assert.equal(entity.status, 201, JSON.stringify(entity.body));
    const refresh = await eventually('the INITIAL refresh ended', async () => {
      const r = await call(`/data/v2/refreshes/${entity.body.refresh_id}`, { token, entity: entity.body.id });
      return r.body.status === 'FINISHED' || r.body.status === 'FAILED' ? r.body : null;
    }, 60_000);
    assert.equal(refresh.status, 'FINISHED', JSON.stringify(refresh));
    const accounts = await call('/data/v2/accounts', { token, entity: entity.body.id });
    assert.equal(accounts.status, 200);
    assert.ok(accounts.body.length > 0);
  });
});
