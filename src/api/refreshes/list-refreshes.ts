import Type from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.ts';
import { listRefreshes } from '../../store/refreshes.ts';
import { EntityHeader, entityOfRequest } from '../data/entity-access.ts';
import { KeysetPageParams, keysetPage, keysetPaging, PageHeaders, pageHeaders } from '../pagination.ts';
import { problemResponses, ref } from '../responses.ts';
import { toRefresh } from './refresh.schema.ts';

const Query = Type.Object(KeysetPageParams, { additionalProperties: false });
type Query = Type.Static<typeof Query>;

export function registerListRefreshes(app: FastifyInstance, ctx: AppContext): void {
  app.get(
    '/data/v2/refreshes',
    {
      config: { auth: 'api' },
      schema: {
        operationId: 'getDataRefreshes',
        tags: ['Refreshes'],
        summary: 'Lean Get Data Refreshes',
        description: 'The entity\'s refreshes, newest first, paginated like transactions.',
        headers: EntityHeader,
        querystring: Query,
        response: {
          200: { description: 'Refreshes', headers: PageHeaders, content: { 'application/json': { schema: Type.Array(ref('Refresh')) } } },
          ...problemResponses(400, 401, 403, 404),
        },
      },
    },
    async (request, reply) => {
      const paging = keysetPaging(request.query as Query);
      const entity = await entityOfRequest(ctx, request);
      const { rows, total } = await listRefreshes(ctx.store.db, entity.id, paging);
      const { page, next } = keysetPage(paging, rows, (r) => ({ at: r.created_at, id: r.id }));
      reply.headers(pageHeaders(request.url, total, next));
      return page.map(toRefresh);
    },
  );
}
