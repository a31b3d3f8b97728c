import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { obiePermissions } from '../../src/banks/obie/permissions.ts';
import { PERMISSIONS } from '../../src/domain/permissions.ts';

describe('OBIE permission codes for Lean permissions', () => {
  it('asks for the Detail level of everything Lean serves', () => {
    assert.deepEqual(obiePermissions(PERMISSIONS), [
      'ReadAccountsDetail',
      'ReadBalances',
      'ReadTransactionsDetail',
      'ReadTransactionsCredits',
      'ReadTransactionsDebits',
      'ReadParty',
      'ReadPartyPSU',
      'ReadDirectDebits',
      'ReadStandingOrdersDetail',
      'ReadScheduledPaymentsDetail',
      'ReadBeneficiariesDetail',
    ]);
  });

  it('maps each permission on its own, always with the account list every resource hangs off', () => {
    const expected = {
      accounts: [],
      balance: ['ReadBalances'],
      transactions: ['ReadTransactionsDetail', 'ReadTransactionsCredits', 'ReadTransactionsDebits'],
      identity: ['ReadParty', 'ReadPartyPSU'],
      direct_debits: ['ReadDirectDebits'],
      standing_orders: ['ReadStandingOrdersDetail'],
      scheduled_payments: ['ReadScheduledPaymentsDetail'],
      beneficiaries: ['ReadBeneficiariesDetail'],
    };
    for (const p of PERMISSIONS) assert.deepEqual(obiePermissions([p]), ['ReadAccountsDetail', ...expected[p]], p);
    assert.deepEqual(obiePermissions([]), ['ReadAccountsDetail']);
  });

  it('gives one stable list whatever the order or repeats', () => {
    assert.deepEqual(obiePermissions(['identity', 'balance', 'identity', 'accounts']), obiePermissions(['accounts', 'balance', 'identity']));
  });
});
