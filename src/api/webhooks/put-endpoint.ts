import Type from 'typebox';
import type { Api } from '../api.ts';
import type { AppContext } from '../../context.ts';
import { ApiError } from '../../errors/api-error.ts';
import { setEndpoint } from '../../webhooks/endpoints.ts';
import { endpointUrlProblem } from '../../webhooks/url-policy.ts';
import { problemResponses, ref } from '../responses.ts';
import { toWebhookEndpoint, WebhookEndpoint } from './webhook.schema.ts';

const Body = Type.Object(
  {
    url: Type.String({
      format: 'uri',
      maxLength: 2048,
      description: 'Where events are POSTed. In production mode: https, and not resolving to a loopback, private or link-local address',
    }),
  },
  { additionalProperties: false },
);

export function registerPutWebhookEndpoint(app: Api, ctx: AppContext): void {
  app.put(
    '/webhooks/v1/endpoint',
    {
      config: { auth: 'api' },
      schema: {
        operationId: 'putWebhookEndpoint',
        tags: ['Webhooks'],
        summary: 'Set the webhook endpoint; answers its signing secret',
        description: 'The first call creates the signing secret; later calls change the URL and keep it.',
        body: Body,
        response: { 200: ref(WebhookEndpoint), ...problemResponses(400, 401, 403, 413, 415) },
      },
    },
    async (request) => {
      const { url } = request.body;
      const problem = await endpointUrlProblem(url, ctx.config.mode);
      if (problem) throw new ApiError('WEBHOOK_URL_REFUSED', `The url is refused: ${problem}`, { param: 'url' });
      const now = ctx.now();
      const { row, secret } = await setEndpoint(ctx.store.db, ctx.encryptionKey, request.principal.appId, url, now);
      return toWebhookEndpoint(row, now, secret);
    },
  );
}
