import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { eventually } from './helpers/eventually.ts';
import { freePort } from './helpers/free-port.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const BIN = path.join(ROOT, 'bin', 'openlean.js');

/** README's walkthrough: the shell block of "Quick start" that starts with `URL=`. */
function walkthrough(): string {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const block = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!).find((b) => b.startsWith('URL=http://localhost:3000\n'));
  assert.ok(block, 'README has the walkthrough');
  return block;
}

/**
 * The walkthrough of README's Quick start, as written, against `openlean serve` started in a fresh
 * directory as `npm start` would be (its `./data`); only the port differs (a free one for 3000).
 * It runs twice in a row, each time without an error, reading the current account's data.
 */
describe("README's walkthrough, as written", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openlean-walkthrough-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('runs twice in a row and shows the current account and its resources', async () => {
    const port = await freePort();
    const server = spawn(process.execPath, [BIN, 'serve'], {
      cwd: dir,
      env: { ...process.env, PORT: String(port), LOG_LEVEL: 'warn', SANDBOX_BANKS_TLS_PORT: '0', DATA_DIR: '', DATABASE_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise((resolve) => server.on('exit', resolve));
    after(() => server.kill('SIGKILL'));
    let out = '';
    server.stdout.on('data', (d) => (out += d));
    server.stderr.on('data', (d) => (out += d));
    await eventually('serve printed its quick start', () => {
      if (server.exitCode !== null) throw new Error(`serve exited: ${out}`);
      return out.includes('Quick start');
    }, 60_000);

    const script = `set -eo pipefail\n${walkthrough().replaceAll('localhost:3000', `localhost:${port}`)}\necho; echo "ACCOUNT=$ACCOUNT"\n`;
    for (const run of [1, 2]) {
      const walk = spawnSync('bash', ['-c', script], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
      assert.equal(walk.status, 0, `run ${run}: ${walk.stderr}\n${walk.stdout}`);
      assert.equal(walk.stderr, '', `run ${run}`);
      const lines = walk.stdout.split('\n');
      const accounts = JSON.parse(lines[0]!);
      const account = /^ACCOUNT=(.+)$/m.exec(walk.stdout)![1];
      assert.equal(accounts.find((a: { account_id: string }) => a.account_id === account).type, 'CURRENT', `run ${run}`);
      assert.match(walk.stdout, /^HTTP\/1\.1 200 OK\r$/m);
      assert.match(walk.stdout, /^x-total-count: \d+\r$/m);
      // The loop: each of the six resources of the current account, then the identity. Which
      // instructions a generated customer has varies (a scheduled payment may not fall in the
      // horizon), so only balances and parties must be there; that the account is the current one
      // is asserted above.
      const bodies = lines.filter((l) => l.startsWith('[') || l.startsWith('{'));
      const loop = bodies.slice(-7, -1);
      assert.equal(loop.length, 6, walk.stdout);
      const lists = loop.map((line) => JSON.parse(line) as unknown[]);
      for (const list of lists) assert.ok(Array.isArray(list), `run ${run}`);
      assert.ok(lists[0]!.length > 0, `run ${run}: balances`);
      assert.ok(lists[5]!.length > 0, `run ${run}: parties`);
      assert.equal(typeof JSON.parse(bodies.at(-1)!), 'object');
    }
    server.kill('SIGTERM');
    assert.equal(await exited, 0);
  });
});
