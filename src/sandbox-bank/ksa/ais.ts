import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TokenArtifact } from 'oidc-provider';
import Type from 'typebox';
import { Compile } from 'typebox/compile';
import { StringEnum } from '../../domain/typebox.ts';
import { CONSENT_PERMISSIONS, KSA_API_PATH } from '../../standards/ksa-2022.11/codes.ts';
import { expiresAtOnBankClock, intentIdOfToken } from '../authorization-server/provider.ts';
import { isMutualTls, peerCertificate, thumbprint } from '../authorization-server/certificate.ts';
import type { ProviderRegistry } from '../authorization-server/providers.ts';
import type { SandboxBank, SandboxContext } from '../context.ts';
import { notFound, ObieError, unauthorized } from '../errors.ts';
import type { GeneratedAccount } from '../generator/model.ts';
import { DAILY_QUOTA_RETRY_AFTER_S, recordsUnderFaults } from '../faults.ts';
import { HIDDEN } from '../hidden.ts';
import { grantFor, missingPermission, type AisResource } from '../permissions.ts';
import { validBody } from '../validate.ts';
import {
  accountJson,
  accountPartyJson,
  balanceJson,
  beneficiaryJson,
  consentJson,
  directDebitJson,
  feeJson,
  partyJson,
  scheduledPaymentJson,
  standingOrderJson,
  transactionJson,
} from './json.ts';

/**
 * The KSA Open Banking 2022.11 account-information API of the sandbox banks whose profile says
 * `standard: 'ksa-2022.11'`: consents (created with a client-credentials token, revoked by
 * `PATCH Status: Revoked`), accounts, balances, transactions and the user's party, over the same
 * consents, tokens and generated data as the OBIE server (`../ais.ts`), and the per-account
 * beneficiaries, direct debits, standing orders, scheduled payments and parties. Errors keep that server's
 * `OBErrorResponse` form, which KSA shares.
 */

const KSA = `/:bank${KSA_API_PATH}`;

const ConsentRequest = Compile(
  Type.Object(
    {
      Data: Type.Object(
        {
          Permissions: Type.Array(StringEnum(CONSENT_PERMISSIONS), { minItems: 1 }),
          ExpirationDateTime: Type.Optional(Type.String({ format: 'date-time' })),
          TransactionFromDateTime: Type.Optional(Type.String({ format: 'date-time' })),
          TransactionToDateTime: Type.Optional(Type.String({ format: 'date-time' })),
        },
        { additionalProperties: false },
      ),
    },
    { additionalProperties: false },
  ),
);
const PatchRequest = Compile(Type.Object({ Data: Type.Object({ Status: Type.Literal('Revoked') }, { additionalProperties: false }) }, { additionalProperties: false }));

const iso = (value: string | undefined) => (value === undefined ? null : new Date(value).toISOString());
const sendJson = (reply: FastifyReply, body: unknown) => reply.type('application/json; charset=utf-8').send(JSON.stringify(body));

export function registerKsaAis(app: FastifyInstance, ctx: SandboxContext, providers: ProviderRegistry): void {
  const ksaBank = (request: FastifyRequest): SandboxBank => {
    const bank = ctx.bank(request);
    if (bank.standard !== 'ksa-2022.11') throw notFound(`${bank.name} does not speak KSA Open Banking`);
    return bank;
  };

  const bearer = async (request: FastifyRequest, bank: SandboxBank, nowMs: number) => {
    const socket = request.raw.socket;
    if (!isMutualTls(socket)) throw new ObieError(403, 'UK.OBIE.UnexpectedError', `The API is served over mutual TLS only, at ${ctx.tlsBaseUrl()}/${bank.identifier}${KSA_API_PATH}`);
    const m = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
    if (!m) throw unauthorized('UK.OBIE.Header.Missing', 'Send an access token in "Authorization: Bearer <token>"');
    const provider = providers.get(bank)?.provider;
    let token: TokenArtifact | undefined;
    let client = false;
    if (provider) {
      token = await provider.AccessToken.find(m[1]!);
      if (!token) {
        token = await provider.ClientCredentials.find(m[1]!);
        client = true;
      }
    }
    if (!token || expiresAtOnBankClock(token) <= nowMs) throw unauthorized('UK.OBIE.Header.Invalid', 'The access token is invalid or has expired');
    const certificate = peerCertificate(socket);
    if (!certificate || token['x5t#S256'] !== thumbprint(certificate)) throw unauthorized('UK.OBIE.Header.Invalid', 'The access token is bound to another certificate');
    return { client, consentId: client ? null : intentIdOfToken(token) };
  };

  const clientAccess = async (request: FastifyRequest) => {
    const bank = ksaBank(request);
    const nowMs = ctx.now().getTime();
    if (!(await bearer(request, bank, nowMs)).client) throw new ObieError(403, 'UK.OBIE.Header.Invalid', 'Consents are managed with a client credentials token', { path: 'Authorization' });
    return { bank, nowMs };
  };

  const access = async (request: FastifyRequest, resource: AisResource) => {
    const bank = ksaBank(request);
    const nowMs = ctx.now().getTime();
    const token = await bearer(request, bank, nowMs);
    if (token.client || !token.consentId) throw new ObieError(403, 'UK.OBIE.Header.Invalid', 'Use a token the user authorised', { path: 'Authorization' });
    const consent = ctx.state.consent(bank.identifier, token.consentId);
    if (!consent?.login || !consent.accountIds) throw new ObieError(403, 'UK.OBIE.Resource.InvalidConsentStatus', 'The consent is not authorized');
    const faults = ctx.faults(bank.identifier, consent.login);
    const status = ctx.consentStatus(consent, faults, nowMs);
    if (status !== 'Authorised') throw new ObieError(403, 'UK.OBIE.Resource.InvalidConsentStatus', `The consent is ${status}`);
    const grant = grantFor(resource, consent.permissions);
    if (!grant) throw new ObieError(403, 'UK.OBIE.Resource.ConsentMismatch', `The consent does not grant ${missingPermission(resource)}`);
    const login = consent.login;
    const accountIds = consent.accountIds;
    const snapshot = ctx.customers.get(bank, login, ctx.state.user(bank.identifier, login).profile, nowMs);
    const account = (id: string): GeneratedAccount => {
      const found = accountIds.includes(id) ? snapshot.account(id) : undefined;
      if (!found) throw notFound(`Account ${id}`);
      return found;
    };
    return { bank, consent, faults, grant, snapshot, accountIds, account };
  };

  const apiUrl = (bank: SandboxBank) => `${ctx.tlsBaseUrl()}/${bank.identifier}${KSA_API_PATH}`;

  app.post(`${KSA}/account-access-consents`, HIDDEN, async (request, reply) => {
    const { bank, nowMs } = await clientAccess(request);
    const { Data } = validBody(ConsentRequest, request.body);
    const id = `ksa-${randomUUID()}`;
    ctx.state.createConsent({
      id,
      bank: bank.identifier,
      // The store speaks OBIE's codes: KSA's KYC level reads the same party (`ReadPartyPSU`), and is
      // kept beside it, as the UAE routes keep their own codes, so `/parties` adds the verified claims.
      permissions: [...new Set(Data.Permissions.flatMap((p) => (p === 'ReadPartyPSUIdentity' ? ['ReadPartyPSU', p] : [p])))] as never,
      at: new Date(nowMs).toISOString(),
      expiresAt: iso(Data.ExpirationDateTime),
      transactionsFrom: iso(Data.TransactionFromDateTime),
      transactionsTo: iso(Data.TransactionToDateTime),
    });
    const consent = ctx.state.consent(bank.identifier, id)!;
    reply.code(201);
    return sendJson(reply, consentJson(consent, consent.status, `${apiUrl(bank)}/account-access-consents/${id}`));
  });

  app.get<{ Params: { ConsentId: string } }>(`${KSA}/account-access-consents/:ConsentId`, HIDDEN, async (request, reply) => {
    const { bank, nowMs } = await clientAccess(request);
    const { ConsentId } = request.params;
    const consent = ctx.state.consent(bank.identifier, ConsentId);
    if (!consent) throw notFound(`Consent ${ConsentId}`);
    return sendJson(reply, consentJson(consent, ctx.consentStatus(consent, ctx.faults(bank.identifier, consent.login), nowMs), `${apiUrl(bank)}/account-access-consents/${ConsentId}`));
  });

  app.patch<{ Params: { ConsentId: string } }>(`${KSA}/account-access-consents/:ConsentId`, HIDDEN, async (request, reply) => {
    const { bank, nowMs } = await clientAccess(request);
    validBody(PatchRequest, request.body);
    const { ConsentId } = request.params;
    if (!ctx.state.consent(bank.identifier, ConsentId)) throw notFound(`Consent ${ConsentId}`);
    ctx.state.setConsentStatus(ConsentId, 'Revoked', ['AwaitingAuthorisation', 'Authorised'], new Date(nowMs).toISOString());
    return reply.code(204).send();
  });

  const links = (request: FastifyRequest) => ({ Self: ctx.publicUrl(request) });

  app.get(`${KSA}/accounts`, HIDDEN, async (request, reply) => {
    const a = await access(request, 'accounts');
    const accounts = a.accountIds.flatMap((id) => a.snapshot.account(id) ?? []);
    return sendJson(reply, { Data: { Account: accounts.map((x) => accountJson(x, a.grant.detail)) }, Links: links(request), Meta: { TotalPages: 1 } });
  });

  app.get<{ Params: { AccountId: string } }>(`${KSA}/accounts/:AccountId/balances`, HIDDEN, async (request, reply) => {
    const a = await access(request, 'balances');
    const x = a.account(request.params.AccountId);
    return sendJson(reply, { Data: { AccountId: x.accountId, Balance: recordsUnderFaults(x.balances.map(balanceJson), a.faults, true) }, Links: links(request), Meta: { TotalPages: 1 } });
  });

  app.get<{ Params: { AccountId: string }; Querystring: { fromBookingDateTime?: string } }>(`${KSA}/accounts/:AccountId/transactions`, HIDDEN, async (request, reply) => {
    const a = await access(request, 'transactions');
    const x = a.account(request.params.AccountId);
    if (a.faults.has('daily_quota')) {
      throw new ObieError(429, 'UK.OBIE.UnexpectedError', 'The daily request quota of this consent is used up', { headers: { 'retry-after': String(DAILY_QUOTA_RETRY_AFTER_S) } });
    }
    if (a.faults.has('no_date_filter') && request.query.fromBookingDateTime !== undefined) {
      throw new ObieError(400, 'UK.OBIE.Field.Invalid', 'fromBookingDateTime is not supported', { path: 'fromBookingDateTime' });
    }
    if (a.faults.has('empty_transactions_body')) return reply.type('application/json; charset=utf-8').send('');
    const { credits, debits } = a.grant;
    const lower = a.consent.transactionsFrom;
    const list = a.snapshot.transactions(x, a.faults).filter((t) => (lower === null || t.bookingDateTime >= lower) && (t.creditDebitIndicator === 'Credit' ? credits : debits));
    const quirks = a.faults.has('ksa_quirks');
    const items: unknown[] = list.map((t) => transactionJson(t, a.grant.detail, t.transactionId, quirks));
    // A real KSA bank books a card fee under its purchase's id: the first card purchase gets one.
    const purchase = quirks ? list.find((t) => t.merchantDetails && t.status === 'Booked' && t.creditDebitIndicator === 'Debit') : undefined;
    if (purchase) items.push(feeJson(purchase, purchase.transactionId));
    return sendJson(reply, { Data: { AccountId: x.accountId, Transaction: recordsUnderFaults(items, a.faults, true) }, Links: links(request), Meta: { TotalPages: 1 } });
  });

  /** The per-account lists, one page each; `detail` is whether the consent grants the resource's `…Detail` permission. */
  const perAccount = (resource: Exclude<AisResource, 'accounts' | 'balances' | 'transactions' | 'party'>, data: (account: GeneratedAccount, detail: boolean) => Record<string, unknown[]>) => {
    app.get<{ Params: { AccountId: string } }>(`${KSA}/accounts/:AccountId/${resource}`, HIDDEN, async (request, reply) => {
      const a = await access(request, resource);
      const x = a.account(request.params.AccountId);
      const lists = Object.entries(data(x, a.grant.detail)).map(([key, list]) => [key, recordsUnderFaults(list, a.faults, false)]);
      return sendJson(reply, { Data: { AccountId: x.accountId, ...Object.fromEntries(lists) }, Links: links(request), Meta: { TotalPages: 1 } });
    });
  };
  perAccount('beneficiaries', (x, detail) => ({ Beneficiary: x.beneficiaries.map((b) => beneficiaryJson(b, detail)) }));
  perAccount('direct-debits', (x) => ({ DirectDebit: x.directDebits.map(directDebitJson) }));
  perAccount('standing-orders', (x, detail) => ({ StandingOrder: x.standingOrders.map((o) => standingOrderJson(o, detail)) }));
  perAccount('scheduled-payments', (x, detail) => ({ ScheduledPayment: x.scheduledPayments.map((p) => scheduledPaymentJson(p, detail)) }));
  perAccount('parties', (x) => ({ Party: x.parties.map(accountPartyJson) }));

  app.get(`${KSA}/parties`, HIDDEN, async (request, reply) => {
    const a = await access(request, 'party');
    const kyc = (a.consent.permissions as readonly string[]).includes('ReadPartyPSUIdentity');
    return sendJson(reply, { Data: { Party: partyJson(a.snapshot.customer.party, kyc) }, Links: links(request), Meta: { TotalPages: 1 } });
  });
}
