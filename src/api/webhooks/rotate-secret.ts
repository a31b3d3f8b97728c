import type { Api } from '../api.ts';
import type { AppContext } from '../../context.ts';
import { ApiError } from '../../errors/api-error.ts';
import { rotateSecret } from '../../webhooks/endpoints.ts';
import { problemResponses, ref } from '../responses.ts';
import { toWebhookEndpoint, WebhookEndpoint } from './webhook.schema.ts';

export function registerRotateWebhookSecret(app: Api, ctx: AppContext): void {
  const grace = ctx.config.webhooks.secretGraceHours;
  app.post(
    '/webhooks/v1/endpoint/rotate-secret',
    {
      config: { auth: 'api' },
      schema: {
        operationId: 'rotateWebhookSecret',
        tags: ['Webhooks'],
        summary: 'Replace the signing secret',
        description:
          `Answers the new secret. For ${grace} hours the replaced one still signs too: \`webhook-signature\` carries one \`v1,\` ` +
          'signature per secret, so a receiver verifies with either while it switches. `lean-signature` uses the new secret at once. ' +
          'Rotating again within that time ends the grace of the older secret.',
        response: { 200: ref(WebhookEndpoint), ...problemResponses(401, 403, 404) },
      },
    },
    async (request) => {
      const now = ctx.now();
      const rotated = await rotateSecret(ctx.store.db, ctx.encryptionKey, request.principal.appId, grace, now);
      if (!rotated) throw new ApiError('NOT_FOUND', 'No webhook endpoint is set');
      return toWebhookEndpoint(rotated.row, now, rotated.secret);
    },
  );
}
