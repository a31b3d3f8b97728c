import Type from 'typebox';
import { Compile } from 'typebox/compile';

/**
 * The KSA 2022.11 wire as the connector reads it, checked at the door. Nothing here leaves
 * `src/banks/ksa/`. Like OBIE's (`../obie/wire.ts`), schemas hold only what the mapping reads and
 * let the rest through, and codes are plain strings the mapping decodes (`./codes.ts`): real KSA
 * banks send values the specification does not allow (`Flags: [null]`, `MerchantId: 0`,
 * `MerchantName: ""`, an unprefixed `Active` beside `KSAOB.*` codes), and those are read, not refused.
 * The exact wire (`src/standards/ksa-2022.11/`) is what the sandbox bank must produce.
 */

const Text = Type.String();
const Code = Type.String();
const DateTime = Type.String();
const Opt = <T extends Type.TSchema>(schema: T) => Type.Optional(schema);
const Nullable = <T extends Type.TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const KsaAmount = Type.Object({
  /** `OBActiveCurrencyAndAmount_SimpleType`: up to 5 decimals, or none (`"32"`); signed by some banks, normalised by the mapping. */
  Amount: Type.String({ pattern: '^-?\\d{1,13}(\\.\\d{1,5})?$' }),
  Currency: Type.String({ pattern: '^[A-Z]{3}$' }),
});
export type KsaAmount = Type.Static<typeof KsaAmount>;

/** `OBCashAccount*`: KSA names the scheme `IdentificationType`. */
export const KsaCashAccount = Type.Object({ IdentificationType: Opt(Code), Identification: Opt(Text), Name: Opt(Text) });
export type KsaCashAccount = Type.Static<typeof KsaCashAccount>;

export const KsaAgent = Type.Object({ IdentificationType: Opt(Code), Identification: Opt(Text), Name: Opt(Text) });
export type KsaAgent = Type.Static<typeof KsaAgent>;

export const KsaAccount = Type.Object({
  AccountId: Text,
  AccountHolderName: Opt(Text),
  AccountHolderShortName: Opt(Text),
  Status: Opt(Code),
  Currency: Opt(Type.String({ pattern: '^[A-Z]{3}$' })),
  AccountType: Opt(Code),
  AccountSubType: Opt(Code),
  Description: Opt(Text),
  Nickname: Opt(Text),
  OpeningDate: Opt(DateTime),
  AccountIdentifiers: Opt(Type.Array(KsaCashAccount)),
  Servicer: Opt(KsaAgent),
});
export type KsaAccount = Type.Static<typeof KsaAccount>;

export const KsaBalance = Type.Object({
  CreditDebitIndicator: Code,
  Type: Code,
  DateTime,
  Amount: KsaAmount,
  CreditLine: Opt(Type.Array(Type.Object({ Included: Type.Boolean(), Type: Opt(Code), Amount: Opt(KsaAmount) }))),
});
export type KsaBalance = Type.Static<typeof KsaBalance>;

export const KsaTransaction = Type.Object({
  TransactionId: Opt(Text),
  TransactionReference: Opt(Text),
  TransactionDateTime: Opt(DateTime),
  LocalTimeZone: Opt(Text),
  TransactionType: Opt(Code),
  SubTransactionType: Opt(Code),
  PaymentModes: Opt(Code),
  TransactionMutability: Opt(Code),
  /** Banks send `[null]` for no flag. */
  Flags: Opt(Nullable(Type.Array(Nullable(Code)))),
  CreditDebitIndicator: Code,
  Status: Code,
  BookingDateTime: DateTime,
  ValueDateTime: Opt(DateTime),
  TransactionInformation: Opt(Text),
  Amount: KsaAmount,
  ChargeAmount: Opt(KsaAmount),
  ChargeAmountVat: Opt(KsaAmount),
  ProprietaryBankTransactionCode: Opt(Type.Object({ Code: Text })),
  /** Banks send `MerchantId: 0` and `MerchantName: ""` for no merchant. */
  MerchantDetails: Opt(Nullable(Type.Object({ MerchantId: Opt(Nullable(Type.Union([Type.Integer(), Text]))), MerchantName: Opt(Nullable(Text)), MerchantCategoryCode: Opt(Nullable(Text)) }))),
  /** `BillerId` is a number in the specification; SADAD biller codes have leading zeros, so text is read too. */
  BillDetails: Opt(Nullable(Type.Object({ BillerId: Opt(Nullable(Type.Union([Type.Number(), Text]))), BillNumber: Opt(Nullable(Text)), BillPaymentType: Opt(Nullable(Code)) }))),
  CreditorAccount: Opt(Type.Array(KsaCashAccount)),
  CreditorAgent: Opt(KsaAgent),
  DebtorAccount: Opt(KsaCashAccount),
  DebtorAgent: Opt(KsaAgent),
});
export type KsaTransaction = Type.Static<typeof KsaTransaction>;

/** OpenID identity-assurance claims as KSA spells them (`OBPartyIdentityAssurance.VerifiedClaims[]`): what the mapping reads. */
export const KsaVerifiedClaim = Type.Object({
  Verification: Opt(
    Type.Object({
      TrustFramework: Opt(Text),
      Evidence: Opt(
        Type.Array(
          Type.Object({
            Type: Opt(Text),
            DocumentDetails: Opt(Type.Object({ Type: Opt(Text), PersonalNumber: Opt(Text), DocumentNumber: Opt(Text) })),
            Record: Opt(Type.Object({ PersonalNumber: Opt(Text) })),
          }),
        ),
      ),
    }),
  ),
  Claims: Opt(
    Type.Object({
      Name: Opt(Text),
      GivenName: Opt(Text),
      MiddleName: Opt(Text),
      FamilyName: Opt(Text),
      Email: Opt(Text),
      Gender: Opt(Text),
      BirthDate: Opt(Text),
      PhoneNumber: Opt(Text),
      Msisdn: Opt(Text),
      Nationalities: Opt(Type.Array(Text)),
      Address: Opt(Type.Object({ Formatted: Opt(Text), StreetAddress: Opt(Text), Locality: Opt(Text), Region: Opt(Text), PostalCode: Opt(Text), Country: Opt(Text) })),
    }),
  ),
});
export type KsaVerifiedClaim = Type.Static<typeof KsaVerifiedClaim>;

export const KsaParty = Type.Object({
  PartyId: Text,
  PartyType: Opt(Code),
  Name: Opt(Text),
  FullLegalName: Opt(Text),
  EmailAddress: Opt(Text),
  Mobile: Opt(Text),
  VerifiedClaims: Opt(Type.Array(KsaVerifiedClaim)),
});
export type KsaParty = Type.Static<typeof KsaParty>;

/** `OBParty` on an account (`/accounts/{id}/parties`): the user's own fields and the role. */
export const KsaAccountParty = Type.Object({ ...KsaParty.properties, AccountRole: Opt(Code) });
export type KsaAccountParty = Type.Static<typeof KsaAccountParty>;

export const KsaBeneficiary = Type.Object({
  BeneficiaryId: Text,
  BeneficiaryType: Opt(Code),
  Reference: Opt(Text),
  CreditorAgent: Opt(KsaAgent),
  CreditorAccount: Opt(Type.Array(KsaCashAccount)),
});
export type KsaBeneficiary = Type.Static<typeof KsaBeneficiary>;

export const KsaDirectDebit = Type.Object({
  DirectDebitId: Text,
  MandateIdentification: Text,
  DirectDebitStatusCode: Opt(Code),
  Name: Text,
  PreviousPaymentDateTime: Opt(DateTime),
  PreviousPaymentAmount: Opt(KsaAmount),
});
export type KsaDirectDebit = Type.Static<typeof KsaDirectDebit>;

export const KsaStandingOrder = Type.Object({
  StandingOrderId: Text,
  Frequency: Text,
  Reference: Opt(Text),
  FirstPaymentDateTime: Opt(DateTime),
  NextPaymentDateTime: Opt(DateTime),
  LastPaymentDateTime: Opt(DateTime),
  FinalPaymentDateTime: Opt(DateTime),
  StandingOrderStatusCode: Opt(Code),
  FirstPaymentAmount: Opt(KsaAmount),
  NextPaymentAmount: Opt(KsaAmount),
  LastPaymentAmount: Opt(KsaAmount),
  FinalPaymentAmount: Opt(KsaAmount),
  CreditorAgent: Opt(KsaAgent),
  CreditorAccount: Opt(Type.Array(KsaCashAccount)),
});
export type KsaStandingOrder = Type.Static<typeof KsaStandingOrder>;

export const KsaScheduledPayment = Type.Object({
  ScheduledPaymentId: Text,
  ScheduledType: Opt(Code),
  ScheduledPaymentDateTime: DateTime,
  CreditorReference: Opt(Text),
  DebtorReference: Opt(Text),
  InstructedAmount: KsaAmount,
  CreditorAgent: Opt(KsaAgent),
  CreditorAccount: Opt(Type.Array(KsaCashAccount)),
});
export type KsaScheduledPayment = Type.Static<typeof KsaScheduledPayment>;


/** The schema of one item of each list, by its `Data` key: checked record by record. */
export const ITEMS = {
  Account: Compile(KsaAccount),
  Balance: Compile(KsaBalance),
  Transaction: Compile(KsaTransaction),
  Party: Compile(KsaAccountParty),
  Beneficiary: Compile(KsaBeneficiary),
  DirectDebit: Compile(KsaDirectDebit),
  StandingOrder: Compile(KsaStandingOrder),
  ScheduledPayment: Compile(KsaScheduledPayment),
} as const;

/**
 * `/parties`' `Data.Party`: one party (openlean's description), or the list the published
 * specification has (`OBReadParty3`, whose first entry is the user); absent when the bank has none.
 */
export const SingleParty = Compile(Type.Union([KsaParty, Type.Array(KsaParty), Type.Undefined()]));

/** `OBReadConsentResponse`, as far as the consent id. */
export const ConsentResponse = Compile(Type.Object({ Data: Type.Object({ ConsentId: Type.String({ minLength: 1 }) }) }));
