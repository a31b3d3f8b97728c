import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { freePort } from './helpers/free-port.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const BIN = path.join(ROOT, 'bin', 'openlean.js');

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openlean-cli-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function run(args: string[], env: Record<string, string>) {
  return spawnSync(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 });
}

/** Starts `openlean serve`, resolves with its stdout once the quickstart is printed. */
function serve(env: Record<string, string>) {
  const child = spawn(process.execPath, [BIN, 'serve'], { env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  after(() => child.kill('SIGKILL'));
  let out = '';
  const ready = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (out.includes('Quick start')) resolve(out);
    });
    child.stderr.on('data', (chunk) => (out += chunk));
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${out}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, ready, exited };
}

describe('openlean CLI', () => {
  it('apps create --json prints exactly {"client_id","client_secret"} on one line', () => {
    const dir = tempDir();
    const res = run(['apps', 'create', '--name', 'Acme', '--json'], { DATA_DIR: dir });
    assert.equal(res.status, 0, res.stderr);
    const lines = res.stdout.split('\n').filter(Boolean);
    assert.equal(lines.length, 1);
    const creds = JSON.parse(lines[0]!);
    assert.deepEqual(Object.keys(creds), ['client_id', 'client_secret']);
    assert.match(creds.client_id, /^ck_/);
    assert.match(creds.client_secret, /^sk_/);
    assert.ok(fs.existsSync(path.join(dir, 'openlean.db')));
  });

  it('migrate applies the schema once and is then a no-op, honouring DATABASE_URL', () => {
    const dir = tempDir();
    const url = `sqlite:${path.join(dir, 'elsewhere.db')}`;
    const first = run(['migrate'], { DATABASE_URL: url });
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /applied: 001-initial/);
    const second = run(['migrate'], { DATABASE_URL: url });
    assert.match(second.stdout, /up to date/);
    assert.ok(fs.existsSync(path.join(dir, 'elsewhere.db')));
  });

  it('rejects bad configuration with a clear message', () => {
    const res = run(['migrate'], { DATA_DIR: tempDir(), PORT: 'eighty' });
    assert.equal(res.status, 2);
    assert.match(res.stderr, /PORT must be an integer/);
  });

  it('serve creates the sandbox application, prints a working quickstart and stops on SIGTERM', async () => {
    const dir = tempDir();
    const port = await freePort();
    const server = serve({ DATA_DIR: dir, PORT: String(port) });
    const out = await server.ready;
    const creds = JSON.parse(fs.readFileSync(path.join(dir, 'sandbox-app.json'), 'utf8'));
    assert.deepEqual(Object.keys(creds), ['client_id', 'client_secret']);
    assert.ok(out.includes(creds.client_id) && out.includes(creds.client_secret));
    assert.ok(out.includes(`http://localhost:${port}`));
    assert.equal((fs.statSync(path.join(dir, 'sandbox-app.json')).mode & 0o777).toString(8), '600');

    // Follow the printed walkthrough, command by command.
    const commands = out.split('\n').filter((l) => /^\s{2}(TOKEN|CUSTOMER|ENTITY|ACCOUNT)=|^\s{2}(curl|while)|^\s{4}/.test(l)).join('\n');
    const script = `set -e\n${commands}\necho "ENTITY=$ENTITY"\n`;
    const walk = spawnSync('bash', ['-c', script], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(walk.status, 0, walk.stderr);
    assert.match(walk.stdout, /"account_id":"/);
    assert.match(walk.stdout, /"credit_debit_indicator":"(CREDIT|DEBIT)"/);
    assert.match(walk.stdout, /ENTITY=[0-9a-f-]{36}/);

    server.child.kill('SIGTERM');
    assert.equal(await server.exited, 0);

    const again = serve({ DATA_DIR: dir, PORT: String(port) });
    assert.match(await again.ready, /Using the sandbox application/);
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(dir, 'sandbox-app.json'), 'utf8')), creds);
    again.child.kill('SIGTERM');
    assert.equal(await again.exited, 0);
  });
});
