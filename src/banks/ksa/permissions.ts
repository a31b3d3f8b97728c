import { PERMISSIONS, type Permission } from '../../domain/permissions.ts';
import type { KsaPermission } from '../../standards/ksa-2022.11/codes.ts';

/**
 * The KSA permission codes each Lean permission needs: the `Detail` level, as for OBIE, and both
 * transaction directions. `identity` is the user (`ReadPartyPSU`), what the bank's KYC verified of
 * them (`ReadPartyPSUIdentity`: national id, birth date, nationality, address) and the parties on
 * each account (`ReadParty`).
 */
const KSA_PERMISSIONS = {
  accounts: ['ReadAccountsDetail'],
  balance: ['ReadBalances'],
  transactions: ['ReadTransactionsDetail', 'ReadTransactionsCredits', 'ReadTransactionsDebits'],
  identity: ['ReadParty', 'ReadPartyPSU', 'ReadPartyPSUIdentity'],
  direct_debits: ['ReadDirectDebits'],
  standing_orders: ['ReadStandingOrdersDetail'],
  scheduled_payments: ['ReadScheduledPaymentsDetail'],
  beneficiaries: ['ReadBeneficiariesDetail'],
} as const satisfies Record<Permission, readonly KsaPermission[]>;

/** The consent's KSA codes for Lean `permissions`, without repeats; `ReadAccountsDetail` always. */
export function ksaPermissions(permissions: readonly Permission[]): KsaPermission[] {
  const granted = PERMISSIONS.filter((p) => p === 'accounts' || permissions.includes(p));
  return [...new Set(granted.flatMap((p): readonly KsaPermission[] => KSA_PERMISSIONS[p]))];
}
