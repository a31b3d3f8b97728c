/**
 * Why a Link journey ended without a connection: the `reason` of the callback (`status=ERROR`)
 * and of the SDK's result. Stable: clients switch on them.
 */
export const LINK_REASONS = [
  /** The user declined at the bank. */
  'USER_DENIED',
  /** The user entered a wrong one-time code too many times at the bank. */
  'OTP_FAILED',
  /** The bank could not be reached, refused openlean, or answered with something unexpected. */
  'BANK_UNAVAILABLE',
  /** The journey is unknown, already finished, or expired (a replayed or stale `state`). */
  'STATE_INVALID',
  /** The customer token was genuine but expired before the journey opened. */
  'TOKEN_EXPIRED',
  /** The customer token was not one openlean issued for a customer. */
  'TOKEN_INVALID',
  /** The user cancelled on openlean's pages (or closed the SDK's window). */
  'CANCELLED',
  /** The entity being reconnected was deleted during the journey. */
  'ENTITY_REVOKED',
  /** The journey's URL was malformed: a bad parameter, an unknown bank or entity. */
  'INVALID_REQUEST',
  'INTERNAL_ERROR',
] as const;

export type LinkReason = (typeof LINK_REASONS)[number];

/** Where a journey's result goes: the caller's page (redirect) and/or the SDK's opener (postMessage). */
export interface ReturnTarget {
  redirectUri: string | null;
  origin: string | null;
}

/**
 * A request the Link pages refuse; rendered as an HTML error page with `status`. `target` is
 * where the refusal may be reported, once the parameters naming it were found valid.
 */
export class LinkError extends Error {
  readonly status: number;
  readonly reason: LinkReason;
  readonly target: ReturnTarget | null;

  constructor(status: number, reason: LinkReason, detail: string, target: ReturnTarget | null = null) {
    super(detail);
    this.name = 'LinkError';
    this.status = status;
    this.reason = reason;
    this.target = target;
  }
}
