import type { EntityRow } from '../store/schema.ts';

/** The status a client sees and workers act on: a consent past its expiry is EXPIRED whatever the row says. */
export function effectiveStatus(row: EntityRow, now: Date): EntityRow['status'] {
  if (row.status === 'ACTIVE' && row.consent_expires_at <= now.toISOString()) return 'EXPIRED';
  return row.status;
}
