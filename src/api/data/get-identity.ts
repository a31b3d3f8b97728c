import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.ts';
import { notFound } from '../../errors/api-error.ts';
import { getResourceSet } from '../../store/bank-data.ts';
import { ref } from '../responses.ts';
import { assertResourceFetched, DATA_READ_RESPONSES, ETagHeader, EntityHeader, dataReadHandler } from './entity-access.ts';

export function registerGetIdentity(app: FastifyInstance, ctx: AppContext): void {
  app.get(
    '/data/v2/identity',
    {
      config: { auth: 'api' },
      schema: {
        operationId: 'getIdentity',
        tags: ['Identity'],
        summary: 'Lean Get Identity',
        description: 'The person who gave the consent, as the bank knows them. 404 when the bank shared no identity.',
        headers: EntityHeader,
        response: {
          200: { description: 'Identity', headers: ETagHeader, content: { 'application/json': { schema: ref('Identity') } } },
          ...DATA_READ_RESPONSES,
        },
      },
    },
    dataReadHandler(ctx, 'identity', async (_request, entity) => {
      const payload = await getResourceSet(ctx.store, entity.id, null, 'identity');
      if (payload === undefined) await assertResourceFetched(ctx, entity, 'identity');
      const identity = payload === undefined ? null : JSON.parse(payload);
      if (!identity) throw notFound('Identity of entity', entity.id);
      return { body: identity };
    }),
  );
}
