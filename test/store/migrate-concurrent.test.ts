import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { sql } from 'kysely';
import { openStore } from '../../src/store/database.ts';
import { MIGRATIONS } from '../../src/store/migrations/index.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { describeDialects } from '../helpers/dialects.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/openlean.js');

function migrateProcess(url: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, 'migrate', '--database-url', url], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code) => resolve({ code, output }));
  });
}

// Every process of a multi-process deployment runs `migrate` on start, so several race on a fresh
// database; migrate() serialises them (Kysely's advisory lock on PostgreSQL, the write lock on SQLite).
describeDialects('openlean migrate from several processes at once', (dialect) => {
  let dataDir: string;
  let database: TestDatabase;
  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'openlean-migrate-'));
    database = await createTestDatabase(dataDir, dialect);
  });
  after(async () => {
    await database.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('all succeed, each migration is applied exactly once and the schema is complete', async () => {
    const runs = await Promise.all(Array.from({ length: 4 }, () => migrateProcess(database.url)));
    for (const run of runs) assert.equal(run.code, 0, run.output);
    const applied = runs.flatMap((r) => /^applied: (.*)$/m.exec(r.output)?.[1]?.split(', ') ?? []);
    assert.deepEqual(applied.sort(), Object.keys(MIGRATIONS));

    const store = openStore(database.url);
    try {
      const recorded = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(store.db);
      assert.deepEqual(recorded.rows.map((r) => r.name), Object.keys(MIGRATIONS));
      const tables = (await store.db.introspection.getTables()).map((t) => t.name).sort();
      for (const table of ['accounts', 'applications', 'customers', 'entities', 'jobs', 'link_sessions', 'refreshes', 'transactions', 'webhook_deliveries']) {
        assert.ok(tables.includes(table), `table ${table} missing: ${tables.join(', ')}`);
      }
    } finally {
      await store.close();
    }
  });
});
