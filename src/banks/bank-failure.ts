import { BankError, type BankErrorKind } from './connector.ts';

/**
 * The stable code a client is told for each kind of bank failure: a refresh's `error.code` (the
 * refresh's vocabulary includes every one), and BANK_UNAVAILABLE, whatever the kind, where the
 * Link journey or the sandbox shortcut could not go on.
 */
export const CODE_FOR_BANK_ERROR = {
  reconnect_required: 'RECONNECT_REQUIRED',
  unavailable: 'BANK_UNAVAILABLE',
  malformed: 'BANK_RESPONSE_INVALID',
  rate_limited: 'BANK_RATE_LIMITED',
  rejected: 'BANK_REJECTED',
} as const satisfies Record<BankErrorKind, string>;

export type BankFailureCode = (typeof CODE_FOR_BANK_ERROR)[BankErrorKind];

export interface BankFailure {
  code: BankFailureCode;
  /** The connector's message, and the resource being fetched when there was one: `… (fetching transactions)`. */
  detail: string;
}

/**
 * What a client may be told of `err`, thrown while talking to a bank: the one place a `BankError`
 * becomes a code and a detail. Null for anything else, which is openlean's own fault: the caller
 * reports it as INTERNAL_ERROR and tells the client no more.
 *
 * @example bankFailure(new BankError('malformed', 'GET accounts: no Data', { resource: 'accounts' }))
 * // → { code: 'BANK_RESPONSE_INVALID', detail: 'GET accounts: no Data (fetching accounts)' }
 */
export function bankFailure(err: BankError): BankFailure;
export function bankFailure(err: unknown): BankFailure | null;
export function bankFailure(err: unknown): BankFailure | null {
  if (!(err instanceof BankError)) return null;
  return { code: CODE_FOR_BANK_ERROR[err.kind], detail: err.resource ? `${err.message} (fetching ${err.resource})` : err.message };
}
