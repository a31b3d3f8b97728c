import type { DataResource } from '../../domain/permissions.ts';
import type { EntitySnapshot, FetchedAccount } from '../../domain/snapshot.ts';
import { BankError, type BankConnector, type BankCredentials, type FetchDataInput } from '../connector.ts';
import type { BankDefinition } from '../bank.ts';
import { nextPageUrl, obieFilterDate, type ObieConnectorOptions, type ObieEvent } from '../obie/connector.ts';
import { createBankHttp, type HttpResponse } from '../obie/http.ts';
import { check, OAuthErrorBody, ObieErrorBody, type Checker } from '../obie/wire.ts';
import { GrantAnswerLost, type TokenSet } from '../security/fapi-client.ts';
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
import { ksaPermissions } from './permissions.ts';
import { ConsentResponse, ITEMS, Page, SingleParty, type ItemsOf, type ListKey } from './wire.ts';

/** The same options as the OBIE connector's: the FAPI layer, transports, timeouts, retries, circuit. */
export type KsaConnectorOptions = ObieConnectorOptions;
export type KsaEvent = ObieEvent;

/** The first retry waits up to this; each further one twice as long, up to `MAX_BACKOFF_MS`. */
const BASE_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 8_000;
/** An access token this close to its expiry is refreshed before use rather than after a 401. */
const EXPIRY_MARGIN_MS = 60_000;

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

const SCA_ACR = 'urn:openbanking:psd2:sca';

const apiBase = (bank: BankDefinition) => bank.api_base_url.replace(/\/+$/, '');

/** What the bank said about a refused request: OBIE error codes, or the OAuth error. */
function reasonOf(res: HttpResponse): string {
  const obie = check(ObieErrorBody, res.body);
  if (obie.ok) return obie.value.Errors.map((e) => [e.ErrorCode, e.Message].filter(Boolean).join(': ')).join('; ') || `HTTP ${res.status}`;
  const oauth = check(OAuthErrorBody, res.body);
  if (oauth.ok) return [oauth.value.error, oauth.value.error_description].filter(Boolean).join(': ');
  return `HTTP ${res.status}`;
}

function refused(what: string, res: HttpResponse, resource: DataResource | null = null): BankError {
  return new BankError('rejected', `${what}: the bank refused the request (${res.status}, ${reasonOf(res)})`, { resource, status: res.status });
}

function malformed(what: string, problem: string, resource: DataResource | null = null, cause?: unknown): BankError {
  return new BankError('unavailable', `${what}: the bank's response is malformed (${problem})`, { resource, cause });
}

/** `value` as the validator's type, or an `unavailable` BankError. */
function valid<T>(validator: Checker<T>, value: unknown, what: string, resource: DataResource | null = null, at?: string): T {
  const result = check(validator, value, at);
  if (!result.ok) throw malformed(what, result.problem, resource);
  return result.value;
}

/** Runs `fn`, turning data that breaks the OBIE format into the BankError it means. */
async function guarded<T>(resource: DataResource, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof MalformedData) throw malformed(`GET ${resource}`, err.message, resource, err);
    throw err;
  }
}

/** Runs `tasks` `limit` at a time; the first failure aborts the rest (through `abort`) and is thrown. */
async function runLimited(tasks: readonly (() => Promise<void>)[], limit: number, abort: AbortController): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) await tasks[next++]!();
  };
  try {
    await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  } catch (err) {
    abort.abort();
    throw err;
  }
}

/**
 * The KSA Open Banking 2022.11 connector (docs/decisions/011-ksa-open-banking.md), OBIE-shaped:
 * the consent is posted with a client-credentials token, then bound to the user's authorization
 * through the scope `accounts:<ConsentId>` (not OBIE's intent claim), in a signed request object
 * pushed through PAR, answered in the hybrid `code id_token` flow when the bank is so configured.
 * Revocation is `PATCH` with `Status: Revoked`. Otherwise as the OBIE connector, whose paging,
 * HTTP layer and token handling this shares:
 *
 * (OBIE's:) The OBIE v3.1 AIS connector over the FAPI security layer (`../security/`). Consents are made
 * with a client-credentials token (scope `accounts`); the user authorises at the bank with a
 * signed request object (pushed through PAR when the bank wants it) that carries the consent id
 * as the essential `openbanking_intent_id` claim (OBIE Security Profile). Data fetches refresh the access token once when it
 * is about to expire or the bank answers 401/403; a refused refresh (`invalid_grant`) or a
 * refusal that outlives a fresh token means the consent is dead: `reconnect_required`.
 */
export function createKsaConnector(options: KsaConnectorOptions): BankConnector {
  const now = options.now ?? (() => new Date());
  const onEvent = options.onEvent ?? (() => {});
  const pageLimit = options.page_limit ?? 1000;
  const concurrency = options.concurrency ?? 4;
  const http = createBankHttp(
    {
      timeout_ms: options.timeout_ms ?? 10_000,
      max_attempts: options.max_attempts ?? 5,
      max_retry_after_ms: options.max_retry_after_ms ?? 30_000,
      base_backoff_ms: BASE_BACKOFF_MS,
      max_backoff_ms: MAX_BACKOFF_MS,
      circuit_threshold: options.circuit_threshold ?? 10,
      circuit_half_open_after_ms: options.circuit_half_open_after_ms ?? 10_000,
    },
    onEvent,
  );
  const { fapi, transports } = options;
  const clientToken = (bank: BankDefinition) => fapi.clientCredentials(bank, 'accounts');

  function credentialsFrom(consentId: string, t: TokenSet, previousRefresh: string | null): BankCredentials {
    return {
      consent_id: consentId,
      access_token: t.access_token,
      // RFC 6749 §6: a bank that does not rotate refresh tokens keeps the old one valid.
      refresh_token: t.refresh_token ?? previousRefresh,
      access_token_expires_at: t.expires_in === null ? null : new Date(now().getTime() + t.expires_in * 1000).toISOString(),
      refresh_answer_lost_at: null,
    };
  }

  async function fetchData(input: FetchDataInput) {
    const { bank } = input;
    const fetchedAt = now().toISOString();
    const ais = apiBase(bank);
    const transport = transports.for(bank).fetch;
    const origin = new URL(ais).origin;
    const abort = new AbortController();
    const signal = input.signal ? AbortSignal.any([input.signal, abort.signal]) : abort.signal;
    let credentials = input.credentials;
    let refresh: Promise<void> | null = null;

    /**
     * Refreshes the access token, at most once per fetch; concurrent callers share the one refresh.
     * A refresh whose answer was lost has probably rotated the refresh token at the bank: that is
     * recorded on the credentials, so that the `invalid_grant` the next attempt will likely get
     * says why rather than blaming the user's consent.
     */
    const refreshToken = (resource: DataResource | null) => {
      refresh ??= (async () => {
        let t: TokenSet;
        try {
          t = await fapi.refresh(bank, credentials.refresh_token!);
        } catch (err) {
          if (err instanceof GrantAnswerLost) {
            credentials = { ...credentials, refresh_token: err.refresh_token ?? credentials.refresh_token, refresh_answer_lost_at: now().toISOString() };
            await input.onCredentials?.(credentials);
            throw new BankError('unavailable', err.message, { resource, status: err.status, cause: err });
          }
          if (err instanceof BankError && err.kind === 'reconnect_required' && credentials.refresh_answer_lost_at) {
            throw new BankError(
              'reconnect_required',
              `${err.message}; the bank's answer to an earlier token refresh (${credentials.refresh_answer_lost_at}) was lost after it had rotated the refresh token`,
              { resource, status: err.status, cause: err },
            );
          }
          throw err instanceof BankError ? new BankError(err.kind, err.message, { resource, status: err.status, retry_after_ms: err.retry_after_ms, cause: err }) : err;
        }
        credentials = credentialsFrom(credentials.consent_id, t, credentials.refresh_token);
        onEvent({ type: 'token_refreshed', bank: bank.identifier });
        await input.onCredentials?.(credentials);
      })();
      return refresh;
    };

    /** One page, with the consent's token; a refused token is refreshed once and the page asked again. */
    const get = async (url: string, resource: DataResource): Promise<unknown> => {
      for (;;) {
        const used = credentials.access_token;
        const res = await http.send(bank.identifier, { method: 'GET', url, headers: { authorization: `Bearer ${used}` }, signal, resource, fetch: transport });
        if (res.status >= 200 && res.status < 300) return res.body;
        if (res.status !== 401 && res.status !== 403) throw refused(`GET ${resource}`, res, resource);
        if (used !== credentials.access_token) continue;
        if (refresh === null && credentials.refresh_token !== null) {
          await refreshToken(resource);
          continue;
        }
        throw new BankError('reconnect_required', `the bank refuses the consent (${res.status}, ${reasonOf(res)})`, { resource, status: res.status });
      }
    };

    /** Every item of a list resource, over all its pages. */
    const list = async <K extends ListKey>(path: string, key: K, resource: DataResource): Promise<ItemsOf<K>> => {
      const items: unknown[] = [];
      const seen = new Set<string>();
      let url: string | null = `${ais}${path}`;
      while (url !== null) {
        if (seen.size === pageLimit) throw new BankError('unavailable', `${resource}: more than ${pageLimit} pages`, { resource });
        seen.add(url);
        const page = valid(Page, await get(url, resource), `GET ${resource}`, resource);
        // Appended one by one: spreading a bank's page into push() fails past ~100k items.
        for (const item of valid<unknown[]>(ITEMS[key], page.Data[key] ?? [], `GET ${resource}`, resource, `Data.${key}`)) items.push(item);
        url = nextPageUrl(page.Links?.Next, url, origin);
        if (url !== null && seen.has(url)) {
          onEvent({ type: 'notes', bank: bank.identifier, resource, notes: ['Links.Next points back to a page already read; paging stopped there'] });
          url = null;
        }
      }
      return items as ItemsOf<K>;
    };

    const noted = <T>(resource: DataResource, mapped: Mapped<T>): T[] => {
      if (mapped.notes.length > 0) onEvent({ type: 'notes', bank: bank.identifier, resource, notes: mapped.notes });
      return mapped.items;
    };

    const accountTask = (account: MappedAccount, fetched: FetchedAccount, resource: AccountResource) => () => guarded(resource, async () => {
      const { path, key } = ACCOUNT_RESOURCES[resource];
      const query = resource === 'transactions' && input.transactions_from !== null ? `?fromBookingDateTime=${obieFilterDate(input.transactions_from)}` : '';
      const items = await list(`/accounts/${encodeURIComponent(account.bank_account_id)}/${path}${query}`, key, resource);
      switch (resource) {
        case 'balances':
          fetched.balances = noted(resource, mapBalances(items as ItemsOf<'Balance'>, bank));
          break;
        case 'transactions':
          fetched.transactions = { from: input.transactions_from, items: noted(resource, mapTransactions(items as ItemsOf<'Transaction'>, bank)) };
          break;
        case 'beneficiaries':
          fetched.beneficiaries = noted(resource, mapBeneficiaries(items as ItemsOf<'Beneficiary'>));
          break;
        case 'direct_debits':
          fetched.direct_debits = noted(resource, mapDirectDebits(items as ItemsOf<'DirectDebit'>, bank));
          break;
        case 'standing_orders':
          fetched.standing_orders = noted(resource, mapStandingOrders(items as ItemsOf<'StandingOrder'>, bank));
          break;
        case 'scheduled_payments':
          fetched.scheduled_payments = noted(resource, mapScheduledPayments(items as ItemsOf<'ScheduledPayment'>, bank));
          break;
        case 'account_identities':
          fetched.account_identities = noted(resource, mapAccountIdentities(items as ItemsOf<'Party'>));
          break;
      }
    });

    const expiresAt = credentials.access_token_expires_at === null ? null : Date.parse(credentials.access_token_expires_at);
    if (expiresAt !== null && expiresAt - EXPIRY_MARGIN_MS <= now().getTime() && credentials.refresh_token !== null) await refreshToken(null);

    const accounts = await guarded('accounts', async () => noted('accounts', mapAccounts(await list('/accounts', 'Account', 'accounts'), bank)));
    const snapshot: EntitySnapshot = { fetched_at: fetchedAt, accounts: accounts.map((a) => ({ ...a })) };
    const wanted = (Object.keys(ACCOUNT_RESOURCES) as AccountResource[]).filter((r) => input.resources.includes(r));
    const tasks = accounts.flatMap((account, i) => wanted.map((resource) => accountTask(account, snapshot.accounts[i]!, resource)));
    if (input.resources.includes('identity')) {
      tasks.push(() =>
        guarded('identity', async () => {
          const body = valid(Page, await get(`${ais}/parties`, 'identity'), 'GET identity', 'identity');
          const { identity, notes } = mapIdentity(valid(SingleParty, body.Data.Party, 'GET identity', 'identity', 'Data.Party'));
          if (notes.length > 0) onEvent({ type: 'notes', bank: bank.identifier, resource: 'identity', notes });
          snapshot.identity = identity;
        }),
      );
    }
    await runLimited(tasks, concurrency, abort);
    return { snapshot, credentials };
  }

  return {
    async startConsent(input) {
      const { bank } = input;
      const access = await clientToken(bank);
      const res = await http.send(bank.identifier, {
        method: 'POST',
        url: `${apiBase(bank)}/account-access-consents`,
        headers: { authorization: `Bearer ${access}`, 'content-type': 'application/json' },
        body: JSON.stringify({ Data: { Permissions: ksaPermissions(input.permissions), ExpirationDateTime: input.expires_at } }),
        fetch: transports.for(bank).fetch,
      });
      if (res.status !== 201 && res.status !== 200) throw refused('creating the consent', res);
      const consentId = valid(ConsentResponse, res.body, 'creating the consent').Data.ConsentId;
      const start = await fapi.authorizationRequest(bank, {
        redirect_uri: input.redirect_uri,
        scope: `openid accounts:${consentId}`,
        claims: { id_token: { acr: { essential: true, values: [SCA_ACR] } } },
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
      return credentialsFrom(input.consent_id, t, null);
    },

    fetchData,

    async revokeConsent({ bank, consent_id }) {
      const access = await clientToken(bank);
      const res = await http.send(bank.identifier, {
        method: 'PATCH',
        url: `${apiBase(bank)}/account-access-consents/${encodeURIComponent(consent_id)}`,
        headers: { authorization: `Bearer ${access}`, 'content-type': 'application/json' },
        body: JSON.stringify({ Data: { Status: 'Revoked' } }),
        fetch: transports.for(bank).fetch,
      });
      // 404: the bank no longer knows the consent, which is what revoking it asks for.
      if (res.status !== 204 && res.status !== 200 && res.status !== 404) throw refused('revoking the consent', res);
    },
  };
}
