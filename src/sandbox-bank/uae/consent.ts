import Type from 'typebox';
import { Compile } from 'typebox/compile';
import { StringEnum } from '../../domain/typebox.ts';
import { ACCOUNT_SUB_TYPES, ACCOUNT_TYPES, BILLING_PURPOSES, BILLING_USER_TYPES, PERMISSIONS, RAR_TYPE } from '../../standards/uae-2.1/codes.ts';
import type { UaeAuthorizationDetail } from '../../standards/uae-2.1/wire.ts';
import type { StoredConsentStatus } from '../state.ts';

/**
 * The UAE v2.1 bank data sharing consent as the sandbox bank's authorization server receives it:
 * RAR `authorization_details` (RFC 9396) of type `urn:openfinanceuae:account-access-consent:v2.1`
 * inside the pushed, signed request object. Checked against the spec's
 * `AEBankDataSharingAuthorizationDetailsProperties` (required fields, code lists, no strangers).
 */
const AuthorizationDetail = Compile(
  Type.Object(
    {
      type: Type.Literal(RAR_TYPE),
      consent: Type.Object(
        {
          ConsentId: Type.String({ minLength: 1, maxLength: 128 }),
          BaseConsentId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
          Permissions: Type.Array(StringEnum(PERMISSIONS), { minItems: 1 }),
          ExpirationDateTime: Type.String({ format: 'date-time' }),
          FromDate: Type.Optional(Type.String({ format: 'date' })),
          ToDate: Type.Optional(Type.String({ format: 'date' })),
          AccountType: Type.Optional(Type.Array(StringEnum(ACCOUNT_TYPES))),
          AccountSubType: Type.Optional(Type.Array(StringEnum(ACCOUNT_SUB_TYPES))),
          OnBehalfOf: Type.Optional(Type.Object({}, { additionalProperties: true })),
          OpenFinanceBilling: Type.Object({ UserType: StringEnum(BILLING_USER_TYPES), Purpose: StringEnum(BILLING_PURPOSES) }, { additionalProperties: false }),
        },
        { additionalProperties: false },
      ),
      subscription: Type.Optional(Type.Object({}, { additionalProperties: true })),
    },
    { additionalProperties: false },
  ),
);

/** The detail as the spec's type, or the reason it is not one (for `invalid_authorization_details`). */
export function checkAuthorizationDetail(detail: unknown): { ok: true; value: UaeAuthorizationDetail } | { ok: false; problem: string } {
  if (AuthorizationDetail.Check(detail)) return { ok: true, value: detail as UaeAuthorizationDetail };
  const first = AuthorizationDetail.Errors(detail).find((e) => e.keyword !== 'boolean');
  return { ok: false, problem: first ? `${first.instancePath || '/'} ${first.message}` : 'invalid' };
}

/** The consent id of a request's UAE authorization details (a JSON string or already parsed), or null. */
export function consentIdOfDetails(details: unknown): string | null {
  let parsed = details;
  if (typeof details === 'string') {
    try {
      parsed = JSON.parse(details);
    } catch {
      return null;
    }
  }
  if (!Array.isArray(parsed)) return null;
  const uae = parsed.find((d) => (d as { type?: unknown } | null)?.type === RAR_TYPE) as { consent?: { ConsentId?: unknown } } | undefined;
  const id = uae?.consent?.ConsentId;
  return typeof id === 'string' && id ? id : null;
}

/** The stored (OBIE-spelt) status as the UAE spells it. */
export const UAE_STATUS = {
  AwaitingAuthorisation: 'AwaitingAuthorization',
  Authorised: 'Authorized',
  Rejected: 'Rejected',
  Revoked: 'Revoked',
  Expired: 'Expired',
} as const satisfies Record<StoredConsentStatus | 'Expired', string>;
