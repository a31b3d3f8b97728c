import { describe, type TestOptions } from 'node:test';
import pg from 'pg';
import { POSTGRES_ADMIN_URL, type Dialect } from './database.ts';
import { skipLoudly } from './skip-loudly.ts';

const ALL: readonly Dialect[] = ['sqlite', 'postgres'];

/**
 * The dialects this run tests: both, or those `OPENLEAN_TEST_DIALECTS` names (comma-separated,
 * e.g. `sqlite` for a quicker run while developing). An unknown name stops the run.
 */
function selected(value: string | undefined): readonly Dialect[] {
  if (value === undefined || value.trim() === '') return ALL;
  const names = value.split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !ALL.includes(name as Dialect));
  if (unknown.length > 0) throw new Error(`OPENLEAN_TEST_DIALECTS names ${unknown.join(', ')}; it takes a comma-separated list of ${ALL.join(', ')}`);
  return ALL.filter((dialect) => names.includes(dialect));
}

/** Why PostgreSQL cannot be tested here, or undefined when it can. */
async function postgresProblem(): Promise<string | undefined> {
  // A refused connection fails at once; the timeout is for a server that does not answer, and
  // generous because a loaded test machine can take seconds to answer one that does.
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 15_000 });
  try {
    await client.connect();
    await client.end();
    return undefined;
  } catch (err) {
    return `PostgreSQL is not reachable at ${POSTGRES_ADMIN_URL} (${String(err)})`;
  }
}

const DIALECTS = selected(process.env.OPENLEAN_TEST_DIALECTS);

/**
 * Why this process skips its PostgreSQL suites, or false. Unreachable PostgreSQL is skipped with a
 * loud warning on a developer's machine and fails the suite on CI (`CI=true`), where a skipped
 * dialect would hide a broken store.
 */
const POSTGRES_SKIPPED: string | false = DIALECTS.includes('postgres')
  ? await postgresProblem().then((problem) =>
      problem
        ? skipLoudly(problem, {
            what: 'the PostgreSQL runs of the store suites',
            fix: 'Start PostgreSQL (or set OPENLEAN_TEST_POSTGRES_URL) and run `npm test` again; OPENLEAN_TEST_DIALECTS=sqlite runs SQLite alone without this warning.',
          })
        : false,
    )
  : false;

/**
 * Declares the suite `name` once per dialect, as `name [sqlite]` and `name [postgres]`: `suite`
 * gets the dialect and passes it to startTestServer, createTestDatabase or openTestStore.
 * `dialects` restricts a suite whose subject exists on one dialect only (say which and why
 * beside it); `OPENLEAN_TEST_DIALECTS` restricts the run. The other options are node:test's.
 *
 * @example describeDialects('customers', (dialect) => { before(async () => { s = await startTestServer({ dialect }); }); ... });
 */
export function describeDialects(name: string, suite: (dialect: Dialect) => void): void;
export function describeDialects(name: string, options: TestOptions & { dialects?: readonly Dialect[] }, suite: (dialect: Dialect) => void): void;
export function describeDialects(
  name: string,
  ...args: [(dialect: Dialect) => void] | [TestOptions & { dialects?: readonly Dialect[] }, (dialect: Dialect) => void]
): void {
  const [options, suite] = args.length === 1 ? [{}, args[0]] : args;
  const { dialects = ALL, ...testOptions } = options;
  for (const dialect of DIALECTS.filter((d) => dialects.includes(d))) {
    const skip = testOptions.skip || (dialect === 'postgres' && POSTGRES_SKIPPED);
    describe(`${name} [${dialect}]`, { ...testOptions, skip }, () => suite(dialect));
  }
}
