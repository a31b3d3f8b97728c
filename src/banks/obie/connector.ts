import Type from 'typebox';
import { Compile } from 'typebox/compile';
import type { DataResource } from '../../domain/permissions.ts';
import type { EntitySnapshot, FetchedAccount } from '../../domain/snapshot.ts';
import { BankError, type BankConnector, type FetchDataInput } from '../connector.ts';
import type { BankDefinition } from '../bank.ts';
import type { BankTransports } from '../security/bank-transport.ts';
import { connectorHttp, credentialsFrom, malformed, openConsentSession, refused, runLimited } from '../consent-session.ts';
import type { FapiClient } from '../security/fapi-client.ts';
import type { HttpEvent, HttpResponse } from './http.ts';
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
  type MappedAccount,
} from './mapping.ts';
import { checkRecords, combined, everyAccount, FetchCollector } from '../records.ts';
import { transactionsSince } from '../date-filter.ts';
import { obiePermissions } from './permissions.ts';
import {
  check,
  ConsentResponse,
  ITEMS,
  OAuthErrorBody,
  ObieErrorBody,
  Page,
  SingleParty,
  type Checker,
  type ItemsOf,
  type ListKey,
} from './wire.ts';

export interface ObieConnectorOptions {
  /** The FAPI security layer: discovery, PAR, request objects, client authentication, token grants. */
  fapi: FapiClient;
  /** Each bank's mutual-TLS transport, shared with `fapi` so certificate-bound tokens are presented over the certificate they are bound to. */
  transports: BankTransports;
  /** Per HTTP attempt, body included; 10 000 by default. */
  timeout_ms?: number;
  /** Attempts per HTTP call, the first included; 5 by default. */
  max_attempts?: number;
  /** The longest 429 `Retry-After` waited out; longer fails as `rate_limited`. 30 000 by default. */
  max_retry_after_ms?: number;
  /** Pages followed per resource before the fetch fails; 1000 by default. */
  page_limit?: number;
  /** Requests one fetch keeps in flight; 4 by default. */
  concurrency?: number;
  /** Failed attempts in a row that open a bank's circuit; 10 by default. */
  circuit_threshold?: number;
  /** How long an open circuit refuses calls; 10 000 by default. */
  circuit_half_open_after_ms?: number;
  now?: () => Date;
  /** Retries, circuit changes, token refreshes and what the bank got wrong (notes), for the logs. Never carries secrets. */
  onEvent?: (event: ObieEvent) => void;
}

export type ObieEvent =
  | HttpEvent
  | { type: 'token_refreshed'; bank: string }
  | { type: 'notes'; bank: string; resource: DataResource; notes: string[] };


/** The account sub-resources: path under `/accounts/{id}/` and the `Data` key of the items. */
const ACCOUNT_RESOURCES = {
  balances: { path: 'balances', key: 'Balance' },
  transactions: { path: 'transactions', key: 'Transaction' },
  beneficiaries: { path: 'beneficiaries', key: 'Beneficiary' },
  direct_debits: { path: 'direct-debits', key: 'DirectDebit' },
  standing_orders: { path: 'standing-orders', key: 'StandingOrder' },
  scheduled_payments: { path: 'scheduled-payments', key: 'ScheduledPayment' },
  account_identities: { path: 'parties', key: 'Party' },
} as const satisfies Record<Exclude<DataResource, 'accounts' | 'identity'>, { path: string; key: ListKey }>;
type AccountResource = keyof typeof ACCOUNT_RESOURCES;

/** OBIE Security Profile: the consent is bound to the authorization through this essential claim. */
const INTENT_CLAIM = 'openbanking_intent_id';
const SCA_ACR = 'urn:openbanking:psd2:sca';

const apiBase = (bank: BankDefinition) => bank.api_base_url.replace(/\/+$/, '');


/**
 * The next page's URL from `Links.Next` (absolute, or relative to the page it is on), or null at
 * the end. A link off the bank's API origin would take the access token elsewhere: malformed.
 */
export function nextPageUrl(next: string | undefined, current: string, origin: string): string | null {
  if (next === undefined || next === '') return null;
  let url: URL;
  try {
    url = new URL(next, current);
  } catch {
    throw new MalformedData(`Links.Next ${JSON.stringify(next)} is not a URL`);
  }
  if (url.origin !== origin) throw new MalformedData(`Links.Next leaves the bank's API (${url.origin})`);
  return url.toString();
}

/** What the bank said about a refused request: OBIE error codes, or the OAuth error. */
export function reasonOf(res: HttpResponse): string {
  const obie = check(ObieErrorBody, res.body);
  if (obie.ok) return obie.value.Errors.map((e) => [e.ErrorCode, e.Message].filter(Boolean).join(': ')).join('; ') || `HTTP ${res.status}`;
  const oauth = check(OAuthErrorBody, res.body);
  if (oauth.ok) return [oauth.value.error, oauth.value.error_description].filter(Boolean).join(': ');
  return `HTTP ${res.status}`;
}

/** A list of records, each checked on its own (`ITEMS`). */
export const LIST = Compile(Type.Array(Type.Unknown()));

/** What is wrong with `value` for the validator, or null when nothing is. */
export function problemOf<T>(validator: Checker<T>, value: unknown): string | null {
  const result = check(validator, value, 'record');
  return result.ok ? null : result.problem;
}

/** `value` as the validator's type, or a `malformed` BankError. */
export function valid<T>(validator: Checker<T>, value: unknown, what: string, resource: DataResource | null = null, at?: string): T {
  const result = check(validator, value, at);
  if (!result.ok) throw malformed(what, result.problem, resource);
  return result.value;
}

/** Runs `fn`, turning data that breaks the OBIE format into the BankError it means. */
export async function guarded<T>(resource: DataResource, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof MalformedData) throw malformed(`GET ${resource}`, err.message, resource, err);
    throw err;
  }
}

/**
 * The OBIE v3.1 AIS connector over the FAPI security layer (`../security/`). Consents are made
 * with a client-credentials token (scope `accounts`); the user authorises at the bank with a
 * signed request object (pushed through PAR when the bank wants it) that carries the consent id
 * as the essential `openbanking_intent_id` claim (OBIE Security Profile). Data fetches refresh the access token once when it
 * is about to expire or the bank answers 401/403; a refused refresh (`invalid_grant`) or a
 * refusal that outlives a fresh token means the consent is dead: `reconnect_required`.
 */
export function createObieConnector(options: ObieConnectorOptions): BankConnector {
  const now = options.now ?? (() => new Date());
  const onEvent = options.onEvent ?? (() => {});
  const pageLimit = options.page_limit ?? 1000;
  const concurrency = options.concurrency ?? 4;
  const http = connectorHttp(options, onEvent);
  const { fapi, transports } = options;
  const clientToken = (bank: BankDefinition) => fapi.clientCredentials(bank, 'accounts');

  async function fetchData(input: FetchDataInput) {
    const { bank } = input;
    const fetchedAt = now().toISOString();
    const ais = apiBase(bank);
    const transport = transports.for(bank).fetch;
    const origin = new URL(ais).origin;
    const abort = new AbortController();
    const signal = input.signal ? AbortSignal.any([input.signal, abort.signal]) : abort.signal;
    const session = openConsentSession({
      bank,
      fapi,
      http,
      transport,
      input,
      signal,
      now,
      onRefreshed: () => onEvent({ type: 'token_refreshed', bank: bank.identifier }),
      reasonOf,
    });
    const get = session.get;

    const collector = new FetchCollector((resource, notes) => onEvent({ type: 'notes', bank: bank.identifier, resource, notes }));

    /** Every record of a list resource, over all its pages, checked one by one. */
    const list = async <K extends ListKey>(path: string, key: K, resource: DataResource): Promise<Mapped<ItemsOf<K>[number]>> => {
      const items: unknown[] = [];
      const seen = new Set<string>();
      let url: string | null = `${ais}${path}`;
      while (url !== null) {
        if (seen.size === pageLimit) throw new BankError('unavailable', `${resource}: more than ${pageLimit} pages`, { resource });
        seen.add(url);
        const page = valid(Page, await get(url, resource), `GET ${resource}`, resource);
        // Appended one by one: spreading a bank's page into push() fails past ~100k items.
        for (const item of valid(LIST, page.Data[key] ?? [], `GET ${resource}`, resource, `Data.${key}`)) items.push(item);
        url = nextPageUrl(page.Links?.Next, url, origin);
        if (url !== null && seen.has(url)) {
          collector.issue(resource, 'Links.Next points back to a page already read; paging stopped there');
          url = null;
        }
      }
      return checkRecords(items, (item) => problemOf(ITEMS[key] as Checker<unknown>, item));
    };

    /** The records of a list that pass the format check, mapped, with what was skipped counted. */
    const mapped = async <K extends ListKey, T>(path: string, key: K, resource: DataResource, map: (items: ItemsOf<K>) => Mapped<T>, combine = combined<T>): Promise<Mapped<T>> => {
      const checked = await list(path, key, resource);
      return combine(checked, map(checked.items as ItemsOf<K>));
    };
    const records = async <K extends ListKey, T>(path: string, key: K, resource: DataResource, map: (items: ItemsOf<K>) => Mapped<T>, combine = combined<T>): Promise<T[]> =>
      collector.records(resource, await mapped(path, key, resource, map, combine));

    const accountTask = (account: MappedAccount, fetched: FetchedAccount, resource: AccountResource, position: string) => () =>
      collector.part(resource, position, () => guarded(resource, async () => {
        const { path } = ACCOUNT_RESOURCES[resource];
        const at = `/accounts/${encodeURIComponent(account.bank_account_id)}/${path}`;
        switch (resource) {
          case 'balances':
            fetched.balances = await records(at, 'Balance', resource, (items) => mapBalances(items, bank));
            break;
          case 'transactions':
            fetched.transactions = {
              from: input.transactions_from,
              ...(await transactionsSince({
                from: input.transactions_from,
                quirks: bank.quirks,
                collector,
                fetch: (filter) => mapped(filter === null ? at : `${at}?fromBookingDateTime=${filter}`, 'Transaction', resource, (items) => mapTransactions(items, bank)),
              })),
            };
            break;
          case 'beneficiaries':
            fetched.beneficiaries = await records(at, 'Beneficiary', resource, mapBeneficiaries);
            break;
          case 'direct_debits':
            fetched.direct_debits = await records(at, 'DirectDebit', resource, (items) => mapDirectDebits(items, bank));
            break;
          case 'standing_orders':
            fetched.standing_orders = await records(at, 'StandingOrder', resource, (items) => mapStandingOrders(items, bank));
            break;
          case 'scheduled_payments':
            fetched.scheduled_payments = await records(at, 'ScheduledPayment', resource, (items) => mapScheduledPayments(items, bank));
            break;
          case 'account_identities':
            fetched.account_identities = await records(at, 'Party', resource, mapAccountIdentities);
            break;
        }
      }));

    await session.refreshIfExpiring();

    // The account list is what everything else hangs on: a malformed one fails the fetch.
    const accounts = await guarded('accounts', () => records('/accounts', 'Account', 'accounts', (items) => mapAccounts(items, bank), everyAccount));
    const snapshot: EntitySnapshot = { fetched_at: fetchedAt, accounts: accounts.map((a) => ({ ...a })) };
    const wanted = (Object.keys(ACCOUNT_RESOURCES) as AccountResource[]).filter((r) => input.resources.includes(r));
    const tasks = accounts.flatMap((account, i) => wanted.map((resource) => accountTask(account, snapshot.accounts[i]!, resource, `account ${i + 1} of ${accounts.length}`)));
    if (input.resources.includes('identity')) {
      tasks.push(() =>
        collector.part('identity', 'the user', () => guarded('identity', async () => {
          const body = valid(Page, await get(`${ais}/party`, 'identity'), 'GET identity', 'identity');
          const { identity, notes } = mapIdentity(valid(SingleParty, body.Data.Party, 'GET identity', 'identity', 'Data.Party'));
          collector.issue('identity', ...notes);
          snapshot.identity = identity;
        })),
      );
    }
    await runLimited(tasks, concurrency, abort);
    return { snapshot, credentials: session.credentials(), report: collector.report() };
  }

  return {
    async startConsent(input) {
      const { bank } = input;
      const access = await clientToken(bank);
      const res = await http.send(bank.identifier, {
        method: 'POST',
        url: `${apiBase(bank)}/account-access-consents`,
        headers: { authorization: `Bearer ${access}`, 'content-type': 'application/json' },
        body: JSON.stringify({ Data: { Permissions: obiePermissions(input.permissions), ExpirationDateTime: input.expires_at }, Risk: {} }),
        fetch: transports.for(bank).fetch,
      });
      if (res.status !== 201 && res.status !== 200) throw refused('creating the consent', res, reasonOf(res));
      const consentId = valid(ConsentResponse, res.body, 'creating the consent').Data.ConsentId;
      const intent = { value: consentId, essential: true };
      const start = await fapi.authorizationRequest(bank, {
        redirect_uri: input.redirect_uri,
        claims: { id_token: { [INTENT_CLAIM]: intent, acr: { essential: true, values: [SCA_ACR] } }, userinfo: { [INTENT_CLAIM]: intent } },
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

    async revokeConsent({ bank, consent_id }) {
      const access = await clientToken(bank);
      const res = await http.send(bank.identifier, {
        method: 'DELETE',
        url: `${apiBase(bank)}/account-access-consents/${encodeURIComponent(consent_id)}`,
        headers: { authorization: `Bearer ${access}` },
        fetch: transports.for(bank).fetch,
      });
      // 404: the bank no longer knows the consent, which is what revoking it asks for.
      if (res.status !== 204 && res.status !== 200 && res.status !== 404) throw refused('revoking the consent', res, reasonOf(res));
    },
  };
}
