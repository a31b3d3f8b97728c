import type { Api } from '../api.ts';
import type { AppContext } from '../../context.ts';
import { ApiError } from '../../errors/api-error.ts';
import { getEndpoint } from '../../store/webhooks.ts';
import { problemResponses, ref } from '../responses.ts';
import { toWebhookEndpoint, WebhookEndpoint } from './webhook.schema.ts';

export function registerGetWebhookEndpoint(app: Api, ctx: AppContext): void {
  app.get(
    '/webhooks/v1/endpoint',
    {
      config: { auth: 'api' },
      schema: {
        operationId: 'getWebhookEndpoint',
        tags: ['Webhooks'],
        summary: 'The webhook endpoint, without its secret',
        response: { 200: ref(WebhookEndpoint), ...problemResponses(401, 403, 404) },
      },
    },
    async (request) => {
      const row = await getEndpoint(ctx.store.read, request.principal.appId);
      if (!row) throw new ApiError('NOT_FOUND', 'No webhook endpoint is set');
      return toWebhookEndpoint(row, ctx.now());
    },
  );
}
