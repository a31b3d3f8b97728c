import Type from 'typebox';
import type { Api } from '../api.ts';
import type { AppContext } from '../../context.ts';
import { Transaction } from '../../domain/bank-data.ts';
import { localDateRange } from '../../domain/dates.ts';
import { ApiError, notFound } from '../../errors/api-error.ts';
import { countTransactions, transactionsPage } from '../../store/bank-data-reads.ts';
import { KeysetPageParams, keysetNext, keysetPaging, PageHeaders, pageHeaders } from '../pagination.ts';
import { ref } from '../responses.ts';
import { AccountParams, assertResourceFetched, renderedJson } from './entity-access.ts';
import { registerDataRead, type DataReads } from './lean-read.ts';

const QueryProperties = {
  start_date: Type.Optional(Type.String({ format: 'date', description: 'First booking date to include (the bank\'s local date), inclusive' })),
  end_date: Type.Optional(Type.String({ format: 'date', description: 'Last booking date to include (the bank\'s local date), inclusive' })),
  ...KeysetPageParams,
};

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
      const timeZone = ctx.banks.get(entity.bank_identifier)?.time_zone ?? 'UTC';
      const range = { accountId: account_id, ...localDateRange(q.start_date, q.end_date, timeZone) };
      const ranged = range.from !== undefined || range.to !== undefined;
      // Without a date range the total is the account's count, kept by the write of its transactions and read with the page.
      const [found, rangeTotal] = await Promise.all([
        transactionsPage(ctx.store, entity.id, { ...range, ...paging }),
        ranged ? countTransactions(ctx.store, range) : undefined,
      ]);
      const account = found.account;
      if (!account) throw notFound('Account', account_id);
      const total = rangeTotal ?? account.count ?? (await countTransactions(ctx.store, range));
      // None in the range: say whether the account has none at all (without a range the total says so; else the count kept, else counted).
      if (total === 0 && (!ranged || (account.count ?? (await countTransactions(ctx.store, { accountId: account_id }))) === 0)) await assertResourceFetched(ctx, entity, 'transactions');
      const next = keysetNext(paging, found.found, found.last);
      // The stored JSON the database joined is the body's JSON.
      return renderedJson<Transaction[]>(found.body ?? `[${found.json}]`, { headers: pageHeaders(input.url, total, next), page: { total, next } });
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
