/**
 * npm run bench:ingest — how fast bank data gets in.
 *
 * 1. An INITIAL refresh of a sandbox entity with 3 accounts × ~10 000 transactions, end to end over
 *    HTTP: consent at the in-process sandbox bank, OBIE paging, mapping, the store write (target < 2 s).
 * 2. The store's upsert path (`applySnapshot`) against a raw better-sqlite3 prepared-insert loop of
 *    the same rows into the same schema, in the same run (target ratio ≥ 0.5): the same bytes, each
 *    row's API JSON (migration 016) and each account's transaction chunks and head (migrations 017, 018) included,
 *    which the store renders and the loop is given (decisions 022 and 024).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { loadConfig } from '../src/config.ts';
import { derivedId } from '../src/domain/ids.ts';
import { generateCustomer } from '../src/sandbox-bank/generator/index.ts';
import { SANDBOX_BANK_PROFILES } from '../src/sandbox-bank/profiles.ts';
import { startServer } from '../src/server.ts';
import { applySnapshot } from '../src/store/bank-data.ts';
import { migrate, openStore, SQLITE_WRITER_PRAGMAS } from '../src/store/database.ts';
import { TRANSACTION_JSON_VERSION } from '../src/store/transaction-rows.ts';
import { toEntitySnapshot } from '../test/helpers/direct-snapshot.ts';
import { createCustomer, createEntity, tokenFor, waitFinished } from './lib/api.ts';
import { atLeast, machine, median } from './lib/figures.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const BANK = 'SANDBOX_FALCON_AE';

async function initialRefresh(round: number) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'openlean-ingest-'));
  const server = await startServer(loadConfig({ REFRESH_SCHEDULE_HOURS: '0', JOB_POLL_MS: '20', SANDBOX_BANKS_TLS_PORT: '0' }, { dataDir, port: 0, host: '127.0.0.1', logLevel: 'warn' }));
  try {
    const { createApplication } = await import('../src/applications/create-application.ts');
    const token = await tokenFor(server.url, await createApplication(server.ctx.store.db, 'bench'));
    const customerId = await createCustomer(server.url, token, `bench-${round}`);
    const started = performance.now();
    const entity = await createEntity(server.url, token, { customer_id: customerId, bank_identifier: BANK, login: `ingest-${round}`, profile: 'high_volume' });
    // Polled often: the wall time is the figure.
    const refresh = await waitFinished(server.url, token, entity, 5);
    const wallMs = performance.now() - started;
    const tx = refresh.resources.find((r: any) => r.resource === 'transactions').records as number;
    const accounts = refresh.resources.find((r: any) => r.resource === 'accounts').records as number;
    const refreshMs = Date.parse(refresh.finished_at) - Date.parse(refresh.started_at);
    return { wallMs, refreshMs, tx, accounts };
  } finally {
    await server.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The same transactions written by `applySnapshot` into a fresh store, and by a bare prepared-insert loop. */
async function storeWrite() {
  const bank = SANDBOX_BANK_PROFILES.find((b) => b.identifier === BANK)!;
  const asOf = new Date();
  const customer = generateCustomer(bank, 'ingest-store', asOf, { profile: 'high_volume' });
  const snapshot = toEntitySnapshot(customer, bank, ['accounts', 'transactions'], asOf);
  const rowsCount = snapshot.accounts.reduce((n, a) => n + (a.transactions?.items.length ?? 0), 0);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openlean-ingest-store-'));
  const at = asOf.toISOString();
  /** A migrated store holding the application, customer and entity the rows belong to. */
  const freshStore = async (file: string) => {
    const store = openStore(`sqlite:${path.join(dir, file)}`);
    await migrate(store);
    await store.db.insertInto('applications').values({ id: 'app', name: 'bench', client_id: 'c', client_secret_hash: 'h', created_at: at }).execute();
    await store.db.insertInto('customers').values({ id: 'cus', app_id: 'app', app_user_id: 'u', created_at: at }).execute();
    await store.db
      .insertInto('entities')
      .values({ id: 'ent', app_id: 'app', customer_id: 'cus', bank_identifier: BANK, permissions: '["accounts","transactions"]', status: 'ACTIVE', consent_expires_at: '2099-01-01T00:00:00.000Z', created_at: at, updated_at: at })
      .execute();
    return store;
  };
  try {
    const store = await freshStore('upsert.db');
    let started = performance.now();
    await applySnapshot(store, 'ent', snapshot);
    const upsertMs = performance.now() - started;
    // The API JSON the store rendered for each row, by account position and key, for the baseline to write too.
    const storedJson = new Map(
      (await store.db.selectFrom('transactions as t').innerJoin('accounts as a', 'a.id', 't.account_id').select(['a.position', 't.key', 't.api_json']).execute()).map((r) => [
        `${r.position} ${r.key}`,
        r.api_json,
      ]),
    );
    // The chunks it kept (decision 024), which the baseline writes too: the same bytes.
    const storedChunks = await store.db
      .selectFrom('transaction_chunks as c')
      .innerJoin('accounts as a', 'a.id', 'c.account_id')
      .select(['a.position', 'c.chunk', 'c.first_at', 'c.first_id', 'c.keys', 'c.ends', 'c.byte_ends', 'c.json', 'c.version'])
      .execute();
    if (storedChunks.length === 0) throw new Error('the store kept no transaction chunks');
    // And each account's head (its newest rows as a first page answers them).
    const storedHeads = await store.db
      .selectFrom('transaction_heads as h')
      .innerJoin('accounts as a', 'a.id', 'h.account_id')
      .select(['a.position', 'h.keys', 'h.ends', 'h.byte_ends', 'h.body', 'h.version'])
      .execute();
    if (storedHeads.length === 0) throw new Error('the store kept no transaction heads');
    await store.close();

    // The baseline: the same rows into the same schema, indexes and constraints, on a connection set
    // up as the store's writer is, one prepared INSERT per row in one transaction.
    const rawStore = await freshStore('raw.db');
    await rawStore.db
      .insertInto('accounts')
      .values(snapshot.accounts.map((a, i) => ({ id: `acc-${i}`, entity_id: 'ent', bank_account_id: a.bank_account_id, position: i, payload: '{}' })))
      .execute();
    await rawStore.close();
    const raw = new SQLite(path.join(dir, 'raw.db'));
    for (const pragma of SQLITE_WRITER_PRAGMAS) raw.pragma(pragma);
    const insert = raw.prepare(
      `insert into transactions (id, entity_id, account_id, key, bank_transaction_id, status, booking_at, value_at, amount_minor, currency, credit_debit,
        description, reference, merchant_name, merchant_category_code, bank_transaction_code, pending_transaction_id, api_json, api_json_version)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    // The same bytes as the store writes, the API JSON of each row included (rendered by the store
    // above: rendering it is openlean's work, writing it the database's).
    const jsonOf = (account: number, key: string) => {
      const json = storedJson.get(`${account} ${key}`);
      if (!json) throw new Error(`the store wrote no API JSON for transaction ${key} of account ${account}`);
      return json;
    };
    const rows = snapshot.accounts.flatMap((a, i) =>
      (a.transactions?.items ?? []).map((t) => [
        derivedId('transaction', `acc-${i}`, t.key), 'ent', `acc-${i}`, t.key, t.bank_transaction_id, t.status, t.booking_at, t.value_at, t.amount_minor,
        t.currency, t.credit_debit, t.description, t.reference, t.merchant_name, t.merchant_category_code, t.bank_transaction_code, null,
        jsonOf(i, t.key), TRANSACTION_JSON_VERSION,
      ]),
    );
    const insertChunk = raw.prepare(
      `insert into transaction_chunks (account_id, entity_id, chunk, first_at, first_id, keys, ends, byte_ends, json, version) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const chunks = storedChunks.map((c) => [`acc-${c.position}`, 'ent', c.chunk, c.first_at, c.first_id, c.keys, c.ends, c.byte_ends, c.json, c.version]);
    const insertHead = raw.prepare(`insert into transaction_heads (account_id, entity_id, keys, ends, byte_ends, body, version) values (?, ?, ?, ?, ?, ?, ?)`);
    const heads = storedHeads.map((h) => [`acc-${h.position}`, 'ent', h.keys, h.ends, h.byte_ends, h.body, h.version]);
    started = performance.now();
    raw.transaction(() => {
      for (const r of rows) insert.run(r);
      for (const c of chunks) insertChunk.run(c);
      for (const h of heads) insertHead.run(h);
    })();
    const rawMs = performance.now() - started;
    raw.close();
    return { rows: rowsCount, upsertMs, rawMs };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  console.log(`${machine()}; ${ROUNDS} rounds; medians`);
  const refreshes = [];
  for (let i = 0; i < ROUNDS; i++) refreshes.push(await initialRefresh(i));
  const writes = [];
  for (let i = 0; i < ROUNDS; i++) writes.push(await storeWrite());

  const refreshMs = median(refreshes.map((r) => r.wallMs));
  const ratio = median(writes.map((w) => w.rawMs / w.upsertMs));
  console.table([
    {
      measurement: 'INITIAL refresh over HTTP (POST /sandbox/v1/entities → FINISHED)',
      rows: `${refreshes[0]!.accounts} accounts, ${refreshes[0]!.tx} transactions`,
      'openlean ms': Math.round(refreshMs),
      'server-side refresh ms': Math.round(median(refreshes.map((r) => r.refreshMs))),
      baseline: '',
      target: '< 2000 ms',
      verdict: refreshMs < 2000 ? 'ok' : 'ABOVE TARGET',
    },
    {
      measurement: 'store write: applySnapshot vs raw prepared inserts of the same rows, chunks and heads',
      rows: `${writes[0]!.rows} transactions`,
      'openlean ms': Math.round(median(writes.map((w) => w.upsertMs))),
      'server-side refresh ms': '',
      baseline: `${Math.round(median(writes.map((w) => w.rawMs)))} ms raw; ratio ${ratio.toFixed(2)}`,
      target: 'ratio ≥ 0.5',
      verdict: atLeast(ratio, 0.5),
    },
  ]);
  process.exitCode = refreshMs < 2000 && ratio >= 0.5 ? 0 : 1;
}

await main();
