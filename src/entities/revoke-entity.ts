import { recordInTransaction, type AuditActor } from '../audit/recorder.ts';
import type { AppContext } from '../context.ts';
import { purgeEntityData } from '../store/bank-data.ts';
import { getConnection } from '../store/connections.ts';
import { moveEntityStatus } from '../store/entities.ts';
import type { EntityRow } from '../store/schema.ts';
import { entityEvent, recordEvent } from '../webhooks/events.ts';

/**
 * Ends an entity: its consent is revoked at the bank and every piece of its bank data is deleted.
 * The entity record stays, as REVOKED, so reads answer CONSENT_REVOKED rather than a bare 404.
 * The bank being unreachable does not keep the data: the consent is forgotten here either way
 * (and expires at the bank), which is what the user asked for. `entity.deleted` commits with it.
 */
export async function revokeEntity(ctx: AppContext, entity: EntityRow, now: Date, by?: AuditActor): Promise<void> {
  const connection = await getConnection(ctx.store.db, entity.id);
  const bank = ctx.banks.get(entity.bank_identifier);
  if (connection && bank) {
    try {
      await ctx.connector.revokeConsent({ bank, consent_id: connection.consent_id });
    } catch (err) {
      ctx.log.warn({ err, entity_id: entity.id }, 'could not revoke the consent at the bank; deleting the data anyway');
    }
  }
  await ctx.store.db.transaction().execute(async (trx) => {
    await purgeEntityData(trx, entity.id);
    await trx.deleteFrom('entity_connections').where('entity_id', '=', entity.id).execute();
    // Two DELETEs racing both purge (harmless), but only the one that moved the status announces it.
    if (await moveEntityStatus(trx, entity.id, ['ACTIVE', 'RECONNECT_REQUIRED', 'EXPIRED'], 'REVOKED', now.toISOString())) {
      await recordEvent(trx, ctx.jobs, entityEvent('entity.deleted', { ...entity, status: 'REVOKED' }), now);
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
  ctx.store.entities.changed(entity.id);
  ctx.refreshes.wake();
}
