import Type from 'typebox';
import type { Api } from '../api.ts';
import type { AppContext } from '../../context.ts';
import { notFound } from '../../errors/api-error.ts';
import { getEntityRefresh } from '../../store/refreshes.ts';
import { EntityHeader, entityOfRequest } from '../data/entity-access.ts';
import { problemResponses, ref } from '../responses.ts';
import type { EntityRow } from '../../store/schema.ts';
import { Refresh, toRefresh } from './refresh.schema.ts';

export const RefreshParams = Type.Object({ refresh_id: Type.String({ format: 'uuid' }) });

export function registerGetRefresh(app: Api, ctx: AppContext): void {
  app.get(
    '/data/v2/refreshes/:refresh_id',
    {
      config: { auth: 'api' },
      schema: {
        operationId: 'getDataRefreshStatus',
        tags: ['Refreshes'],
        summary: 'Lean Get Data Refresh Status',
        description: 'Status per resource with record counts, and the reason when it failed.',
        headers: EntityHeader,
        params: RefreshParams,
        response: { 200: ref(Refresh), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { refresh_id } = request.params;
      return refreshOf(ctx, await entityOfRequest(ctx, request), refresh_id);
    },
  );
}

/** Refresh `refreshId` of `entity`; 404 when it is another entity's or does not exist. */
export async function refreshOf(ctx: AppContext, entity: EntityRow, refreshId: string): Promise<Refresh> {
  const refresh = await getEntityRefresh(ctx.store.db, entity.id, refreshId);
  if (!refresh) throw notFound('Refresh', refreshId);
  return toRefresh(refresh);
}
