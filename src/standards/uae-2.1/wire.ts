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
