import Type from 'typebox';
import type { Api } from '../api.ts';
import type { AppContext } from '../../context.ts';
import { listRefreshes } from '../../store/refreshes.ts';
import { EntityHeader, entityOfRequest } from '../data/entity-access.ts';
import { KeysetPageParams, keysetPage, keysetPaging, PageHeaders, pageHeaders, type KeysetPaging } from '../pagination.ts';
import { problemResponses, ref } from '../responses.ts';
import type { EntityRow } from '../../store/schema.ts';
import { Refresh, toRefresh } from './refresh.schema.ts';

export const ListRefreshesQuery = Type.Object(KeysetPageParams, { additionalProperties: false });

export function registerListRefreshes(app: Api, ctx: AppContext): void {
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
        querystring: ListRefreshesQuery,
        response: {
          200: { description: 'Refreshes', headers: PageHeaders, content: { 'application/json': { schema: Type.Array(ref(Refresh)) } } },
          ...problemResponses(400, 401, 403, 404),
        },
      },
    },
    async (request, reply) => {
      const paging = keysetPaging(request.query);
      const { refreshes, total, next } = await refreshesPage(ctx, await entityOfRequest(ctx, request), paging);
      reply.headers(pageHeaders(request.url, total, next));
      return refreshes;
    },
  );
}

/** A page of `entity`'s refreshes, newest first, their total, and what the next page continues with (null on the last). */
export async function refreshesPage(ctx: AppContext, entity: EntityRow, paging: KeysetPaging): Promise<{ refreshes: Refresh[]; total: number; next: Record<string, string> | null }> {
  const { rows, total } = await listRefreshes(ctx.store.db, entity.id, paging);
  const { page, next } = keysetPage(paging, rows, (r) => ({ at: r.created_at, id: r.id }));
  return { refreshes: page.map(toRefresh), total, next };
}
