import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FixedWindowCounter } from '../../src/rate-limit/fixed-window.ts';

const MINUTE = 60_000;
const T0 = 1_800_000_000_000; // a window boundary: a multiple of a minute

describe('FixedWindowCounter', () => {
  it('admits `limit` requests per key and window, counting down, then refuses until the window ends', () => {
    const c = new FixedWindowCounter(3, MINUTE);
    assert.deepEqual(c.hit('a', T0 + 1_000), { allowed: true, limit: 3, remaining: 2, resetMs: 59_000 });
    assert.equal(c.hit('a', T0 + 2_000).remaining, 1);
    assert.equal(c.hit('a', T0 + 3_000).remaining, 0);
    assert.deepEqual(c.hit('a', T0 + 59_500), { allowed: false, limit: 3, remaining: 0, resetMs: 500 });
    assert.equal(c.hit('b', T0 + 59_500).allowed, true, 'keys are apart');
    assert.deepEqual(c.hit('a', T0 + MINUTE), { allowed: true, limit: 3, remaining: 2, resetMs: MINUTE });
  });

  it('keeps counting in the newer window when the clock steps back', () => {
    const c = new FixedWindowCounter(2, MINUTE);
    c.hit('a', T0 + MINUTE + 5);
    assert.deepEqual(c.hit('a', T0 + MINUTE - 1_000), { allowed: true, limit: 2, remaining: 0, resetMs: MINUTE });
    assert.equal(c.hit('a', T0 + MINUTE - 900).allowed, false);
  });

  it('does not count refused requests', () => {
    const c = new FixedWindowCounter(1, MINUTE);
    c.hit('a', T0);
    for (let i = 0; i < 5; i++) assert.equal(c.hit('a', T0 + i).allowed, false);
    assert.deepEqual(c.drain(T0 + 10), [{ key: 'a', window: T0, hits: 1 }]);
  });

  it('drains its own hits once, and counts what the shared store says everyone made', () => {
    const c = new FixedWindowCounter(10, MINUTE);
    for (let i = 0; i < 3; i++) c.hit('a', T0 + i);
    c.hit('b', T0);
    assert.deepEqual(c.drain(T0 + 5), [
      { key: 'a', window: T0, hits: 3 },
      { key: 'b', window: T0, hits: 1 },
    ]);
    assert.deepEqual(c.drain(T0 + 6), [], 'nothing new');
    // Another process made 5 of a's requests (8 in all) and 9 of c's, a key this one has not seen.
    c.settle([
      { key: 'a', window: T0, hits: 8 },
      { key: 'b', window: T0, hits: 1 },
      { key: 'c', window: T0, hits: 9 },
    ]);
    assert.equal(c.hit('a', T0 + 7).remaining, 1);
    assert.equal(c.hit('a', T0 + 8).remaining, 0);
    assert.equal(c.hit('a', T0 + 9).allowed, false);
    assert.equal(c.hit('c', T0 + 9).remaining, 0);
    assert.equal(c.hit('c', T0 + 9).allowed, false);
    c.settle([{ key: 'a', window: T0, hits: 2 }]);
    assert.equal(c.hit('a', T0 + 10).allowed, false, 'a late, smaller answer does not lower the count');
  });

  it('counts hits while they are on their way to the shared store', () => {
    const c = new FixedWindowCounter(3, MINUTE);
    c.hit('a', T0);
    c.hit('a', T0);
    c.drain(T0 + 1);
    assert.equal(c.hit('a', T0 + 2).remaining, 0, 'two drained, not yet settled, still count');
    assert.equal(c.hit('a', T0 + 3).allowed, false);
    c.settle([{ key: 'a', window: T0, hits: 2 }]);
    assert.equal(c.hit('a', T0 + 4).allowed, false, 'settled: 2 shared + 1 pending');
    assert.deepEqual(c.drain(T0 + 5), [{ key: 'a', window: T0, hits: 1 }]);
  });

  it('ignores answers about a window that has passed, and forgets keys whose window has', () => {
    const c = new FixedWindowCounter(10, MINUTE);
    c.hit('a', T0);
    const drained = c.drain(T0 + 1);
    c.hit('a', T0 + MINUTE);
    c.settle([{ key: 'a', window: T0, hits: 10 }]);
    assert.equal(c.hit('a', T0 + MINUTE + 1).remaining, 8, 'the old window\'s count does not apply');
    c.restore(drained);
    assert.deepEqual(c.drain(T0 + MINUTE + 2), [{ key: 'a', window: T0 + MINUTE, hits: 2 }], 'old hits are not restored into a new window');
    assert.deepEqual(c.drain(T0 + 3 * MINUTE), []);
    c.settle([{ key: 'a', window: T0 + 3 * MINUTE, hits: 10 }]);
    assert.equal(c.hit('a', T0 + 3 * MINUTE + 1).allowed, false, 'a key forgotten starts again from the shared count');
  });

  it('restores hits whose exchange failed, for the next one', () => {
    const c = new FixedWindowCounter(10, MINUTE);
    c.hit('a', T0);
    c.hit('a', T0);
    const drained = c.drain(T0 + 1);
    c.hit('a', T0 + 2);
    c.restore(drained);
    assert.deepEqual(c.drain(T0 + 3), [{ key: 'a', window: T0, hits: 3 }]);
  });
});
