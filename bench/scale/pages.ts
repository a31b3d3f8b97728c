/**
 * bench:scale, section 3 — the cost of a transactions page with 10 M stored transactions against
 * 10 k (target ≤ 1.5): two databases, each with one real sandbox entity, padded with synthetic
 * rows; one API process each, response cache off, the same page (first, and later by cursor)
 * loaded in turns.
 */
import { randomUUID } from 'node:crypto';
import { transactionsPage, type TransactionQuery } from '../../src/store/bank-data-reads.ts';
import { openStore } from '../../src/store/database.ts';
import { withClient } from '../../test/helpers/database.ts';
import { busiestAccount, call, createCustomer, createEntity, nextLink, tokenFor, waitFinished } from '../lib/api.ts';
import { BANK, deployment, type SandboxBankAt } from '../lib/deployment.ts';
import { atMost, median, p99, progress, seconds, spread } from '../lib/figures.ts';
import { autocannon, CONNECTIONS, DURATION, inTurn, ROUNDS, withCpu, type AutocannonResult } from '../lib/load.ts';
import { stop } from '../lib/processes.ts';

/** Stored transactions in the small and the big database, and the accounts the big filler is spread over. */
const SMALL_TRANSACTIONS = Number(process.env.BENCH_SMALL_TRANSACTIONS ?? 10_000);
const BIG_TRANSACTIONS = Number(process.env.BENCH_BIG_TRANSACTIONS ?? 10_000_000);
const FILLER_ACCOUNTS = Number(process.env.BENCH_FILLER_ACCOUNTS ?? 1_000);
/** `Link: rel="next"` hops to the later page. */
const PAGE_DEPTH = Number(process.env.BENCH_PAGE_DEPTH ?? 5);

/**
 * Pads `transactions` to `total` rows with a filler entity whose accounts hold synthetic rows,
 * booked over six years. The table's indexes and constraints are dropped for the load and
 * rebuilt after from their own definitions (checked identical), as a bulk restore does: the same
 * schema in about two minutes, where row-by-row index maintenance took ~30 s per million rows
 * here, and more as the indexes outgrew memory.
 */
async function pad(
  databaseUrl: string,
  realEntityId: string,
  total: number,
  accounts: number,
): Promise<{ ms: number; insertMs: number; indexMs: number; rows: number; bytes: number; accounts: number; perAccount: number }> {
  return withClient(databaseUrl, async (db) => {
    const started = performance.now();
    await db.query(`set synchronous_commit = off`);
    await db.query(`set maintenance_work_mem = '1GB'`);
    const real = Number((await db.query(`select count(*)::int as n from transactions`)).rows[0].n);
    const filler = Math.max(0, total - real);
    const fillerAccounts = Math.max(1, Math.min(accounts, filler));
    const perAccount = Math.floor(filler / fillerAccounts);

    const defs = async () =>
      (
        await db.query(
          `select 'constraint' as kind, conname as name, pg_get_constraintdef(oid) as def, contype from pg_constraint where conrelid = 'transactions'::regclass
           union all
           select 'index', indexname, indexdef, null from pg_indexes
            where tablename = 'transactions' and schemaname = current_schema()
              and indexname not in (select conname from pg_constraint where conrelid = 'transactions'::regclass)
           order by 1, 2`,
        )
      ).rows as Array<{ kind: string; name: string; def: string; contype: string | null }>;
    const before = await defs();
    // Foreign keys first (they lean on the unique indexes), then the rest.
    for (const c of before.filter((d) => d.kind === 'constraint').sort((a, b) => (a.contype === 'f' ? -1 : b.contype === 'f' ? 1 : 0))) {
      await db.query(`alter table transactions drop constraint ${c.name}`);
    }
    for (const i of before.filter((d) => d.kind === 'index')) await db.query(`drop index ${i.name}`);

    const fillerEntity = randomUUID();
    await db.query(`create temp table filler_entity as select * from entities where id = $1`, [realEntityId]);
    await db.query(`update filler_entity set id = $1`, [fillerEntity]);
    await db.query(`insert into entities select * from filler_entity`);
    await db.query(
      `create temp table filler_accounts as
         select a, md5($1 || a)::uuid::text as id,
                left(md5($1 || 'tx' || a), 8) || '-' || substr(md5($1 || 'tx' || a), 9, 4) || '-4' || substr(md5($1 || 'tx' || a), 14, 3) || '-8' ||
                  substr(md5($1 || 'tx' || a), 18, 3) || '-' as id_prefix
           from generate_series(1, $2::int) a`,
      [fillerEntity, fillerAccounts],
    );
    await db.query(
      `insert into accounts (id, entity_id, bank_account_id, position, payload)
       select f.id, $1, 'FILLER-' || f.a, f.a, (select payload from accounts where entity_id = $2 order by position limit 1)
         from filler_accounts f`,
      [fillerEntity, realEntityId],
    );
    // One row per position in an account, shared by all filler accounts: the per-row work of the
    // load is then concatenation, not formatting.
    const stepSeconds = Math.max(1, Math.floor((6 * 365 * 86_400) / Math.max(1, perAccount)));
    await db.query(
      `create temp table filler_template as
         select n, 'FILLER-' || n as key, lpad(to_hex(n), 12, '0') as id_suffix,
                to_char(timestamp '2019-06-01' + n * make_interval(secs => $2::int), 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as booking_at,
                (n * 7919 % 250000) + 100 as amount_minor, case when n % 6 = 0 then 'CREDIT' else 'DEBIT' end as credit_debit,
                (array['Grocery store purchase', 'Card payment', 'Salary', 'Transfer to savings', 'Utility bill', 'Restaurant'])[n % 6 + 1] || ' ' || n as description,
                'REF' || lpad(n::text, 10, '0') as reference, 'Merchant ' || (n % 97) as merchant_name, (5000 + n % 900)::text as merchant_category_code
           from generate_series(0, $1::int - 1) n`,
      [perAccount, stepSeconds],
    );
    const accountsPerChunk = Math.max(1, Math.floor(1_000_000 / Math.max(1, perAccount)));
    const inserting = performance.now();
    for (let lo = 1; lo <= fillerAccounts && perAccount > 0; lo += accountsPerChunk) {
      await db.query(
        `insert into transactions (id, entity_id, account_id, key, bank_transaction_id, status, booking_at, value_at, amount_minor, currency, credit_debit,
                                   description, reference, merchant_name, merchant_category_code, bank_transaction_code, pending_transaction_id)
         select f.id_prefix || t.id_suffix, $1, f.id, t.key, 'BT-' || f.a || '-' || t.n, 'BOOKED', t.booking_at, t.booking_at, t.amount_minor, 'SAR', t.credit_debit,
                t.description, t.reference, t.merchant_name, t.merchant_category_code, 'PMNT-CCRD-POSD', null
           from filler_accounts f cross join filler_template t
          where f.a between $2 and $3`,
        [fillerEntity, lo, lo + accountsPerChunk - 1],
      );
      progress('filler accounts', Math.min(lo + accountsPerChunk - 1, fillerAccounts), fillerAccounts);
    }

    const indexing = performance.now();
    for (const i of before.filter((d) => d.kind === 'index')) await db.query(i.def);
    for (const c of before.filter((d) => d.kind === 'constraint').sort((a, b) => (a.contype === 'f' ? 1 : b.contype === 'f' ? -1 : 0))) {
      await db.query(`alter table transactions add constraint ${c.name} ${c.def}`);
    }
    const indexed = performance.now();
    const after = await defs();
    if (JSON.stringify(after) !== JSON.stringify(before)) throw new Error(`transactions schema changed by the load:\n${JSON.stringify(before)}\n${JSON.stringify(after)}`);
    // Vacuumed as well as analysed, as after a bulk restore: else autovacuum may set out to vacuum the
    // 10 M new rows (its insert threshold) while the pages are measured, and the big database's
    // figures measure that too.
    await db.query(`vacuum (analyze) entities, accounts, transactions`);
    // Write the load out now rather than in a spread checkpoint during the measurement (needs superuser or pg_checkpoint).
    await db.query(`checkpoint`).catch(() => {});
    const rows = Number((await db.query(`select count(*)::int as n from transactions`)).rows[0].n);
    const bytes = Number((await db.query(`select pg_total_relation_size('transactions')::bigint as n`)).rows[0].n);
    return { ms: performance.now() - started, insertMs: indexing - inserting, indexMs: indexed - indexing, rows, bytes, accounts: fillerAccounts, perAccount };
  });
}

/**
 * The same pages read through the store alone (the page with its account's kept count, as the
 * handler reads it), one at a time: the database's share of a request, without HTTP around it.
 * ms per page.
 */
async function storeTimes(databaseUrl: string, entityId: string, accountId: string, depth: number, expectFirstId: string): Promise<{ first: number[]; later: number[] }> {
  const store = openStore(databaseUrl);
  try {
    const page = (q: Partial<TransactionQuery>) => transactionsPage(store, entityId, { accountId, offset: 0, limit: 101, size: 100, ...q });
    let after: TransactionQuery['after'];
    for (let i = 0; i < depth; i++) after = (await page(after ? { after } : {})).last!;
    const laterFirst = (JSON.parse(`[${(await page(after ? { after } : {})).json}]`) as Array<{ id: string }>)[0]?.id;
    if (laterFirst !== expectFirstId) throw new Error(`the store's page ${depth + 1} starts at ${laterFirst}, the API's at ${expectFirstId}`);
    const time = async (q: Partial<TransactionQuery>) => {
      for (let i = 0; i < 50; i++) await page(q);
      const out: number[] = [];
      for (let i = 0; i < 300; i++) {
        const t = performance.now();
        await page(q);
        out.push(performance.now() - t);
      }
      return out;
    };
    return { first: await time({}), later: await time(after ? { after } : {}) };
  } finally {
    await store.close();
  }
}

/** Prints the section's lines and table, and says whether the target was met; `dir` is the run's directory. */
export async function pages(dir: string, bank: SandboxBankAt): Promise<boolean> {
  const sizes = [
    { label: '10k', total: SMALL_TRANSACTIONS, accounts: Math.max(1, Math.round(FILLER_ACCOUNTS / 100)) },
    { label: '10M', total: BIG_TRANSACTIONS, accounts: FILLER_ACCOUNTS },
  ];
  const dbs = [];
  for (const size of sizes) {
    const d = await deployment(dir, `pages-${size.label}`, bank);
    const [api, worker] = await Promise.all([d.startApi(), d.startWorker()]);
    const token = await tokenFor(api.url, d.credentials);
    const customerId = await createCustomer(api.url, token, 'bench-pages');
    const entity = await createEntity(api.url, token, { customer_id: customerId, bank_identifier: BANK, login: 'bench-pages', profile: 'default' });
    await waitFinished(api.url, token, entity);
    await Promise.all([stop(api.proc), stop(worker)]);
    dbs.push({ ...size, d, entity });
  }
  console.log(`\n3. Transactions page cost against stored volume: two databases, each one real \`default\` sandbox entity plus synthetic filler`);
  for (const db of dbs) {
    const loaded = await pad(db.d.databaseUrl, db.entity.id, db.total, db.accounts);
    console.log(
      `   ${db.label} database: ${loaded.rows.toLocaleString('en')} transactions (${loaded.accounts.toLocaleString('en')} filler accounts × ${loaded.perAccount.toLocaleString('en')} ` +
        `+ the real entity's); load took ${seconds(loaded.ms)} s (insert ${seconds(loaded.insertMs)} s, indexes and constraints ${seconds(loaded.indexMs)} s, rest: analyse, setup); ` +
        `table with indexes ${(loaded.bytes / 2 ** 20).toFixed(0)} MiB, ${Math.round(loaded.bytes / loaded.rows)} bytes per transaction`,
    );
  }

  // Fresh API processes on the loaded databases, every request a database query.
  const servers = [];
  for (const db of dbs) {
    const api = await db.d.startApi({ RESPONSE_CACHE_MB: '0' });
    const token = await tokenFor(api.url, db.d.credentials);
    const account = await busiestAccount(api.url, token, db.entity.id);
    const first = `/data/v2/accounts/${account.id}/transactions?size=100`;
    let later = first;
    let depth = 0;
    for (; depth < PAGE_DEPTH; depth++) {
      const res = await call(api.url, later, { token, entity: db.entity.id });
      const next = nextLink(res);
      if (!next) break;
      later = next;
    }
    const check = (await call(api.url, later, { token, entity: db.entity.id })).body as Array<{ id: string }>;
    if ((await call(api.url, first, { token, entity: db.entity.id })).body.length !== 100 || check.length === 0) throw new Error('the real account needs more than 100 transactions');
    const store = await storeTimes(db.d.databaseUrl, db.entity.id, account.id, depth, check[0]!.id);
    servers.push({ pid: api.proc.child.pid, url: api.url, headers: { authorization: `Bearer ${token}`, entity_id: db.entity.id }, first, later, depth, account, store });
  }
  const [small, big] = servers as [(typeof servers)[0], (typeof servers)[0]];
  if (small.account.total !== big.account.total) console.log(`   (the real accounts differ: ${small.account.total} vs ${big.account.total} transactions)`);

  const cases = [
    { name: 'first page (size=100)', pick: (s: typeof small) => s.first, store: (s: typeof small) => s.store.first },
    { name: `page ${small.depth + 1} via Link cursor`, pick: (s: typeof small) => s.later, store: (s: typeof small) => s.store.later },
  ];
  const rows = [];
  let ok = true;
  for (const c of cases) {
    await autocannon(small.url + c.pick(small), small.headers);
    await autocannon(big.url + c.pick(big), big.headers);
    const rounds: Array<{ s: AutocannonResult; b: AutocannonResult; sCpu: number; bCpu: number }> = [];
    for (let round = 0; round < ROUNDS; round++) {
      const [s, b] = await inTurn(
        round,
        () => withCpu([small.pid], () => autocannon(small.url + c.pick(small), small.headers)),
        () => withCpu([big.pid], () => autocannon(big.url + c.pick(big), big.headers)),
      );
      if (s.result.errors > 0 || b.result.errors > 0) throw new Error(`${c.name}: ${s.result.errors} (10k) / ${b.result.errors} (10M) errors or non-2xx responses`);
      rounds.push({ s: s.result, b: b.result, sCpu: s.servers, bCpu: b.servers });
    }
    const ratio = spread(rounds.map((r) => r.b.mean / r.s.mean), 2);
    ok &&= ratio.median <= 1.5;
    rows.push({
      page: c.name,
      'real account rows': small.account.total,
      '10k req/s': Math.round(median(rounds.map((r) => r.s.rps))),
      '10M req/s': Math.round(median(rounds.map((r) => r.b.rps))),
      '10k p99 ms': median(rounds.map((r) => r.s.p99)),
      '10M p99 ms': median(rounds.map((r) => r.b.p99)),
      '10k mean ms': median(rounds.map((r) => r.s.mean)).toFixed(2),
      '10M mean ms': median(rounds.map((r) => r.b.mean)).toFixed(2),
      'API CPU % 10k/10M': `${Math.round(median(rounds.map((r) => r.sCpu)))}/${Math.round(median(rounds.map((r) => r.bCpu)))}`,
      'cost ratio': ratio.text,
      'ratio range': ratio.range,
      'store ms 10k/10M (p99)': `${median(c.store(small)).toFixed(2)}/${median(c.store(big)).toFixed(2)} (${p99(c.store(small)).toFixed(1)}/${p99(c.store(big)).toFixed(1)})`,
      target: '≤ 1.5',
      verdict: atMost(ratio.median, 1.5),
    });
  }
  console.log(
    `   transactions page of the real account, one API process per database (RESPONSE_CACHE_MB=0), ${CONNECTIONS} connections; ` +
      `${ROUNDS} rounds of ${DURATION}s, in turns (ABBA), medians; cost ratio = mean latency 10M / 10k; ` +
      'store ms: the same page read through the store alone (list + count), one at a time, median of 300',
  );
  console.table(rows);
  return ok;
}

