/**
 * bench:scale, section 2 — refreshes per minute with 1 and with 2 worker processes (target ratio
 * ≥ 1.7): K entities whose bank answers slowly (the sandbox `latency` fault: 100–400 ms per
 * account resource), a manual refresh queued for each while no worker runs, then the workers
 * started; the rate is read from the `refreshes` table (count / (last finished_at − first
 * started_at)).
 */
import pg from 'pg';
import { call, createEntity } from '../lib/api.ts';
import { BANK, WORKER_CONCURRENCY, type Deployment, type SandboxBankAt } from '../lib/deployment.ts';
import { atLeast, median, progress, seconds, spread } from '../lib/figures.ts';
import { stop } from '../lib/processes.ts';

/** Entities refreshed per phase, and 1-worker/2-worker phase pairs. */
const ENTITIES = Number(process.env.BENCH_ENTITIES ?? 96);
const REFRESH_ROUNDS = Number(process.env.BENCH_REFRESH_ROUNDS ?? 3);

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Phase {
  workers: number;
  refreshes: number;
  spanMs: number;
  perMinute: number;
  meanRefreshMs: number;
}

/**
 * Prints the section's table and ratio, and says whether the target was met. `apis` are API
 * processes of `pgd`, `token` and `customerId` an access token and a customer of its application.
 */
export async function refreshes(pgd: Deployment, bank: SandboxBankAt, apis: string[], token: string, customerId: string): Promise<boolean> {
  const logins = range(ENTITIES).map((i) => `bench-rate-${i}`);
  // Every user answers like a slow bank: a worker process mostly waits, which is what more of them are for.
  for (const login of logins) {
    const res = await fetch(`${bank.url}/${BANK}/control/users/${login}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ faults: ['latency'] }) });
    if (!res.ok) throw new Error(`latency fault for ${login}: ${res.status} ${await res.text()}`);
  }
  const db = new pg.Client({ connectionString: pgd.databaseUrl });
  db.on('error', () => {});
  await db.connect();
  try {
    /** Polls the refreshes until all are FINISHED; any FAILED one ends the bench. */
    const waitAll = async (ids: string[]) => {
      const deadline = Date.now() + 15 * 60_000;
      for (;;) {
        const { rows } = await db.query(`select status, count(*)::int as n from refreshes where id = any($1) group by status`, [ids]);
        const by = Object.fromEntries(rows.map((r) => [r.status, r.n]));
        if (by.FAILED) throw new Error(`refreshes failed: ${JSON.stringify(by)}`);
        if (by.FINISHED === ids.length) return;
        if (Date.now() > deadline) throw new Error(`refreshes not done: ${JSON.stringify(by)}`);
        await sleep(100);
      }
    };

    /** Stopped workers left no job behind to run (again) in the next phase. */
    const noJobsLeft = async () => {
      const { rows } = await db.query(`select state, count(*)::int as n from pgboss.job where state not in ('completed', 'cancelled', 'failed') group by state`);
      if (rows.length > 0) throw new Error(`jobs left after the workers stopped: ${JSON.stringify(rows)}`);
    };

    // The entities and their INITIAL refreshes, two workers running.
    const warmWorkers = await Promise.all(range(2).map(() => pgd.startWorker()));
    const entities: Array<{ id: string; refresh_id: string }> = [];
    for (let i = 0; i < logins.length; i += 8) {
      const batch = logins.slice(i, i + 8);
      entities.push(...(await Promise.all(batch.map((login, j) => createEntity(apis[(i + j) % apis.length]!, token, { customer_id: customerId, bank_identifier: BANK, login, profile: 'thin' })))));
      progress('entities created', entities.length, logins.length);
    }
    await waitAll(entities.map((e) => e.refresh_id));
    await Promise.all(warmWorkers.map(stop));
    await noJobsLeft();

    const phase = async (workers: number): Promise<Phase> => {
      // Queued while no worker runs, so the workers find all of them waiting.
      const ids: string[] = [];
      for (let i = 0; i < entities.length; i += 16) {
        const batch = entities.slice(i, i + 16);
        const replies = await Promise.all(batch.map((e, j) => call(apis[(i + j) % apis.length]!, '/data/v2/refreshes', { method: 'POST', token, entity: e.id, expect: 202 })));
        for (const r of replies) {
          if (r.body.status !== 'PENDING') throw new Error(`a manual refresh is ${r.body.status} before any worker runs`);
          ids.push(r.body.refresh_id);
        }
      }
      const started = await Promise.all(range(workers).map(() => pgd.startWorker()));
      await waitAll(ids);
      await Promise.all(started.map(stop));
      await noJobsLeft();
      const { rows } = await db.query(`select started_at, finished_at from refreshes where id = any($1)`, [ids]);
      const starts = rows.map((r) => Date.parse(r.started_at));
      const ends = rows.map((r) => Date.parse(r.finished_at));
      const spanMs = Math.max(...ends) - Math.min(...starts);
      return {
        workers,
        refreshes: rows.length,
        spanMs,
        perMinute: rows.length / (spanMs / 60_000),
        meanRefreshMs: rows.reduce((n, r) => n + Date.parse(r.finished_at) - Date.parse(r.started_at), 0) / rows.length,
      };
    };

    const pairs: Array<{ one: Phase; two: Phase }> = [];
    for (let round = 0; round < REFRESH_ROUNDS; round++) {
      const one = await phase(1);
      const two = await phase(2);
      pairs.push({ one, two });
    }
    const ratio = spread(pairs.map((p) => p.two.perMinute / p.one.perMinute), 2);
    const row = (label: string, pick: (p: { one: Phase; two: Phase }) => Phase) => ({
      workers: label,
      'jobs at once': Number(label) * WORKER_CONCURRENCY,
      refreshes: pick(pairs[0]!).refreshes,
      'span s': seconds(median(pairs.map((p) => pick(p).spanMs))),
      'mean refresh ms': Math.round(median(pairs.map((p) => pick(p).meanRefreshMs))),
      'refreshes/min': Math.round(median(pairs.map((p) => pick(p).perMinute))),
    });
    console.log(
      `\n2. Refreshes per minute, ${ENTITIES} thin entities behind a slow bank (latency fault), MANUAL refreshes queued before the workers start; ` +
        `WORKER_CONCURRENCY=${WORKER_CONCURRENCY}; ${REFRESH_ROUNDS} round(s), medians; rate = count / (last finished_at − first started_at)`,
    );
    console.table([row('1', (p) => p.one), row('2', (p) => p.two)]);
    console.log(`   ratio 2 workers / 1 worker: ${ratio.text}${pairs.length > 1 ? ` (range ${ratio.range})` : ''}; target ≥ 1.7: ${atLeast(ratio.median, 1.7)}`);
    return ratio.median >= 1.7;
  } finally {
    await db.end();
  }
}
