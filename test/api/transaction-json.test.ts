import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { sql } from 'kysely';
import { backfillTransactionJson } from '../../src/store/transaction-json-backfill.ts';
import { CHUNK_ROWS } from '../../src/store/transaction-chunks.ts';
import { HEAD_ROWS } from '../../src/store/transaction-heads.ts';
import { TRANSACTION_JSON_VERSION } from '../../src/store/transaction-rows.ts';
import { describeDialects } from '../helpers/dialects.ts';
import { eventually } from '../helpers/eventually.ts';
import { startTestServer, type ApiResponse, type TestServer } from '../helpers/server.ts';

/** One bank of each standard the sandbox speaks: OBIE, UAE v2.1, KSA (their optional fields differ). */
const BANKS = ['SANDBOX_FALCON_AE', 'SANDBOX_SAQR_AE', 'SANDBOX_RIYADH_SA'];

/**
 * A transaction's API JSON is stored with it when it is written (migration 016) and a page joins
 * those texts; a row written by another rendering version is rendered from its columns. Both must
 * give the same bytes, page by page, for every standard's transactions. The response cache is off,
 * so every read renders.
 */
describeDialects('transactions pages from their stored JSON', (dialect) => {
  let s: TestServer;
  let token: string;
  let customerId: string;

  before(async () => {
    s = await startTestServer({ dialect, env: { RESPONSE_CACHE_MB: '0' } });
    token = await s.token();
    customerId = await s.createCustomer(token);
  });
  after(() => s.close());

  /** Every page of every account's transactions, 40 a page (the keyset cursor), and one page by number. */
  async function pages(entityId: string, accountIds: string[], unchecked = false): Promise<string[]> {
    const out: string[] = [];
    for (const accountId of accountIds) {
      let next: string | null = `/data/v2/accounts/${accountId}/transactions?size=40`;
      while (next) {
        const res: ApiResponse = await s.request(next, { token, headers: { entity_id: entityId }, unchecked });
        assert.equal(res.status, 200, res.text);
        out.push(`${res.headers.get('x-total-count')} ${res.headers.get('link')} ${res.text}`);
        next = /^<([^>]+)>; rel="next"$/.exec(res.headers.get('link') ?? '')?.[1] ?? null;
      }
      out.push((await s.request(`/data/v2/accounts/${accountId}/transactions?size=7&page=2`, { token, headers: { entity_id: entityId }, unchecked })).text);
    }
    return out;
  }

  const db = () => s.server.ctx.store.db;

  /** Every account of the entity holds its transactions in chunks 0, 1, … of 100 rows but the last, oldest first, each newest first (decision 024). */
  async function assertChunked(entityId: string): Promise<void> {
    const accounts = await db().selectFrom('accounts').select(['id', 'transaction_count']).where('entity_id', '=', entityId).execute();
    for (const account of accounts) {
      const rows = await db().selectFrom('transactions').select(['id', 'api_json']).where('account_id', '=', account.id).orderBy('booking_at').orderBy('id').execute();
      const chunks = await db().selectFrom('transaction_chunks').selectAll().where('account_id', '=', account.id).orderBy('chunk').execute();
      assert.equal(Number(account.transaction_count), rows.length);
      assert.deepEqual(chunks.map((c) => c.chunk), Array.from({ length: Math.ceil(rows.length / CHUNK_ROWS) }, (_, i) => i), account.id);
      // Oldest first by chunk, newest first within one.
      const byChunk = chunks.map((_, i) => rows.slice(i * CHUNK_ROWS, (i + 1) * CHUNK_ROWS).reverse());
      assert.deepEqual(chunks.map((c) => c.keys.split('\n').map((k) => k.split(' ')[1])), byChunk.map((part) => part.map((r) => r.id)));
      assert.deepEqual(chunks.map((c) => c.json), byChunk.map((part) => part.map((r) => r.api_json).join(',')));
      assert.ok(chunks.every((c) => c.version === TRANSACTION_JSON_VERSION), 'of the current rendering version');
      // Its head: the newest HEAD_ROWS rows, newest first, as the JSON array a first page of them is.
      const heads = await db().selectFrom('transaction_heads').selectAll().where('account_id', '=', account.id).execute();
      if (rows.length === 0) {
        assert.equal(heads.length, 0, `${account.id}: no transactions, no head`);
        continue;
      }
      const newest = rows.slice(-HEAD_ROWS).reverse();
      assert.equal(heads.length, 1, `${account.id}: its head`);
      assert.equal(heads[0]!.body, `[${newest.map((r) => r.api_json).join(',')}]`);
      assert.deepEqual(heads[0]!.keys.split('\n').map((k) => k.split(' ')[1]), newest.map((r) => r.id));
      assert.equal(heads[0]!.version, TRANSACTION_JSON_VERSION);
    }
  }

  for (const bank of BANKS) {
    it(`${bank}: the stored JSON, a page of older rows and a page of both read alike`, async () => {
      const entity = await s.createSandboxEntity(token, { customer_id: customerId, bank_identifier: bank, login: `json-${bank}` });
      const accounts = (await s.request('/data/v2/accounts', { token, headers: { entity_id: entity.id } })).body.map((a: { account_id: string }) => a.account_id);
      const stored = await db().selectFrom('transactions').select(['api_json', 'api_json_version']).where('entity_id', '=', entity.id).execute();
      assert.ok(stored.length > 40, `${bank} has a few pages of transactions`);
      assert.ok(stored.every((r) => r.api_json !== null && r.api_json_version === TRANSACTION_JSON_VERSION), 'every row was written with its JSON');
      const fromChunks = await pages(entity.id, accounts);
      await assertChunked(entity.id);

      // The chunks and heads are what answers: marked, every page shows the mark (a key of the same length, so every offset holds).
      await db().updateTable('transaction_chunks').set({ json: sql<string>`replace(json, '"amount":', '"AMOUNT":')` }).where('entity_id', '=', entity.id).execute();
      await db().updateTable('transaction_heads').set({ body: sql<string>`replace(body, '"amount":', '"AMOUNT":')` }).where('entity_id', '=', entity.id).execute();
      const marked = await pages(entity.id, accounts, true);
      assert.ok(marked.filter((p) => p.includes('"amount":')).length === 0 && marked.filter((p) => p.includes('"AMOUNT":')).length > accounts.length, 'every page came from the chunks or heads');

      // Without its chunks and head (as an account written before migration 017), a page joins the rows' JSON.
      await db().deleteFrom('transaction_chunks').where('entity_id', '=', entity.id).execute();
      await db().deleteFrom('transaction_heads').where('entity_id', '=', entity.id).execute();
      const fromJson = await pages(entity.id, accounts);
      assert.deepEqual(fromJson, fromChunks);

      // Every other row as an older openlean left it: pages mix both kinds.
      const ids = (await db().selectFrom('transactions').select('id').where('entity_id', '=', entity.id).orderBy('id').execute()).map((r) => r.id);
      await db().updateTable('transactions').set({ api_json_version: 0 }).where('id', 'in', ids.filter((_, i) => i % 2 === 0)).execute();
      assert.deepEqual(await pages(entity.id, accounts), fromJson);

      // Rows from before migration 016: no JSON at all, and their accounts' counts not kept.
      await db().updateTable('transactions').set({ api_json: null, api_json_version: null }).where('entity_id', '=', entity.id).execute();
      await db().updateTable('accounts').set({ transaction_count: null }).where('entity_id', '=', entity.id).execute();
      assert.deepEqual(await pages(entity.id, accounts), fromJson);
    });
  }

  it('renders the JSON and counts that older rows and accounts lack when the worker starts, changing no byte served', async () => {
    const entity = await s.createSandboxEntity(token, { customer_id: customerId, bank_identifier: 'SANDBOX_SAQR_AE', login: 'json-backfill' });
    const accounts = (await s.request('/data/v2/accounts', { token, headers: { entity_id: entity.id } })).body.map((a: { account_id: string }) => a.account_id);
    const served = await pages(entity.id, accounts);
    const stored = () => db().selectFrom('transactions').select(['id', 'api_json', 'api_json_version']).where('entity_id', '=', entity.id).orderBy('id').execute();
    const written = await stored();
    const version = async () => (await db().selectFrom('entities').select('data_version').where('id', '=', entity.id).executeTakeFirstOrThrow()).data_version;
    const versionBefore = await version();

    // As an openlean from before migration 016 left them, and one row as an older rendering wrote it.
    await db().updateTable('transactions').set({ api_json: null, api_json_version: null }).where('entity_id', '=', entity.id).execute();
    await db().updateTable('transactions').set({ api_json: '{"old":true}', api_json_version: 0 }).where('id', '=', written[0]!.id).execute();
    await db().updateTable('accounts').set({ transaction_count: null }).where('entity_id', '=', entity.id).execute();
    // Chunks of another rendering version, as an older openlean would leave them.
    await db().updateTable('transaction_chunks').set({ version: 0 }).where('entity_id', '=', entity.id).execute();
    // Heads likewise, and one account's none at all, as an openlean from before migration 018 left it.
    await db().updateTable('transaction_heads').set({ version: 0 }).where('entity_id', '=', entity.id).execute();
    await db().deleteFrom('transaction_heads').where('account_id', '=', accounts[0]).execute();

    await s.restart();
    token = await s.token();
    await eventually('every row rendered again and every account counted', async () => {
      const rows = await stored();
      const counts = await db().selectFrom('accounts').select('transaction_count').where('entity_id', '=', entity.id).execute();
      const chunks = await db().selectFrom('transaction_chunks').select('version').where('entity_id', '=', entity.id).execute();
      return rows.every((r) => r.api_json_version === TRANSACTION_JSON_VERSION) && counts.every((c) => c.transaction_count !== null) && chunks.some((c) => c.version === TRANSACTION_JSON_VERSION);
    });
    await eventually('every account chunked', async () => {
      try {
        await assertChunked(entity.id);
        return true;
      } catch {
        return false;
      }
    });
    assert.deepEqual(await stored(), written, 'the same JSON as the refresh wrote');
    assert.equal(await version(), versionBefore, 'the data version stays: nothing served changed');
    assert.deepEqual(await pages(entity.id, accounts), served);
  });

  it('a pass leaves a row it cannot render as it was, and stops when asked', async () => {
    const entity = await s.createSandboxEntity(token, { customer_id: customerId, bank_identifier: 'SANDBOX_FALCON_AE', login: 'json-backfill-bad' });
    const [a, b] = await db().selectFrom('transactions').select(['id', 'api_json']).where('entity_id', '=', entity.id).orderBy('id').limit(2).execute();
    await db().updateTable('transactions').set({ api_json: null, api_json_version: null }).where('id', 'in', [a!.id, b!.id]).execute();
    // A currency without an exponent: its read fails (MalformedData), and so does its rendering.
    await db().updateTable('transactions').set({ currency: 'ZZZ' }).where('id', '=', b!.id).execute();
    const store = s.server.ctx.store;
    assert.deepEqual(await backfillTransactionJson(store, () => true), { lacking: 0, rendered: 0, unrenderable: 0, counted: 0, chunked: 0 });
    const done = await backfillTransactionJson(store);
    assert.ok(done.rendered >= 1 && done.unrenderable === 1, JSON.stringify(done));
    const after = await db().selectFrom('transactions').select(['id', 'api_json', 'api_json_version']).where('id', 'in', [a!.id, b!.id]).orderBy('id').execute();
    assert.deepEqual(after, [
      { id: a!.id, api_json: a!.api_json, api_json_version: TRANSACTION_JSON_VERSION },
      { id: b!.id, api_json: null, api_json_version: null },
    ]);
  });

  it('keeps each account\'s transaction count, the total of its pages, as a refresh adds and removes transactions', async () => {
    const bank = 'SANDBOX_FALCON_AE';
    const login = 'json-counts';
    const entity = await s.createSandboxEntity(token, { customer_id: customerId, bank_identifier: bank, login, profile: 'high_volume' });
    const accounts: string[] = (await s.request('/data/v2/accounts', { token, headers: { entity_id: entity.id } })).body.map((a: { account_id: string }) => a.account_id);
    /** Per account: the count kept, the rows stored, and the total a page says. */
    const counts = async () =>
      Promise.all(
        accounts.map(async (id) => {
          const kept = (await db().selectFrom('accounts').select('transaction_count').where('id', '=', id).executeTakeFirstOrThrow()).transaction_count;
          const rows = (await db().selectFrom('transactions').select((eb) => eb.fn.countAll().as('n')).where('account_id', '=', id).executeTakeFirstOrThrow()).n;
          const page = await s.request(`/data/v2/accounts/${id}/transactions?size=1`, { token, headers: { entity_id: entity.id } });
          return [Number(kept), Number(rows), Number(page.headers.get('x-total-count'))];
        }),
      );
    const first = await counts();
    for (const [kept, rows, total] of first) assert.deepEqual([kept, total], [rows, rows]);

    await s.setSandboxFaults(bank, login, ['withdrawn_transactions']);
    const started = await s.request('/data/v2/refreshes', { method: 'POST', token, headers: { entity_id: entity.id } });
    assert.equal((await s.waitForRefresh(token, entity.id, started.body.refresh_id)).status, 'FINISHED');
    const second = await counts();
    for (const [kept, rows, total] of second) assert.deepEqual([kept, total], [rows, rows]);
    assert.ok(second.some(([, rows], i) => rows! < first[i]![1]!), 'the refresh removed transactions');
  });

  it('keeps each account\'s chunks as refreshes add, rewrite and remove transactions, rewriting only those from the first change on', async () => {
    const bank = 'SANDBOX_FALCON_AE';
    const login = 'json-chunks';
    const entity = await s.createSandboxEntity(token, { customer_id: customerId, bank_identifier: bank, login, profile: 'high_volume' });
    const accounts: string[] = (await s.request('/data/v2/accounts', { token, headers: { entity_id: entity.id } })).body.map((a: { account_id: string }) => a.account_id);
    await assertChunked(entity.id);
    const firstChunks = await db().selectFrom('transaction_chunks').select(['account_id', 'chunk', 'json']).where('entity_id', '=', entity.id).where('chunk', '=', 0).orderBy('account_id').execute();
    assert.ok(firstChunks.length > 0);

    // Recent entries reissued under new ids and withdrawn: changes a few days back, far after the first chunk.
    await s.setSandboxFaults(bank, login, ['withdrawn_transactions', 'reissued_transactions']);
    const started = await s.request('/data/v2/refreshes', { method: 'POST', token, headers: { entity_id: entity.id } });
    assert.equal((await s.waitForRefresh(token, entity.id, started.body.refresh_id)).status, 'FINISHED');
    await assertChunked(entity.id);
    const fromChunks = await pages(entity.id, accounts);
    assert.deepEqual(
      await db().selectFrom('transaction_chunks').select(['account_id', 'chunk', 'json']).where('entity_id', '=', entity.id).where('chunk', '=', 0).orderBy('account_id').execute(),
      firstChunks,
      'the first chunks stand',
    );

    await db().deleteFrom('transaction_chunks').where('entity_id', '=', entity.id).execute();
    await db().deleteFrom('transaction_heads').where('entity_id', '=', entity.id).execute();
    assert.deepEqual(await pages(entity.id, accounts), fromChunks, 'the rows answer as the chunks and heads did');

    // A refresh gives an account that has none its chunks and head, whether or not it changed a transaction.
    const again = await s.request('/data/v2/refreshes', { method: 'POST', token, headers: { entity_id: entity.id } });
    assert.equal((await s.waitForRefresh(token, entity.id, again.body.refresh_id)).status, 'FINISHED');
    await assertChunked(entity.id);

    // Deleting the entity purges its chunks with its transactions.
    assert.equal((await s.request(`/customers/v1/${customerId}/entities/${entity.id}`, { method: 'DELETE', token })).status, 200);
    await eventually('the chunks purged', async () => (await db().selectFrom('transaction_chunks').select('chunk').where('entity_id', '=', entity.id).execute()).length === 0);
    assert.deepEqual(await db().selectFrom('transaction_heads').select('account_id').where('entity_id', '=', entity.id).execute(), [], 'and its heads');
  });
});
