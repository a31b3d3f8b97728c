import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatAmount, minorUnits } from '../../src/sandbox-bank/money.ts';

/** The sandbox banks' own formatter, pinned to ISO 4217 here rather than to openlean's `src/domain/money.ts`. */
describe('sandbox bank amounts', () => {
  it('writes every decimal of the currency', () => {
    assert.equal(formatAmount(123456, 'AED'), '1234.56');
    assert.equal(formatAmount(5, 'AED'), '0.05');
    assert.equal(formatAmount(123456, 'BHD'), '123.456');
    assert.equal(formatAmount(7, 'KWD'), '0.007');
    assert.equal(formatAmount(100, 'SAR'), '1.00');
    assert.equal(formatAmount(-1005, 'AED'), '-10.05');
  });

  it('states the ISO 4217 minor units itself, and refuses a currency it does not hold', () => {
    assert.deepEqual(['AED', 'SAR', 'QAR', 'BHD', 'KWD', 'OMR', 'JOD'].map(minorUnits), [2, 2, 2, 3, 3, 3, 3]);
    assert.throws(() => formatAmount(1, 'XYZ'), /no XYZ/);
    assert.throws(() => formatAmount(1.5, 'AED'), RangeError);
  });
});
