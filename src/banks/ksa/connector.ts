import type { DataResource } from '../../domain/permissions.ts';
import type { EntitySnapshot, FetchedAccount } from '../../domain/snapshot.ts';
import { BankError, type BankConnector, type FetchDataInput } from '../connector.ts';
import type { BankDefinition } from '../bank.ts';
import { guarded, LIST, nextPageUrl, problemOf, reasonOf, valid, type ObieConnectorOptions, type ObieEvent } from '../obie/connector.ts';
import { checkRecords, combined, everyAccount, FetchCollector } from '../records.ts';
import { transactionsSince } from '../date-filter.ts';
import { connectorHttp, credentialsFrom, openConsentSession, refused, runLimited } from '../consent-session.ts';
import {
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
import type { Checker } from '../obie/wire.ts';

/** The same options as the OBIE connector's: the FAPI layer, transports, timeouts, retries, circuit. */
export type KsaConnectorOptions = ObieConnectorOptions;
export type KsaEvent = ObieEvent;


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

/**
 * The KSA Open Banking 2022.11 connector (docs/decisions/011-ksa-open-banking.md), OBIE-shaped:
 * the consent is posted with a client-credentials token, then bound to the user's authorization
 * through the scope `accounts:<ConsentId>` (not OBIE's intent claim), in a signed request object
 * pushed through PAR, answered in the hybrid `code id_token` flow when the bank is so configured.
 * Revocation is `PATCH` with `Status: Revoked`. Otherwise as the OBIE connector, whose paging,
 * HTTP layer, error vocabulary and token handling (`../consent-session.ts`) this shares.
 */
export function createKsaConnector(options: KsaConnectorOptions): BankConnector {
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
          const body = valid(Page, await get(`${ais}/parties`, 'identity'), 'GET identity', 'identity');
          const party = valid(SingleParty, body.Data.Party, 'GET identity', 'identity', 'Data.Party');
          const { identity, notes } = mapIdentity(Array.isArray(party) ? party[0] : party);
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
        body: JSON.stringify({ Data: { Permissions: ksaPermissions(input.permissions), ExpirationDateTime: input.expires_at } }),
        fetch: transports.for(bank).fetch,
      });
      if (res.status !== 201 && res.status !== 200) throw refused('creating the consent', res, reasonOf(res));
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
      return credentialsFrom(input.consent_id, t, null, now().getTime());
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
      if (res.status !== 204 && res.status !== 200 && res.status !== 404) throw refused('revoking the consent', res, reasonOf(res));
    },
  };
}
