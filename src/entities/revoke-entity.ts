import { purgeEntityData } from '../store/bank-data.ts';
import { updateEntityStatus } from '../store/entities.ts';
import type { Store } from '../store/database.ts';
import type { EntityRow } from '../store/schema.ts';

/**
 * Ends an entity: its consent is revoked and every piece of its bank data is deleted. The entity
 * record stays, as REVOKED, so reads answer CONSENT_REVOKED rather than a bare 404.
 * Revoking at the bank itself arrives with the OBIE connector.
 */
export async function revokeEntity(store: Store, entity: EntityRow, now: Date): Promise<void> {
  await store.db.transaction().execute(async (trx) => {
    await purgeEntityData(trx, entity.id);
    await updateEntityStatus(trx, entity.id, 'REVOKED', now.toISOString());
  });
  store.entities.changed(entity.id);
}
