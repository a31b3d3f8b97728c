import Type from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.ts';
import type { Transaction } from '../../domain/bank-data.ts';
import { decodeCursor, encodeCursor, type Position } from '../../domain/cursor.ts';
import { localDateRange } from '../../domain/dates.ts';
import { toAmount } from '../../domain/money.ts';
import { ApiError } from '../../errors/api-error.ts';
import { countTransactions, listTransactions } from '../../store/bank-data.ts';
import type { TransactionRow } from '../../store/schema.ts';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, PageHeaders, pageHeaders } from '../pagination.ts';
import { ref } from '../responses.ts';
import { AccountParams, DATA_READ_RESPONSES, ETagHeader, EntityHeader, dataReadHandler, requireAccount } from './entity-access.ts';

const Query = Type.Object(
  {
    start_date: Type.Optional(Type.String({ format: 'date', description: 'First booking date to include (the bank\'s local date), inclusive' })),
    end_date: Type.Optional(Type.String({ format: 'date', description: 'Last booking date to include (the bank\'s local date), inclusive' })),
    page: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, description: '0-based page number; the Link header then pages by number' })),
    size: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE, description: `Page size, 1–${MAX_PAGE_SIZE}` })),
    cursor: Type.Optional(
      Type.String({ maxLength: 200, description: 'Continue after the page that the `Link: rel="next"` header came with; exact even while new transactions arrive' }),
    ),
  },
  { additionalProperties: false },
);
type Query = Type.Static<typeof Query>;

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
  };
}

function parsePaging(q: Query): { after?: Position; page?: number } {
  if (q.cursor === undefined) return q.page === undefined ? {} : { page: q.page };
  if (q.page !== undefined) throw new ApiError('INVALID_PARAMETER', 'Give either "page" or "cursor", not both', { param: 'cursor' });
  const after = decodeCursor(q.cursor);
  if (!after) throw new ApiError('INVALID_PARAMETER', 'The query parameter "cursor" is not a cursor this API issued', { param: 'cursor' });
  return { after };
}

export function registerGetTransactions(app: FastifyInstance, ctx: AppContext): void {
  app.get(
    '/data/v2/accounts/:account_id/transactions',
    {
      config: { auth: 'api' },
      schema: {
        operationId: 'getTransactions',
        tags: ['Transactions'],
        summary: 'Lean Get Transactions',
        description:
          'Newest first (by booking time, then id). Without `page`, the `Link` header continues by keyset cursor, which ' +
          'never repeats or skips a transaction while new ones arrive; with `page`, it continues by page number.',
        headers: EntityHeader,
        params: AccountParams,
        querystring: Query,
        response: {
          200: {
            description: 'Transactions',
            headers: { ...ETagHeader, ...PageHeaders },
            content: { 'application/json': { schema: Type.Array(ref('Transaction')) } },
          },
          ...DATA_READ_RESPONSES,
        },
      },
    },
    dataReadHandler(
      ctx,
      'transactions',
      async (request, entity) => {
        const { account_id } = request.params as { account_id: string };
        const q = request.query as Query;
        const size = q.size ?? DEFAULT_PAGE_SIZE;
        const paging = parsePaging(q);
        await requireAccount(ctx, entity, account_id);
        const timeZone = ctx.banks.get(entity.bank_identifier)?.time_zone ?? 'UTC';
        const range = { accountId: account_id, ...localDateRange(q.start_date, q.end_date, timeZone) };
        const [rows, total] = await Promise.all([
          listTransactions(ctx.store, { ...range, after: paging.after, offset: (paging.page ?? 0) * size, limit: size + 1 }),
          countTransactions(ctx.store, range),
        ]);
        const more = rows.length > size;
        const page = more ? rows.slice(0, size) : rows;
        const last = page.at(-1);
        const next = !more || !last
          ? null
          : paging.page !== undefined
            ? { page: String(paging.page + 1), size: String(size) }
            : { cursor: encodeCursor({ at: last.booking_at, id: last.id }), size: String(size) };
        return { body: page.map(toTransaction), headers: pageHeaders(request.url, total, next) };
      },
      (request) => {
        const q = request.query as Query;
        if (q.start_date && q.end_date && q.start_date > q.end_date) {
          throw new ApiError('INVALID_PARAMETER', `"start_date" (${q.start_date}) is after "end_date" (${q.end_date})`, { param: 'start_date' });
        }
        parsePaging(q);
      },
    ),
  );
}
