import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { newRequestId, REQUEST_ID_NODE, requestIdOf } from '../../src/api/request-id.ts';
import { ownRequestId, ownRequestIdCode, ownRequestIdOfCode, REQUEST_IDS_PER_MS, requestIdNode, requestIdPrefix } from '../../src/domain/request-id.ts';

/** RFC 9562 §5.7: version 7, variant 10. */
const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const T0 = Date.parse('2026-03-01T10:00:00.000Z');

describe('request ids openlean makes (UUID version 7)', () => {
  it('are UUIDs version 7 of the wall clock, of this process, in strictly increasing order', () => {
    const before = Date.now();
    const ids = Array.from({ length: 10_000 }, () => newRequestId());
    const after = Date.now();
    for (const id of ids) assert.match(id, UUID_V7);
    assert.equal(new Set(ids).size, ids.length);
    assert.deepEqual([...ids].sort(), ids);
    assert.ok(ids.every((id) => id.endsWith(REQUEST_ID_NODE)));
    const ms = (id: string) => parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
    assert.ok(ms(ids[0]!) >= before && ms(ids[0]!) <= after, `${ms(ids[0]!)} within ${before}–${after}`);
    // Borrowing later milliseconds when one runs out of counter values stays within a few ms of the clock.
    assert.ok(ms(ids.at(-1)!) <= after + Math.ceil(ids.length / REQUEST_IDS_PER_MS));
  });

  it('are used for a request unless it brings a sane x-request-id of its own', () => {
    assert.match(requestIdOf({}), UUID_V7);
    assert.equal(requestIdOf({ 'x-request-id': 'trace.abc_-1' }), 'trace.abc_-1');
    assert.match(requestIdOf({ 'x-request-id': 'has space' }), UUID_V7);
    assert.match(requestIdOf({ 'x-request-id': 'x'.repeat(129) }), UUID_V7);
  });

  it('carry the variant bits in their node, whatever the random bytes', () => {
    for (const bytes of [Buffer.alloc(8, 0), Buffer.alloc(8, 0xff), randomBytes(8)]) {
      const node = requestIdNode(bytes);
      assert.match(`${requestIdPrefix(T0)}000${node}`, UUID_V7);
    }
    assert.equal(requestIdNode(Buffer.from('0011223344556677', 'hex')), '-8011-223344556677');
    assert.throws(() => requestIdNode(Buffer.alloc(7)), RangeError);
  });

  it('number to and from a few digits relative to a millisecond, and only ids of the node asked', () => {
    const node = requestIdNode(randomBytes(8));
    for (const [ms, counter] of [[T0, 0], [T0, 4095], [T0 + 1, 7], [T0 - 250, 3], [T0 + 86_400_000 * 365, 12]] as const) {
      const id = ownRequestId(ms, counter, node);
      assert.match(id, UUID_V7);
      const code = ownRequestIdCode(id, node, T0);
      assert.equal(code, (ms - T0) * REQUEST_IDS_PER_MS + counter);
      assert.equal(ownRequestIdOfCode(code!, node, T0), id);
    }
    const other = requestIdNode(randomBytes(8));
    assert.equal(ownRequestIdCode(ownRequestId(T0, 1, other), node, T0), undefined);
    assert.equal(ownRequestIdCode(randomUUID(), node, T0), undefined);
    // Upper-case hex, a wrong version, misplaced dashes, another length: not one of ours.
    const id = ownRequestId(T0, 1, node);
    for (const bad of [id.toUpperCase(), `${id.slice(0, 14)}4${id.slice(15)}`, `${id.slice(0, 8)}x${id.slice(9)}`, `${id.slice(0, 13)}x${id.slice(14)}`, `${id.slice(0, 3)}g${id.slice(4)}`, `${id}0`, 'plain']) {
      assert.equal(ownRequestIdCode(bad, node, T0), undefined, bad);
    }
  });
});
