import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CHUNK_ROWS, chunksOf, pageFromChunks, type ChunkSource, type FoundChunk } from '../../src/store/transaction-chunks.ts';
import { TRANSACTION_JSON_VERSION } from '../../src/store/transaction-rows.ts';

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
    it(`answer every page of ${n} rows, by number and by cursor, as the rows do`, () => {
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

  it('are not made when a chunk\'s text is longer than its ends can say (10⁸ characters)', () => {
    const [row] = rowsOf(1);
    assert.ok(chunksOf([{ ...row!, json: 'x'.repeat(99_999_999) }], 0));
    assert.equal(chunksOf([{ ...row!, json: 'x'.repeat(100_000_000) }], 0), undefined);
  });

  it('leave to the rows a page whose chunks are missing, stale, of another version or miscounted, or whose cursor row is gone', () => {
    const rows = rowsOf(250);
    const chunks = found(rows);
    const q = { total: 250, size: 100, offset: 0 };
    assert.ok(pageFromChunks(chunks, q));
    assert.equal(pageFromChunks(chunks.filter((c) => c.chunk !== 1), q), undefined, 'a chunk missing');
    assert.equal(pageFromChunks(chunks.map((c) => ({ ...c, version: TRANSACTION_JSON_VERSION + 1 })), q), undefined, 'another rendering version');
    assert.equal(pageFromChunks(chunks, { ...q, total: 251 }), undefined, 'the account holds a row the chunks do not');
    assert.equal(pageFromChunks(chunks, { ...q, after: { at: rows[120]!.booking_at, id: 'removed' } }), undefined, 'the cursor\'s row was removed');
  });
});
