/**
 * bench:scale, section 1 — reads: two API processes on PostgreSQL, loaded at the same time with
 * half the connections each, against the embedded default (`openlean serve`: SQLite, in-process
 * banks) loaded alone, for `GET /data/v2/accounts` and a 100-transaction page. Reported, no
 * target; every response must be 2xx.
 */
import { busiestAccount, call, createCustomer, createEntity, tokenFor, waitFinished } from '../lib/api.ts';
import { BANK, startEmbedded, type Deployment } from '../lib/deployment.ts';
import { median, spread } from '../lib/figures.ts';
import { autocannon, CONNECTIONS, DURATION, inTurn, ROUNDS, withCpu, type AutocannonResult, type Cpu } from '../lib/load.ts';
import { stop, type Proc } from '../lib/processes.ts';

/** Several servers at once, the connections shared out: req/s summed, the worst p99. */
async function loadTogether(urls: string[], headers: Record<string, string>): Promise<AutocannonResult> {
  const each = await Promise.all(urls.map((u) => autocannon(u, headers, Math.max(1, Math.round(CONNECTIONS / urls.length)))));
  return {
    rps: each.reduce((n, m) => n + m.rps, 0),
    p99: Math.max(...each.map((m) => m.p99)),
    mean: each.reduce((n, m) => n + m.mean * m.rps, 0) / each.reduce((n, m) => n + m.rps, 0),
    errors: each.reduce((n, m) => n + m.errors, 0),
    requests: each.reduce((n, m) => n + m.requests, 0),
  };
}

/**
 * Prints the section's table. `apiProcs` are the two API processes of `pgd`, `token` and
 * `customerId` an access token and a customer of its application; `dir` is the run's directory.
 */
export async function reads(dir: string, pgd: Deployment, apiProcs: Array<{ url: string; proc: Proc }>, token: string, customerId: string): Promise<void> {
  const apis = apiProcs.map((a) => a.url);
  const embedded = await startEmbedded(dir);
  const eToken = await tokenFor(embedded.url, embedded.credentials);
  const eCustomer = await createCustomer(embedded.url, eToken, 'bench-reads');
  const eEntity = await createEntity(embedded.url, eToken, { customer_id: eCustomer, bank_identifier: BANK, login: 'bench-reads', profile: 'default' });
  await waitFinished(embedded.url, eToken, eEntity);

  const worker = await pgd.startWorker();
  const pEntity = await createEntity(apis[0]!, token, { customer_id: customerId, bank_identifier: BANK, login: 'bench-reads', profile: 'default' });
  await waitFinished(apis[0]!, token, pEntity);
  await stop(worker);

  const eHeaders = { authorization: `Bearer ${eToken}`, entity_id: eEntity.id };
  const pHeaders = { authorization: `Bearer ${token}`, entity_id: pEntity.id };
  const eAccount = (await busiestAccount(embedded.url, eToken, eEntity.id)).id;
  const pAccount = (await busiestAccount(apis[0]!, token, pEntity.id)).id;
  const cases = [
    { name: 'GET /data/v2/accounts', embedded: '/data/v2/accounts', pg: '/data/v2/accounts' },
    { name: 'GET …/transactions?size=100', embedded: `/data/v2/accounts/${eAccount}/transactions?size=100`, pg: `/data/v2/accounts/${pAccount}/transactions?size=100` },
  ];
  const rows = [];
  for (const c of cases) {
    const eBody = (await call(embedded.url, c.embedded, { token: eToken, entity: eEntity.id })).text;
    const pBodies = await Promise.all(apis.map(async (api) => (await call(api, c.pg, { token, entity: pEntity.id })).text));
    if (pBodies[0] !== pBodies[1]) throw new Error(`${c.name}: the two API processes answer differently`);
    if (c.pg.includes('size=100') && JSON.parse(pBodies[0]!).length !== 100) throw new Error('the bench entity needs at least 100 transactions');

    // Warm-up: JIT, statement and token caches, and the response caches.
    await autocannon(embedded.url + c.embedded, eHeaders);
    await loadTogether(apis.map((a) => a + c.pg), pHeaders);
    const rounds: Array<{ e: Cpu<AutocannonResult>; p: Cpu<AutocannonResult> }> = [];
    for (let round = 0; round < ROUNDS; round++) {
      const [e, p] = await inTurn(
        round,
        () => withCpu([embedded.proc.child.pid], () => autocannon(embedded.url + c.embedded, eHeaders)),
        () => withCpu(apiProcs.map((a) => a.proc.child.pid), () => loadTogether(apis.map((a) => a + c.pg), pHeaders)),
      );
      if (e.result.errors > 0 || p.result.errors > 0) {
        throw new Error(`${c.name}: ${e.result.errors} embedded / ${p.result.errors} PostgreSQL errors or non-2xx responses`);
      }
      rounds.push({ e, p });
    }
    const ratio = spread(rounds.map((r) => r.p.result.rps / r.e.result.rps), 2);
    const cpu = (pick: (r: (typeof rounds)[0]) => number) => Math.round(median(rounds.map(pick)));
    rows.push({
      endpoint: c.name,
      'body bytes': Buffer.byteLength(pBodies[0]!) === Buffer.byteLength(eBody) ? Buffer.byteLength(eBody) : `${Buffer.byteLength(eBody)}/${Buffer.byteLength(pBodies[0]!)}`,
      'embedded req/s': Math.round(median(rounds.map((r) => r.e.result.rps))),
      '2 APIs on pg req/s': Math.round(median(rounds.map((r) => r.p.result.rps))),
      'embedded p99 ms': median(rounds.map((r) => r.e.result.p99)),
      'pg p99 ms': median(rounds.map((r) => r.p.result.p99)),
      'server CPU % (emb/pg)': `${cpu((r) => r.e.servers)}/${cpu((r) => r.p.servers)}`,
      'autocannon CPU % (emb/pg)': `${cpu((r) => r.e.generator)}/${cpu((r) => r.p.generator)}`,
      errors: rounds.reduce((n, r) => n + r.e.result.errors + r.p.result.errors, 0),
      ratio: ratio.text,
      'ratio range': ratio.range,
      target: '(reported)',
    });
  }
  await stop(embedded.proc);
  console.log(
    `\n1. Reads: 2 API processes on PostgreSQL (${CONNECTIONS / 2} connections each, at once) vs the embedded default (SQLite, ${CONNECTIONS} connections); ` +
      `${ROUNDS} rounds of ${DURATION}s, in turns (ABBA), medians; response caches on (the default); ratio = pg pair / embedded; CPU % of one core (pg: both API processes, PostgreSQL not counted)`,
  );
  console.table(rows);
}
