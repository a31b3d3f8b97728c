import { randomUUID } from 'node:crypto';
import type { BankDefinition } from '../banks/registry.ts';
import type { Permission } from '../domain/permissions.ts';
import { normalizePermissions } from '../domain/permissions.ts';
import { toEntitySnapshot } from '../sandbox-bank/direct-snapshot.ts';
import { generateCustomer } from '../sandbox-bank/generator/index.ts';
import type { Profile } from '../sandbox-bank/generator/model.ts';
import type { Store } from '../store/database.ts';
import { applySnapshot } from '../store/bank-data.ts';
import { findEntity, insertEntity } from '../store/entities.ts';
import type { CustomerRow, EntityRow } from '../store/schema.ts';

export interface SandboxEntityRequest {
  customer: CustomerRow;
  bank: BankDefinition;
  permissions: readonly Permission[];
  /** Which of the sandbox bank's users to connect as; the data is a pure function of (bank, login, profile). */
  login: string;
  profile: Profile;
  consentExpiresAt: Date;
  now: Date;
}

/**
 * Creates an entity at a sandbox bank without the browser journey and fills it with the bank's
 * data for that login, through the store's one write path.
 */
export async function createSandboxEntity(store: Store, req: SandboxEntityRequest): Promise<EntityRow> {
  const id = randomUUID();
  const permissions = normalizePermissions(req.permissions);
  const at = req.now.toISOString();
  const generated = generateCustomer(req.bank, req.login, req.now, { profile: req.profile });
  await insertEntity(store.db, {
    id,
    app_id: req.customer.app_id,
    customer_id: req.customer.id,
    bank_identifier: req.bank.identifier,
    permissions: JSON.stringify(permissions),
    status: 'ACTIVE',
    consent_expires_at: req.consentExpiresAt.toISOString(),
    created_at: at,
    updated_at: at,
  });
  await applySnapshot(store, id, toEntitySnapshot(generated, req.bank, permissions, req.now));
  return (await findEntity(store.db, req.customer.app_id, id))!;
}
