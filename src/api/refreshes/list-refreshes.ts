import Type from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.ts';
import { decodeCursor, encodeCursor } from '../../domain/cursor.ts';
import { ApiError } from '../../errors/api-error.ts';
import { listRefreshes } from '../../store/refreshes.ts';
import { EntityHeader, entityOfRequest } from '../data/entity-access.ts';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, PageHeaders, pageHeaders } from '../pagination.ts';
import { problemResponses, ref } from '../responses.ts';
import { toRefresh } from './refresh.schema.ts';

const Query = Type.Object(
  {
    page: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, description: '0-based page number' })),
    size: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE })),
    cursor: Type.Optional(Type.String({ maxLength: 200, description: 'From the `Link: rel="next"` header' })),
  },
  { additionalProperties: false },
);
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
      const q = request.query as Query;
      const size = q.size ?? DEFAULT_PAGE_SIZE;
      if (q.cursor !== undefined && q.page !== undefined) throw new ApiError('INVALID_PARAMETER', 'Give either "page" or "cursor", not both', { param: 'cursor' });
      const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
      if (q.cursor !== undefined && !after) throw new ApiError('INVALID_PARAMETER', 'The query parameter "cursor" is not a cursor this API issued', { param: 'cursor' });
      const entity = await entityOfRequest(ctx, request);
      const { rows, total } = await listRefreshes(ctx.store.db, entity.id, { offset: (q.page ?? 0) * size, limit: size + 1, ...(after ? { after } : {}) });
      const page = rows.slice(0, size);
      const last = page.at(-1);
      const next = rows.length <= size || !last
        ? null
        : q.page !== undefined
          ? { page: String(q.page + 1), size: String(size) }
          : { cursor: encodeCursor({ at: last.created_at, id: last.id }), size: String(size) };
      reply.headers(pageHeaders(request.url, total, next));
      return page.map(toRefresh);
    },
  );
}
