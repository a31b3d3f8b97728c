/** What an end user can consent to, in Lean's vocabulary. */
export const PERMISSIONS = [
  'accounts',
  'balance',
  'transactions',
  'identity',
  'direct_debits',
  'standing_orders',
  'scheduled_payments',
  'beneficiaries',
] as const;

export type Permission = (typeof PERMISSIONS)[number];

/** The data resources an entity's refresh fetches and the read API serves. */
export type DataResource =
  | 'accounts'
  | 'balances'
  | 'transactions'
  | 'beneficiaries'
  | 'direct_debits'
  | 'standing_orders'
  | 'scheduled_payments'
  | 'account_identities'
  | 'identity';

/** The permission each resource needs; `satisfies` keeps the map exhaustive. */
export const PERMISSION_FOR = {
  accounts: 'accounts',
  balances: 'balance',
  transactions: 'transactions',
  beneficiaries: 'beneficiaries',
  direct_debits: 'direct_debits',
  standing_orders: 'standing_orders',
  scheduled_payments: 'scheduled_payments',
  account_identities: 'identity',
  identity: 'identity',
} as const satisfies Record<DataResource, Permission>;

/** Every data resource, in the order refreshes report them. */
export const DATA_RESOURCES = Object.keys(PERMISSION_FOR) as DataResource[];

export function isPermission(value: string): value is Permission {
  return (PERMISSIONS as readonly string[]).includes(value);
}

/** Sorted, de-duplicated, so equal grants compare and store equal. */
export function normalizePermissions(values: readonly Permission[]): Permission[] {
  return PERMISSIONS.filter((p) => values.includes(p));
}
