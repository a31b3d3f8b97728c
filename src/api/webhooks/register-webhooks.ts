import type { Api } from '../api.ts';
import type { AppContext } from '../../context.ts';
import { registerDeleteWebhookEndpoint } from './delete-endpoint.ts';
import { registerGetWebhookEndpoint } from './get-endpoint.ts';
import { registerListWebhookDeliveries } from './list-deliveries.ts';
import { registerPutWebhookEndpoint } from './put-endpoint.ts';
import { registerRedeliverWebhook } from './redeliver.ts';
import { registerRotateWebhookSecret } from './rotate-secret.ts';
import { WebhookDelivery, WebhookEndpoint } from './webhook.schema.ts';

/** The webhook routes and their schemas. */
export function registerWebhooks(app: Api, ctx: AppContext): void {
  app.addSchema(WebhookEndpoint);
  app.addSchema(WebhookDelivery);
  registerPutWebhookEndpoint(app, ctx);
  registerGetWebhookEndpoint(app, ctx);
  registerDeleteWebhookEndpoint(app, ctx);
  registerRotateWebhookSecret(app, ctx);
  registerListWebhookDeliveries(app, ctx);
  registerRedeliverWebhook(app, ctx);
}
