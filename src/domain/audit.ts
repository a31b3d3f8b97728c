/**
 * The audit trail's closed sets (docs/decisions/017-audit-trail.md), defined once for the stored
 * records (src/store/schema.ts), the recorder and the API's `AuditEvent`.
 */

/** What a record is about: a read of bank data, or a change of an entity's consent. */
export const AUDIT_KINDS = ['data.read', 'consent.created', 'consent.reconnected', 'consent.refreshed', 'consent.revoked', 'consent.deleted'] as const;
export type AuditKind = (typeof AUDIT_KINDS)[number];

/** OK; REFUSED (the request was answered 4xx); FAILED (5xx, or a refresh that failed). */
export const AUDIT_OUTCOMES = ['OK', 'REFUSED', 'FAILED'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];
