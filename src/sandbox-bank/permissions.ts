/** OBIE v3.1.11 `OBReadConsent1.Data.Permissions` codes. */
export const OB_PERMISSIONS = [
  'ReadAccountsBasic',
  'ReadAccountsDetail',
  'ReadBalances',
  'ReadBeneficiariesBasic',
  'ReadBeneficiariesDetail',
  'ReadDirectDebits',
  'ReadOffers',
  'ReadPAN',
  'ReadParty',
  'ReadPartyPSU',
  'ReadProducts',
  'ReadScheduledPaymentsBasic',
  'ReadScheduledPaymentsDetail',
  'ReadStandingOrdersBasic',
  'ReadStandingOrdersDetail',
  'ReadStatementsBasic',
  'ReadStatementsDetail',
  'ReadTransactionsBasic',
  'ReadTransactionsCredits',
  'ReadTransactionsDebits',
  'ReadTransactionsDetail',
] as const;

export type ObPermission = (typeof OB_PERMISSIONS)[number];

/** The resources this bank serves, each behind its permissions. */
export type AisResource =
  | 'accounts'
  | 'balances'
  | 'transactions'
  | 'beneficiaries'
  | 'direct-debits'
  | 'standing-orders'
  | 'scheduled-payments'
  | 'parties'
  | 'party';

/** Any one of `basic` grants the resource; `detail` (when present) adds the detailed fields. */
const GRANTS: Record<AisResource, { basic: readonly ObPermission[]; detail?: ObPermission }> = {
  accounts: { basic: ['ReadAccountsBasic', 'ReadAccountsDetail'], detail: 'ReadAccountsDetail' },
  balances: { basic: ['ReadBalances'] },
  transactions: { basic: ['ReadTransactionsBasic', 'ReadTransactionsDetail'], detail: 'ReadTransactionsDetail' },
  beneficiaries: { basic: ['ReadBeneficiariesBasic', 'ReadBeneficiariesDetail'], detail: 'ReadBeneficiariesDetail' },
  'direct-debits': { basic: ['ReadDirectDebits'] },
  'standing-orders': { basic: ['ReadStandingOrdersBasic', 'ReadStandingOrdersDetail'], detail: 'ReadStandingOrdersDetail' },
  'scheduled-payments': { basic: ['ReadScheduledPaymentsBasic', 'ReadScheduledPaymentsDetail'], detail: 'ReadScheduledPaymentsDetail' },
  parties: { basic: ['ReadParty'] },
  party: { basic: ['ReadPartyPSU'] },
};

export interface ResourceGrant {
  detail: boolean;
  /** Transactions only: which directions the consent lets through. */
  credits: boolean;
  debits: boolean;
}

/** What the consent lets a caller see of `resource`, or null when it does not cover it. */
export function grantFor(resource: AisResource, permissions: readonly ObPermission[]): ResourceGrant | null {
  const { basic, detail } = GRANTS[resource];
  if (!basic.some((p) => permissions.includes(p))) return null;
  const grant = {
    detail: detail !== undefined && permissions.includes(detail),
    credits: permissions.includes('ReadTransactionsCredits'),
    debits: permissions.includes('ReadTransactionsDebits'),
  };
  if (resource === 'transactions' && !grant.credits && !grant.debits) return null;
  return grant;
}

/** The permission a caller lacks for `resource`, for the error message. */
export function missingPermission(resource: AisResource): string {
  const { basic } = GRANTS[resource];
  return resource === 'transactions' ? `${basic.join(' or ')} with ReadTransactionsCredits or ReadTransactionsDebits` : basic.join(' or ');
}

/**
 * OBIE's consistency rule: a transactions permission needs a direction (Credits/Debits) and a
 * direction needs a level (Basic/Detail). Returns what is wrong, or null.
 */
export function permissionsProblem(permissions: readonly ObPermission[]): string | null {
  const level = permissions.includes('ReadTransactionsBasic') || permissions.includes('ReadTransactionsDetail');
  const direction = permissions.includes('ReadTransactionsCredits') || permissions.includes('ReadTransactionsDebits');
  if (level && !direction) return 'ReadTransactionsBasic/Detail need ReadTransactionsCredits or ReadTransactionsDebits';
  if (direction && !level) return 'ReadTransactionsCredits/Debits need ReadTransactionsBasic or ReadTransactionsDetail';
  return null;
}
