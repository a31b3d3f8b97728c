import assert from 'node:assert/strict';
import type { EntitySnapshot } from '../../src/domain/snapshot.ts';

/**
 * `snapshot` less what OBIE cannot carry, so the direct snapshot and one mapped from OBIE JSON
 * compare equal: the national id, birth date and gender (OBIE parties have no such fields), and
 * transaction keys (fingerprints, checked on their own by `assertTransactionKeys`).
 */
export function withoutObieGaps(snapshot: EntitySnapshot): EntitySnapshot {
  return {
    ...snapshot,
    accounts: snapshot.accounts.map((a) => ({
      ...a,
      ...(a.transactions ? { transactions: { ...a.transactions, items: a.transactions.items.map((t) => ({ ...t, key: '' })) } } : {}),
      ...(a.account_identities ? { account_identities: a.account_identities.map((p) => ({ ...p, national_identity_number: null })) } : {}),
    })),
    ...(snapshot.identity ? { identity: { ...snapshot.identity, national_identity_number: null, birth_date: null, gender: null, given_name: null, middle_name: null, family_name: null, nationalities: null } } : {}),
  };
}

/** Every key unique within its account; pending ones by their bank id, booked ones by fingerprint. */
export function assertTransactionKeys(snapshot: EntitySnapshot): void {
  for (const a of snapshot.accounts) {
    const items = a.transactions?.items ?? [];
    assert.equal(new Set(items.map((t) => t.key)).size, items.length, `duplicate keys in ${a.bank_account_id}`);
    for (const t of items) {
      if (t.status === 'PENDING' && t.bank_transaction_id !== null) assert.equal(t.key, `id:${t.bank_transaction_id}`);
      else assert.match(t.key, /^fp:[\w-]{22}$/);
    }
  }
}
