import { createBankRegistry } from '../../src/banks/registry.ts';
import type { Permission } from '../../src/domain/permissions.ts';
import type { EntitySnapshot } from '../../src/domain/snapshot.ts';
import { toEntitySnapshot } from '../../src/sandbox-bank/direct-snapshot.ts';
import { generateCustomer } from '../../src/sandbox-bank/generator/index.ts';
import type { Profile } from '../../src/sandbox-bank/generator/model.ts';

/**
 * What a sandbox entity must hold, computed independently of the server from the bank's own
 * generator, for the same bank, login and moment the entity was created.
 */
export function expectedSnapshot(entity: { bank_identifier: string; created_at: string; permissions: Permission[] }, login: string, profile: Profile = 'default'): EntitySnapshot {
  const bank = createBankRegistry().get(entity.bank_identifier)!;
  const asOf = new Date(entity.created_at);
  return toEntitySnapshot(generateCustomer(bank, login, asOf, { profile }), bank, entity.permissions, asOf);
}
