import type { EntityStatus } from '../domain/entity-status.ts';
import type { EntityRow } from '../store/schema.ts';

/** Consent expiries as epoch ms, per row object: the read path asks on every request. */
const expiries = new WeakMap<EntityRow, number>();

function expiresAtMs(row: EntityRow): number {
  let ms = expiries.get(row);
  if (ms === undefined) {
    ms = Date.parse(row.consent_expires_at);
    expiries.set(row, ms);
  }
  return ms;
}

/** The status a client sees and workers act on: a consent past its expiry is EXPIRED whatever the row says. */
export function effectiveStatus(row: EntityRow, now: Date): EntityStatus {
  return effectiveStatusAt(row, now.getTime());
}

/** `effectiveStatus` at `nowMs` (ms since the epoch): for the hot read path, which makes no `Date` per request. */
export function effectiveStatusAt(row: EntityRow, nowMs: number): EntityStatus {
  if (row.status === 'ACTIVE' && expiresAtMs(row) <= nowMs) return 'EXPIRED';
  return row.status;
}

/**
 * What the Link reconnect journey takes for an entity that needs its user again (RECONNECT_REQUIRED
 * or EXPIRED); null otherwise. It is the entity id itself: the journey also needs a token for the
 * entity's customer, so a derived secret would add nothing. Documented as opaque to clients
 * (docs/decisions/006-link-journey.md), so it can change form without breaking them.
 */
export function reconnectIdOf(row: EntityRow, now: Date): string | null {
  const status = effectiveStatus(row, now);
  return status === 'RECONNECT_REQUIRED' || status === 'EXPIRED' ? row.id : null;
}
