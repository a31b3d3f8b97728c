import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Balance, Transaction } from '../../src/domain/bank-data.ts';
import { balancesSummary, formatMoney, syncSummary, transactionsSummary } from '../../src/mcp/summaries.ts';

const balance = (type: Balance['type'], amount: number, currency: string, indicator: 'CREDIT' | 'DEBIT' = 'CREDIT'): Balance => ({
  type,
  amount: { amount, currency },
  credit_debit_indicator: indicator,
  timestamp: '2026-11-30T08:00:00Z',
  credit_lines: [],
});

const transaction = (id: string, amount: number, currency: string, indicator: 'CREDIT' | 'DEBIT', day: string, status: 'BOOKED' | 'PENDING' = 'BOOKED') =>
  ({ id, amount: { amount, currency }, credit_debit_indicator: indicator, booking_status: status, timestamp: `${day}T10:00:00Z` }) as Transaction;

describe('MCP text summaries', () => {
  it('prints money exactly, in the currency\'s precision, with its thousands spaced', () => {
    assert.equal(formatMoney(1234567, 'AED'), 'AED 12 345.67');
    assert.equal(formatMoney(-1234567, 'KWD'), 'KWD -1 234.567');
    assert.equal(formatMoney(5, 'BHD'), 'BHD 0.005');
    assert.equal(formatMoney(100000000, 'JPY'), 'JPY 100 000 000');
  });

  it('sums the available balance in minor units: no float drift, a debit balance negative', () => {
    const summary = balancesSummary([balance('INTERIM_AVAILABLE', 0.1, 'AED'), balance('INTERIM_AVAILABLE', 0.2, 'AED'), balance('INTERIM_BOOKED', 5, 'AED', 'DEBIT')]);
    assert.equal(summary, '3 balances; AED 0.30 available (INTERIM_AVAILABLE): INTERIM_AVAILABLE AED 0.10, INTERIM_AVAILABLE AED 0.20, INTERIM_BOOKED AED -5.00');
    assert.equal(balancesSummary([]), '0 balances');
  });

  it('summarises a page of transactions: dates, pending, flows in and out per currency, and how to continue', () => {
    const page = [transaction('c', 1000.1, 'AED', 'CREDIT', '2026-11-29', 'PENDING'), transaction('b', 0.2, 'AED', 'DEBIT', '2026-11-20'), transaction('a', 0.1, 'AED', 'DEBIT', '2026-11-02')];
    assert.equal(
      transactionsSummary(page, 40, { cursor: 'abc' }),
      '3 of 40 transactions, newest first, booked 2026-11-02 to 2026-11-29 (1 pending); in AED 1 000.10, out AED 0.30; 37 more: call again with cursor "abc"',
    );
    assert.equal(transactionsSummary([], 0, {}), '0 of 0 transactions');
  });

  it('says whether a sync is up to date', () => {
    assert.equal(syncSummary({ added: [1], modified: [], removed: [], next_cursor: 'x', has_more: false }), '1 added, 0 modified, 0 removed; up to date: next time pass cursor "x"');
  });
});
