import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { accountJson } from '../../src/store/bank-data-reads.ts';

describe('accountJson', () => {
  // Payloads as the refresh stores them: JSON.stringify of an account without its id.
  const accounts: object[] = [
    {},
    { name: 'Current', currency_code: 'AED', type: 'CURRENT' },
    { name: 'Épargne «été» 💰', iban: 'AE070331234567890123456', nickname: 'quote " backslash \\ tab \t nul \u0000 lone \ud800' },
    { balance: { amount: -0.5, big: 12345678901234567890, tiny: 1e-7 }, flags: [true, false, null], nested: [{ a: [] }, {}] },
  ];

  for (const account of accounts) {
    it(`is what parsing and stringifying gives: ${JSON.stringify(account).slice(0, 40)}`, () => {
      const payload = JSON.stringify(account);
      const id = '8f9e5a2c-3c1d-4c63-9d58-2b0e0b6f7a11';
      const json = accountJson(id, payload);
      assert.equal(json, JSON.stringify({ account_id: id, ...JSON.parse(payload) }));
      assert.equal(JSON.parse(json).account_id, id);
    });
  }

  it('escapes the id as JSON', () => {
    assert.equal(accountJson('a"b', '{"x":1}'), '{"account_id":"a\\"b","x":1}');
  });
});
