import type { Kysely } from 'kysely';
import type { Principal } from '../auth/tokens.ts';
import { notFound } from '../errors/api-error.ts';
import { findEntity } from '../store/entities.ts';
import type { DB, EntityRow } from '../store/schema.ts';

/**
 * The entity, when it exists, belongs to the caller's application and to that customer, and the
 * token may act for the customer; otherwise a 404 that cannot tell those cases apart.
 */
export async function findCustomerEntity(db: Kysely<DB>, principal: Principal, customerId: string, entityId: string): Promise<EntityRow> {
  const limited = principal.scope.kind === 'customer' && principal.scope.customerId !== customerId;
  const row = limited ? undefined : await findEntity(db, principal.appId, entityId);
  if (!row || row.customer_id !== customerId) throw notFound('Entity', entityId);
  return row;
}
