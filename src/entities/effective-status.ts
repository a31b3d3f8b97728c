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
export function effectiveStatus(row: EntityRow, now: Date): EntityRow['status'] {
  if (row.status === 'ACTIVE' && expiresAtMs(row) <= now.getTime()) return 'EXPIRED';
  return row.status;
}
