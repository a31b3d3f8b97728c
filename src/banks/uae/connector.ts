import { randomUUID } from 'node:crypto';
import type { DataResource } from '../../domain/permissions.ts';
import type { EntitySnapshot, FetchedAccount } from '../../domain/snapshot.ts';
import { BILLING_PURPOSES, RAR_TYPE } from '../../standards/uae-2.1/codes.ts';
import type {
  UaeAccount,
  UaeAccountParty,
  UaeAuthorizationDetail,
  UaeBalance,
  UaeBeneficiary,
  UaeDirectDebit,
  UaeScheduledPayment,
  UaeStandingOrder,
  UaeTransaction,
  UaeUserParty,
} from '../../standards/uae-2.1/wire.ts';
import type { BankDefinition } from '../bank.ts';
import { BankError, type BankConnector, type FetchDataInput } from '../connector.ts';
import type { ObieConnectorOptions, ObieEvent } from '../obie/connector.ts';
import { nextPageUrl, problemOf } from '../obie/reads.ts';
import type { Checker } from '../obie/wire.ts';
import { checkRecords, combined, everyAccount, FetchCollector } from '../records.ts';
import { transactionsSince } from '../date-filter.ts';
import { ITEMS, type ListKey } from './wire.ts';
import type { HttpResponse } from '../obie/http.ts';
import { connectorHttp, credentialsFrom, malformed, openConsentSession, refused } from '../consent-session.ts';
import {
  MalformedData,
  mapAccountIdentities,
  mapAccounts,
  mapBalances,
  mapBeneficiaries,
  mapDirectDebits,
  mapIdentity,
  mapScheduledPayments,
  mapStandingOrders,
  mapTransactions,
  type Mapped,
} from './mapping.ts';
import { uaePermissions } from './permissions.ts';

/** Same options as the OBIE connector: the FAPI layer, the bank transports, timeouts, clock, events. */
export type UaeConnectorOptions = ObieConnectorOptions;
export type UaeEvent = ObieEvent;

/** openlean aggregates accounts for the TPP's customer: the billing purpose the Hub charges it under. */
const BILLING_PURPOSE = 'AccountAggregation' satisfies (typeof BILLING_PURPOSES)[number];

const apiBase = (bank: BankDefinition) => bank.api_base_url.replace(/\/+$/, '');

/**
 * The RAR object (RFC 9396) of a UAE v2.1 bank data sharing consent: openlean chooses the
 * `ConsentId`; the consent is created at the bank when this is pushed (PAR), never with a POST.
 */
export function consentDetail(input: { consent_id: string; permissions: ReturnType<typeof uaePermissions>; expires_at: string }): UaeAuthorizationDetail {
  return {
    type: RAR_TYPE,
    consent: {
      ConsentId: input.consent_id,
      Permissions: input.permissions,
      // Whole seconds with an explicit zone, as the spec's examples write them.
      ExpirationDateTime: `${new Date(input.expires_at).toISOString().slice(0, 19)}+00:00`,
      OpenFinanceBilling: { UserType: 'Retail', Purpose: BILLING_PURPOSE },
    },
  };
}

function reasonOf(res: HttpResponse): string {
  const body = res.body as { Errors?: { Code?: string; Message?: string }[]; errors?: unknown; error?: string; error_description?: string } | undefined;
  if (Array.isArray(body?.Errors)) return body.Errors.map((e) => [e.Code, e.Message].filter(Boolean).join(': ')).join('; ');
  if (body?.error) return [body.error, body.error_description].filter(Boolean).join(': ');
  return `HTTP ${res.status}`;
}


/** The `Data.<key>` array and `Links.Next` of a UAE list page; anything else is malformed. */
function pageOf(body: unknown, key: string): { items: unknown[]; next: string | undefined } {
  const page = body as { Data?: Record<string, unknown>; Links?: { Next?: unknown } } | undefined;
  const items = page?.Data?.[key];
  if (!page || typeof page.Data !== 'object' || !Array.isArray(items)) throw new MalformedData(`Data.${key} is not an array`);
  const next = page.Links?.Next;
  if (next !== undefined && typeof next !== 'string') throw new MalformedData('Links.Next is not a string');
  return { items, next };
}

/**
 * The UAE Open Finance v2.1 account-information connector (`standard: uae-2.1`), over the FAPI 2.0
 * layer: PAR with a signed request object carrying the consent as RAR `authorization_details`,
 * `private_key_jwt` or `tls_client_auth`, certificate-bound tokens. Resources live under
 * `/open-finance/account-information/v2.1`; the consent is read with GET and revoked with PATCH.
 */
export function createUaeConnector(options: UaeConnectorOptions): BankConnector {
  const now = options.now ?? (() => new Date());
  const onEvent = options.onEvent ?? (() => {});
  const pageLimit = options.page_limit ?? 1000;
  const http = connectorHttp(options, onEvent);
  const { fapi, transports } = options;

  async function fetchData(input: FetchDataInput) {
    const { bank } = input;
    const fetchedAt = now().toISOString();
    const base = apiBase(bank);
    const origin = new URL(base).origin;
    const transport = transports.for(bank).fetch;
    const session = openConsentSession({
      bank,
      fapi,
      http,
      transport,
      input,
      signal: input.signal,
      now,
      onRefreshed: () => onEvent({ type: 'token_refreshed', bank: bank.identifier }),
      reasonOf,
    });
    const get = session.get;

    const collector = new FetchCollector((resource, notes) => onEvent({ type: 'notes', bank: bank.identifier, resource, notes }));

    /** Every record of a list, over all its pages, checked one by one, mapped, with what was skipped counted. */
    const mapped = async <T>(path: string, key: ListKey, resource: DataResource, map: (items: never[]) => Mapped<T>, combine = combined<T>): Promise<Mapped<T>> => {
      const items: unknown[] = [];
      const seen = new Set<string>();
      let url: string | null = `${base}${path}`;
      try {
        while (url !== null) {
          if (seen.size === pageLimit) throw new BankError('unavailable', `${resource}: more than ${pageLimit} pages`, { resource });
          seen.add(url);
          const page = pageOf(await get(url, resource), key);
          for (const item of page.items) items.push(item);
          url = nextPageUrl(page.next, url, origin);
          if (url !== null && seen.has(url)) url = null;
        }
        const checked = checkRecords<never>(items, (item) => problemOf(ITEMS[key] as Checker<unknown>, item));
        return combine(checked, map(checked.items));
      } catch (err) {
        if (err instanceof MalformedData) throw malformed(`GET ${resource}`, err.message, resource, err);
        throw err;
      }
    };

    const records = async <T>(path: string, key: ListKey, resource: DataResource, map: (items: never[]) => Mapped<T>, combine = combined<T>): Promise<T[]> =>
      collector.records(resource, await mapped(path, key, resource, map, combine));

    await session.refreshIfExpiring();

    // The account list is what everything else hangs on: a malformed one fails the fetch.
    const accounts = await records('/accounts', 'Account', 'accounts', (raw: UaeAccount[]) => mapAccounts(raw, bank), everyAccount);
    const snapshot: EntitySnapshot = { fetched_at: fetchedAt, accounts: accounts.map((a) => ({ ...a })) };
    const want = (resource: DataResource) => input.resources.includes(resource);
    for (const [i, account] of accounts.entries()) {
      const fetched: FetchedAccount = snapshot.accounts[i]!;
      const at = `/accounts/${encodeURIComponent(account.bank_account_id)}`;
      const position = `account ${i + 1} of ${accounts.length}`;
      const part = (resource: DataResource, fn: () => Promise<void>) => (want(resource) ? collector.part(resource, position, fn) : Promise.resolve());
      await part('balances', async () => {
        fetched.balances = await records(`${at}/balances`, 'Balance', 'balances', (raw: UaeBalance[]) => mapBalances(raw, bank));
      });
      await part('transactions', async () => {
        fetched.transactions = {
          from: input.transactions_from,
          ...(await transactionsSince({
            from: input.transactions_from,
            quirks: bank.quirks,
            collector,
            fetch: (filter) =>
              mapped(`${at}/transactions${filter === null ? '' : `?fromBookingDateTime=${encodeURIComponent(filter)}`}`, 'Transaction', 'transactions', (raw: UaeTransaction[]) => mapTransactions(raw, bank)),
          })),
        };
      });
      await part('beneficiaries', async () => {
        fetched.beneficiaries = await records(`${at}/beneficiaries`, 'Beneficiary', 'beneficiaries', (raw: UaeBeneficiary[]) => mapBeneficiaries(raw));
      });
      await part('direct_debits', async () => {
        fetched.direct_debits = await records(`${at}/direct-debits`, 'DirectDebit', 'direct_debits', (raw: UaeDirectDebit[]) => mapDirectDebits(raw, bank));
      });
      await part('standing_orders', async () => {
        fetched.standing_orders = await records(`${at}/standing-orders`, 'StandingOrder', 'standing_orders', (raw: UaeStandingOrder[]) => mapStandingOrders(raw, bank));
      });
      await part('scheduled_payments', async () => {
        fetched.scheduled_payments = await records(`${at}/scheduled-payments`, 'ScheduledPayment', 'scheduled_payments', (raw: UaeScheduledPayment[]) => mapScheduledPayments(raw, bank));
      });
      await part('account_identities', async () => {
        fetched.account_identities = await records(`${at}/parties`, 'Party', 'account_identities', (raw: UaeAccountParty[]) => mapAccountIdentities(raw));
      });
    }
    if (want('identity')) {
      await collector.part('identity', 'the user', async () => {
        // `/parties` answers one party (the user), not a list.
        const body = (await get(`${base}/parties`, 'identity')) as { Data?: { Party?: unknown } } | undefined;
        const party = body?.Data?.Party;
        if (typeof party !== 'object' || party === null || Array.isArray(party) || typeof (party as { PartyId?: unknown }).PartyId !== 'string') {
          throw malformed('GET identity', 'Data.Party is not a party', 'identity');
        }
        const { identity, notes } = mapIdentity(party as UaeUserParty);
        collector.issue('identity', ...notes);
        snapshot.identity = identity;
      });
    }
    return { snapshot, credentials: session.credentials(), report: collector.report() };
  }

  return {
    async startConsent(input) {
      const consentId = randomUUID();
      const detail = consentDetail({ consent_id: consentId, permissions: uaePermissions(input.permissions), expires_at: input.expires_at });
      const start = await fapi.authorizationRequest(input.bank, {
        redirect_uri: input.redirect_uri,
        authorization_details: [detail],
        ...(input.language ? { ui_locales: input.language } : {}),
      });
      return { consent_id: consentId, ...start };
    },

    async exchangeCode(input) {
      const t = await fapi.exchangeCode(input.bank, {
        redirect_uri: input.redirect_uri,
        params: input.params,
        state: input.state,
        nonce: input.nonce,
        code_verifier: input.code_verifier,
      });
      return credentialsFrom(input.consent_id, t, null, now().getTime());
    },

    fetchData,

    /** The spec's `PATCH /account-access-consents/{ConsentId}` to `Revoked`, with a client-credentials token. */
    async revokeConsent({ bank, consent_id }) {
      const access = await fapi.clientCredentials(bank, 'accounts');
      const res = await http.send(bank.identifier, {
        method: 'PATCH',
        url: `${apiBase(bank)}/account-access-consents/${encodeURIComponent(consent_id)}`,
        headers: { authorization: `Bearer ${access}`, 'content-type': 'application/json' },
        body: JSON.stringify({ Data: { Status: 'Revoked', RevokedBy: 'TPP.InitiatedByUser' } }),
        fetch: transports.for(bank).fetch,
      });
      // 404: the bank no longer knows the consent, which is what revoking it asks for.
      if (res.status !== 204 && res.status !== 200 && res.status !== 404) throw refused('revoking the consent', res, reasonOf(res));
    },
  };
}
