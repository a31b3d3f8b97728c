import Type from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.ts';
import { listAccounts } from '../../store/bank-data.ts';
import { ref } from '../responses.ts';
import { DATA_READ_RESPONSES, ETagHeader, EntityHeader, dataReadHandler } from './entity-access.ts';

export function registerGetAccounts(app: FastifyInstance, ctx: AppContext): void {
  app.get(
    '/data/v2/accounts',
    {
      config: { auth: 'api' },
      schema: {
        operationId: 'getAccounts',
        tags: ['Accounts'],
        summary: 'Lean Get Accounts',
        description: 'The accounts the consent covers, in the order the bank lists them.',
        headers: EntityHeader,
        response: {
          200: { description: 'Accounts list', headers: ETagHeader, content: { 'application/json': { schema: Type.Array(ref('Account')) } } },
          ...DATA_READ_RESPONSES,
        },
      },
    },
    dataReadHandler(ctx, 'accounts', async (_request, entity) => ({
      body: (await listAccounts(ctx.store, entity.id)).map((a) => ({ account_id: a.id, ...JSON.parse(a.payload) })),
    })),
  );
}
