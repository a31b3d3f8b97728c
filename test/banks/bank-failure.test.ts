import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bankFailure, CODE_FOR_BANK_ERROR } from '../../src/banks/bank-failure.ts';
import { BankError, type BankErrorKind } from '../../src/banks/connector.ts';
import { REFRESH_ERROR_CODES } from '../../src/domain/refresh.ts';

describe('bankFailure', () => {
  it('gives every kind of bank error its stable code, one a refresh can report', () => {
    for (const kind of Object.keys(CODE_FOR_BANK_ERROR) as BankErrorKind[]) {
      const failure = bankFailure(new BankError(kind, 'the bank said no'));
      assert.equal(failure.code, CODE_FOR_BANK_ERROR[kind]);
      assert.ok((REFRESH_ERROR_CODES as readonly string[]).includes(failure.code), failure.code);
    }
    assert.equal(bankFailure(new BankError('malformed', 'x')).code, 'BANK_RESPONSE_INVALID');
  });

  it('tells the connector\'s message, naming the resource being fetched', () => {
    assert.deepEqual(bankFailure(new BankError('unavailable', 'the bank failed (503)', { resource: 'transactions' })), {
      code: 'BANK_UNAVAILABLE',
      detail: 'the bank failed (503) (fetching transactions)',
    });
    assert.deepEqual(bankFailure(new BankError('rejected', 'POST consent: the bank refused the request (400, bad scope)')), {
      code: 'BANK_REJECTED',
      detail: 'POST consent: the bank refused the request (400, bad scope)',
    });
  });

  it('is null for anything but a bank error, which is openlean\'s own fault', () => {
    assert.equal(bankFailure(new Error('bug')), null);
    assert.equal(bankFailure('text'), null);
    assert.equal(bankFailure(undefined), null);
  });
});
