import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeCursor, encodeCursor } from '../../src/domain/cursor.ts';

describe('cursor', () => {
  it('round-trips a position and is opaque URL-safe text', () => {
    const position = { at: '2026-03-01T10:00:00.000Z', id: '0f6c1c8e-3c0a-8b6e-9d3a-0d2b7b1e4c11' };
    const cursor = encodeCursor(position);
    assert.match(cursor, /^[A-Za-z0-9_-]+$/);
    assert.deepEqual(decodeCursor(cursor), position);
  });

  it('rejects anything it did not issue', () => {
    for (const bad of [
      '',
      'abc',
      '!!!',
      Buffer.from('c2|2026-03-01T10:00:00.000Z|x').toString('base64url'),
      Buffer.from('c1|yesterday|x').toString('base64url'),
      Buffer.from('c1|2026-03-01T10:00:00.000Z|').toString('base64url'),
      Buffer.from('c1|2026-03-01T10:00:00.000Z|a|b').toString('base64url'),
      'x'.repeat(300),
    ]) {
      assert.equal(decodeCursor(bad), undefined, bad);
    }
  });
});
