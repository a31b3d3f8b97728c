import Type from 'typebox';
import type { Api } from '../api.ts';
import type { AppContext } from '../../context.ts';
import { listDeliveries } from '../../store/webhooks.ts';
import { DEFAULT_PAGE_SIZE, PageHeaders, PageParams, pageHeaders } from '../pagination.ts';
import { problemResponses, ref } from '../responses.ts';
import { toWebhookDelivery, WebhookDelivery } from './webhook.schema.ts';

const Query = Type.Object(
  {
    ...PageParams,
    event_id: Type.Optional(Type.String({ format: 'uuid', description: 'Only the attempts of this event' })),
  },
  { additionalProperties: false },
);

export function registerListWebhookDeliveries(app: Api, ctx: AppContext): void {
  app.get(
    '/webhooks/v1/deliveries',
    {
      config: { auth: 'api' },
      schema: {
        operationId: 'listWebhookDeliveries',
        tags: ['Webhooks'],
        summary: 'Delivery attempts, newest first',
        querystring: Query,
        response: {
          200: { description: 'Attempts', headers: PageHeaders, content: { 'application/json': { schema: Type.Array(ref(WebhookDelivery)) } } },
          ...problemResponses(400, 401, 403),
        },
      },
    },
    async (request, reply) => {
      const { page = 0, size = DEFAULT_PAGE_SIZE, event_id } = request.query;
      const { rows, total } = await listDeliveries(ctx.store.read, request.principal.appId, {
        offset: page * size,
        limit: size,
        ...(event_id ? { eventId: event_id } : {}),
      });
      reply.headers(pageHeaders(request.url, total, (page + 1) * size < total ? { page: String(page + 1), size: String(size) } : null));
      return rows.map(toWebhookDelivery);
    },
  );
}
