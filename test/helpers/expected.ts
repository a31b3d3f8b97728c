import type { AccountIdentity, Identity } from '../../src/domain/bank-data.ts';
import type { Permission } from '../../src/domain/permissions.ts';
import type { EntitySnapshot } from '../../src/domain/snapshot.ts';
import { toEntitySnapshot } from './direct-snapshot.ts';
import { generateCustomer } from '../../src/sandbox-bank/generator/index.ts';
import type { Profile } from '../../src/sandbox-bank/generator/model.ts';
import { SANDBOX_BANK_PROFILES, type SandboxBankProfile } from '../../src/sandbox-bank/profiles.ts';

const sandboxBank = (identifier: string): SandboxBankProfile => SANDBOX_BANK_PROFILES.find((b) => b.identifier === identifier)!;

/** The sandbox bank serves its data as of whole minutes. */
const minuteOf = (iso: string) => new Date(Math.floor(Date.parse(iso) / 60_000) * 60_000);

/** National id, birth date, gender and the name parts are KYC data the bank has but OBIE parties cannot carry. */
function throughObie<T extends AccountIdentity | Identity>(party: T): T {
  return {
    ...party,
    national_identity_number: null,
    ...('birth_date' in party ? { birth_date: null, gender: null, given_name: null, middle_name: null, family_name: null, nationalities: null } : {}),
  };
}

/**
 * The minute the bank's data was as of, read from the served interim balance (stamped with it), so
 * a refresh that ran just after a minute turned is compared with the right minute.
 */
export function servedAsOf(balances: Array<{ type: string; timestamp: string }>): Date {
  return new Date(balances.find((b) => b.type === 'INTERIM_BOOKED')!.timestamp);
}

/**
 * What a sandbox entity must hold, computed independently of the server from the bank's own
 * generator, for the same bank, login and minute the entity's INITIAL refresh read the bank at.
 */
export function expectedSnapshot(
  entity: { bank_identifier: string; created_at: string; permissions: Permission[] },
  login: string,
  profile: Profile = 'default',
  /** The instant the bank answered as of, when the test knows it better than the creation time does. */
  asOf: Date = minuteOf(entity.created_at),
): EntitySnapshot {
  const bank = sandboxBank(entity.bank_identifier);
  const snapshot = toEntitySnapshot(generateCustomer(bank, login, asOf, { profile }), bank, entity.permissions, asOf);
  return {
    ...snapshot,
    ...(snapshot.identity ? { identity: throughObie(snapshot.identity) } : {}),
    accounts: snapshot.accounts.map((a) => (a.account_identities ? { ...a, account_identities: a.account_identities.map(throughObie) } : a)),
  };
}

/**
 * The transaction counts, per account, the bank held at each whole minute from `from` to `to`:
 * a refresh reads the bank at one of them, and which one depends on when its fetch ran.
 */
export function bankCountsBetween(bankIdentifier: string, login: string, profile: Profile, from: string, to: string): Array<Set<number>> {
  const bank = sandboxBank(bankIdentifier);
  const counts: Array<Set<number>> = [];
  for (let minute = minuteOf(from).getTime(); minute <= minuteOf(to).getTime(); minute += 60_000) {
    generateCustomer(bank, login, new Date(minute), { profile }).accounts.forEach((a, i) => (counts[i] ??= new Set()).add(a.transactions.length));
  }
  return counts;
}
