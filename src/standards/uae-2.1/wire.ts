import type { components as Ais } from './generated/account-information.d.ts';
import type { components as Auth } from './generated/authorization-endpoints.d.ts';

/**
 * The UAE v2.1 wire shapes both sides use, named once from the types generated out of the
 * vendored specs (`npm run gen:uae`). Type-only: nothing here exists at run time.
 */
type S = Ais['schemas'];
type A = Auth['schemas'];

export type UaeAuthorizationDetail = A['AEBankDataSharingRichAuthorizationRequestsV21.AEBankDataSharingAuthorizationDetailsProperties'];
export type UaeConsentRequest = UaeAuthorizationDetail['consent'];
export type UaeReadAccount = S['AEReadAccount'];
export type UaeAccount = S['AEReadAccount']['Data']['Account'][number];
export type UaeReadBalance = S['AEReadBalance'];
export type UaeBalance = S['AEReadBalance']['Data']['Balance'][number];
export type UaeReadTransaction = S['AEReadTransaction'];
export type UaeTransaction = S['AETransaction'];
export type UaeReadBeneficiary = S['AEReadBeneficiary'];
export type UaeReadDirectDebit = S['AEReadDirectDebit'];
export type UaeReadStandingOrder = S['AEReadStandingOrder'];
export type UaeReadScheduledPayment = S['AEReadScheduledPayment'];
export type UaeReadParty = S['AEReadParty2'];
export type UaeBeneficiary = S['AEBeneficiary'];
export type UaeDirectDebit = S['AEDirectDebit'];
export type UaeStandingOrder = S['AEStandingOrder'];
export type UaeScheduledPayment = S['AEScheduledPayment'];
export type UaeCashAccount = S['AECashAccount5_0'];
/** A party with a role on one account (`/accounts/{id}/parties`). */
export type UaeAccountParty = S['AEPartyIdentityAssurance2'];
/** The consenting user (`/parties`). */
export type UaeReadUserParty = S['AEReadParty4'];
export type UaeUserParty = S['AEPartyIdentityAssurance4'];
export type UaeVerifiedClaim = S['VerifiedClaim'];
export type UaePersonClaims = S['Claims'];
export type UaeBusinessClaims = S['CorporateClaims'];
export type UaePostalAddress = S['AEPostalAddress'];
