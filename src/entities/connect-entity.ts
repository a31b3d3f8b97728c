import { randomUUID } from 'node:crypto';
import { recordInTransaction, type AuditActor } from '../audit/recorder.ts';
import type { BankCredentials } from '../banks/connector.ts';
import type { BankDefinition } from '../banks/bank.ts';
import type { KeyRing } from '../auth/secret-box.ts';
import { normalizePermissions, type Permission } from '../domain/permissions.ts';
import type { JobQueue } from '../jobs/queue.ts';
import type { RefreshEngine } from '../refresh/engine.ts';
import type { Store } from '../store/database.ts';
import { saveConnection } from '../store/connections.ts';
import { getEntity, insertEntity, renewEntityConsent } from '../store/entities.ts';
import type { CustomerRow, EntityRow, RefreshRow } from '../store/schema.ts';
import { entityEvent, recordEvent } from '../webhooks/events.ts';
import { sealCredentials } from './connection-credentials.ts';

export interface ConnectDeps {
  store: Store;
  /** Seals the consent's bank credentials. */
  encryptionKey: KeyRing;
  /** Where the webhook event is queued. */
  jobs: JobQueue;
  refreshes: Pick<RefreshEngine, 'queueInitial' | 'queueRefresh' | 'wake'>;
  now: () => Date;
}

export interface NewConnection {
  customer: CustomerRow;
  bank: BankDefinition;
  permissions: readonly Permission[];
  consentExpiresAt: Date;
  /** The consent's tokens, from the code exchange. */
  credentials: BankCredentials;
  /** Who connected it, for the audit trail. */
  by?: AuditActor;
}

/** The audit record of a change of `entity`'s consent (docs/decisions/017). */
function consentEvent(kind: 'consent.created' | 'consent.reconnected', entity: EntityRow, by: AuditActor | undefined) {
  return {
    app_id: entity.app_id,
    customer_id: entity.customer_id,
    entity_id: entity.id,
    kind,
    subject: by?.subject ?? null,
    request_id: by?.request_id ?? null,
    outcome: 'OK' as const,
    detail: `${entity.bank_identifier}, consent until ${entity.consent_expires_at}${by?.detail ? `; ${by.detail}` : ''}`,
  };
}

/**
 * Records a newly authorised consent as an entity: the entity, its sealed bank credentials, its
 * INITIAL refresh and the `entity.created` event commit together, so none exists without the
 * others. Used by the hosted journey's callback and by the sandbox shortcut alike.
 */
export async function createConnectedEntity(deps: ConnectDeps, c: NewConnection): Promise<{ entity: EntityRow; refresh: RefreshRow }> {
  const id = randomUUID();
  const now = deps.now();
  const at = now.toISOString();
  const result = await deps.store.db.transaction().execute(async (trx) => {
    await insertEntity(trx, {
      id,
      app_id: c.customer.app_id,
      customer_id: c.customer.id,
      bank_identifier: c.bank.identifier,
      permissions: normalizePermissions(c.permissions),
      status: 'ACTIVE',
      consent_expires_at: c.consentExpiresAt.toISOString(),
      created_at: at,
      updated_at: at,
    });
    await saveConnection(trx, { entity_id: id, consent_id: c.credentials.consent_id, credentials: sealCredentials(deps.encryptionKey, id, c.credentials), updated_at: at });
    const entity = (await getEntity(trx, id))!;
    await recordEvent(trx, deps.jobs, entityEvent('entity.created', entity), now);
    await recordInTransaction(trx, consentEvent('consent.created', entity, c.by), now);
    return { entity, refresh: await deps.refreshes.queueInitial(trx, entity) };
  });
  deps.refreshes.wake();
  return result;
}

/**
 * Renews the consent of an entity that needs reconnecting (or whose consent expired): same entity
 * id, same accounts (they are keyed by the bank's account ids), new credentials and expiry, status
 * ACTIVE again, and a refresh to bring the data up to date. No event of its own: none of the four
 * types fits (it is not a new entity), and the refresh it queues announces itself.
 */
export async function reconnectEntity(
  deps: ConnectDeps,
  entity: EntityRow,
  c: { consentExpiresAt: Date; credentials: BankCredentials; by?: AuditActor },
): Promise<{ entity: EntityRow; refresh: RefreshRow }> {
  const now = deps.now();
  const at = now.toISOString();
  const result = await deps.store.db.transaction().execute(async (trx) => {
    await renewEntityConsent(trx, entity.id, c.consentExpiresAt.toISOString(), at);
    await saveConnection(trx, { entity_id: entity.id, consent_id: c.credentials.consent_id, credentials: sealCredentials(deps.encryptionKey, entity.id, c.credentials), updated_at: at });
    const renewed = (await getEntity(trx, entity.id))!;
    await recordInTransaction(trx, consentEvent('consent.reconnected', renewed, c.by), now);
    return { entity: renewed, refresh: await deps.refreshes.queueRefresh(trx, renewed, 'MANUAL') };
  });
  deps.store.entities.changed(entity.id);
  deps.refreshes.wake();
  return result;
}
