// The PostgreSQL half of `npm test`: the store and API suites again, each test server on a fresh
// PostgreSQL database (test/helpers/database.ts). Without a reachable server it is skipped loudly,
// except on CI (CI=true), where a skipped half would hide a broken dialect.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { POSTGRES_ADMIN_URL } from './helpers/database.ts';

const ROOT = path.resolve(import.meta.dirname, '..');

/**
 * Suites that run on SQLite only, because what they test is the embedded SQLite deployment:
 * the crash test SIGKILLs `openlean serve` and reads its SQLite file; the CLI test is the
 * zero-configuration quickstart, whose default store is a SQLite file in DATA_DIR.
 */
const SQLITE_ONLY = ['test/refresh/crash.test.ts', 'test/cli.test.ts'];

/** Suites that open a store; the others (domain, mapping, bank connector) never touch a database. */
function storeSuites(): string[] {
  const files = fs.globSync('test/**/*.test.ts', { cwd: ROOT }).sort();
  return files.filter((f) => !SQLITE_ONLY.includes(f) && /startTestServer|createTestDatabase|openTestStore/.test(fs.readFileSync(path.join(ROOT, f), 'utf8')));
}

async function reachable(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.end();
    return undefined;
  } catch (err) {
    return String(err);
  }
}

const problem = await reachable();
if (problem) {
  const lines = [
    '',
    '!'.repeat(78),
    `!!! WARNING: PostgreSQL is not reachable at ${POSTGRES_ADMIN_URL}`,
    `!!! (${problem})`,
    process.env.CI === 'true'
      ? '!!! CI=true requires the PostgreSQL half of the test suite: FAILING.'
      : '!!! The PostgreSQL half of the test suite was SKIPPED: only SQLite was tested.',
    '!!! Start PostgreSQL (or set OPENLEAN_TEST_POSTGRES_URL) and run `npm run test:postgres`.',
    '!'.repeat(78),
    '',
  ];
  process.stderr.write(lines.join('\n') + '\n');
  process.exit(process.env.CI === 'true' ? 1 : 0);
}

process.stdout.write(`PostgreSQL pass; SQLite only: ${SQLITE_ONLY.join(', ')}\n`);
const run = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...storeSuites()], {
  cwd: ROOT,
  stdio: 'inherit',
  env: { ...process.env, OPENLEAN_TEST_DIALECT: 'postgres' },
});
process.exit(run.status ?? 1);
