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
import { nextPageUrl, type ObieConnectorOptions, type ObieEvent } from '../obie/connector.ts';
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

    const list = async <T>(path: string, key: string, resource: DataResource): Promise<T[]> => {
      const items: T[] = [];
      const seen = new Set<string>();
      let url: string | null = `${base}${path}`;
      try {
        while (url !== null) {
          if (seen.size === pageLimit) throw new BankError('unavailable', `${resource}: more than ${pageLimit} pages`, { resource });
          seen.add(url);
          const page = pageOf(await get(url, resource), key);
          for (const item of page.items) items.push(item as T);
          url = nextPageUrl(page.next, url, origin);
          if (url !== null && seen.has(url)) url = null;
        }
      } catch (err) {
        if (err instanceof MalformedData) throw malformed(`GET ${resource}`, err.message, resource, err);
        throw err;
      }
      return items;
    };

    const noted = <T>(resource: DataResource, mapped: Mapped<T>): T[] => {
      if (mapped.notes.length > 0) onEvent({ type: 'notes', bank: bank.identifier, resource, notes: mapped.notes });
      return mapped.items;
    };
    const guarded = <T>(resource: DataResource, fn: () => T): T => {
      try {
        return fn();
      } catch (err) {
        if (err instanceof MalformedData) throw malformed(`GET ${resource}`, err.message, resource, err);
        throw err;
      }
    };

    await session.refreshIfExpiring();

    const rawAccounts = await list<UaeAccount>('/accounts', 'Account', 'accounts');
    const accounts = guarded('accounts', () => noted('accounts', mapAccounts(rawAccounts, bank)));
    const snapshot: EntitySnapshot = { fetched_at: fetchedAt, accounts: accounts.map((a) => ({ ...a })) };
    for (const [i, account] of accounts.entries()) {
      const fetched: FetchedAccount = snapshot.accounts[i]!;
      const at = `/accounts/${encodeURIComponent(account.bank_account_id)}`;
      if (input.resources.includes('balances')) {
        const raw = await list<UaeBalance>(`${at}/balances`, 'Balance', 'balances');
        fetched.balances = guarded('balances', () => noted('balances', mapBalances(raw, bank)));
      }
      if (input.resources.includes('transactions')) {
        const query = input.transactions_from !== null ? `?fromBookingDateTime=${encodeURIComponent(new Date(input.transactions_from).toISOString().slice(0, 19))}` : '';
        const raw = await list<UaeTransaction>(`${at}/transactions${query}`, 'Transaction', 'transactions');
        fetched.transactions = { from: input.transactions_from, items: guarded('transactions', () => noted('transactions', mapTransactions(raw, bank))) };
      }
      if (input.resources.includes('beneficiaries')) {
        const raw = await list<UaeBeneficiary>(`${at}/beneficiaries`, 'Beneficiary', 'beneficiaries');
        fetched.beneficiaries = guarded('beneficiaries', () => noted('beneficiaries', mapBeneficiaries(raw)));
      }
      if (input.resources.includes('direct_debits')) {
        const raw = await list<UaeDirectDebit>(`${at}/direct-debits`, 'DirectDebit', 'direct_debits');
        fetched.direct_debits = guarded('direct_debits', () => noted('direct_debits', mapDirectDebits(raw, bank)));
      }
      if (input.resources.includes('standing_orders')) {
        const raw = await list<UaeStandingOrder>(`${at}/standing-orders`, 'StandingOrder', 'standing_orders');
        fetched.standing_orders = guarded('standing_orders', () => noted('standing_orders', mapStandingOrders(raw, bank)));
      }
      if (input.resources.includes('scheduled_payments')) {
        const raw = await list<UaeScheduledPayment>(`${at}/scheduled-payments`, 'ScheduledPayment', 'scheduled_payments');
        fetched.scheduled_payments = guarded('scheduled_payments', () => noted('scheduled_payments', mapScheduledPayments(raw, bank)));
      }
      if (input.resources.includes('account_identities')) {
        const raw = await list<UaeAccountParty>(`${at}/parties`, 'Party', 'account_identities');
        fetched.account_identities = guarded('account_identities', () => noted('account_identities', mapAccountIdentities(raw)));
      }
    }
    if (input.resources.includes('identity')) {
      // `/parties` answers one party (the user), not a list.
      const body = (await get(`${base}/parties`, 'identity')) as { Data?: { Party?: unknown } } | undefined;
      const party = body?.Data?.Party;
      if (typeof party !== 'object' || party === null || Array.isArray(party) || typeof (party as { PartyId?: unknown }).PartyId !== 'string') {
        throw malformed('GET identity', 'Data.Party is not a party', 'identity');
      }
      const { identity, notes } = guarded('identity', () => mapIdentity(party as UaeUserParty));
      if (notes.length > 0) onEvent({ type: 'notes', bank: bank.identifier, resource: 'identity', notes });
      snapshot.identity = identity;
    }
    return { snapshot, credentials: session.credentials() };
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
