/** How one attempt to deliver a webhook event ended: SUCCEEDED when the endpoint answered 2xx. */
export const WEBHOOK_DELIVERY_STATUSES = ['SUCCEEDED', 'FAILED'] as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];
