import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CHUNK_ROWS, chunksOf, pageFromChunks, type ChunkSource, type FoundChunk } from '../../src/store/transaction-chunks.ts';
import { TRANSACTION_JSON_VERSION } from '../../src/store/transaction-rows.ts';

/** `n` rows, oldest first, some of whose JSON is not ASCII (offsets are in bytes), some sharing an instant (ties go by id). */
function rowsOf(n: number): ChunkSource[] {
  return Array.from({ length: n }, (_, i) => {
    const at = new Date(Date.UTC(2026, 0, 1) + Math.floor(i / 3) * 60_000).toISOString();
    const id = `t-${String(i).padStart(5, '0')}`;
    return { id, booking_at: at, json: JSON.stringify({ transaction_id: id, description: i % 4 === 0 ? `مقهى ☕ ${i}` : `shop ${i}`, n: i }) };
  });
}

/** The chunks as a page query returns them: all of them, JSON as bytes or text. */
function found(rows: ChunkSource[], asText = false): FoundChunk[] {
  return chunksOf(rows, 0).map((c) => ({ chunk: c.chunk, keys: c.keys, ends: c.ends, json: asText ? c.json : Buffer.from(c.json), version: TRANSACTION_JSON_VERSION }));
}

/** What the row path answers: newest first, after `offset` rows or after the row at `after`; the `size`th row's position. */
function expected(rows: ChunkSource[], size: number, offset: number, afterIndex?: number) {
  const newestFirst = [...rows].reverse();
  const start = afterIndex === undefined ? offset : rows.length - afterIndex;
  const taken = newestFirst.slice(start, start + size + 1);
  const page = taken.slice(0, size);
  const last = taken.length >= size && size > 0 ? page[size - 1]! : undefined;
  return { body: `[${page.map((r) => r.json).join(',')}]`, found: taken.length, last: last ? { at: last.booking_at, id: last.id } : null };
}

describe('transaction chunks', () => {
  it('cut rows into chunks of CHUNK_ROWS, numbered on from the first, with each row\'s key and byte end', () => {
    const rows = rowsOf(CHUNK_ROWS * 2 + 7);
    const chunks = chunksOf(rows, 3);
    assert.deepEqual(chunks.map((c) => c.chunk), [3, 4, 5]);
    assert.deepEqual(chunks.map((c) => c.keys.split('\n').length), [CHUNK_ROWS, CHUNK_ROWS, 7]);
    assert.equal(chunks[1]!.first_id, rows[CHUNK_ROWS]!.id);
    const bytes = Buffer.from(chunks[0]!.json);
    const ends = chunks[0]!.ends.split(',').map(Number);
    assert.equal(ends.at(-1), bytes.length);
    assert.equal(bytes.subarray(ends[3]! + 1, ends[4]!).toString(), rows[4]!.json);
  });

  for (const n of [0, 1, 99, 100, 101, 250]) {
    it(`answer every page of ${n} rows, by number and by cursor, as the rows do`, () => {
      const rows = rowsOf(n);
      for (const asText of [false, true]) {
        const chunks = found(rows, asText);
        for (const size of [1, 7, 50, 100, 1000]) {
          for (let page = 0; page * size <= n + size; page++) {
            const got = pageFromChunks(chunks, { total: n, size, offset: page * size });
            assert.ok(got, `page ${page} of ${size}`);
            assert.deepEqual({ ...got, body: got.body.toString() }, expected(rows, size, page * size));
          }
          if (size > CHUNK_ROWS) continue;
          for (let i = 0; i < n; i += 13) {
            const got = pageFromChunks(chunks, { total: n, size, offset: 0, after: { at: rows[i]!.booking_at, id: rows[i]!.id } });
            assert.ok(got, `after row ${i}, ${size} a page`);
            assert.deepEqual({ ...got, body: got.body.toString() }, expected(rows, size, 0, i));
          }
        }
      }
    });
  }

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
