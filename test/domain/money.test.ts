import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exponent, formatMinor, isKnownCurrency, toAmount, toMinor, UnknownCurrency } from '../../src/domain/money.ts';

describe('money', () => {
  it('knows ISO 4217 exponents, 3-decimal Gulf currencies included', () => {
    assert.equal(exponent('AED'), 2);
    assert.equal(exponent('SAR'), 2);
    assert.equal(exponent('BHD'), 3);
    assert.equal(exponent('KWD'), 3);
    assert.equal(exponent('OMR'), 3);
    assert.equal(exponent('JPY'), 0);
    // Exponents the old hand-written table did not have, which it silently read as 2.
    assert.equal(exponent('CLP'), 0);
    assert.equal(exponent('UYW'), 4);
    assert.equal(exponent('IQD'), 3);
  });

  it('refuses a currency that is not on the ISO 4217 list instead of guessing its minor units', () => {
    for (const code of ['XYZ', 'kwd', 'AE', '']) {
      assert.equal(isKnownCurrency(code), false);
      assert.throws(() => exponent(code), (err: unknown) => err instanceof UnknownCurrency && err.currency === code);
      assert.throws(() => toMinor('1.00', code), UnknownCurrency);
    }
    assert.equal(isKnownCurrency('SAR'), true);
  });

  it('parses decimal strings into exact minor units', () => {
    assert.equal(toMinor('12.5', 'BHD'), 12500);
    assert.equal(toMinor('0.001', 'KWD'), 1);
    assert.equal(toMinor('-10.05', 'AED'), -1005);
    assert.equal(toMinor('100', 'SAR'), 10000);
    assert.equal(toMinor('1.10', 'AED'), 110);
    assert.equal(toMinor('-0.00', 'AED'), 0);
    assert.equal(toMinor('999999999999.99', 'AED'), 99999999999999);
  });

  it('refuses more decimals than the currency has, and non-numbers', () => {
    assert.throws(() => toMinor('1.005', 'AED'), RangeError);
    assert.throws(() => toMinor('1.0001', 'KWD'), RangeError);
    assert.throws(() => toMinor('1e3', 'AED'), RangeError);
    assert.throws(() => toMinor('', 'AED'), RangeError);
    assert.throws(() => toMinor('12,50', 'AED'), RangeError);
    assert.doesNotThrow(() => toMinor('1.0050', 'KWD'));
  });

  it('formats minor units with the currency exponent', () => {
    assert.equal(formatMinor(-12345, 'KWD'), '-12.345');
    assert.equal(formatMinor(5, 'AED'), '0.05');
    assert.equal(formatMinor(-5, 'BHD'), '-0.005');
    assert.equal(formatMinor(0, 'SAR'), '0.00');
    assert.equal(formatMinor(1234, 'JPY'), '1234');
  });

  it('serialises to JSON numbers without float drift', () => {
    assert.equal(JSON.stringify(toAmount(1005, 'AED')), '10.05');
    assert.equal(JSON.stringify(toAmount(30, 'AED')), '0.3');
    assert.equal(JSON.stringify(toAmount(12345, 'KWD')), '12.345');
    assert.equal(JSON.stringify(toAmount(-1, 'BHD')), '-0.001');
    // 0.1 + 0.2 drifts in binary floats; amounts built from minor units never do.
    assert.equal(JSON.stringify(toAmount(10 + 20, 'AED')), '0.3');
    for (let minor = -2000; minor <= 2000; minor += 7) {
      assert.equal(toMinor(String(toAmount(minor, 'KWD')), 'KWD'), minor);
    }
    assert.equal(toMinor(String(toAmount(99999999999999, 'AED')), 'AED'), 99999999999999);
  });
});
