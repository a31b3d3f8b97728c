import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffDelay } from '../../src/domain/backoff.ts';

describe('backoffDelay', () => {
  const full = (n: number, random?: () => number) => backoffDelay(n, { baseMs: 100, capMs: 1000, jitter: 'full', ...(random ? { random } : {}) });
  const equal = (n: number, random?: () => number) => backoffDelay(n, { baseMs: 1000, capMs: 60_000, jitter: 'equal', ...(random ? { random } : {}) });

  it('grows exponentially up to its cap', () => {
    const top = () => 0.999_999;
    assert.deepEqual([1, 2, 3, 4, 5, 6].map((n) => full(n, top)), [99, 199, 399, 799, 999, 999]);
    assert.equal(equal(20, () => 1), 60_000);
  });

  it('with full jitter, jitters over the whole interval', () => {
    assert.equal(full(3, () => 0), 0);
    assert.equal(full(3, () => 0.5), 200);
    for (let i = 0; i < 100; i++) {
      const d = full(4);
      assert.ok(d >= 0 && d < 800 && Number.isInteger(d));
    }
  });

  it('with equal jitter, waits between half and all of the interval', () => {
    assert.equal(equal(1, () => 0), 500);
    assert.equal(equal(1, () => 1), 1000);
    assert.equal(equal(3, () => 0), 2000);
    assert.equal(equal(3, () => 0.5), 3000);
    for (let i = 0; i < 100; i++) {
      const d = equal(2);
      assert.ok(d >= 1000 && d < 2000 && Number.isInteger(d), String(d));
    }
  });
});
