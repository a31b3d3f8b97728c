import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TokenArtifact } from 'oidc-provider';
import Type from 'typebox';
import { Compile } from 'typebox/compile';
import { StringEnum } from '../domain/typebox.ts';
import { expiresAtOnBankClock, intentIdOfToken } from './authorization-server/provider.ts';
import { isMutualTls, peerCertificate, thumbprint } from './authorization-server/certificate.ts';
import type { ProviderRegistry } from './authorization-server/providers.ts';
import type { ConsentStatus, SandboxBank, SandboxContext } from './context.ts';
import { notFound, ObieError, unauthorized } from './errors.ts';
import { DAILY_QUOTA_RETRY_AFTER_S, recordsUnderFaults, type ActiveFaults } from './faults.ts';
import { sendJson, transientFaults } from './transient-faults.ts';
import type { GeneratedAccount, GeneratedTransaction } from './generator/model.ts';
import type { Form } from './form.ts';
import { HIDDEN } from './hidden.ts';
import {
  accountJson,
  balanceJson,
  beneficiaryJson,
  directDebitJson,
  partyJson,
  scheduledPaymentJson,
  standingOrderJson,
  transactionJson,
} from './obie-json.ts';
import { grantFor, missingPermission, OB_PERMISSIONS, permissionsProblem, type AisResource, type ResourceGrant } from './permissions.ts';
import type { Consent } from './state.ts';
import { validBody } from './validate.ts';

/**
 * The OBIE v3.1.11 Account and Transaction API: account-access-consents (client credentials
 * tokens) and the account resources (a token the user authorised for an Authorised consent),
 * limited to the consent's permissions and accounts, with the faults switched on for the login.
 */

const AIS_PATH = '/open-banking/v3.1/aisp';
const AIS = `/:bank${AIS_PATH}`;
const TRANSACTIONS_PAGE_SIZE = 1000;

const ConsentRequest = Compile(
  Type.Object(
    {
      Data: Type.Object(
        {
          Permissions: Type.Array(StringEnum(OB_PERMISSIONS), { minItems: 1 }),
          ExpirationDateTime: Type.Optional(Type.String({ format: 'date-time' })),
          TransactionFromDateTime: Type.Optional(Type.String({ format: 'date-time' })),
          TransactionToDateTime: Type.Optional(Type.String({ format: 'date-time' })),
        },
        { additionalProperties: false },
      ),
      Risk: Type.Object({}, { additionalProperties: false }),
    },
    { additionalProperties: false },
  ),
);

/** OBIE filter dates: UTC, time optional, any zone given is ignored (the spec says so). */
const FILTER_DATE_TIME = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?))?(?:Z|[+-]\d{2}(?::?\d{2})?)?$/;

function filterBound(query: Form, name: string): string | null {
  const raw = query[name];
  if (raw === undefined) return null;
  const m = typeof raw === 'string' ? FILTER_DATE_TIME.exec(raw) : null;
  const ms = m ? Date.parse(`${m[1]}T${m[2] ?? '00:00:00'}Z`) : NaN;
  if (!Number.isFinite(ms)) throw new ObieError(400, 'UK.OBIE.Field.InvalidDate', `${name} must be an ISO 8601 date-time`, { path: name });
  return new Date(ms).toISOString();
}

function positiveInteger(query: Form, name: string): number | null {
  const raw = query[name];
  if (raw === undefined) return null;
  const n = typeof raw === 'string' && /^\d{1,15}$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= 1)) throw new ObieError(400, 'UK.OBIE.Field.Invalid', `${name} must be a positive integer`, { path: name });
  return n;
}

const iso = (value: string | undefined) => (value === undefined ? null : new Date(value).toISOString());

function consentBody(consent: Consent, status: ConsentStatus, self: string) {
  return {
    Data: {
      ConsentId: consent.id,
      CreationDateTime: consent.createdAt,
      Status: status,
      StatusUpdateDateTime: consent.statusUpdatedAt,
      Permissions: consent.permissions,
      ...(consent.expiresAt ? { ExpirationDateTime: consent.expiresAt } : {}),
      ...(consent.transactionsFrom ? { TransactionFromDateTime: consent.transactionsFrom } : {}),
      ...(consent.transactionsTo ? { TransactionToDateTime: consent.transactionsTo } : {}),
    },
    Risk: {},
    Links: { Self: self },
    Meta: {},
  };
}

interface Access {
  bank: SandboxBank;
  consent: Consent & { login: string; accountIds: string[] };
  faults: ActiveFaults;
  grant: ResourceGrant;
  /** The key transient-fault counters use: one consent, one path. */
  key: string;
  malformed: boolean;
  nowMs: number;
}

/** A bearer token the bank issued: client credentials, or the code grant's for one consent. */
interface BearerToken {
  grant: 'client_credentials' | 'authorization_code';
  consentId: string | null;
}

export function registerAis(app: FastifyInstance, ctx: SandboxContext, providers: ProviderRegistry): void {
  /**
   * The request's access token, found through the bank's provider: unknown or expired (on the
   * bank's clock) → 401; bound (RFC 8705 §3) to a certificate other than the connection's → 401.
   * The API is served on the TLS listener only.
   */
  const bearer = async (request: FastifyRequest, bank: SandboxBank, nowMs: number): Promise<BearerToken> => {
    const socket = request.raw.socket;
    if (!isMutualTls(socket)) {
      throw new ObieError(403, 'UK.OBIE.UnexpectedError', `The OBIE API is served over mutual TLS only, at ${ctx.tlsBaseUrl()}/${bank.identifier}${AIS_PATH}`);
    }
    const header = request.headers.authorization;
    if (!header) throw unauthorized('UK.OBIE.Header.Missing', 'Send an access token in "Authorization: Bearer <token>"');
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    const provider = providers.get(bank)?.provider;
    let token: TokenArtifact | undefined;
    let grant: BearerToken['grant'] = 'authorization_code';
    if (m && provider) {
      token = await provider.AccessToken.find(m[1]!);
      if (!token) {
        token = await provider.ClientCredentials.find(m[1]!);
        grant = 'client_credentials';
      }
    }
    if (!token || expiresAtOnBankClock(token) <= nowMs) throw unauthorized('UK.OBIE.Header.Invalid', 'The access token is invalid or has expired');
    const certificate = peerCertificate(socket);
    if (!certificate || token['x5t#S256'] !== thumbprint(certificate)) {
      throw unauthorized('UK.OBIE.Header.Invalid', 'The access token is bound to another certificate (RFC 8705 cnf.x5t#S256): present it over the connection it was issued to');
    }
    return { grant, consentId: grant === 'authorization_code' ? intentIdOfToken(token) : null };
  };

  /** Consents are a TPP's own business: managed with its client credentials token. */
  const clientAccess = async (request: FastifyRequest) => {
    const bank = ctx.bank(request);
    const nowMs = ctx.now().getTime();
    if ((await bearer(request, bank, nowMs)).grant !== 'client_credentials') {
      throw new ObieError(403, 'UK.OBIE.Header.Invalid', 'Account access consents are managed with a client credentials token', { path: 'Authorization' });
    }
    return { bank, nowMs };
  };

  /** The OBIE API is served over mutual TLS only, so its links point there. */
  const aisUrl = (bank: SandboxBank) => `${ctx.tlsBaseUrl()}/${bank.identifier}${AIS_PATH}`;

  const transient = transientFaults(ctx, {
    rateLimited: () => new ObieError(429, 'UK.OBIE.UnexpectedError', 'Too many requests: retry after 1 second', { headers: { 'retry-after': '1' } }),
    unavailable: (message) => new ObieError(503, 'UK.OBIE.UnexpectedError', message),
  });

  /** Who may read `resource`, in OBIE's order of checks: token, consent, then permission. */
  const access = async (request: FastifyRequest, reply: FastifyReply, resource: AisResource): Promise<Access> => {
    const bank = ctx.bank(request);
    const nowMs = ctx.now().getTime();
    const token = await bearer(request, bank, nowMs);
    if (token.grant !== 'authorization_code' || !token.consentId) {
      throw new ObieError(403, 'UK.OBIE.Header.Invalid', 'A client credentials token cannot read account information: use a token the user authorised', {
        path: 'Authorization',
      });
    }
    const consent = ctx.state.consent(bank.identifier, token.consentId);
    if (!consent?.login || !consent.accountIds) throw new ObieError(403, 'UK.OBIE.Resource.InvalidConsentStatus', 'The consent is not authorised');
    const faults = ctx.faults(bank.identifier, consent.login);
    const status = ctx.consentStatus(consent, faults, nowMs);
    if (status !== 'Authorised') throw new ObieError(403, 'UK.OBIE.Resource.InvalidConsentStatus', `The consent is ${status}`);
    const key = `${consent.id} ${request.url.split('?')[0]}`;
    const malformed = await transient(reply, faults, key);
    const grant = grantFor(resource, consent.permissions);
    if (!grant) throw new ObieError(403, 'UK.OBIE.Resource.ConsentMismatch', `The consent does not grant ${missingPermission(resource)}`);
    return { bank, consent: consent as Access['consent'], faults, grant, key, malformed, nowMs };
  };

  const snapshotOf = (a: Access, asOfMs = a.nowMs) =>
    ctx.customers.get(a.bank, a.consent.login, ctx.state.user(a.bank.identifier, a.consent.login).profile, asOfMs);

  /** Accounts outside the consent do not exist for its tokens. */
  const accountOf = (a: Access, accountId: string, asOfMs?: number): GeneratedAccount => {
    const account = a.consent.accountIds.includes(accountId) ? snapshotOf(a, asOfMs).account(accountId) : undefined;
    if (!account) throw notFound(`Account ${accountId}`);
    return account;
  };

  app.post(`${AIS}/account-access-consents`, HIDDEN, async (request, reply) => {
    const { bank, nowMs } = await clientAccess(request);
    const { Data } = validBody(ConsentRequest, request.body);
    const permissions = [...new Set(Data.Permissions)];
    const problem = permissionsProblem(permissions);
    if (problem) throw new ObieError(400, 'UK.OBIE.Field.Invalid', problem, { path: 'Data.Permissions' });
    const id = `aac-${randomUUID()}`;
    ctx.state.createConsent({
      id,
      bank: bank.identifier,
      permissions,
      at: new Date(nowMs).toISOString(),
      expiresAt: iso(Data.ExpirationDateTime),
      transactionsFrom: iso(Data.TransactionFromDateTime),
      transactionsTo: iso(Data.TransactionToDateTime),
    });
    const consent = ctx.state.consent(bank.identifier, id)!;
    reply.code(201);
    return sendJson(reply, consentBody(consent, consent.status, `${aisUrl(bank)}/account-access-consents/${id}`));
  });

  app.get<{ Params: { ConsentId: string } }>(`${AIS}/account-access-consents/:ConsentId`, HIDDEN, async (request, reply) => {
    const { bank, nowMs } = await clientAccess(request);
    const { ConsentId } = request.params;
    const consent = ctx.state.consent(bank.identifier, ConsentId);
    if (!consent) throw notFound(`Consent ${ConsentId}`);
    const status = ctx.consentStatus(consent, ctx.faults(bank.identifier, consent.login), nowMs);
    return sendJson(reply, consentBody(consent, status, ctx.publicUrl(request)));
  });

  app.delete<{ Params: { ConsentId: string } }>(`${AIS}/account-access-consents/:ConsentId`, HIDDEN, async (request, reply) => {
    const { bank, nowMs } = await clientAccess(request);
    const { ConsentId } = request.params;
    if (!ctx.state.consent(bank.identifier, ConsentId)) throw notFound(`Consent ${ConsentId}`);
    // Deleting a consent that is already over changes nothing and is still a success.
    ctx.state.setConsentStatus(ConsentId, 'Revoked', ['AwaitingAuthorisation', 'Authorised'], new Date(nowMs).toISOString());
    return reply.code(204).send();
  });

  app.get(`${AIS}/accounts`, HIDDEN, async (request, reply) => {
    const a = await access(request, reply, 'accounts');
    const snapshot = snapshotOf(a);
    const accounts = a.consent.accountIds.flatMap((id) => snapshot.account(id) ?? []);
    return sendJson(reply, { Data: { Account: accounts.map((x) => accountJson(x, a.grant.detail)) }, Links: { Self: ctx.publicUrl(request) }, Meta: { TotalPages: 1 } }, a.malformed);
  });

  app.get<{ Params: { AccountId: string } }>(`${AIS}/accounts/:AccountId`, HIDDEN, async (request, reply) => {
    const a = await access(request, reply, 'accounts');
    const account = accountOf(a, request.params.AccountId);
    return sendJson(reply, { Data: { Account: [accountJson(account, a.grant.detail)] }, Links: { Self: ctx.publicUrl(request) }, Meta: { TotalPages: 1 } }, a.malformed);
  });

  /** The per-account lists that fit on one page, each written as the faults in force write records. */
  const perAccount = (resource: AisResource, path: string, data: (account: GeneratedAccount, grant: ResourceGrant) => Record<string, unknown[]>) => {
    app.get<{ Params: { AccountId: string } }>(`${AIS}/accounts/:AccountId/${path}`, HIDDEN, async (request, reply) => {
      const a = await access(request, reply, resource);
      const account = accountOf(a, request.params.AccountId);
      const lists = Object.entries(data(account, a.grant)).map(([key, list]) => [key, recordsUnderFaults(list, a.faults, resource === 'balances')]);
      return sendJson(reply, { Data: Object.fromEntries(lists), Links: { Self: ctx.publicUrl(request) }, Meta: { TotalPages: 1 } }, a.malformed);
    });
  };
  perAccount('balances', 'balances', (x) => ({ Balance: x.balances.map((b) => balanceJson(x.accountId, b)) }));
  perAccount('beneficiaries', 'beneficiaries', (x, g) => ({ Beneficiary: x.beneficiaries.map((b) => beneficiaryJson(x.accountId, b, g.detail)) }));
  perAccount('direct-debits', 'direct-debits', (x) => ({ DirectDebit: x.directDebits.map((d) => directDebitJson(x.accountId, d)) }));
  perAccount('standing-orders', 'standing-orders', (x, g) => ({ StandingOrder: x.standingOrders.map((s) => standingOrderJson(x.accountId, s, g.detail)) }));
  perAccount('scheduled-payments', 'scheduled-payments', (x, g) => ({
    ScheduledPayment: x.scheduledPayments.map((p) => scheduledPaymentJson(x.accountId, p, g.detail)),
  }));
  perAccount('parties', 'parties', (x) => ({ Party: x.parties.map(partyJson) }));

  app.get(`${AIS}/party`, HIDDEN, async (request, reply) => {
    const a = await access(request, reply, 'party');
    return sendJson(reply, { Data: { Party: partyJson(snapshotOf(a).customer.party) }, Links: { Self: ctx.publicUrl(request) }, Meta: { TotalPages: 1 } }, a.malformed);
  });

  app.get<{ Params: { AccountId: string }; Querystring: Form | undefined }>(`${AIS}/accounts/:AccountId/transactions`, HIDDEN, async (request, reply) => {
    const a = await access(request, reply, 'transactions');
    const { AccountId } = request.params;
    const query = request.query ?? {};
    if (a.faults.has('daily_quota')) {
      throw new ObieError(429, 'UK.OBIE.UnexpectedError', 'The daily request quota of this consent is used up', { headers: { 'retry-after': String(DAILY_QUOTA_RETRY_AFTER_S) } });
    }
    if (a.faults.has('no_date_filter') && query.fromBookingDateTime !== undefined) {
      throw new ObieError(400, 'UK.OBIE.Field.Invalid', 'fromBookingDateTime is not supported', { path: 'fromBookingDateTime' });
    }
    if (a.faults.has('empty_transactions_body')) return reply.type('application/json; charset=utf-8').send('');
    const from = filterBound(query, 'fromBookingDateTime');
    const to = filterBound(query, 'toBookingDateTime');
    const page = positiveInteger(query, 'page') ?? 1;
    // Later pages read the snapshot the first one did (`at`), so paging never repeats or skips
    // an entry while new ones arrive; never a future one, which would show what has not happened.
    const at = Math.min(positiveInteger(query, 'at') ?? a.nowMs, a.nowMs);
    const snapshot = snapshotOf(a, at);
    const account = accountOf(a, AccountId, at);

    const lower = [from, a.consent.transactionsFrom].reduce<string | null>((x, y) => (y !== null && (x === null || y > x) ? y : x), null);
    const upper = [to, a.consent.transactionsTo].reduce<string | null>((x, y) => (y !== null && (x === null || y < x) ? y : x), null);
    const { credits, debits } = a.grant;
    let list = snapshot.transactions(account, a.faults);
    if (lower !== null || upper !== null || !credits || !debits) {
      list = list.filter(
        (t) =>
          (lower === null || t.bookingDateTime >= lower) &&
          (upper === null || t.bookingDateTime <= upper) &&
          (t.creditDebitIndicator === 'Credit' ? credits : debits),
      );
    }

    const pages = Math.max(1, Math.ceil(list.length / TRANSACTIONS_PAGE_SIZE));
    const items = list.slice((page - 1) * TRANSACTIONS_PAGE_SIZE, page * TRANSACTIONS_PAGE_SIZE);
    const fetchNo = a.faults.has('unstable_ids') ? ctx.counters.next('unstable_ids', a.key) : 0;
    const idOf = a.faults.has('missing_transaction_id')
      ? () => null
      : a.faults.has('unstable_ids')
        ? (t: GeneratedTransaction) => `${t.transactionId}.${fetchNo}`
        : (t: GeneratedTransaction) => t.transactionId;

    const pageUrl = (n: number) => {
      const params = new URLSearchParams();
      if (from !== null) params.set('fromBookingDateTime', from);
      if (to !== null) params.set('toBookingDateTime', to);
      params.set('at', String(snapshot.asOfMs));
      params.set('page', String(n));
      return `${aisUrl(a.bank)}/accounts/${encodeURIComponent(AccountId)}/transactions?${params}`;
    };
    const links = {
      Self: ctx.publicUrl(request),
      First: pageUrl(1),
      ...(page > 1 ? { Prev: pageUrl(Math.min(page - 1, pages)) } : {}),
      ...(page < pages ? { Next: pageUrl(page + 1) } : {}),
      Last: pageUrl(pages),
    };
    const body = {
      Data: { Transaction: recordsUnderFaults(items.map((t) => transactionJson(AccountId, t, a.grant.detail, idOf(t))), a.faults, true) },
      Links: links,
      Meta: { TotalPages: pages },
    };
    return sendJson(reply, body, a.malformed);
  });
}
