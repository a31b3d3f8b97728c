import Type from 'typebox';
import { Compile } from 'typebox/compile';

/**
 * The UAE v2.1 records as far as the mapping reads them, checked one by one at the door (the full
 * wire types are `src/standards/uae-2.1/wire.ts`, type-only). Like OBIE's (`../obie/wire.ts`):
 * only what the mapping needs to be there and of the right type; codes are plain strings, decoded
 * by the mapping; amounts may be signed (normalised by the mapping). A record that fails is
 * skipped and counted (`../records.ts`).
 */

const Text = Type.String();
const Opt = <T extends Type.TSchema>(schema: T) => Type.Optional(schema);

const Amount = Type.Object({ Amount: Type.String({ pattern: '^-?\\d{1,13}(\\.\\d{1,5})?$' }), Currency: Type.String({ pattern: '^[A-Z]{3}$' }) });
const Scheme = Type.Object({ SchemeName: Text, Identification: Text });
const Creditor = { CreditorAccount: Opt(Type.Array(Scheme)), CreditorAgent: Opt(Scheme) };

/** One item of each list, by the `Data` key that holds the items. */
export const ITEMS = {
  Account: Compile(
    Type.Object({
      AccountId: Text,
      Status: Opt(Text),
      AccountSubType: Opt(Text),
      Currency: Opt(Type.String({ pattern: '^[A-Z]{3}$' })),
      OpeningDate: Opt(Text),
      AccountIdentifiers: Opt(Type.Array(Scheme)),
      Servicer: Opt(Scheme),
    }),
  ),
  Balance: Compile(Type.Object({ CreditDebitIndicator: Text, Type: Text, DateTime: Text, Amount })),
  Transaction: Compile(
    Type.Object({
      TransactionId: Text,
      CreditDebitIndicator: Text,
      Status: Text,
      BookingDateTime: Text,
      ValueDateTime: Opt(Text),
      Amount,
    }),
  ),
  Beneficiary: Compile(Type.Object({ BeneficiaryId: Text, ...Creditor })),
  DirectDebit: Compile(Type.Object({ DirectDebitId: Text, MandateIdentification: Text, Name: Text, PreviousPaymentDateTime: Opt(Text), PreviousPaymentAmount: Opt(Amount) })),
  StandingOrder: Compile(
    Type.Object({
      StandingOrderId: Text,
      Frequency: Text,
      FirstPaymentDateTime: Opt(Text),
      NextPaymentDateTime: Opt(Text),
      LastPaymentDateTime: Opt(Text),
      FinalPaymentDateTime: Opt(Text),
      FirstPaymentAmount: Opt(Amount),
      NextPaymentAmount: Opt(Amount),
      LastPaymentAmount: Opt(Amount),
      FinalPaymentAmount: Opt(Amount),
      ...Creditor,
    }),
  ),
  ScheduledPayment: Compile(Type.Object({ ScheduledPaymentId: Text, ScheduledPaymentDateTime: Text, InstructedAmount: Amount, ...Creditor })),
  Party: Compile(Type.Object({ PartyId: Text })),
} as const;
export type ListKey = keyof typeof ITEMS;
