import { PERMISSIONS, type Permission } from '../../domain/permissions.ts';

/** The `OBReadConsent1.Data.Permissions` codes openlean asks for. */
export type ObPermission =
  | 'ReadAccountsDetail'
  | 'ReadBalances'
  | 'ReadTransactionsDetail'
  | 'ReadTransactionsCredits'
  | 'ReadTransactionsDebits'
  | 'ReadBeneficiariesDetail'
  | 'ReadDirectDebits'
  | 'ReadStandingOrdersDetail'
  | 'ReadScheduledPaymentsDetail'
  | 'ReadParty'
  | 'ReadPartyPSU';

/**
 * The OBIE codes each Lean permission needs. Always the `Detail` level: the Lean resources carry
 * the counterparties, narratives and merchants that `Basic` leaves out. Transactions need a
 * direction besides the level (OBIE's consistency rule), and Lean's transactions are both ways.
 * `identity` covers the parties on each account (`ReadParty`) and the user (`ReadPartyPSU`).
 */
const OBIE_PERMISSIONS = {
  accounts: ['ReadAccountsDetail'],
  balance: ['ReadBalances'],
  transactions: ['ReadTransactionsDetail', 'ReadTransactionsCredits', 'ReadTransactionsDebits'],
  identity: ['ReadParty', 'ReadPartyPSU'],
  direct_debits: ['ReadDirectDebits'],
  standing_orders: ['ReadStandingOrdersDetail'],
  scheduled_payments: ['ReadScheduledPaymentsDetail'],
  beneficiaries: ['ReadBeneficiariesDetail'],
} as const satisfies Record<Permission, readonly ObPermission[]>;

/**
 * The consent's OBIE permission codes for Lean `permissions`, without repeats, in a stable order.
 * `ReadAccountsDetail` is always there: every other resource is reached through the account list.
 */
export function obiePermissions(permissions: readonly Permission[]): ObPermission[] {
  const granted = PERMISSIONS.filter((p) => p === 'accounts' || permissions.includes(p));
  return [...new Set(granted.flatMap((p): readonly ObPermission[] => OBIE_PERMISSIONS[p]))];
}
