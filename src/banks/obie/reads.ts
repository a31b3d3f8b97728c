import Type from 'typebox';
import { Compile } from 'typebox/compile';
import type { AccountIdentity, Balance, Beneficiary, DirectDebit, Identity, ScheduledPayment, StandingOrder } from '../../domain/bank-data.ts';
import type { DataResource } from '../../domain/permissions.ts';
import type { EntitySnapshot, FetchedAccount, FetchedTransaction } from '../../domain/snapshot.ts';
import type { BankDefinition } from '../bank.ts';
import { BankError, type FetchDataInput, type FetchDataResult } from '../connector.ts';
import { malformed, openConsentSession, runLimited } from '../consent-session.ts';
import { transactionsSince } from '../date-filter.ts';
import { checkRecords, combined, everyAccount, FetchCollector, MalformedData, type Mapped } from '../records.ts';
import type { BankTransports } from '../security/bank-transport.ts';
import type { FapiClient } from '../security/fapi-client.ts';
import type { BankHttp, HttpResponse } from './http.ts';
import type { BankContext, MappedAccount } from './mapping.ts';
import { check, type Checker } from './wire.ts';

/**
 * The read path every OBIE-shaped standard shares (OBIE v3.1 itself, and KSA Open Banking
 * 2022.11, whose resources, paging and `Data` keys are OBIE's): list paging with `Links.Next`,
 * record-by-record checks and mapping, the account sub-resources fetched a few at a time, and the
 * user's own party. What differs between the standards (record schemas, code maps, where the
 * party is) comes in as an `ObieShapedReads`.
 */

/** The `Data` keys of the list resources, each standard's records under them. */
export interface ListRecords {
  Account: unknown;
  Balance: unknown;
  Transaction: unknown;
  Beneficiary: unknown;
  DirectDebit: unknown;
  StandingOrder: unknown;
  ScheduledPayment: unknown;
  Party: unknown;
}
type ListKey = keyof ListRecords;

/** The type a compiled validator guarantees. */
export type Checked<C> = C extends { Check(value: unknown): value is infer T } ? T : never;

/** The records a standard's per-list validators (`ITEMS`) guarantee, by `Data` key. */
export type RecordsOf<Items extends { [K in ListKey]: unknown }> = { [K in ListKey]: Checked<Items[K]> };

/** What one OBIE-shaped standard brings to the shared read path. */
export interface ObieShapedReads<R extends ListRecords, P> {
  /** The schema of one record of each list, by its `Data` key: checked record by record. */
  records: { [K in ListKey]: Checker<R[K]> };
  /** Each list's checked records in Lean's terms; a record that cannot be read is skipped and noted. */
  map: {
    accounts(raw: readonly R['Account'][], bank: BankContext): Mapped<MappedAccount>;
    balances(raw: readonly R['Balance'][], bank: BankContext): Mapped<Balance>;
    transactions(raw: readonly R['Transaction'][], bank: BankContext): Mapped<FetchedTransaction>;
    beneficiaries(raw: readonly R['Beneficiary'][], bank: BankContext): Mapped<Beneficiary>;
    direct_debits(raw: readonly R['DirectDebit'][], bank: BankContext): Mapped<DirectDebit>;
    standing_orders(raw: readonly R['StandingOrder'][], bank: BankContext): Mapped<StandingOrder>;
    scheduled_payments(raw: readonly R['ScheduledPayment'][], bank: BankContext): Mapped<ScheduledPayment>;
    account_identities(raw: readonly R['Party'][], bank: BankContext): Mapped<AccountIdentity>;
  };
  /** The user's own party: its path under the API base (`/party`, KSA `/parties`), its `Data.Party` schema and mapping. */
  identity: { path: string; party: Checker<P>; map(party: P): { identity: Identity | null; notes: string[] } };
}

/** What the shared read path needs of its connector. */
export interface ObieShapedDeps {
  fapi: FapiClient;
  http: BankHttp;
  transports: BankTransports;
  now: () => Date;
  /** Pages followed per resource before the fetch fails. */
  pageLimit: number;
  /** Requests one fetch keeps in flight. */
  concurrency: number;
  onRefreshed: (bank: BankDefinition) => void;
  onNotes: (bank: BankDefinition, resource: DataResource, notes: string[]) => void;
  /** The bank's own words for a refused request, in its standard's error format. */
  reasonOf: (res: HttpResponse) => string;
}

/** The account sub-resources: path under `/accounts/{id}/` and the `Data` key of the records. */
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

/** Any OBIE-shaped read response: the records under `Data[<key>]`, the next page in `Links.Next`. */
const Page = Compile(
  Type.Object({ Data: Type.Record(Type.String(), Type.Unknown()), Links: Type.Optional(Type.Object({ Next: Type.Optional(Type.String()) })) }),
);

/** A list of records, each checked on its own. */
export const LIST = Compile(Type.Array(Type.Unknown()));

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

/** Runs `fn`, turning data that breaks the standard's format into the BankError it means. */
export async function guarded<T>(resource: DataResource, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof MalformedData) throw malformed(`GET ${resource}`, err.message, resource, err);
    throw err;
  }
}

/**
 * Fetches everything `input.resources` asks for at an OBIE-shaped bank: the account list first
 * (all or nothing: a malformed one fails the fetch), then each account's sub-resources and the
 * user's party, `deps.concurrency` at a time. A malformed record is skipped and a malformed answer
 * fails its resource for that account only, both said in the result's `report`; a bank that
 * refuses the date filter on transactions is read unfiltered (`../date-filter.ts`).
 *
 * @throws BankError for what fails the whole fetch (the account list, a dead consent, the bank down).
 */
export async function readObieShaped<R extends ListRecords, P>(deps: ObieShapedDeps, reads: ObieShapedReads<R, P>, input: FetchDataInput): Promise<FetchDataResult> {
  const { bank } = input;
  const fetchedAt = deps.now().toISOString();
  const ais = bank.api_base_url.replace(/\/+$/, '');
  const origin = new URL(ais).origin;
  const abort = new AbortController();
  const signal = input.signal ? AbortSignal.any([input.signal, abort.signal]) : abort.signal;
  const session = openConsentSession({
    bank,
    fapi: deps.fapi,
    http: deps.http,
    transport: deps.transports.for(bank).fetch,
    input,
    signal,
    now: deps.now,
    onRefreshed: () => deps.onRefreshed(bank),
    reasonOf: deps.reasonOf,
  });
  const collector = new FetchCollector((resource, notes) => deps.onNotes(bank, resource, notes));

  /** Every record of a list resource, over all its pages, checked one by one. */
  const list = async <K extends ListKey>(path: string, key: K, resource: DataResource): Promise<Mapped<R[K]>> => {
    const items: unknown[] = [];
    const seen = new Set<string>();
    let url: string | null = `${ais}${path}`;
    while (url !== null) {
      if (seen.size === deps.pageLimit) throw new BankError('unavailable', `${resource}: more than ${deps.pageLimit} pages`, { resource });
      seen.add(url);
      const page = valid(Page, await session.get(url, resource), `GET ${resource}`, resource);
      // Appended one by one: spreading a bank's page into push() fails past ~100k items.
      for (const item of valid(LIST, page.Data[key] ?? [], `GET ${resource}`, resource, `Data.${key}`)) items.push(item);
      url = nextPageUrl(page.Links?.Next, url, origin);
      if (url !== null && seen.has(url)) {
        collector.issue(resource, 'Links.Next points back to a page already read; paging stopped there');
        url = null;
      }
    }
    return checkRecords(items, (item) => problemOf(reads.records[key] as Checker<unknown>, item)) as Mapped<R[K]>;
  };

  /** The records of a list that pass the format check, mapped, with what was skipped counted. */
  const mapped = async <K extends ListKey, T>(path: string, key: K, resource: DataResource, map: (items: readonly R[K][]) => Mapped<T>, combine = combined<T>): Promise<Mapped<T>> => {
    const checked = await list(path, key, resource);
    return combine(checked, map(checked.items));
  };
  const records = async <K extends ListKey, T>(path: string, key: K, resource: DataResource, map: (items: readonly R[K][]) => Mapped<T>, combine = combined<T>): Promise<T[]> =>
    collector.records(resource, await mapped(path, key, resource, map, combine));

  const accountTask = (account: MappedAccount, fetched: FetchedAccount, resource: AccountResource, position: string) => () =>
    collector.part(resource, position, () =>
      guarded(resource, async () => {
        const at = `/accounts/${encodeURIComponent(account.bank_account_id)}/${ACCOUNT_RESOURCES[resource].path}`;
        switch (resource) {
          case 'balances':
            fetched.balances = await records(at, 'Balance', resource, (items) => reads.map.balances(items, bank));
            break;
          case 'transactions':
            fetched.transactions = {
              from: input.transactions_from,
              ...(await transactionsSince({
                from: input.transactions_from,
                quirks: bank.quirks,
                collector,
                fetch: (filter) => mapped(filter === null ? at : `${at}?fromBookingDateTime=${filter}`, 'Transaction', resource, (items) => reads.map.transactions(items, bank)),
              })),
            };
            break;
          case 'beneficiaries':
            fetched.beneficiaries = await records(at, 'Beneficiary', resource, (items) => reads.map.beneficiaries(items, bank));
            break;
          case 'direct_debits':
            fetched.direct_debits = await records(at, 'DirectDebit', resource, (items) => reads.map.direct_debits(items, bank));
            break;
          case 'standing_orders':
            fetched.standing_orders = await records(at, 'StandingOrder', resource, (items) => reads.map.standing_orders(items, bank));
            break;
          case 'scheduled_payments':
            fetched.scheduled_payments = await records(at, 'ScheduledPayment', resource, (items) => reads.map.scheduled_payments(items, bank));
            break;
          case 'account_identities':
            fetched.account_identities = await records(at, 'Party', resource, (items) => reads.map.account_identities(items, bank));
            break;
        }
      }),
    );

  await session.refreshIfExpiring();

  // The account list is what everything else hangs on: a malformed one fails the fetch.
  const accounts = await guarded('accounts', () => records('/accounts', 'Account', 'accounts', (items) => reads.map.accounts(items, bank), everyAccount));
  const snapshot: EntitySnapshot = { fetched_at: fetchedAt, accounts: accounts.map((a) => ({ ...a })) };
  const wanted = (Object.keys(ACCOUNT_RESOURCES) as AccountResource[]).filter((r) => input.resources.includes(r));
  const tasks = accounts.flatMap((account, i) => wanted.map((resource) => accountTask(account, snapshot.accounts[i]!, resource, `account ${i + 1} of ${accounts.length}`)));
  if (input.resources.includes('identity')) {
    tasks.push(() =>
      collector.part('identity', 'the user', () =>
        guarded('identity', async () => {
          const body = valid(Page, await session.get(`${ais}${reads.identity.path}`, 'identity'), 'GET identity', 'identity');
          const { identity, notes } = reads.identity.map(valid(reads.identity.party, body.Data.Party, 'GET identity', 'identity', 'Data.Party'));
          collector.issue('identity', ...notes);
          snapshot.identity = identity;
        }),
      ),
    );
  }
  await runLimited(tasks, deps.concurrency, abort);
  return { snapshot, credentials: session.credentials(), report: collector.report() };
}
