import { recordInTransaction, type AuditActor } from '../audit/recorder.ts';
import type { Logger } from 'pino';
import type { BankConnector } from '../banks/connector.ts';
import type { BankRegistry } from '../banks/registry.ts';
import type { JobQueue } from '../jobs/queue.ts';
import type { RefreshEngine } from '../refresh/engine.ts';
import type { Store } from '../store/database.ts';
import { purgeEntityData } from '../store/bank-data.ts';
import { getConnection } from '../store/connections.ts';
import { moveEntityStatus } from '../store/entities.ts';
import type { EntityRow } from '../store/schema.ts';
import { entityEvent, recordEvent } from '../webhooks/events.ts';

export interface RevokeDeps {
  store: Store;
  banks: BankRegistry;
  /** Revokes the consent at the bank. */
  connector: BankConnector;
  /** Where `entity.deleted` is queued; `refreshes.wake()` has it delivered at once. */
  jobs: JobQueue;
  refreshes: Pick<RefreshEngine, 'wake'>;
  log: Logger;
}

/**
 * Ends an entity: its consent is revoked at the bank and every piece of its bank data is deleted.
 * The entity record stays, as REVOKED, so reads answer CONSENT_REVOKED rather than a bare 404.
 * The bank being unreachable does not keep the data: the consent is forgotten here either way
 * (and expires at the bank), which is what the user asked for. `entity.deleted` commits with it.
 */
export async function revokeEntity(deps: RevokeDeps, entity: EntityRow, now: Date, by?: AuditActor): Promise<void> {
  const connection = await getConnection(deps.store.db, entity.id);
  const bank = deps.banks.get(entity.bank_identifier);
  if (connection && bank) {
    try {
      await deps.connector.revokeConsent({ bank, consent_id: connection.consent_id });
    } catch (err) {
      deps.log.warn({ err, entity_id: entity.id }, 'could not revoke the consent at the bank; deleting the data anyway');
    }
  }
  await deps.store.db.transaction().execute(async (trx) => {
    await purgeEntityData(trx, entity.id);
    await trx.deleteFrom('entity_connections').where('entity_id', '=', entity.id).execute();
    // Two DELETEs racing both purge (harmless), but only the one that moved the status announces it.
    if (await moveEntityStatus(trx, entity.id, ['ACTIVE', 'RECONNECT_REQUIRED', 'EXPIRED'], 'REVOKED', now.toISOString())) {
      await recordEvent(trx, deps.jobs, entityEvent('entity.deleted', { ...entity, status: 'REVOKED' }), now);
      await recordInTransaction(
        trx,
        {
          app_id: entity.app_id,
          customer_id: entity.customer_id,
          entity_id: entity.id,
          kind: 'consent.deleted',
          subject: by?.subject ?? null,
          request_id: by?.request_id ?? null,
          outcome: 'OK',
          detail: `consent revoked at ${entity.bank_identifier} and the bank data deleted${by?.detail ? `; ${by.detail}` : ''}`,
        },
        now,
      );
    }
  });
  deps.store.entities.changed(entity.id);
  deps.refreshes.wake();
}
