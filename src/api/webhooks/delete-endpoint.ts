import type { Api } from '../api.ts';
import type { AppContext } from '../../context.ts';
import { ApiError } from '../../errors/api-error.ts';
import { deleteEndpoint } from '../../store/webhooks.ts';
import { noBody, problemResponses } from '../responses.ts';

export function registerDeleteWebhookEndpoint(app: Api, ctx: AppContext): void {
  app.delete(
    '/webhooks/v1/endpoint',
    {
      config: { auth: 'api' },
      schema: {
        operationId: 'deleteWebhookEndpoint',
        tags: ['Webhooks'],
        summary: 'Stop sending webhooks',
        description: 'Deliveries still waiting are dropped. Events keep being recorded; a new endpoint receives those that happen after it is set.',
        response: { 204: noBody({ description: 'Deleted', type: 'null' }), ...problemResponses(401, 403, 404) },
      },
    },
    async (request, reply) => {
      if (!(await deleteEndpoint(ctx.store.db, request.principal.appId))) throw new ApiError('NOT_FOUND', 'No webhook endpoint is set');
      return reply.code(204).send();
    },
  );
}
