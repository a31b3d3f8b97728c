/**
 * An entity's status, defined once for the store's column (src/store/schema.ts) and the API's
 * `Entity.status`. ACTIVE: its consent is live. RECONNECT_REQUIRED: the bank no longer honours the
 * consent. EXPIRED: the consent's end passed (also derived on read, src/entities/effective-status.ts).
 * REVOKED: the customer or the application ended it.
 */
export const ENTITY_STATUSES = ['ACTIVE', 'RECONNECT_REQUIRED', 'EXPIRED', 'REVOKED'] as const;
export type EntityStatus = (typeof ENTITY_STATUSES)[number];
