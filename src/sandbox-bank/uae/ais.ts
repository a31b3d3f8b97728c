import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TokenArtifact } from 'oidc-provider';
import { API_PREFIX, type UaeAccountStatus, type UaeAccountSubType, type UaePermission } from '../../standards/uae-2.1/codes.ts';
import type { UaeAccount, UaeBalance, UaeTransaction } from '../../standards/uae-2.1/wire.ts';
import { isMutualTls, peerCertificate, thumbprint } from '../authorization-server/certificate.ts';
import { expiresAtOnBankClock, intentIdOfToken } from '../authorization-server/provider.ts';
import type { ProviderRegistry } from '../authorization-server/providers.ts';
import type { SandboxBank, SandboxContext } from '../context.ts';
import type { AccountStatus, AccountSubType, GeneratedAccount, GeneratedBalance, GeneratedTransaction } from '../generator/model.ts';
import { HIDDEN } from '../hidden.ts';
import type { Consent } from '../state.ts';
import { UAE_STATUS } from './consent.ts';

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

  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

const SUB_TYPES = { CurrentAccount: 'CurrentAccount', Savings: 'Savings', CreditCard: 'CreditCard', Loan: 'Finance' } as const satisfies Record<AccountSubType, UaeAccountSubType>;
const STATUSES = { Enabled: 'Active', Disabled: 'Inactive', Deleted: 'Closed', Pending: 'Inactive', ProForma: 'Inactive' } as const satisfies Record<AccountStatus, UaeAccountStatus>;

const amount = (a: { amount: string; currency: string }) => ({ Amount: a.amount, Currency: a.currency });
/** The spec's date-times carry a zone; the generator's are UTC with milliseconds, which is one. */
const dateTime = (iso: string) => iso;

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

/**
 * `AETransaction`. A card purchase is a POS purchase with its merchant; anything else a local
 * transfer. Pending entries may still change (`Mutable`); booked ones may not.
 */
export function uaeTransactionJson(t: GeneratedTransaction, detail: boolean): UaeTransaction {
  const card = t.merchantDetails !== null;
  return {
    TransactionId: t.transactionId,
    TransactionDateTime: dateTime(t.bookingDateTime),
    ...(t.transactionReference ? { TransactionReference: t.transactionReference } : {}),
    TransactionType: card ? 'POS' : 'LocalBankTransfer',
    SubTransactionType: card ? (t.creditDebitIndicator === 'Credit' ? 'Refund' : 'Purchase') : t.creditDebitIndicator === 'Credit' ? 'Deposit' : 'MoneyTransfer',
    PaymentModes: 'Online',
    CreditDebitIndicator: t.creditDebitIndicator,
    Status: t.status,
    TransactionMutability: t.status === 'Pending' ? 'Mutable' : 'Immutable',
    BookingDateTime: dateTime(t.bookingDateTime),
    ...(t.valueDateTime ? { ValueDateTime: dateTime(t.valueDateTime) } : {}),
    ...(detail ? { TransactionInformation: t.transactionInformation.slice(0, 500) } : {}),
    Amount: amount(t.amount),
    ...(detail && t.merchantDetails ? { MerchantDetails: { MerchantName: t.merchantDetails.merchantName, MerchantCategoryCode: t.merchantDetails.merchantCategoryCode } } : {}),
  } as UaeTransaction;
}

const send = (reply: FastifyReply, body: unknown) => reply.type('application/json; charset=utf-8').send(JSON.stringify(body));

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
    return { clientCredentials, consentId: clientCredentials ? null : intentIdOfToken(token) };
  };

  const access = async (request: FastifyRequest, needs: readonly UaePermission[]) => {
    const bank = uaeBank(request);
    const nowMs = ctx.now().getTime();
    const token = await bearer(request, bank, nowMs);
    if (token.clientCredentials || !token.consentId) throw new UaeError(403, 'AccessToken.InvalidScope', 'Use a token the user authorised');
    const consent = ctx.state.consent(bank.identifier, token.consentId);
    if (!consent?.login || !consent.accountIds) throw new UaeError(403, 'Consent.PermanentAccountAccessFailure', 'The consent is not authorised');
    const status = ctx.consentStatus(consent, ctx.faults(bank.identifier, consent.login), nowMs);
    if (status !== 'Authorised') throw new UaeError(403, 'Consent.PermanentAccountAccessFailure', `The consent is ${UAE_STATUS[status]}`);
    const permissions = consent.permissions as readonly string[];
    if (!needs.some((p) => permissions.includes(p))) throw new UaeError(403, 'AccessToken.InvalidScope', `The consent does not grant ${needs.join(' or ')}`);
    const snapshot = ctx.customers.get(bank, consent.login, ctx.state.user(bank.identifier, consent.login).profile, nowMs);
    return { bank, consent: consent as Consent & { login: string; accountIds: string[] }, snapshot, permissions };
  };

  const accountOf = (a: Awaited<ReturnType<typeof access>>, id: string): GeneratedAccount => {
    const account = a.consent.accountIds.includes(id) ? a.snapshot.account(id) : undefined;
    if (!account) throw new UaeError(404, 'GenericError', `Account ${id} was not found`);
    return account;
  };

  app.setErrorHandler((error, request, reply) => {
    if (error instanceof UaeError) return reply.code(error.status).type('application/json; charset=utf-8').send({ Errors: [{ Code: error.code, Message: error.message }] });
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
    const { ConsentId } = request.params as { ConsentId: string };
    const consent = ctx.state.consent(bank.identifier, ConsentId);
    if (!consent) throw new UaeError(404, 'GenericError', `Consent ${ConsentId} was not found`);
    return { bank, nowMs, consent };
  };

  app.get(`${AIS}/account-access-consents/:ConsentId`, HIDDEN, async (request, reply) => {
    const { bank, nowMs, consent } = await clientAccess(request);
    return send(reply, consentBody(consent, ctx.consentStatus(consent, ctx.faults(bank.identifier, consent.login), nowMs), ctx.publicUrl(request)));
  });

  app.patch(`${AIS}/account-access-consents/:ConsentId`, HIDDEN, async (request, reply) => {
    const { nowMs, consent } = await clientAccess(request);
    const body = request.body as { Data?: { Status?: unknown } } | undefined;
    if (body?.Data?.Status !== 'Revoked') throw new UaeError(400, 'Body.InvalidFormat', 'Data.Status must be Revoked');
    ctx.state.setConsentStatus(consent.id, 'Revoked', ['AwaitingAuthorisation', 'Authorised'], new Date(nowMs).toISOString());
    return reply.code(204).send();
  });

  const page = (request: FastifyRequest) => ({ Links: { Self: ctx.publicUrl(request) }, Meta: { TotalPages: 1 } });

  app.get(`${AIS}/accounts`, HIDDEN, async (request, reply) => {
    const a = await access(request, ['ReadAccountsBasic', 'ReadAccountsDetail']);
    const accounts = a.consent.accountIds.flatMap((id) => a.snapshot.account(id) ?? []);
    return send(reply, { Data: { Account: accounts.map((x) => uaeAccountJson(x, a.permissions.includes('ReadAccountsDetail'))) }, ...page(request) });
  });

  app.get(`${AIS}/accounts/:AccountId/balances`, HIDDEN, async (request, reply) => {
    const a = await access(request, ['ReadBalances']);
    const account = accountOf(a, (request.params as { AccountId: string }).AccountId);
    return send(reply, { Data: { AccountId: account.accountId, Balance: account.balances.map(uaeBalanceJson) }, ...page(request) });
  });

  app.get(`${AIS}/accounts/:AccountId/transactions`, HIDDEN, async (request, reply) => {
    const a = await access(request, ['ReadTransactionsBasic', 'ReadTransactionsDetail']);
    const account = accountOf(a, (request.params as { AccountId: string }).AccountId);
    const from = (request.query as { fromBookingDateTime?: string }).fromBookingDateTime;
    const fromIso = from && Number.isFinite(Date.parse(from.endsWith('Z') || /[+-]\d\d:?\d\d$/.test(from) ? from : `${from}Z`)) ? new Date(from.endsWith('Z') ? from : `${from}Z`).toISOString() : null;
    const list = a.snapshot.transactions(account, ctx.faults(a.bank.identifier, a.consent.login)).filter((t) => fromIso === null || t.bookingDateTime >= fromIso);
    const detail = a.permissions.includes('ReadTransactionsDetail');
    return send(reply, { Data: { AccountId: account.accountId, Transaction: list.map((t) => uaeTransactionJson(t, detail)) }, ...page(request) });
  });
}
