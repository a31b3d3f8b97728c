import Type from 'typebox';
import type { Api } from '../api.ts';
import type { AppContext } from '../../context.ts';
import { ApiError, notFound } from '../../errors/api-error.ts';
import { findDelivery, hasEndpoint } from '../../store/webhooks.ts';
import { queueDelivery } from '../../webhooks/events.ts';
import { problemResponses } from '../responses.ts';

const Params = Type.Object({ delivery_id: Type.String({ format: 'uuid' }) });

const Redelivery = Type.Object({
  event_id: Type.String({ format: 'uuid', description: 'The event queued again; its attempts list under `GET /webhooks/v1/deliveries?event_id=…`' }),
});

export function registerRedeliverWebhook(app: Api, ctx: AppContext): void {
  app.post(
    '/webhooks/v1/deliveries/:delivery_id/redeliver',
    {
      config: { auth: 'api' },
      schema: {
        operationId: 'redeliverWebhook',
        tags: ['Webhooks'],
        summary: 'Send the attempt\'s event again',
        description:
          'Queues a fresh delivery of the event to the current endpoint, with its own retries, signed for its own attempts. ' +
          'The body and `webhook-id` are the event\'s, so receivers that de-duplicate see it once.',
        params: Params,
        response: {
          202: { description: 'Queued', content: { 'application/json': { schema: Redelivery } } },
          ...problemResponses(400, 401, 403, 404, 409),
        },
      },
    },
    async (request, reply) => {
      const { delivery_id } = request.params;
      const appId = request.principal.appId;
      const attempt = await findDelivery(ctx.store.db, appId, delivery_id);
      if (!attempt) throw notFound('Delivery', delivery_id);
      await ctx.store.db.transaction().execute(async (trx) => {
        if (!(await hasEndpoint(trx, appId))) throw new ApiError('WEBHOOK_ENDPOINT_NOT_SET', 'Set a webhook endpoint (PUT /webhooks/v1/endpoint) before redelivering');
        await queueDelivery(trx, ctx.jobs, attempt.event_id, ctx.now());
      });
      ctx.refreshes.wake();
      // Returned, not sent: only a returned body is checked against a response given per media type (src/api/api.ts).
      reply.code(202);
      return { event_id: attempt.event_id };
    },
  );
}
