import { pathParam } from '../request-parts.ts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TokenArtifact } from 'oidc-provider';
import {
  API_PREFIX,
  EMIRATES,
  type UaeAccountRole,
  type UaeAccountStatus,
  type UaeAccountSubType,
  type UaeBeneficiaryType,
  type UaeDirectDebitFrequency,
  type UaePermission,
} from '../../standards/uae-2.1/codes.ts';
import type {
  UaeAccount,
  UaeAccountParty,
  UaeBalance,
  UaeBeneficiary,
  UaeDirectDebit,
  UaePersonClaims,
  UaeScheduledPayment,
  UaeStandingOrder,
  UaeTransaction,
  UaeUserParty,
} from '../../standards/uae-2.1/wire.ts';
import { isMutualTls, peerCertificate, thumbprint } from '../authorization-server/certificate.ts';
import { expiresAtOnBankClock, intentIdOfToken } from '../authorization-server/provider.ts';
import type { ProviderRegistry } from '../authorization-server/providers.ts';
import type { SandboxBank, SandboxContext } from '../context.ts';
import type {
  AccountRole,
  AccountStatus,
  AccountSubType,
  CashAccount,
  DirectDebitFrequency,
  FinancialInstitution,
  GeneratedAccount,
  GeneratedBalance,
  GeneratedBeneficiary,
  GeneratedDirectDebit,
  GeneratedParty,
  GeneratedScheduledPayment,
  GeneratedStandingOrder,
  GeneratedTransaction,
  Person,
} from '../generator/model.ts';
import { DAILY_QUOTA_RETRY_AFTER_S, hash32, recordsUnderFaults } from '../faults.ts';
import { HIDDEN } from '../hidden.ts';
import type { Consent } from '../state.ts';
import { transactionFacts } from '../transaction-facts.ts';
import { sendJson, transientFaults } from '../transient-faults.ts';
import { UAE_STATUS } from './consent.ts';
import { acceptsJwt, signedResponse } from './signed.ts';

/**
 * The UAE Open Finance v2.1 account-information API of a sandbox bank whose profile says
 * `standard: 'uae-2.1'`, under `/{BANK}/open-finance/account-information/v2.1`, over mutual TLS,
 * with certificate-bound tokens. Consents arrive through PAR (provider.ts); here they are read
 * (GET) and revoked (PATCH). Bodies follow the vendored spec; errors are `{Errors: [{Code, Message}]}`.
 */

const AIS = `/:bank${API_PREFIX}`;

class UaeError extends Error {
  readonly status: number;
  readonly code: string;
  readonly headers: Record<string, string>;

  constructor(status: number, code: string, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

const SUB_TYPES = { CurrentAccount: 'CurrentAccount', Savings: 'Savings', CreditCard: 'CreditCard', Loan: 'Finance' } as const satisfies Record<AccountSubType, UaeAccountSubType>;
const STATUSES = { Enabled: 'Active', Disabled: 'Inactive', Deleted: 'Closed', Pending: 'Inactive', ProForma: 'Inactive' } as const satisfies Record<AccountStatus, UaeAccountStatus>;

const amount = (a: { amount: string; currency: string }) => ({ Amount: a.amount, Currency: a.currency });
/**
 * The spec's date-times carry a zone. A UAE bank writes its own: Asia/Dubai, UTC+04:00 all year
 * (no daylight saving), so the connector's zone handling is exercised, not just `Z`.
 */
const DUBAI_OFFSET_MS = 4 * 3_600_000;
const dateTime = (iso: string) => new Date(Date.parse(iso) + DUBAI_OFFSET_MS).toISOString().replace('Z', '+04:00');

/** Arabic names of UAE merchants, as a bank's card processor prints some of them. */
const ARABIC_MERCHANTS: Readonly<Record<string, string>> = {
  Carrefour: 'كارفور',
  'Lulu Hypermarket': 'لولو هايبرماركت',
  'Union Coop': 'تعاونية الاتحاد',
  'Al Maya Supermarket': 'سوبرماركت الماية',
  Talabat: 'طلبات',
  Careem: 'كريم',
  'Careem Food': 'كريم فود',
  ENOC: 'اينوك',
  'ADNOC Distribution': 'أدنوك للتوزيع',
  Emarat: 'إمارات',
  Salik: 'سالك',
  'Al Mallah': 'الملاح',
  'Zaatar w Zeit': 'زعتر و زيت',
  'Al Safadi': 'الصفدي',
  Emirates: 'طيران الإمارات',
  'Etihad Airways': 'الاتحاد للطيران',
  Almosafer: 'المسافر',
  'Sharaf DG': 'شرف دي جي',
  'Noon.com': 'نون',
};

/** The Arabic half of a bilingual narrative, by what the entry is. */
const ARABIC_LABELS = { Purchase: 'شراء', Refund: 'استرداد', Deposit: 'إيداع', MoneyTransfer: 'تحويل' } as const;
const ARABIC_BILL_PAYMENT = 'سداد فاتورة';

/** Every other card entry at a merchant with an Arabic name carries that name (stable per transaction). */
const merchantName = (t: GeneratedTransaction, name: string) => {
  const arabic = ARABIC_MERCHANTS[name];
  return arabic !== undefined && hash32(t.transactionId) % 2 === 0 ? arabic : name;
};

export function uaeAccountJson(a: GeneratedAccount, detail: boolean): UaeAccount {
  return {
    AccountId: a.accountId,
    ...(a.parties[0] ? { AccountHolderName: a.parties[0].person.fullLegalName } : {}),
    Status: STATUSES[a.status],
    StatusUpdateDateTime: dateTime(`${a.openingDate.slice(0, 10)}T00:00:00+04:00`),
    Currency: a.currency,
    AccountType: 'Retail',
    AccountSubType: SUB_TYPES[a.accountSubType],
    Description: a.description.slice(0, 35),
    ...(a.nickname ? { Nickname: a.nickname } : {}),
    OpeningDate: `${a.openingDate.slice(0, 10)}T00:00:00+04:00`,
    ...(detail
      ? {
          AccountIdentifiers: [
            { SchemeName: 'IBAN', Identification: a.iban },
            { SchemeName: 'AccountNumber', Identification: a.accountNumber },
          ],
          Servicer: { SchemeName: 'BICFI', Identification: a.servicer.identification },
        }
      : {}),
  } as UaeAccount;
}

export function uaeBalanceJson(b: GeneratedBalance): UaeBalance {
  return { CreditDebitIndicator: b.creditDebitIndicator, Type: b.type, DateTime: dateTime(b.dateTime), Amount: amount(b.amount) } as UaeBalance;
}

/** VAT on bank fees in the UAE. */
const UAE_VAT_PERCENT = 5;
/** The generator's flags in the UAE's words: lending is `Finance`. */
const UAE_FLAGS = { Payroll: 'Payroll', DirectDebit: 'DirectDebit', StandingOrder: 'StandingOrder', Loan: 'Finance' } as const;

/**
 * `AETransaction`. A card purchase is a POS purchase with its merchant, a bill payment a
 * `BillPayments` entry with its bill; anything else a local transfer. Pending entries may still
 * change (`Mutable`); booked ones may not. Salaries, direct debits, standing orders and finance
 * carry their flag; an itemised fee carries itself as `ChargeAmount` with its VAT. Times are Dubai's
 * (`LocalTimeZone: UTC+04:00`).
 */
export function uaeTransactionJson(t: GeneratedTransaction, detail: boolean): UaeTransaction {
  const facts = transactionFacts(t, UAE_VAT_PERCENT);
  const card = t.merchantDetails !== null && facts.bill === null;
  const sub = card ? (t.creditDebitIndicator === 'Credit' ? 'Refund' : 'Purchase') : t.creditDebitIndicator === 'Credit' ? 'Deposit' : 'MoneyTransfer';
  return {
    TransactionId: t.transactionId,
    TransactionDateTime: dateTime(t.bookingDateTime),
    LocalTimeZone: 'UTC+04:00',
    ...(t.transactionReference ? { TransactionReference: t.transactionReference } : {}),
    TransactionType: card ? 'POS' : facts.bill ? 'BillPayments' : 'LocalBankTransfer',
    SubTransactionType: sub,
    ...(facts.flag ? { Flags: [UAE_FLAGS[facts.flag]] } : {}),
    // Salaries and finance instalments are run overnight in batches; everything else as it happens.
    PaymentModes: facts.flag === 'Payroll' || facts.flag === 'Loan' ? 'Batch' : 'Online',
    CreditDebitIndicator: t.creditDebitIndicator,
    Status: t.status,
    TransactionMutability: t.status === 'Pending' ? 'Mutable' : 'Immutable',
    BookingDateTime: dateTime(t.bookingDateTime),
    ...(t.valueDateTime ? { ValueDateTime: dateTime(t.valueDateTime) } : {}),
    // Bilingual, as UAE banks print narratives: Arabic, then the English the generator wrote.
    ...(detail ? { TransactionInformation: `${facts.bill ? ARABIC_BILL_PAYMENT : ARABIC_LABELS[sub]} - ${t.transactionInformation}`.slice(0, 500) } : {}),
    Amount: amount(t.amount),
    ...(facts.charge ? { ChargeAmount: amount(facts.charge.amount), ChargeAmountVat: amount(facts.charge.vat) } : {}),
    ...(detail && t.merchantDetails ? { MerchantDetails: { MerchantName: merchantName(t, t.merchantDetails.merchantName), MerchantCategoryCode: t.merchantDetails.merchantCategoryCode } } : {}),
    ...(detail && facts.bill ? { BillDetails: { BillerId: facts.bill.billerId, BillNumber: facts.bill.billNumber, BillPaymentType: facts.bill.type } } : {}),
  } as UaeTransaction;
}

const BENEFICIARY_TYPES = { Trusted: 'Activated', Ordinary: 'NotActivated' } as const satisfies Record<GeneratedBeneficiary['beneficiaryType'], UaeBeneficiaryType>;
const DD_FREQUENCIES = { 'UK.OBIE.Monthly': 'Monthly', 'UK.OBIE.Quarterly': 'Quarterly', 'UK.OBIE.Annual': 'Annual' } as const satisfies Record<DirectDebitFrequency, UaeDirectDebitFrequency>;
const ROLES = { 'UK.OBIE.Principal': 'Principal', 'UK.OBIE.SecondaryOwner': 'SecondaryOwner', 'UK.OBIE.OtherParty': 'OtherParty' } as const satisfies Record<AccountRole, UaeAccountRole>;

/** The generator's counterparties, in the UAE's schemes (no namespace; the holder is named on the instruction). */
const agent = (a: FinancialInstitution) => ({ SchemeName: 'BICFI' as const, Identification: a.identification });
const creditorAccount = (a: CashAccount) => [{ SchemeName: 'IBAN' as const, Identification: a.identification }];
const reference = (text: string) => text.slice(0, 35);

/** `AEBeneficiary`. Basic leaves out whom and where the money goes. None was added through Open Finance. */
export function uaeBeneficiaryJson(b: GeneratedBeneficiary, detail: boolean): UaeBeneficiary {
  return {
    BeneficiaryId: b.beneficiaryId,
    BeneficiaryType: BENEFICIARY_TYPES[b.beneficiaryType],
    AddedViaOF: false,
    Reference: reference(b.reference),
    ...(detail
      ? {
          AccountHolderName: b.creditorAccount.name,
          CreditorAgent: { ...agent(b.creditorAgent), Name: b.creditorAgent.name },
          CreditorAccount: creditorAccount(b.creditorAccount),
        }
      : {}),
  };
}

export function uaeDirectDebitJson(d: GeneratedDirectDebit): UaeDirectDebit {
  return {
    DirectDebitId: d.directDebitId,
    MandateIdentification: d.mandateIdentification,
    DirectDebitStatusCode: d.directDebitStatusCode,
    Name: d.name.slice(0, 70),
    Frequency: DD_FREQUENCIES[d.frequency],
    ...(d.previousPaymentDateTime ? { PreviousPaymentDateTime: dateTime(d.previousPaymentDateTime) } : {}),
    ...(d.previousPaymentAmount ? { PreviousPaymentAmount: amount(d.previousPaymentAmount) } : {}),
  } as UaeDirectDebit;
}

/** `AEStandingOrder`. Basic leaves out the creditor. */
export function uaeStandingOrderJson(s: GeneratedStandingOrder, detail: boolean): UaeStandingOrder {
  return {
    StandingOrderId: s.standingOrderId,
    StandingOrderType: 'LocalBankTransfer',
    Frequency: s.frequency,
    CreditorReference: reference(s.reference),
    FirstPaymentDateTime: dateTime(s.firstPaymentDateTime),
    ...(s.nextPaymentDateTime ? { NextPaymentDateTime: dateTime(s.nextPaymentDateTime) } : {}),
    ...(s.lastPaymentDateTime ? { LastPaymentDateTime: dateTime(s.lastPaymentDateTime) } : {}),
    ...(s.finalPaymentDateTime ? { FinalPaymentDateTime: dateTime(s.finalPaymentDateTime) } : {}),
    ...(s.numberOfPayments ? { NumberOfPayments: s.numberOfPayments } : {}),
    StandingOrderStatusCode: s.standingOrderStatusCode,
    FirstPaymentAmount: amount(s.firstPaymentAmount),
    ...(s.nextPaymentAmount ? { NextPaymentAmount: amount(s.nextPaymentAmount) } : {}),
    ...(s.lastPaymentAmount ? { LastPaymentAmount: amount(s.lastPaymentAmount) } : {}),
    ...(s.finalPaymentAmount ? { FinalPaymentAmount: amount(s.finalPaymentAmount) } : {}),
    ...(detail ? { AccountHolderName: s.creditorAccount.name, CreditorAgent: agent(s.creditorAgent), CreditorAccount: creditorAccount(s.creditorAccount) } : {}),
  } as UaeStandingOrder;
}

/** `AEScheduledPayment`. Basic leaves out the creditor. */
export function uaeScheduledPaymentJson(p: GeneratedScheduledPayment, detail: boolean): UaeScheduledPayment {
  return {
    ScheduledPaymentId: p.scheduledPaymentId,
    ScheduledType: p.scheduledType,
    ScheduledPaymentDateTime: dateTime(p.scheduledPaymentDateTime),
    CreditorReference: reference(p.reference),
    InstructedAmount: amount(p.instructedAmount),
    ...(detail ? { AccountHolderName: p.creditorAccount.name, CreditorAgent: agent(p.creditorAgent), CreditorAccount: creditorAccount(p.creditorAccount) } : {}),
  } as UaeScheduledPayment;
}

/** `+971-501234567` (the generator's OBIE syntax) to E.164. */
const e164 = (phone: string) => `+${phone.replace(/\D/g, '')}`;
const emirateOf = (subDivision: string) => EMIRATES.find((e) => e.toLowerCase() === subDivision.replace(/\s+/g, '').toLowerCase());

/**
 * The person as the bank's KYC verified them (`TrustFramework: FI`): OpenID identity-assurance
 * claims with the Emirates ID. The generator keeps no ID expiry: it is the holder's next birthday
 * some years on, as stable as the rest of the person.
 */
function verifiedClaims(person: Person): UaeAccountParty['VerifiedClaims'] {
  const a = person.address;
  const emirate = emirateOf(a.countrySubDivision);
  const claims: UaePersonClaims = {
    IdentityType: 'Person',
    FullName: person.fullLegalName,
    GivenName: person.givenName,
    MiddleName: person.fatherName,
    Surname: person.familyName,
    EmiratesId: person.nationalId.value,
    EmiratesIdExpiryDate: `${2027 + (Number(person.birthDate.slice(8, 10)) % 4)}${person.birthDate.slice(4, 10)}`.replace('-02-29', '-02-28'),
    DateOfBirth: person.birthDate.slice(0, 10),
    ResidentialAddress: {
      AddressType: 'Residential',
      AddressLine: a.addressLine.slice(0, 5),
      BuildingNumber: a.buildingNumber,
      StreetName: a.streetName,
      TownName: a.townName,
      ...(emirate ? { CountrySubDivision: emirate } : {}),
      ...(a.postCode ? { PostBox: a.postCode } : {}),
      Country: a.country,
    },
    MobileNumber: e164(person.mobile),
    Email: person.emailAddress,
  };
  return [{ Verification: { TrustFramework: 'FI' }, Claims: claims }];
}

/** `AEPartyIdentityAssurance2`: a party with a role on the account. */
export function uaeAccountPartyJson(p: GeneratedParty): UaeAccountParty {
  return {
    PartyId: p.person.partyId,
    PartyNumber: p.person.partyNumber,
    PartyType: p.partyType,
    PartyCategory: 'Retail',
    AccountRole: ROLES[p.accountRole ?? 'UK.OBIE.Principal'],
    VerifiedClaims: verifiedClaims(p.person),
  };
}

/** `AEPartyIdentityAssurance4`: the consenting user. */
export function uaeUserPartyJson(p: GeneratedParty): UaeUserParty {
  return { PartyId: p.person.partyId, PartyNumber: p.person.partyNumber, PartyCategory: 'Retail', VerifiedClaims: verifiedClaims(p.person) };
}

const send = (reply: FastifyReply, body: unknown, malformed = false) => sendJson(reply, body, malformed);

export function registerUaeAis(app: FastifyInstance, ctx: SandboxContext, providers: ProviderRegistry): void {
  const uaeBank = (request: FastifyRequest): SandboxBank => {
    const bank = ctx.bank(request);
    if (bank.standard !== 'uae-2.1') throw new UaeError(404, 'GenericError', `${bank.name} does not serve UAE Open Finance`);
    return bank;
  };

  const bearer = async (request: FastifyRequest, bank: SandboxBank, nowMs: number) => {
    const socket = request.raw.socket;
    if (!isMutualTls(socket)) throw new UaeError(403, 'GenericError', 'The API is served over mutual TLS only');
    const m = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
    const provider = providers.get(bank)?.provider;
    let token: TokenArtifact | undefined;
    let clientCredentials = false;
    if (m && provider) {
      token = await provider.AccessToken.find(m[1]!);
      if (!token) {
        token = await provider.ClientCredentials.find(m[1]!);
        clientCredentials = true;
      }
    }
    if (!token || expiresAtOnBankClock(token) <= nowMs) throw new UaeError(401, 'GenericError', 'The access token is invalid or has expired');
    const certificate = peerCertificate(socket);
    if (!certificate || token['x5t#S256'] !== thumbprint(certificate)) throw new UaeError(401, 'GenericError', 'The access token is bound to another certificate');
    return { clientCredentials, consentId: clientCredentials ? null : intentIdOfToken(token), clientId: token.clientId };
  };

  const transient = transientFaults(ctx, {
    rateLimited: () => new UaeError(429, 'GenericError', 'Too many requests: retry after 1 second', { 'retry-after': '1' }),
    // The spec's server error is 500 (it lists no 503).
    unavailable: (message) => new UaeError(500, 'GenericError', message),
  });

  /** Who may read, in the OBIE routes' order of checks (token, consent, faults, permission), with the faults in force for the login. */
  const access = async (request: FastifyRequest, reply: FastifyReply, needs: readonly UaePermission[]) => {
    const bank = uaeBank(request);
    const nowMs = ctx.now().getTime();
    const token = await bearer(request, bank, nowMs);
    if (token.clientCredentials || !token.consentId) throw new UaeError(403, 'AccessToken.InvalidScope', 'Use a token the user authorised');
    const consent = ctx.state.consent(bank.identifier, token.consentId);
    if (!consent?.login || !consent.accountIds) throw new UaeError(403, 'Consent.PermanentAccountAccessFailure', 'The consent is not authorised');
    const faults = ctx.faults(bank.identifier, consent.login);
    const status = ctx.consentStatus(consent, faults, nowMs);
    if (status !== 'Authorised') throw new UaeError(403, 'Consent.PermanentAccountAccessFailure', `The consent is ${UAE_STATUS[status]}`);
    const key = `${consent.id} ${request.url.split('?')[0]}`;
    const malformed = await transient(reply, faults, key);
    const permissions = consent.permissions as readonly string[];
    if (!needs.some((p) => permissions.includes(p))) throw new UaeError(403, 'AccessToken.InvalidScope', `The consent does not grant ${needs.join(' or ')}`);
    const snapshot = ctx.customers.get(bank, consent.login, ctx.state.user(bank.identifier, consent.login).profile, nowMs);
    return { bank, consent: consent as Consent & { login: string; accountIds: string[] }, snapshot, permissions, faults, key, malformed, clientId: token.clientId, nowMs };
  };

  /**
   * A read's answer: JSON, or signed (`application/jwt`) when the request accepts it. `malformed_json`
   * stays what it says, a broken JSON body, whichever was asked for.
   */
  const answer = async (request: FastifyRequest, reply: FastifyReply, a: Awaited<ReturnType<typeof access>>, body: unknown) => {
    const signer = providers.get(a.bank);
    if (a.malformed || !acceptsJwt(request) || !signer) return send(reply, body, a.malformed);
    const jwt = await signedResponse(body, { issuer: signer.provider.issuer, audience: a.clientId, keys: signer.keys, nowMs: a.nowMs, faults: a.faults });
    return reply.type('application/jwt').send(jwt);
  };

  const accountOf = (a: Awaited<ReturnType<typeof access>>, id: string): GeneratedAccount => {
    const account = a.consent.accountIds.includes(id) ? a.snapshot.account(id) : undefined;
    if (!account) throw new UaeError(404, 'GenericError', `Account ${id} was not found`);
    return account;
  };

  app.setErrorHandler((error, request, reply) => {
    // The spec gives only 400, 403 and 500 a body; 401, 404, 405, 406, 415 and 429 have none.
    if (error instanceof UaeError && ![400, 403, 500].includes(error.status)) return reply.code(error.status).headers(error.headers).send();
    if (error instanceof UaeError) return reply.code(error.status).headers(error.headers).type('application/json; charset=utf-8').send({ Errors: [{ Code: error.code, Message: error.message }] });
    request.log.error({ err: error }, 'UAE sandbox bank failed');
    return reply.code(500).send({ Errors: [{ Code: 'GenericError', Message: 'The bank failed to answer' }] });
  });

  const consentBody = (consent: Consent, status: keyof typeof UAE_STATUS, self: string) => ({
    Data: {
      ConsentId: consent.id,
      CreationDateTime: consent.createdAt,
      Status: UAE_STATUS[status],
      StatusUpdateDateTime: consent.statusUpdatedAt,
      Permissions: consent.permissions,
      ExpirationDateTime: consent.expiresAt ?? consent.createdAt,
      OpenFinanceBilling: { UserType: 'Retail', Purpose: 'AccountAggregation' },
      ...(status === 'Revoked' ? { RevokedBy: 'TPP' } : {}),
    },
    Links: { Self: self },
    Meta: {},
  });

  const clientAccess = async (request: FastifyRequest) => {
    const bank = uaeBank(request);
    const nowMs = ctx.now().getTime();
    if (!(await bearer(request, bank, nowMs)).clientCredentials) throw new UaeError(403, 'AccessToken.InvalidScope', 'Consents are managed with a client credentials token');
    const ConsentId = pathParam(request, 'ConsentId');
    const consent = ctx.state.consent(bank.identifier, ConsentId);
    if (!consent) throw new UaeError(404, 'GenericError', `Consent ${ConsentId} was not found`);
    return { bank, nowMs, consent };
  };

  app.get(`${AIS}/account-access-consents/:ConsentId`, HIDDEN, async (request, reply) => {
    const { bank, nowMs, consent } = await clientAccess(request);
    return send(reply, consentBody(consent, ctx.consentStatus(consent, ctx.faults(bank.identifier, consent.login), nowMs), ctx.publicUrl(request)));
  });

  app.patch<{ Body: { Data?: { Status?: unknown } } | undefined }>(`${AIS}/account-access-consents/:ConsentId`, HIDDEN, async (request, reply) => {
    const { nowMs, consent } = await clientAccess(request);
    const body = request.body;
    if (body?.Data?.Status !== 'Revoked') throw new UaeError(400, 'Body.InvalidFormat', 'Data.Status must be Revoked');
    ctx.state.setConsentStatus(consent.id, 'Revoked', ['AwaitingAuthorisation', 'Authorised'], new Date(nowMs).toISOString());
    return reply.code(204).send();
  });

  const page = (request: FastifyRequest) => ({ Links: { Self: ctx.publicUrl(request) }, Meta: { TotalPages: 1 } });

  app.get(`${AIS}/accounts`, HIDDEN, async (request, reply) => {
    const a = await access(request, reply, ['ReadAccountsBasic', 'ReadAccountsDetail']);
    const accounts = a.consent.accountIds.flatMap((id) => a.snapshot.account(id) ?? []);
    return answer(request, reply, a, { Data: { Account: accounts.map((x) => uaeAccountJson(x, a.permissions.includes('ReadAccountsDetail'))) }, ...page(request) });
  });

  app.get<{ Params: { AccountId: string } }>(`${AIS}/accounts/:AccountId/balances`, HIDDEN, async (request, reply) => {
    const a = await access(request, reply, ['ReadBalances']);
    const account = accountOf(a, request.params.AccountId);
    return answer(request, reply, a, { Data: { AccountId: account.accountId, Balance: recordsUnderFaults(account.balances.map(uaeBalanceJson), a.faults, true) }, ...page(request) });
  });

  /** The per-account lists: one page each. `detail` is whether the consent grants the `…Detail` permission. */
  const perAccount = (path: string, needs: readonly UaePermission[], data: (account: GeneratedAccount, detail: boolean) => Record<string, unknown[]>) => {
    app.get<{ Params: { AccountId: string } }>(`${AIS}/accounts/:AccountId/${path}`, HIDDEN, async (request, reply) => {
      const a = await access(request, reply, needs);
      const account = accountOf(a, request.params.AccountId);
      const detail = needs.some((p) => p.endsWith('Detail') && a.permissions.includes(p));
      const lists = Object.entries(data(account, detail)).map(([key, list]) => [key, recordsUnderFaults(list, a.faults, false)]);
      return answer(request, reply, a, { Data: { AccountId: account.accountId, ...Object.fromEntries(lists) }, ...page(request) });
    });
  };
  perAccount('beneficiaries', ['ReadBeneficiariesBasic', 'ReadBeneficiariesDetail'], (x, detail) => ({ Beneficiary: x.beneficiaries.map((b) => uaeBeneficiaryJson(b, detail)) }));
  perAccount('direct-debits', ['ReadDirectDebits'], (x) => ({ DirectDebit: x.directDebits.map(uaeDirectDebitJson) }));
  perAccount('standing-orders', ['ReadStandingOrdersBasic', 'ReadStandingOrdersDetail'], (x, detail) => ({ StandingOrder: x.standingOrders.map((o) => uaeStandingOrderJson(o, detail)) }));
  perAccount('scheduled-payments', ['ReadScheduledPaymentsBasic', 'ReadScheduledPaymentsDetail'], (x, detail) => ({
    ScheduledPayment: x.scheduledPayments.map((p) => uaeScheduledPaymentJson(p, detail)),
  }));
  perAccount('parties', ['ReadParty'], (x) => ({ Party: x.parties.map(uaeAccountPartyJson) }));

  app.get(`${AIS}/parties`, HIDDEN, async (request, reply) => {
    const a = await access(request, reply, ['ReadPartyUser', 'ReadPartyUserIdentity']);
    return answer(request, reply, a, { Data: { Party: uaeUserPartyJson(a.snapshot.customer.party) }, Links: { Self: ctx.publicUrl(request) }, Meta: { TotalPages: 1 } });
  });

  app.get<{ Params: { AccountId: string }; Querystring: { fromBookingDateTime?: string } }>(`${AIS}/accounts/:AccountId/transactions`, HIDDEN, async (request, reply) => {
    const a = await access(request, reply, ['ReadTransactionsBasic', 'ReadTransactionsDetail']);
    const account = accountOf(a, request.params.AccountId);
    const from = request.query.fromBookingDateTime;
    // The spec gives 429 no body: the quota is in `Retry-After` alone.
    if (a.faults.has('daily_quota')) throw new UaeError(429, 'GenericError', 'The daily request quota is used up', { 'retry-after': String(DAILY_QUOTA_RETRY_AFTER_S) });
    if (a.faults.has('no_date_filter') && from !== undefined) throw new UaeError(400, 'Query.Invalid', 'fromBookingDateTime is not supported');
    if (a.faults.has('empty_transactions_body')) return reply.type('application/json; charset=utf-8').send('');
    const fromIso = from && Number.isFinite(Date.parse(from.endsWith('Z') || /[+-]\d\d:?\d\d$/.test(from) ? from : `${from}Z`)) ? new Date(from.endsWith('Z') ? from : `${from}Z`).toISOString() : null;
    const list = a.snapshot.transactions(account, a.faults).filter((t) => fromIso === null || t.bookingDateTime >= fromIso);
    const detail = a.permissions.includes('ReadTransactionsDetail');
    // `unstable_ids`: a new id every fetch. (`missing_transaction_id` does not apply: the UAE requires the id.)
    const fetchNo = a.faults.has('unstable_ids') ? ctx.counters.next('unstable_ids', a.key) : 0;
    const shown = (t: GeneratedTransaction) => (fetchNo === 0 ? t : { ...t, transactionId: `${t.transactionId}.${fetchNo}` });
    return answer(request, reply, a, { Data: { AccountId: account.accountId, Transaction: recordsUnderFaults(list.map((t) => uaeTransactionJson(shown(t), detail)), a.faults, true) }, ...page(request) });
  });
}
