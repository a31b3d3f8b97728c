import Type from 'typebox';
import type { Api } from '../api.ts';
import type { AppContext } from '../../context.ts';
import { Transaction } from '../../domain/bank-data.ts';
import { decodeSyncCursor, encodeSyncCursor, FIRST_SYNC, type SyncCursor } from '../../domain/transactions-sync.ts';
import { ApiError, notFound } from '../../errors/api-error.ts';
import type { EntityRow } from '../../store/schema.ts';
import { syncTransactions } from '../../store/transaction-sync.ts';
import { toTransaction } from '../../store/transaction-rows.ts';
import { DataPending } from '../refreshes/refresh.schema.ts';
import { problemResponses, ref } from '../responses.ts';
import { AccountParams, EntityHeader, entityForRead, requireAccount, sendPending } from './entity-access.ts';

const DEFAULT_COUNT = 100;
const MAX_COUNT = 500;

export const SyncQuery = Type.Object(
  {
    cursor: Type.Optional(
      Type.String({ maxLength: 300, description: 'The `next_cursor` of the previous answer; leave it out to get every transaction, as `added`' }),
    ),
    count: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_COUNT, default: DEFAULT_COUNT, description: `Changes per page, 1–${MAX_COUNT}` })),
  },
  { additionalProperties: false },
);
type Query = Type.Static<typeof SyncQuery>;

const RemovedTransaction = Type.Object(
  {
    transaction_id: Type.String({ description: 'The `id` of a transaction that is no more: withdrawn by the bank, or a pending one that booked' }),
    account_id: Type.String(),
  },
  { additionalProperties: false },
);

export const SyncResponse = Type.Object(
  {
    added: Type.Array(ref(Transaction), { description: 'Transactions new since the cursor; a booked one that replaced a pending one names it in `pending_transaction_id`' }),
    modified: Type.Array(ref(Transaction), { description: 'Transactions the bank changed since the cursor (a reissue under a new id, text or time keeps the `id`): replace your copy' }),
    removed: Type.Array(RemovedTransaction, { description: 'Transactions gone since the cursor: delete your copy' }),
    next_cursor: Type.String({ description: 'Pass it as `cursor` next time: the next page while `has_more`, else the changes after this answer' }),
    has_more: Type.Boolean({ description: 'More changes are waiting: call again at once with `next_cursor`' }),
  },
  { additionalProperties: false },
);

/** The cursor's round and position, or 400 naming `cursor` when it is not one of ours for this account. */
export function cursorOf(q: Query, accountId: string): SyncCursor {
  if (q.cursor === undefined) return { account_id: accountId, ...FIRST_SYNC };
  const cursor = decodeSyncCursor(q.cursor);
  if (!cursor || cursor.account_id !== accountId) {
    throw new ApiError('INVALID_PARAMETER', 'The query parameter "cursor" is not a sync cursor this API issued for this account', { param: 'cursor' });
  }
  return cursor;
}

export function registerSyncTransactions(app: Api, ctx: AppContext): void {
  app.get(
    '/data/v2/accounts/:account_id/transactions/sync',
    {
      config: { auth: 'api', audit: { resource: 'transactions' } },
      schema: {
        operationId: 'syncTransactions',
        tags: ['Transactions'],
        summary: 'Transactions added, modified and removed since a cursor',
        description:
          'A client that keeps its own copy of the transactions applies `added`, `modified` and `removed` and stores ' +
          '`next_cursor`, calling again while `has_more`; it then holds exactly what `GET …/transactions` returns, ' +
          'never counting a transaction twice. A booked transaction that replaced a pending one comes as the pending one ' +
          'removed and the booked one added; one the bank reissued (new id, text or time) as modified; one the bank ' +
          'withdrew as removed. Changes made while a client pages are never lost or repeated. Cursors stay valid for a ' +
          'year (`CURSOR_EXPIRED` after that: start again without one). `entity.data.transactions.updated` announces changes.',
        headers: EntityHeader,
        params: AccountParams,
        querystring: SyncQuery,
        response: {
          200: { description: 'Changes since the cursor', content: { 'application/json': { schema: SyncResponse } } },
          202: {
            description: 'The entity\'s first refresh has not finished yet; retry after `Retry-After` seconds',
            headers: { 'retry-after': { type: 'integer' } },
            content: { 'application/json': { schema: ref(DataPending) } },
          },
          ...problemResponses(400, 401, 403, 404, 409),
        },
      },
    },
    async (request, reply) => {
      const { account_id } = request.params;
      const q = request.query;
      const cursor = cursorOf(q, account_id);
      const entity = await entityForRead(ctx, request, 'transactions');
      if (entity.synced_at === null) return sendPending(ctx, reply, entity);
      // Never from the response cache: each answer is a position in the change sequence, read afresh.
      return reply.header('cache-control', 'no-store').send(await syncChanges(ctx, entity, account_id, cursor, q.count));
    },
  );
}

/**
 * The changes of `accountId` (one of `entity`'s, else 404) after `cursor`, `count` at most
 * (default 100), as the sync answer. Throws `CURSOR_EXPIRED` or `INVALID_PARAMETER` for a cursor
 * it cannot continue from. Shared by the REST route and the MCP tool.
 */
export async function syncChanges(ctx: AppContext, entity: EntityRow, accountId: string, cursor: SyncCursor, count: number = DEFAULT_COUNT): Promise<Type.Static<typeof SyncResponse>> {
  await requireAccount(ctx, entity, accountId);
  const result = await syncTransactions(ctx.store, cursor, count);
  if ('error' in result) {
    if (result.error === 'NO_ACCOUNT') throw notFound('Account', accountId);
    if (result.error === 'CURSOR_EXPIRED') {
      throw new ApiError('CURSOR_EXPIRED', 'The cursor is older than the removals kept (a year); sync again without a cursor', { param: 'cursor' });
    }
    throw new ApiError('INVALID_PARAMETER', 'The query parameter "cursor" is ahead of this account\'s changes: it was not issued for this data', { param: 'cursor' });
  }
  const { page } = result;
  return {
    added: page.added.map(toTransaction),
    modified: page.modified.map(toTransaction),
    removed: page.removed.map((transaction_id) => ({ transaction_id, account_id: accountId })),
    next_cursor: encodeSyncCursor(page.next),
    has_more: page.has_more,
  };
}
