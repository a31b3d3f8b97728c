import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Store } from '../../src/store/database.ts';
import { chunkedTransactionsPage } from '../../src/store/bank-data-reads.ts';
import { CHUNK_ROWS, chunksOf, pageFromChunks, pageFromRuns, type ChunkRunRow, type ChunkSource, type FoundChunk } from '../../src/store/transaction-chunks.ts';
import { HEAD_ROWS, headOf, pageFromHead, pageFromHeadCut, rewriteHead, type HeadCutRow } from '../../src/store/transaction-heads.ts';
import { TRANSACTION_JSON_VERSION } from '../../src/store/transaction-rows.ts';
import { openTestStore } from '../helpers/database.ts';
import { describeDialects } from '../helpers/dialects.ts';

/** `n` rows, oldest first, some of whose JSON is not ASCII or outside the Basic Multilingual Plane (offsets are string indices), some sharing an instant (ties go by id). */
function rowsOf(n: number): ChunkSource[] {
  return Array.from({ length: n }, (_, i) => {
    const at = new Date(Date.UTC(2026, 0, 1) + Math.floor(i / 3) * 60_000).toISOString();
    const id = `t-${String(i).padStart(5, '0')}`;
    return { id, booking_at: at, json: JSON.stringify({ transaction_id: id, description: i % 4 === 0 ? `مقهى ☕ 𝄞 ${i}` : `shop ${i}`, n: i }) };
  });
}

/** The chunks as a page query returns them: all of them. */
function found(rows: ChunkSource[]): FoundChunk[] {
  return chunksOf(rows, 0)!.map((c) => ({ chunk: c.chunk, keys: c.keys, ends: c.ends, byte_ends: c.byte_ends, json: c.json, version: TRANSACTION_JSON_VERSION }));
}

/** What the row path answers: newest first, after `offset` rows or after the row at `after`; the `size`th row's position. */
function expected(rows: ChunkSource[], size: number, offset: number, afterIndex?: number) {
  const newestFirst = [...rows].reverse();
  const start = afterIndex === undefined ? offset : rows.length - afterIndex;
  const taken = newestFirst.slice(start, start + size + 1);
  const page = taken.slice(0, size);
  const last = taken.length >= size && size > 0 ? page[size - 1]! : undefined;
  const json = page.map((r) => r.json).join(',');
  return { json, bytes: Buffer.byteLength(json), found: taken.length, last: last ? { at: last.booking_at, id: last.id } : null };
}

describe('transaction chunks', () => {
  it('cut rows into chunks of CHUNK_ROWS, oldest first, numbered on from the first, each newest first with its rows\' keys and ends', () => {
    const rows = rowsOf(CHUNK_ROWS * 2 + 7);
    const chunks = chunksOf(rows, 3)!;
    assert.deepEqual(chunks.map((c) => c.chunk), [3, 4, 5]);
    assert.deepEqual(chunks.map((c) => c.keys.split('\n').length), [CHUNK_ROWS, CHUNK_ROWS, 7]);
    assert.deepEqual([chunks[1]!.first_at, chunks[1]!.first_id], [rows[CHUNK_ROWS]!.booking_at, rows[CHUNK_ROWS]!.id], 'its oldest row');
    assert.equal(chunks[1]!.keys.split('\n')[0], `${rows[2 * CHUNK_ROWS - 1]!.booking_at} ${rows[2 * CHUNK_ROWS - 1]!.id}`, 'its newest row first');
    const { json, ends, byte_ends } = chunks[0]!;
    const end = (list: string, i: number) => Number(list.slice(i * 8, i * 8 + 8));
    assert.equal(ends.length, CHUNK_ROWS * 8);
    assert.equal(end(ends, CHUNK_ROWS - 1), json.length);
    assert.equal(end(byte_ends, CHUNK_ROWS - 1), Buffer.byteLength(json));
    assert.equal(json.slice(end(ends, 3) + 1, end(ends, 4)), rows[CHUNK_ROWS - 5]!.json);
    assert.equal(Buffer.from(json).subarray(end(byte_ends, 3) + 1, end(byte_ends, 4)).toString(), rows[CHUNK_ROWS - 5]!.json);
  });

  for (const n of [0, 1, 99, 100, 101, 250]) {
    it(`cut every page of ${n} rows, by number and by cursor, as the rows answer it (SQLite\'s way)`, () => {
      const rows = rowsOf(n);
      const chunks = found(rows);
      for (const size of [1, 7, 50, 100, 1000]) {
        for (let page = 0; page * size <= n + size; page++) {
          const got = pageFromChunks(chunks, { total: n, size, offset: page * size });
          assert.ok(got, `page ${page} of ${size}`);
          assert.deepEqual(got, expected(rows, size, page * size));
        }
        if (size > CHUNK_ROWS) continue;
        for (let i = 0; i < n; i += 13) {
          const got = pageFromChunks(chunks, { total: n, size, offset: 0, after: { at: rows[i]!.booking_at, id: rows[i]!.id } });
          assert.ok(got, `after row ${i}, ${size} a page`);
          assert.deepEqual(got, expected(rows, size, 0, i));
        }
      }
    });
  }

  for (const n of [0, 1, 99, 100, 101, 250]) {
    it(`make the head of ${n} rows, which answers every first page of up to ${HEAD_ROWS} rows as the rows do`, () => {
      const rows = rowsOf(n);
      const head = headOf(found(rows), n);
      if (n === 0) return assert.equal(head, undefined, 'no rows, no head');
      assert.ok(head);
      const newest = rows.slice(-HEAD_ROWS).reverse();
      assert.equal(head.body, `[${newest.map((r) => r.json).join(',')}]`);
      assert.equal(head.keys, newest.map((r) => `${r.booking_at} ${r.id}`).join('\n'));
      for (const size of [1, 7, 50, 99, 100]) {
        const got = pageFromHead({ ...head, version: TRANSACTION_JSON_VERSION }, { total: n, size });
        assert.ok(got, `the first ${size}`);
        const { body, ...page } = got;
        assert.deepEqual(page, expected(rows, size, 0), `the first ${size}`);
        assert.equal(body, `[${page.json}]`);
        assert.equal(Buffer.byteLength(body), page.bytes + 2);
      }
      const whole = pageFromHead({ ...head, version: TRANSACTION_JSON_VERSION }, { total: n, size: 1000 });
      if (n <= HEAD_ROWS) assert.deepEqual(whole && { ...whole, body: undefined }, { ...expected(rows, 1000, 0), body: undefined }, 'a page larger than the account: all of it');
      else assert.equal(whole, undefined, 'a page larger than the head');
    });
  }

  it('make no head from chunks that do not hold the newest rows whole and current, and leave a stale head\'s pages to the chunks', () => {
    const rows = rowsOf(150);
    const chunks = found(rows);
    assert.equal(headOf(chunks.filter((c) => c.chunk !== 0), 150), undefined, 'the chunk before the last missing');
    assert.equal(headOf(chunks.map((c) => ({ ...c, version: TRANSACTION_JSON_VERSION + 1 })), 150), undefined, 'another rendering version');
    assert.equal(headOf(chunks, 151), undefined, 'the account holds a row the chunks do not');
    const head = { ...headOf(chunks, 150)!, version: TRANSACTION_JSON_VERSION };
    const q = { total: 150, size: 100 };
    assert.ok(pageFromHead(head, q));
    assert.equal(pageFromHead({ ...head, version: TRANSACTION_JSON_VERSION + 1 }, q), undefined, 'another rendering version');
    assert.equal(pageFromHead(head, { ...q, total: 99 }), undefined, 'the account holds fewer rows than the head');
    assert.equal(pageFromHead({ ...head, body: head.body.slice(0, -1) }, q), undefined, 'a body its ends do not fit');
  });

  it('take the first page PostgreSQL cut out of a head, unless the head is missing, not whole or smaller than the page', () => {
    const row: HeadCutRow = { kept: 150, version: TRANSACTION_JSON_VERSION, ends_length: 800, byte_ends_length: 800, body: '["a","b"]', bytes: 7, last_key: '2026-01-01T00:00:00.000Z id-1' };
    assert.deepEqual(pageFromHeadCut(row, { total: 150, size: 2 }), { body: '["a","b"]', json: '"a","b"', bytes: 7, found: 3, last: { at: '2026-01-01T00:00:00.000Z', id: 'id-1' } });
    assert.deepEqual(pageFromHeadCut({ ...row, kept: 2, ends_length: 16, byte_ends_length: 16 }, { total: 2, size: 50 }), { body: '["a","b"]', json: '"a","b"', bytes: 7, found: 2, last: null }, 'all the account has');
    assert.equal(pageFromHeadCut({ ...row, body: null }, { total: 150, size: 2 }), undefined, 'missing or not whole: nothing cut');
    assert.equal(pageFromHeadCut({ ...row, ends_length: 792 }, { total: 150, size: 2 }), undefined, 'the account holds a row the head does not');
    assert.equal(pageFromHeadCut(row, { total: 150, size: 101 }), undefined, 'a page larger than the head');
    assert.equal(pageFromHeadCut({ ...row, last_key: '' }, { total: 150, size: 2 }), undefined, 'the last row\'s key missing');
  });

  it('are not made when a chunk\'s text is longer than its ends can say (10⁸ characters)', () => {
    const [row] = rowsOf(1);
    assert.ok(chunksOf([{ ...row!, json: 'x'.repeat(99_999_999) }], 0));
    assert.equal(chunksOf([{ ...row!, json: 'x'.repeat(100_000_000) }], 0), undefined);
  });

  it('leave to the rows (SQLite\'s way) a page whose chunks are missing, stale, of another version or miscounted, or whose cursor row is gone', () => {
    const rows = rowsOf(250);
    const chunks = found(rows);
    const q = { total: 250, size: 100, offset: 0 };
    assert.ok(pageFromChunks(chunks, q));
    assert.equal(pageFromChunks(chunks.filter((c) => c.chunk !== 1), q), undefined, 'a chunk missing');
    assert.equal(pageFromChunks(chunks.map((c) => ({ ...c, version: TRANSACTION_JSON_VERSION + 1 })), q), undefined, 'another rendering version');
    assert.equal(pageFromChunks(chunks, { ...q, total: 251 }), undefined, 'the account holds a row the chunks do not');
    assert.equal(pageFromChunks(chunks, { ...q, after: { at: rows[120]!.booking_at, id: 'removed' } }), undefined, 'the cursor\'s row was removed');
  });

  it('leave a page to the rows (PostgreSQL\'s way) when its runs are not whole and current: the account without a kept count, the cursor\'s row not found, a chunk missing, stale or miscounted', () => {
    const run = (chunk: number, rows: number, more: Partial<ChunkRunRow> = {}): ChunkRunRow => ({
      kept: 150, top: 150, chunk, version: TRANSACTION_JSON_VERSION, ends_length: rows * 8, byte_ends_length: rows * 8, run: `"r${chunk}"`, run_bytes: 4, keys: null, oldest: null, ...more,
    });
    const q = { size: 60, offset: 0 };
    const keys = Array.from({ length: 100 }, (_, i) => `2026-01-01T00:00:00.000Z id-${i}`).join('\n');
    const whole = [run(0, 100, { keys, oldest: 10 }), run(1, 50)];
    assert.deepEqual(pageFromRuns(whole, q), { json: '"r1","r0"', bytes: 9, found: 61, last: { at: '2026-01-01T00:00:00.000Z', id: 'id-10' } });
    assert.equal(pageFromRuns(whole.map((r) => ({ ...r, kept: -1 })), q), undefined, 'no kept count');
    assert.equal(pageFromRuns(whole.map((r) => ({ ...r, top: null })), q), undefined, 'the cursor\'s row not found');
    assert.equal(pageFromRuns([whole[1]!], q), undefined, 'a chunk missing');
    assert.equal(pageFromRuns([whole[0]!, { ...whole[1]!, version: TRANSACTION_JSON_VERSION + 1 }], q), undefined, 'another rendering version');
    assert.equal(pageFromRuns([whole[0]!, { ...whole[1]!, ends_length: 49 * 8 }], q), undefined, 'the account holds a row the chunks do not');
    assert.equal(pageFromRuns([whole[0]!, { ...whole[1]!, run: null }], q), undefined, 'the database cut no run');
    assert.equal(pageFromRuns([{ ...whole[0]!, keys: null }, whole[1]!], q), undefined, 'the last row\'s key missing');
  });
});

/**
 * Pages read from chunks in the database, each dialect its way (`chunkedTransactionsPage`): every
 * page of an account whose chunks hold `n` rows (by number and by cursor, text of one, two, three
 * and four bytes a character) is what the rows answer; a page whose chunks are missing, stale or
 * miscounted, or whose cursor row is gone, is left to the rows.
 */
describeDialects('transaction chunk pages', (dialect) => {
  let store: Store;
  let close: () => Promise<void>;
  before(async () => {
    ({ store, close } = await openTestStore('openlean-chunks', dialect));
    const at = new Date().toISOString();
    await store.db.insertInto('applications').values({ id: 'app', name: 'chunks', client_id: 'c', client_secret_hash: 'h', created_at: at }).execute();
    await store.db.insertInto('customers').values({ id: 'cus', app_id: 'app', app_user_id: 'u', created_at: at }).execute();
    await store.db
      .insertInto('entities')
      .values({ id: 'ent', app_id: 'app', customer_id: 'cus', bank_identifier: 'B', permissions: '["transactions"]', status: 'ACTIVE', consent_expires_at: '2099-01-01T00:00:00.000Z', created_at: at, updated_at: at })
      .execute();
  });
  after(() => close());

  /** Account `id` holding the chunks of `rows`, and their head. */
  async function account(id: string, rows: ChunkSource[]) {
    await store.db.insertInto('accounts').values({ id, entity_id: 'ent', bank_account_id: id, position: 0, payload: '{}', transaction_count: rows.length }).execute();
    for (const c of chunksOf(rows, 0)!) await store.db.insertInto('transaction_chunks').values({ ...c, account_id: id, entity_id: 'ent', version: TRANSACTION_JSON_VERSION }).execute();
    assert.equal(await rewriteHead(store.db, 'ent', id), rows.length > 0, 'a head for an account with transactions');
  }
  /** The page, its `body` (a page from a head) checked against its `json` and left out. */
  const byOffset = async (accountId: string, size: number, offset: number) => {
    const page = await chunkedTransactionsPage(store, 'ent', { accountId, offset, limit: size + 1, size });
    if (page?.body === undefined) return page;
    const { body, ...rest } = page;
    assert.equal(body, `[${rest.json}]`);
    return rest;
  };
  const byCursor = (accountId: string, size: number, row: ChunkSource) =>
    chunkedTransactionsPage(store, 'ent', { accountId, offset: 0, limit: size + 1, size, after: { at: row.booking_at, id: row.id } });

  for (const n of [0, 1, 99, 100, 101, 250]) {
    it(`answer every page of ${n} rows, by number and by cursor, as the rows do`, async () => {
      const rows = rowsOf(n);
      await account(`acc-${n}`, rows);
      for (const size of [1, 7, 50, 100, 1000]) {
        for (let page = 0; page * size <= n + size; page++) {
          const got = await byOffset(`acc-${n}`, size, page * size);
          assert.ok(got, `page ${page} of ${size}`);
          assert.deepEqual(got, { account: { count: n }, ...expected(rows, size, page * size) }, `page ${page} of ${size}`);
        }
        if (size > CHUNK_ROWS) continue;
        for (let i = 0; i < n; i += 13) {
          const got = await byCursor(`acc-${n}`, size, rows[i]!);
          assert.ok(got, `after row ${i}, ${size} a page`);
          assert.deepEqual(got, { account: { count: n }, ...expected(rows, size, 0, i) }, `after row ${i}, ${size} a page`);
        }
      }
    });
  }

  it(`answer a first page of up to ${HEAD_ROWS} rows from the account's head, and from the chunks when the head is missing or stale`, async () => {
    const rows = rowsOf(150);
    await account('headed', rows);
    // A mark in the head (of the same length: every end holds) shows where a page came from.
    const head = await store.db.selectFrom('transaction_heads').select('body').where('account_id', '=', 'headed').executeTakeFirstOrThrow();
    await store.db.updateTable('transaction_heads').set({ body: head.body.replace('shop 149', 'shop 14X') }).where('account_id', '=', 'headed').execute();
    for (const size of [1, 50, 100]) assert.ok((await byOffset('headed', size, 0))!.json.includes('shop 14X'), `the first ${size} from the head`);
    assert.ok(!(await byOffset('headed', 101, 0))!.json.includes('shop 14X'), 'a larger page from the chunks');
    await store.db.updateTable('transaction_heads').set({ version: TRANSACTION_JSON_VERSION + 1 }).where('account_id', '=', 'headed').execute();
    assert.deepEqual(await byOffset('headed', 100, 0), { account: { count: 150 }, ...expected(rows, 100, 0) }, 'a stale head: the chunks answer');
    await store.db.deleteFrom('transaction_heads').where('account_id', '=', 'headed').execute();
    assert.deepEqual(await byOffset('headed', 100, 0), { account: { count: 150 }, ...expected(rows, 100, 0) }, 'no head: the chunks answer');
  });

  it('say nothing of an account the entity does not have', async () => {
    assert.deepEqual(await byOffset('nowhere', 10, 0), { account: undefined, json: '', found: 0, last: null });
  });

  it('leave to the rows a page whose chunks are missing, of another version or miscounted, or whose cursor row is gone', async () => {
    const rows = rowsOf(250);
    // Not a first page: the head would answer that.
    const q = { size: 100, offset: 20 };
    for (const id of ['gone', 'stale', 'miscounted', 'cursor']) await account(id, rows);
    assert.ok(await byOffset('gone', q.size, q.offset));
    await store.db.deleteFrom('transaction_chunks').where('account_id', '=', 'gone').where('chunk', '=', 1).execute();
    assert.equal(await byOffset('gone', q.size, q.offset), undefined, 'a chunk missing');
    await store.db.updateTable('transaction_chunks').set({ version: TRANSACTION_JSON_VERSION + 1 }).where('account_id', '=', 'stale').where('chunk', '=', 2).execute();
    assert.equal(await byOffset('stale', q.size, q.offset), undefined, 'another rendering version');
    await store.db.updateTable('accounts').set({ transaction_count: 251 }).where('id', '=', 'miscounted').execute();
    assert.equal(await byOffset('miscounted', q.size, q.offset), undefined, 'the account holds a row the chunks do not');
    assert.equal(await byCursor('cursor', q.size, { ...rows[120]!, id: 'removed' }), undefined, 'the cursor\'s row was removed');
    assert.equal(await byCursor('cursor', q.size, { ...rows[120]!, id: rows[120]!.id.slice(0, -1) }), undefined, 'a key that is only the start of one');
  });
});
