import Type from 'typebox';
import { Compile } from 'typebox/compile';

/**
 * The OBIE v3.1.11 wire format, as far as the connector reads it, checked at the door. Nothing
 * here leaves `src/banks/obie/`. Schemas hold only the fields the mapping reads and let the rest
 * through; code values are plain strings because OBIE's namespaced enumerations are open (a bank
 * may send a code of its own), and the mapping decides what an unknown code means. Amounts and
 * currencies are held to OBIE's patterns here; date-times are parsed by the mapping.
 */

const Text = Type.String();
const Code = Type.String();
const DateTime = Type.String();
const Opt = <T extends Type.TSchema>(schema: T) => Type.Optional(schema);

export const ObAmount = Type.Object({
  /**
   * `OBActiveCurrencyAndAmount_SimpleType`: up to 5 decimals, unsigned in the standard; banks sign
   * them all the same, and the mapping normalises the sign (`../records.ts`).
   */
  Amount: Type.String({ pattern: '^-?\\d{1,13}(\\.\\d{1,5})?$' }),
  Currency: Type.String({ pattern: '^[A-Z]{3}$' }),
});
export type ObAmount = Type.Static<typeof ObAmount>;

/** `OBCashAccount5`/`6`: an account identified by scheme. */
export const ObCashAccount = Type.Object({ SchemeName: Opt(Code), Identification: Opt(Text), Name: Opt(Text) });
export type ObCashAccount = Type.Static<typeof ObCashAccount>;

/** `OBBranchAndFinancialInstitutionIdentification5`/`6`. */
export const ObAgent = Type.Object({ SchemeName: Opt(Code), Identification: Opt(Text), Name: Opt(Text) });
export type ObAgent = Type.Static<typeof ObAgent>;

export const ObAccount = Type.Object({
  AccountId: Text,
  Status: Opt(Code),
  Currency: Opt(Type.String({ pattern: '^[A-Z]{3}$' })),
  AccountSubType: Opt(Code),
  Description: Opt(Text),
  Nickname: Opt(Text),
  OpeningDate: Opt(DateTime),
  Account: Opt(Type.Array(ObCashAccount)),
  Servicer: Opt(ObAgent),
});
export type ObAccount = Type.Static<typeof ObAccount>;

export const ObBalance = Type.Object({
  CreditDebitIndicator: Code,
  Type: Code,
  DateTime,
  Amount: ObAmount,
  CreditLine: Opt(Type.Array(Type.Object({ Included: Type.Boolean(), Type: Opt(Code), Amount: Opt(ObAmount) }))),
});
export type ObBalance = Type.Static<typeof ObBalance>;

export const ObTransaction = Type.Object({
  TransactionId: Opt(Text),
  TransactionReference: Opt(Text),
  CreditDebitIndicator: Code,
  Status: Code,
  BookingDateTime: DateTime,
  ValueDateTime: Opt(DateTime),
  TransactionInformation: Opt(Text),
  Amount: ObAmount,
  BankTransactionCode: Opt(Type.Object({ Code: Text, SubCode: Text })),
  ProprietaryBankTransactionCode: Opt(Type.Object({ Code: Text })),
  MerchantDetails: Opt(Type.Object({ MerchantName: Opt(Text), MerchantCategoryCode: Opt(Text) })),
});
export type ObTransaction = Type.Static<typeof ObTransaction>;

export const ObBeneficiary = Type.Object({
  BeneficiaryId: Opt(Text),
  BeneficiaryType: Opt(Code),
  Reference: Opt(Text),
  CreditorAgent: Opt(ObAgent),
  CreditorAccount: Opt(ObCashAccount),
});
export type ObBeneficiary = Type.Static<typeof ObBeneficiary>;

export const ObDirectDebit = Type.Object({
  DirectDebitId: Opt(Text),
  MandateIdentification: Text,
  DirectDebitStatusCode: Opt(Code),
  Name: Text,
  PreviousPaymentDateTime: Opt(DateTime),
  Frequency: Opt(Code),
  PreviousPaymentAmount: Opt(ObAmount),
});
export type ObDirectDebit = Type.Static<typeof ObDirectDebit>;

export const ObStandingOrder = Type.Object({
  StandingOrderId: Opt(Text),
  Frequency: Text,
  Reference: Opt(Text),
  FirstPaymentDateTime: Opt(DateTime),
  NextPaymentDateTime: Opt(DateTime),
  LastPaymentDateTime: Opt(DateTime),
  FinalPaymentDateTime: Opt(DateTime),
  StandingOrderStatusCode: Opt(Code),
  FirstPaymentAmount: Opt(ObAmount),
  NextPaymentAmount: Opt(ObAmount),
  LastPaymentAmount: Opt(ObAmount),
  FinalPaymentAmount: Opt(ObAmount),
  CreditorAgent: Opt(ObAgent),
  CreditorAccount: Opt(ObCashAccount),
});
export type ObStandingOrder = Type.Static<typeof ObStandingOrder>;

export const ObScheduledPayment = Type.Object({
  ScheduledPaymentId: Opt(Text),
  ScheduledPaymentDateTime: DateTime,
  ScheduledType: Code,
  Reference: Opt(Text),
  InstructedAmount: ObAmount,
  CreditorAgent: Opt(ObAgent),
  CreditorAccount: Opt(ObCashAccount),
});
export type ObScheduledPayment = Type.Static<typeof ObScheduledPayment>;

export const ObParty = Type.Object({
  PartyId: Text,
  PartyType: Opt(Code),
  Name: Opt(Text),
  FullLegalName: Opt(Text),
  AccountRole: Opt(Code),
  EmailAddress: Opt(Text),
  Phone: Opt(Text),
  Mobile: Opt(Text),
  Address: Opt(
    Type.Array(
      Type.Object({
        AddressLine: Opt(Type.Array(Text)),
        StreetName: Opt(Text),
        BuildingNumber: Opt(Text),
        PostCode: Opt(Text),
        TownName: Opt(Text),
        CountrySubDivision: Opt(Text),
        Country: Opt(Text),
      }),
    ),
  ),
});
export type ObParty = Type.Static<typeof ObParty>;


/** The schema of one item of each list resource, by the `Data` key that holds the items: checked record by record. */
export const ITEMS = {
  Account: Compile(ObAccount),
  Balance: Compile(ObBalance),
  Transaction: Compile(ObTransaction),
  Beneficiary: Compile(ObBeneficiary),
  DirectDebit: Compile(ObDirectDebit),
  StandingOrder: Compile(ObStandingOrder),
  ScheduledPayment: Compile(ObScheduledPayment),
  Party: Compile(ObParty),
} as const;

/** `OBReadParty2.Data.Party` (`GET /party`): one party, or none. */
export const SingleParty = Compile(Type.Union([ObParty, Type.Undefined()]));

/** `OBReadConsentResponse1`, as far as the consent id. */
export const ConsentResponse = Compile(Type.Object({ Data: Type.Object({ ConsentId: Type.String({ minLength: 1 }) }) }));

/** RFC 6749 §5.2. */
export const OAuthErrorBody = Compile(Type.Object({ error: Text, error_description: Opt(Text) }));

/** `OBErrorResponse1`, for messages. */
export const ObieErrorBody = Compile(Type.Object({ Errors: Type.Array(Type.Object({ ErrorCode: Opt(Text), Message: Opt(Text) })) }));

/** What `check` needs of a compiled validator. */
export interface Checker<T> {
  Check(value: unknown): value is T;
  Errors(value: unknown): { keyword: string; instancePath: string; message: string }[];
}

/** `value` as the validator's type, or where and how it is wrong (paths relative to `at`). */
export function check<T>(validator: Checker<T>, value: unknown, at = ''): { ok: true; value: T } | { ok: false; problem: string } {
  if (validator.Check(value)) return { ok: true, value };
  // `boolean` entries repeat another failure as "schema is false".
  const first = validator.Errors(value).find((e) => e.keyword !== 'boolean');
  const where = [at, ...(first?.instancePath ?? '').split('/')].filter(Boolean).join('.') || 'the body';
  return { ok: false, problem: `${where} ${first?.message ?? 'is invalid'}` };
}

