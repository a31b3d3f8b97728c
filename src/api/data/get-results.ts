import Type from 'typebox';
import type { Api } from '../api.ts';
import type { AppContext } from '../../context.ts';
import { ApiError, notFound } from '../../errors/api-error.ts';
import { isTerminal } from '../../refresh/refresh-state.ts';
import { settleResults } from '../../refresh/settle-results.ts';
import { getDataResult } from '../../store/data-results.ts';
import { readEntity } from '../../store/entities.ts';
import { getRefresh } from '../../store/refreshes.ts';
import { DEFAULT_PAGE_SIZE, MAX_PAGE, MAX_PAGE_SIZE } from '../pagination.ts';
import { problemContent, problemResponses, ref } from '../responses.ts';
import { entityForReadOf } from './entity-access.ts';
import { answerResults, LeanNoData, sendPendingEnvelope, type DataReads } from './lean-read.ts';

const Params = Type.Object({ results_id: Type.String({ format: 'uuid', description: 'The `results_id` of a PENDING answer' }) });

const Query = Type.Object(
  {
    page: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_PAGE, description: '0-based page number (reads that page: transactions)' })),
    size: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, description: `Page size, 1–${MAX_PAGE_SIZE}; ${DEFAULT_PAGE_SIZE} by default` })),
  },
  { additionalProperties: false },
);

/**
 * `GET /data/v2/results/{results_id}` (Lean's Get Results): the answer to a read that answered
 * PENDING, in Lean's envelope, paged like that read. Another application's results are not found;
 * results expire a day after they are ready (410 RESULTS_EXPIRED). The read is answered from the
 * data stored when it is fetched, with the entity's consent and permissions checked again.
 */
export function registerGetResults(app: Api, ctx: AppContext, reads: DataReads): void {
  app.get(
    '/data/v2/results/:results_id',
    {
      // The resource and entity are the replayed read's: the handler names them (`auditNote`).
      config: { auth: 'api', leanForm: true, audit: { resource: null } },
      schema: {
        operationId: 'getResults',
        tags: ['Accounts'],
        summary: 'Lean Get Results',
        description:
          'The answer to a data read that answered PENDING with a `results_id` (`async=true`, `force_refresh=true`, or a read ' +
          'made while the entity\'s first refresh ran), once `results.ready` announced it. Paged by `page`/`size` like the read. ' +
          'Results can be fetched any number of times for a day after they are ready.',
        params: Params,
        querystring: Query,
        response: {
          200: { description: 'OK: the read\'s answer in Lean\'s envelope (`data` as the read\'s GET form answers it)', content: { 'application/json': { schema: Type.Object({}, { additionalProperties: true, description: 'Lean\'s envelope; `data` as the read answers it' }) } } },
          202: { description: 'PENDING: the refresh the read waits for still runs', headers: { 'retry-after': { type: 'integer' } }, content: { 'application/json': { schema: ref(LeanNoData) } } },
          409: {
            description: 'FAILED: the data was never fetched',
            content: { ...problemContent(), 'application/json': { schema: ref(LeanNoData) } },
          },
          ...problemResponses(400, 401, 403, 404, 410),
        },
      },
    },
    async (request, reply) => {
      const { results_id } = request.params;
      const q = request.query;
      const appId = request.principal.appId;
      let row = await getDataResult(ctx.store.db, appId, results_id);
      if (!row) throw notFound('Results', results_id);
      if (row.status === 'READY' && row.expires_at <= ctx.now().toISOString()) {
        throw new ApiError('RESULTS_EXPIRED', `Results ${results_id} expired at ${row.expires_at}; make the read again`);
      }
      const read = reads.get(row.operation);
      if (!read) throw notFound('Results', results_id);
      request.auditNote = { resource: read.resource, entityId: row.entity_id };
      if (row.status === 'PENDING') {
        const refresh = row.refresh_id ? await getRefresh(ctx.store.db, row.refresh_id) : undefined;
        if (refresh && !isTerminal(refresh.status)) return sendPendingEnvelope(ctx, reply, row.id, refresh);
        // The refresh ended while this read was being recorded: settle it now (and announce it).
        const entity = await readEntity(ctx.store, appId, row.entity_id);
        if (!entity) throw notFound('Entity', row.entity_id);
        const refreshId = row.refresh_id;
        if (refreshId) await ctx.store.db.transaction().execute((trx) => settleResults(trx, ctx.jobs, refreshId, entity, ctx.now()));
        row = (await getDataResult(ctx.store.db, appId, results_id))!;
      }
      const entity = await entityForReadOf(ctx, appId, row.entity_id, read.resource);
      const query = { ...row.query, page: q.page ?? 0, size: q.size ?? DEFAULT_PAGE_SIZE };
      return answerResults(ctx, reply, read, { params: row.params, query, url: request.url }, entity, row.id);
    },
  );
}
