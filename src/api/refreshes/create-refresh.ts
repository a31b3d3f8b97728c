import Type from 'typebox';
import type { Api } from '../api.ts';
import type { AppContext } from '../../context.ts';
import { effectiveStatus } from '../../entities/effective-status.ts';
import { ApiError } from '../../errors/api-error.ts';
import { assertConsentLive, entityOfRequest } from '../data/entity-access.ts';
import { problemResponses, ref } from '../responses.ts';
import type { EntityRow, RefreshRow } from '../../store/schema.ts';
import { Refresh, toRefresh } from './refresh.schema.ts';

const Headers = Type.Object({
  entity_id: Type.String({ format: 'uuid', description: 'The entity to refresh' }),
  'idempotency-key': Type.Optional(
    Type.String({ minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7E]+$', description: 'Repeating a request with the same key within 24 h answers the same refresh' }),
  ),
});

export function registerCreateRefresh(app: Api, ctx: AppContext): void {
  app.post(
    '/data/v2/refreshes',
    {
      config: { auth: 'api' },
      schema: {
        operationId: 'triggerDataRefresh',
        tags: ['Refreshes'],
        summary: 'Lean Trigger Manual Data Refresh',
        description:
          'Fetches the entity\'s data from its bank again. While a refresh is waiting or running, the request joins it ' +
          `instead of starting another. Each entity may start ${ctx.config.refresh.manualDailyLimit} manual refreshes per UTC day.`,
        headers: Headers,
        response: {
          202: { description: 'Refresh triggered (or the one already running)', content: { 'application/json': { schema: ref(Refresh) } } },
          ...problemResponses(400, 401, 403, 404, 409, 429),
        },
      },
    },
    async (request, reply) => {
      const idempotencyKey = request.headers['idempotency-key'];
      const refresh = await startManualRefresh(ctx, await entityOfRequest(ctx, request), idempotencyKey);
      // Returned, not sent: only a returned body is checked against a response given per media type (src/api/api.ts).
      reply.code(202).header('location', `/data/v2/refreshes/${refresh.id}`);
      return toRefresh(refresh);
    },
  );
}

/**
 * A manual refresh of `entity`, or the one already waiting or running: 403 when its consent expired
 * or was revoked, 409 `RECONNECT_REQUIRED`, 429 `REFRESH_LIMIT_REACHED` past the daily limit.
 */
export async function startManualRefresh(ctx: AppContext, entity: EntityRow, idempotencyKey?: string): Promise<RefreshRow> {
  assertConsentLive(entity, ctx.now());
  if (effectiveStatus(entity, ctx.now()) === 'RECONNECT_REQUIRED') {
    throw new ApiError('RECONNECT_REQUIRED', `The bank no longer honours the consent of entity ${entity.id}; the user must reconnect it`);
  }
  const { refresh } = await ctx.refreshes.request(entity, 'MANUAL', idempotencyKey ? { idempotencyKey } : {});
  return refresh;
}
