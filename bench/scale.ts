/**
 * npm run bench:scale — what the PostgreSQL deployment (separate API and worker processes on one
 * database, the sandbox banks as their own process) buys, each section measured in one run:
 *
 * 1. reads (bench/scale/reads.ts): two API processes on PostgreSQL against the embedded default.
 * 2. refreshes (bench/scale/refreshes.ts): refreshes per minute with 1 and with 2 worker
 *    processes (target ratio ≥ 1.7).
 * 3. pages (bench/scale/pages.ts): the cost of a transactions page with 10 M stored transactions
 *    against 10 k (target ≤ 1.5).
 *
 * Sections are picked by name as arguments (`npm run bench:scale -- pages`, or the
 * `bench:scale:<name>` scripts), else by number in `BENCH_SECTIONS` (all by default). Every
 * openlean runs as its own process with stdout to a file; autocannon runs in this one. The
 * databases are created as `openlean_bench_<random>` and dropped at the end, failure or not.
 */
import { createCustomer, tokenFor } from './lib/api.ts';
import { admin, deployment, startBank } from './lib/deployment.ts';
import { machine, seconds } from './lib/figures.ts';
import { CONNECTIONS, DURATION } from './lib/load.ts';
import { runBench } from './lib/run.ts';
import { pages } from './scale/pages.ts';
import { reads } from './scale/reads.ts';
import { refreshes } from './scale/refreshes.ts';

const NAMES: Record<string, number> = { reads: 1, refreshes: 2, pages: 3 };
const picked = process.argv.slice(2);
const unknown = picked.filter((name) => !(name in NAMES));
if (unknown.length > 0) {
  console.error(`unknown bench:scale section ${unknown.join(', ')}: pick from ${Object.keys(NAMES).join(', ')}`);
  process.exit(2);
}
const SECTIONS = new Set(picked.length > 0 ? picked.map((name) => NAMES[name]!) : (process.env.BENCH_SECTIONS ?? '1,2,3').split(',').map((s) => Number(s.trim())));

await runBench('openlean-scale-bench', async (dir) => {
  const started = performance.now();
  console.log(
    `${machine()}, PostgreSQL ${await admin(async (c) => (await c.query('show server_version')).rows[0].server_version)}; ` +
      `autocannon ${CONNECTIONS} connections, ${DURATION}s per run; sections ${[...SECTIONS].join(',')}`,
  );
  const bank = await startBank(dir);
  let ok = true;
  if (SECTIONS.has(1) || SECTIONS.has(2)) {
    // Sections 1 and 2 share one deployment: its two API processes serve the reads and queue the refreshes.
    const pgd = await deployment(dir, 'main', bank);
    const apiProcs = await Promise.all([pgd.startApi(), pgd.startApi()]);
    const apis = apiProcs.map((a) => a.url);
    const token = await tokenFor(apis[0]!, pgd.credentials);
    const customerId = await createCustomer(apis[1]!, token, 'bench');
    if (SECTIONS.has(1)) await reads(dir, pgd, apiProcs, token, customerId);
    if (SECTIONS.has(2)) ok = (await refreshes(pgd, bank, apis, token, customerId)) && ok;
  }
  if (SECTIONS.has(3)) ok = (await pages(dir, bank)) && ok;
  console.log(`\ntook ${seconds(performance.now() - started)} s`);
  return ok;
});
