import Type from 'typebox';
import type { Api } from '../api.ts';
import type { AppContext } from '../../context.ts';
import { Transaction } from '../../domain/bank-data.ts';
import { localDateRange } from '../../domain/dates.ts';
import { toAmount } from '../../domain/money.ts';
import { ApiError } from '../../errors/api-error.ts';
import { countTransactions, listTransactions } from '../../store/bank-data-reads.ts';
import type { TransactionRow } from '../../store/schema.ts';
import { KeysetPageParams, keysetPage, keysetPaging, PageHeaders, pageHeaders } from '../pagination.ts';
import { ref } from '../responses.ts';
import { AccountParams, assertResourceFetched, requireAccount } from './entity-access.ts';
import { registerDataRead, type DataReads } from './lean-read.ts';

const QueryProperties = {
  start_date: Type.Optional(Type.String({ format: 'date', description: 'First booking date to include (the bank\'s local date), inclusive' })),
  end_date: Type.Optional(Type.String({ format: 'date', description: 'Last booking date to include (the bank\'s local date), inclusive' })),
  ...KeysetPageParams,
};

export function toTransaction(row: TransactionRow): Transaction {
  return {
    id: row.id,
    amount: { amount: toAmount(row.amount_minor, row.currency), currency: row.currency },
    timestamp: row.booking_at,
    description: row.description,
    credit_debit_indicator: row.credit_debit,
    booking_status: row.status,
    value_timestamp: row.value_at,
    reference: row.reference,
    merchant: row.merchant_name ? { name: row.merchant_name, category_code: row.merchant_category_code } : null,
    bank_transaction_code: row.bank_transaction_code,
    pending_transaction_id: row.pending_transaction_id,
    transaction_mutability: row.transaction_mutability,
    payment_mode: row.payment_mode,
    charge_amount: row.charge_minor === null || row.charge_currency === null ? null : { amount: toAmount(row.charge_minor, row.charge_currency), currency: row.charge_currency },
    charge_vat_amount:
      row.charge_vat_minor === null || row.charge_vat_currency === null ? null : { amount: toAmount(row.charge_vat_minor, row.charge_vat_currency), currency: row.charge_vat_currency },
    flags: row.flags,
    bill: row.bill,
    local_time_zone: row.local_time_zone,
  };
}

export function registerGetTransactions(app: Api, ctx: AppContext, reads: DataReads): void {
  registerDataRead(app, ctx, reads, {
    path: '/data/v2/accounts/:account_id/transactions',
    resource: 'transactions',
    operationId: 'getTransactions',
    tags: ['Transactions'],
    summary: 'Lean Get Transactions',
    description:
      'Newest first (by booking time, then id). Without `page`, the `Link` header continues by keyset cursor, which ' +
      'never repeats or skips a transaction while new ones arrive; with `page`, it continues by page number.',
    params: AccountParams,
    query: QueryProperties,
    paged: true,
    data: Type.Array(ref(Transaction)),
    dataDescription: 'Transactions',
    headers200: PageHeaders,
    render: async (input, entity) => {
      const { account_id } = input.params;
      const q = input.query;
      const paging = keysetPaging(q);
      await requireAccount(ctx, entity, account_id);
      const timeZone = ctx.banks.get(entity.bank_identifier)?.time_zone ?? 'UTC';
      const range = { accountId: account_id, ...localDateRange(q.start_date, q.end_date, timeZone) };
      const [rows, total] = await Promise.all([listTransactions(ctx.store, { ...range, ...paging }), countTransactions(ctx.store, range)]);
      if (total === 0 && (await countTransactions(ctx.store, { accountId: account_id })) === 0) await assertResourceFetched(ctx, entity, 'transactions');
      const { page, next } = keysetPage(paging, rows, (t) => ({ at: t.booking_at, id: t.id }));
      return { body: page.map(toTransaction), headers: pageHeaders(input.url, total, next), page: { total, next } };
    },
    check: (input) => {
      const q = input.query;
      if (q.start_date && q.end_date && q.start_date > q.end_date) {
        throw new ApiError('INVALID_PARAMETER', `"start_date" (${q.start_date}) is after "end_date" (${q.end_date})`, { param: 'start_date' });
      }
      keysetPaging(q);
    },
  });
}
