import { PERMISSIONS, type Permission } from '../../domain/permissions.ts';
import type { UaePermission } from '../../standards/uae-2.1/codes.ts';

/**
 * The UAE permission codes each Lean permission needs: always the `Detail` level (Lean carries
 * counterparties, narratives and merchants). `identity` is the account parties (`ReadParty`) and
 * the user with their verified claims (`ReadPartyUser`, `ReadPartyUserIdentity`).
 */
const UAE_PERMISSIONS = {
  accounts: ['ReadAccountsDetail'],
  balance: ['ReadBalances'],
  transactions: ['ReadTransactionsDetail'],
  identity: ['ReadParty', 'ReadPartyUser', 'ReadPartyUserIdentity'],
  direct_debits: ['ReadDirectDebits'],
  standing_orders: ['ReadStandingOrdersDetail'],
  scheduled_payments: ['ReadScheduledPaymentsDetail'],
  beneficiaries: ['ReadBeneficiariesDetail'],
} as const satisfies Record<Permission, readonly UaePermission[]>;

/** The consent's UAE codes for Lean `permissions`; `ReadAccountsDetail` always, as every resource hangs off an account. */
export function uaePermissions(permissions: readonly Permission[]): UaePermission[] {
  const granted = PERMISSIONS.filter((p) => p === 'accounts' || permissions.includes(p));
  return [...new Set(granted.flatMap((p): readonly UaePermission[] => UAE_PERMISSIONS[p]))];
}
