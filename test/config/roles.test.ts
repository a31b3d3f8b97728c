import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { ConfigError } from '../../src/errors/config-error.ts';

const PG = 'postgres://postgres@127.0.0.1:5432/openlean';
const KEY = Buffer.alloc(32, 7).toString('base64');

describe('process roles', () => {
  it('all is the default, serving and working', () => {
    const config = loadConfig({});
    assert.equal(config.role, 'all');
    assert.equal(config.refresh.workers, 4);
  });

  it('api runs no job; worker runs at least one at a time', () => {
    assert.equal(loadConfig({ ROLE: 'api', DATABASE_URL: PG, ENCRYPTION_KEY: KEY, WORKER_CONCURRENCY: '8' }).refresh.workers, 0);
    assert.equal(loadConfig({ ROLE: 'worker', DATABASE_URL: PG, ENCRYPTION_KEY: KEY, WORKER_CONCURRENCY: '8' }).refresh.workers, 8);
    assert.throws(() => loadConfig({ ROLE: 'worker', DATABASE_URL: PG, ENCRYPTION_KEY: KEY, WORKER_CONCURRENCY: '0' }), /WORKER_CONCURRENCY/);
  });

  it('refuses split roles on SQLite, without a shared key, and unknown roles', () => {
    assert.throws(() => loadConfig({ ROLE: 'api', ENCRYPTION_KEY: KEY }), (e: unknown) => e instanceof ConfigError && /needs DATABASE_URL=postgres/.test(e.message));
    assert.throws(() => loadConfig({ ROLE: 'worker', DATABASE_URL: PG }), (e: unknown) => e instanceof ConfigError && /needs ENCRYPTION_KEY/.test(e.message));
    assert.throws(() => loadConfig({ ROLE: 'reader', DATABASE_URL: PG }), /ROLE must be one of all, api, worker/);
  });

  it('the CLI says so and exits 2 instead of starting', () => {
    const run = spawnSync(process.execPath, [path.resolve(import.meta.dirname, '../../bin/openlean.js'), 'serve', '--role', 'worker'], {
      env: { ...process.env, DATABASE_URL: '', ENCRYPTION_KEY: '', DATA_DIR: '/nonexistent-openlean' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(run.status, 2, run.stderr);
    assert.match(run.stderr, /openlean: ROLE=worker needs DATABASE_URL=postgres/);
  });
});
