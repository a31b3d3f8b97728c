import type { Kysely } from 'kysely';
import { purgeEntityData } from '../store/bank-data.ts';
import { updateEntityStatus } from '../store/entities.ts';
import type { DB, EntityRow } from '../store/schema.ts';

/**
 * Ends an entity: its consent is revoked and every piece of its bank data is deleted. The entity
 * record stays, as REVOKED, so reads answer CONSENT_REVOKED rather than a bare 404.
 * Revoking at the bank itself arrives with the OBIE connector.
 */
export async function revokeEntity(db: Kysely<DB>, entity: EntityRow, now: Date): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await purgeEntityData(trx, entity.id);
    await updateEntityStatus(trx, entity.id, 'REVOKED', now.toISOString());
  });
}
