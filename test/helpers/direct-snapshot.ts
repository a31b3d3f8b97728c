import type { SandboxBankProfile } from '../../src/sandbox-bank/profiles.ts';
import type {
  Account,
  AccountIdentity,
  AccountType,
  Amount,
  Balance,
  BalanceType as DomainBalanceType,
  Beneficiary,
  CreditDebit as DomainCreditDebit,
  DirectDebit,
  Identity,
  ScheduledPayment,
  StandingOrder,
} from '../../src/domain/bank-data.ts';
import { toAmount, toMinor } from '../../src/domain/money.ts';
import { PERMISSION_FOR, type DataResource, type Permission } from '../../src/domain/permissions.ts';
import type { EntitySnapshot, FetchedAccount, FetchedTransaction } from '../../src/domain/snapshot.ts';
import type {
  AccountRole,
  AccountStatus,
  AccountSubType,
  BalanceType,
  CashAccount,
  CreditDebit,
  CreditLineType,
  DirectDebitFrequency,
  FinancialInstitution,
  Gender,
  GeneratedAccount,
  GeneratedCustomer,
  GeneratedParty,
  GeneratedTransaction,
  InstructionStatus,
  ObAmount,
  PartyType,
  PostalAddress,
} from '../../src/sandbox-bank/generator/model.ts';

/**
 * The sandbox bank's data for a customer as the domain snapshot a refresh would have produced,
 * without going through OBIE over HTTP: the tests' independent oracle of what an entity must hold
 * (and of what the connector's mapping must produce), and the bench's source of rows. Resources the permissions do not cover are left
 * undefined, as a refresh that could not fetch them leaves them.
 */

const ACCOUNT_TYPES = {
  CurrentAccount: 'CURRENT',
  Savings: 'SAVINGS',
  CreditCard: 'CREDIT_CARD',
  Loan: 'LOAN',
} as const satisfies Record<AccountSubType, AccountType>;

const ACCOUNT_STATUSES = {
  Enabled: 'ENABLED',
  Disabled: 'DISABLED',
  Deleted: 'DELETED',
  Pending: 'PENDING',
  ProForma: 'PRO_FORMA',
} as const satisfies Record<AccountStatus, Account['status']>;

const BALANCE_TYPES = {
  ClosingAvailable: 'CLOSING_AVAILABLE',
  ClosingBooked: 'CLOSING_BOOKED',
  ClosingCleared: 'CLOSING_CLEARED',
  Expected: 'EXPECTED',
  ForwardAvailable: 'FORWARD_AVAILABLE',
  Information: 'INFORMATION',
  InterimAvailable: 'INTERIM_AVAILABLE',
  InterimBooked: 'INTERIM_BOOKED',
  InterimCleared: 'INTERIM_CLEARED',
  OpeningAvailable: 'OPENING_AVAILABLE',
  OpeningBooked: 'OPENING_BOOKED',
  OpeningCleared: 'OPENING_CLEARED',
  PreviouslyClosedBooked: 'PREVIOUSLY_CLOSED_BOOKED',
} as const satisfies Record<BalanceType, DomainBalanceType>;

const CREDIT_DEBIT = { Credit: 'CREDIT', Debit: 'DEBIT' } as const satisfies Record<CreditDebit, DomainCreditDebit>;

const ENTRY_STATUSES = {
  Booked: 'BOOKED',
  Pending: 'PENDING',
} as const satisfies Record<GeneratedTransaction['status'], FetchedTransaction['status']>;

const CREDIT_LINE_TYPES = {
  Available: 'AVAILABLE',
  Credit: 'CREDIT',
  Emergency: 'EMERGENCY',
  'Pre-Agreed': 'PRE_AGREED',
  Temporary: 'TEMPORARY',
} as const satisfies Record<CreditLineType, string>;

const PARTY_TYPES = {
  Sole: 'SOLE',
  Joint: 'JOINT',
  Delegate: 'DELEGATE',
} as const satisfies Record<PartyType, NonNullable<Identity['party_type']>>;

const ACCOUNT_ROLES = {
  'UK.OBIE.Principal': 'PRINCIPAL',
  'UK.OBIE.SecondaryOwner': 'SECONDARY_OWNER',
  'UK.OBIE.OtherParty': 'OTHER_PARTY',
} as const satisfies Record<AccountRole, string>;

const INSTRUCTION_STATUSES = {
  Active: 'ACTIVE',
  Inactive: 'INACTIVE',
} as const satisfies Record<InstructionStatus, NonNullable<DirectDebit['status']>>;

const DIRECT_DEBIT_FREQUENCIES = {
  'UK.OBIE.Monthly': 'MONTHLY',
  'UK.OBIE.Quarterly': 'QUARTERLY',
  'UK.OBIE.Annual': 'ANNUAL',
} as const satisfies Record<DirectDebitFrequency, string>;

const SCHEDULE_TYPES = {
  Arrival: 'ARRIVAL',
  Execution: 'EXECUTION',
} as const satisfies Record<'Arrival' | 'Execution', ScheduledPayment['type']>;

const BENEFICIARY_TYPES = {
  Trusted: 'TRUSTED',
  Ordinary: 'ORDINARY',
} as const satisfies Record<'Trusted' | 'Ordinary', NonNullable<Beneficiary['type']>>;

const GENDERS = { Male: 'MALE', Female: 'FEMALE' } as const satisfies Record<Gender, string>;

function amountOf(amount: ObAmount): Amount {
  return { amount: toAmount(toMinor(amount.amount, amount.currency), amount.currency), currency: amount.currency };
}

function counterparty(account: CashAccount, agent: FinancialInstitution) {
  return { name: account.name, iban: account.identification, account_number: null, bic: agent.identification };
}

function address(a: PostalAddress) {
  return {
    lines: a.addressLine,
    building_number: a.buildingNumber,
    street_name: a.streetName,
    town_name: a.townName,
    post_code: a.postCode,
    country_sub_division: a.countrySubDivision,
    country: a.country,
  };
}

/** OBIE phone syntax (`+971-501234567`) to E.164 (`+971501234567`). */
function e164(phone: string | null): string | null {
  return phone === null ? null : phone.replace('-', '');
}

function partyFields(party: GeneratedParty) {
  const { person } = party;
  return {
    party_id: person.partyId,
    full_name: person.name,
    legal_name: person.fullLegalName,
    party_type: PARTY_TYPES[party.partyType],
    national_identity_number: person.nationalId.value,
    email_address: person.emailAddress,
    mobile_number: e164(person.mobile),
    phone_number: e164(person.phone),
    address: address(person.address),
  };
}

function transaction(t: GeneratedTransaction): FetchedTransaction {
  return {
    key: t.transactionId,
    bank_transaction_id: t.transactionId,
    status: ENTRY_STATUSES[t.status],
    booking_at: t.bookingDateTime,
    value_at: t.valueDateTime,
    amount_minor: toMinor(t.amount.amount, t.amount.currency),
    currency: t.amount.currency,
    credit_debit: CREDIT_DEBIT[t.creditDebitIndicator],
    description: t.transactionInformation,
    reference: t.transactionReference,
    merchant_name: t.merchantDetails?.merchantName ?? null,
    merchant_category_code: t.merchantDetails?.merchantCategoryCode ?? null,
    bank_transaction_code: `${t.bankTransactionCode.code}.${t.bankTransactionCode.subCode}`,
  };
}

function balances(account: GeneratedAccount): Balance[] {
  return account.balances.map((b) => ({
    type: BALANCE_TYPES[b.type],
    amount: amountOf(b.amount),
    credit_debit_indicator: CREDIT_DEBIT[b.creditDebitIndicator],
    timestamp: b.dateTime,
    credit_lines: b.creditLine.map((line) => ({ included: line.included, type: CREDIT_LINE_TYPES[line.type], amount: amountOf(line.amount) })),
  }));
}

function beneficiaries(account: GeneratedAccount): Beneficiary[] {
  return account.beneficiaries.map((b) => ({
    beneficiary_id: b.beneficiaryId,
    type: BENEFICIARY_TYPES[b.beneficiaryType],
    reference: b.reference,
    creditor: counterparty(b.creditorAccount, b.creditorAgent),
    bank_name: b.creditorAgent.name,
  }));
}

function directDebits(account: GeneratedAccount): DirectDebit[] {
  return account.directDebits.map((d) => ({
    direct_debit_id: d.directDebitId,
    mandate_id: d.mandateIdentification,
    name: d.name,
    status: INSTRUCTION_STATUSES[d.directDebitStatusCode],
    frequency: DIRECT_DEBIT_FREQUENCIES[d.frequency],
    previous_payment_amount: d.previousPaymentAmount && amountOf(d.previousPaymentAmount),
    previous_payment_timestamp: d.previousPaymentDateTime,
  }));
}

function standingOrders(account: GeneratedAccount): StandingOrder[] {
  const optional = (amount: ObAmount | null) => amount && amountOf(amount);
  return account.standingOrders.map((s) => ({
    standing_order_id: s.standingOrderId,
    frequency: s.frequency,
    reference: s.reference,
    status: INSTRUCTION_STATUSES[s.standingOrderStatusCode],
    first_payment_date: s.firstPaymentDateTime,
    next_payment_date: s.nextPaymentDateTime,
    last_payment_date: s.lastPaymentDateTime,
    final_payment_date: s.finalPaymentDateTime,
    first_payment_amount: amountOf(s.firstPaymentAmount),
    next_payment_amount: optional(s.nextPaymentAmount),
    last_payment_amount: optional(s.lastPaymentAmount),
    final_payment_amount: optional(s.finalPaymentAmount),
    creditor: counterparty(s.creditorAccount, s.creditorAgent),
  }));
}

function scheduledPayments(account: GeneratedAccount): ScheduledPayment[] {
  return account.scheduledPayments.map((p) => ({
    scheduled_payment_id: p.scheduledPaymentId,
    execution_date: p.scheduledPaymentDateTime,
    type: SCHEDULE_TYPES[p.scheduledType],
    amount: amountOf(p.instructedAmount),
    reference: p.reference,
    creditor: counterparty(p.creditorAccount, p.creditorAgent),
  }));
}

function accountIdentities(account: GeneratedAccount): AccountIdentity[] {
  return account.parties.map((party) => ({
    ...partyFields(party),
    account_role: party.accountRole && ACCOUNT_ROLES[party.accountRole],
  }));
}

function identity(party: GeneratedParty): Identity {
  return {
    ...partyFields(party),
    birth_date: party.person.birthDate,
    gender: GENDERS[party.person.gender],
    given_name: party.person.givenName,
    middle_name: party.person.fatherName,
    family_name: party.person.familyName,
    nationalities: null,
  };
}

/**
 * `customer` as the snapshot of a fetch at `fetchedAt` under `permissions`. Accounts are always
 * there, as the container of everything else; each other resource only with its permission.
 */
export function toEntitySnapshot(customer: GeneratedCustomer, bank: Pick<SandboxBankProfile, 'identifier'>, permissions: readonly Permission[], fetchedAt: Date): EntitySnapshot {
  if (customer.bankIdentifier !== bank.identifier) {
    throw new RangeError(`customer was generated for ${customer.bankIdentifier}, not ${bank.identifier}`);
  }
  const granted = (resource: DataResource) => permissions.includes(PERMISSION_FOR[resource]);
  const accounts = customer.accounts.map((a): FetchedAccount => {
    const fetched: FetchedAccount = {
      bank_account_id: a.accountId,
      account: {
        name: a.description,
        type: ACCOUNT_TYPES[a.accountSubType],
        currency: a.currency,
        iban: a.iban,
        account_number: a.accountNumber,
        bic: a.servicer.identification,
        nickname: a.nickname,
        holder_name: a.parties[0]?.person.name ?? null,
        status: ACCOUNT_STATUSES[a.status],
        opened_at: a.openingDate,
      },
    };
    if (granted('balances')) fetched.balances = balances(a);
    if (granted('transactions')) fetched.transactions = { from: null, items: a.transactions.map(transaction) };
    if (granted('beneficiaries')) fetched.beneficiaries = beneficiaries(a);
    if (granted('direct_debits')) fetched.direct_debits = directDebits(a);
    if (granted('standing_orders')) fetched.standing_orders = standingOrders(a);
    if (granted('scheduled_payments')) fetched.scheduled_payments = scheduledPayments(a);
    if (granted('account_identities')) fetched.account_identities = accountIdentities(a);
    return fetched;
  });
  const snapshot: EntitySnapshot = { fetched_at: fetchedAt.toISOString(), accounts };
  if (granted('identity')) snapshot.identity = identity(customer.party);
  return snapshot;
}
