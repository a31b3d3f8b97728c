import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { killAll } from './processes.ts';

const cleanups: Array<() => Promise<void>> = [];

/** Work for the end of the run, failed or not, after every process is gone (dropping a database, say). */
export function atCleanup(run: () => Promise<void>): void {
  cleanups.push(run);
}

/**
 * Runs a bench: `main` gets a fresh temporary directory (`<tmp>/<prefix>-…`) for its processes'
 * data and logs, and says whether every target was met (exit code 0, else 1). Afterwards, and on
 * SIGINT or SIGTERM, every process it launched is killed and every `atCleanup` runs; the directory
 * is removed, or kept and named on stderr when the run threw or `BENCH_KEEP_LOGS` is set.
 */
export async function runBench(prefix: string, main: (dir: string) => Promise<boolean>): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
  let cleaned: Promise<void> | null = null;
  const cleanup = (failed: boolean) =>
    (cleaned ??= (async () => {
      await killAll();
      for (const run of cleanups.splice(0)) await run().catch((err) => console.error('cleaning up after the bench failed:', err));
      if (failed || process.env.BENCH_KEEP_LOGS) console.error(`process logs kept in ${dir}`);
      else fs.rmSync(dir, { recursive: true, force: true });
    })());

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: stopping`);
      void cleanup(true).finally(() => process.exit(130));
    });
  }

  try {
    const ok = await main(dir);
    await cleanup(false);
    process.exitCode = ok ? 0 : 1;
  } catch (err) {
    console.error(err);
    await cleanup(true);
    process.exitCode = 1;
  }
}
