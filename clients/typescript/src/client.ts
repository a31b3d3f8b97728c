import createFetchClient, { type Client } from 'openapi-fetch';
import type { components, paths } from './generated/openlean.d.ts';
import { nextPageQuery } from './link.ts';
import { isProblem, ProblemError, UnexpectedResponseError } from './problem.ts';
import { TokenSource, type TokenSourceOptions } from './token.ts';

type Schemas = components['schemas'];
export type Account = Schemas['Account'];
export type Transaction = Schemas['Transaction'];
export type Balance = Schemas['Balance'];
export type Beneficiary = Schemas['Beneficiary'];
export type DirectDebit = Schemas['DirectDebit'];
export type StandingOrder = Schemas['StandingOrder'];
export type ScheduledPayment = Schemas['ScheduledPayment'];
export type AccountIdentity = Schemas['AccountIdentity'];
export type Identity = Schemas['Identity'];
export type Customer = Schemas['Customer'];
export type Entity = Schemas['Entity'];
export type Bank = Schemas['Bank'];
export type Refresh = Schemas['Refresh'];
export type WebhookEndpoint = Schemas['WebhookEndpoint'];
export type WebhookDelivery = Schemas['WebhookDelivery'];
export type DataPending = Schemas['DataPending'];
export type LeanNoData = Schemas['LeanNoData'];
type SyncPath = paths['/data/v2/accounts/{account_id}/transactions/sync']['get'];
/** One answer of the sync feed: changes since a cursor, and the cursor to continue from. */
export type SyncPage = SyncPath['responses'][200]['content']['application/json'];
export type SandboxEntityRequest = NonNullable<paths['/sandbox/v1/entities']['post']['requestBody']>['content']['application/json'];
export type SandboxEntity = paths['/sandbox/v1/entities']['post']['responses'][201]['content']['application/json'];
export type BankQuery = NonNullable<paths['/banks/v1']['get']['parameters']['query']>;

/**
 * A data read answered 202: openlean has no data for the entity yet (its first refresh is
 * running) and says which refresh to wait for (`DataPending`), or, in Lean's form, where the
 * answer will be (`LeanNoData`).
 */
export class DataPendingError extends Error {
  override readonly name = 'DataPendingError';
  readonly pending: DataPending | LeanNoData;
  /** `Retry-After`, in seconds, when given. */
  readonly retryAfterSeconds: number | null;

  constructor(pending: DataPending | LeanNoData, retryAfterSeconds: number | null) {
    super(`data not available yet${'refresh_id' in pending ? `: waiting for refresh ${pending.refresh_id}` : ''}`);
    this.pending = pending;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** One page of a paged list: its items, the total over all pages, and the query of the next page. */
export interface Page<T> {
  items: T[];
  /** `X-Total-Count`: items matching the query over all pages. */
  total: number;
  /** What the `Link: rel="next"` header names (a `cursor`, or a `page` number); null on the last page. */
  next: Record<string, string> | null;
}

export interface TransactionQuery {
  /** First booking date to include, `YYYY-MM-DD` (the bank's local date), inclusive. */
  from?: string;
  /** Last booking date to include, `YYYY-MM-DD`, inclusive. */
  to?: string;
  /** Items per page, 1–1000 (server default 50). */
  size?: number;
}

export interface RefreshProgressOptions {
  /** Called with the refresh first, then whenever its status, attempts or a resource's state changed. */
  onProgress?: (refresh: Refresh) => void;
  /** Between two reads of its status, in ms; default 1000. */
  intervalMs?: number;
  signal?: AbortSignal;
}

export interface OpenleanClientOptions extends TokenSourceOptions {}

type Result<D> = { data: D; error?: never; response: Response } | { data?: never; error: unknown; response: Response };

/**
 * The data of a successful answer, or the error openlean answered, thrown: `ProblemError` for
 * problem+json, `UnexpectedResponseError` for anything else, `DataPendingError` for a 202 of a
 * data read when `pendingThrows`.
 */
async function ok<D>(call: Promise<Result<D>>, pendingThrows = false): Promise<{ data: NonNullable<D>; response: Response }> {
  const { data, error, response } = await call;
  if (error !== undefined || !response.ok) throw isProblem(error) ? new ProblemError(error) : new UnexpectedResponseError(response.status, error);
  if (pendingThrows && response.status === 202) {
    const retry = Number(response.headers.get('retry-after'));
    throw new DataPendingError(data as DataPending | LeanNoData, response.headers.has('retry-after') && Number.isFinite(retry) ? retry : null);
  }
  return { data: data as NonNullable<D>, response };
}

function page<T>(items: T[], response: Response): Page<T> {
  return { items, total: Number(response.headers.get('x-total-count') ?? items.length), next: nextPageQuery(response.headers.get('link')) };
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason)), { once: true });
  });

/** What `onProgress` compares: a refresh changed for a reader when any of these did. */
const progressKey = (r: Refresh) => JSON.stringify([r.status, r.attempts, r.next_attempt_at, r.resources.map((x) => [x.resource, x.status, x.records])]);

/**
 * A typed client of openlean's REST API, generated from its published OpenAPI document
 * (`clients/typescript/openapi.json`, `npm run gen:client`). Tokens are obtained and renewed by
 * the client-credentials grant; every method throws `ProblemError` (typed `code`) on an error
 * answer. `http` is the underlying openapi-fetch client for the operations without a method here
 * (Lean's POST read forms, `GET /data/v2/results/{results_id}`, health).
 *
 * @example
 * const openlean = createOpenleanClient({ baseUrl: 'http://localhost:3000', clientId, clientSecret });
 * for (const account of await openlean.accounts(entityId)) console.log(account.account_id, account.currency);
 */
export function createOpenleanClient(options: OpenleanClientOptions) {
  const tokens = new TokenSource(options);
  const http: Client<paths> = createFetchClient<paths>({ baseUrl: options.baseUrl.replace(/\/+$/, ''), ...(options.fetch ? { fetch: options.fetch } : {}) });
  http.use({
    async onRequest({ request, schemaPath }) {
      if (schemaPath !== '/oauth2/token') request.headers.set('authorization', `Bearer ${await tokens.token()}`);
      return request;
    },
    onResponse({ response }) {
      // A token openlean no longer takes (its signing key retired early): ask for a new one next time.
      if (response.status === 401) tokens.reset();
      return response;
    },
  });
  const entity = (entity_id: string) => ({ header: { entity_id } });
  const accountParams = (entity_id: string, account_id: string) => ({ header: { entity_id }, path: { account_id } });

  const client = {
    http,
    tokens,

    // Customers and entities
    async createCustomer(appUserId: string): Promise<Customer> {
      return (await ok(http.POST('/customers/v1', { body: { app_user_id: appUserId } }))).data;
    },
    /** One page of the application's customers; `page` is 0-based. */
    async listCustomers(query: { page?: number; size?: number } = {}): Promise<Page<Customer>> {
      const { data, response } = await ok(http.GET('/customers/v1', { params: { query } }));
      return page(data, response);
    },
    async getCustomer(customerId: string): Promise<Customer> {
      return (await ok(http.GET('/customers/v1/{customer_id}', { params: { path: { customer_id: customerId } } }))).data;
    },
    async getCustomerByAppUserId(appUserId: string): Promise<Customer> {
      return (await ok(http.GET('/customers/v1/app-user-id/{app_user_id}', { params: { path: { app_user_id: appUserId } } }))).data;
    },
    async listEntities(customerId: string): Promise<Entity[]> {
      return (await ok(http.GET('/customers/v1/{customer_id}/entities', { params: { path: { customer_id: customerId } } }))).data;
    },
    async getEntity(customerId: string, entityId: string): Promise<Entity> {
      return (await ok(http.GET('/customers/v1/{customer_id}/entities/{entity_id}', { params: { path: { customer_id: customerId, entity_id: entityId } } }))).data;
    },
    /** Revokes the consent at the bank and deletes the entity's data; answers the entity as it was. */
    async deleteEntity(customerId: string, entityId: string): Promise<Entity> {
      return (await ok(http.DELETE('/customers/v1/{customer_id}/entities/{entity_id}', { params: { path: { customer_id: customerId, entity_id: entityId } } }))).data;
    },
    async listBanks(query: BankQuery = {}): Promise<Bank[]> {
      return (await ok(http.GET('/banks/v1', { params: { query } }))).data;
    },
    /** Sandbox mode only: an entity at a sandbox bank, consented at once; its INITIAL refresh starts. */
    async createSandboxEntity(body: SandboxEntityRequest): Promise<SandboxEntity> {
      return (await ok(http.POST('/sandbox/v1/entities', { body }))).data;
    },

    // Data reads. Each throws DataPendingError while the entity has no data yet.
    async accounts(entityId: string): Promise<Account[]> {
      return (await ok(http.GET('/data/v2/accounts', { params: entity(entityId) }), true)).data as Account[];
    },
    /** One page of an account's transactions, newest first; `next` continues by keyset cursor. */
    async transactions(entityId: string, accountId: string, query: TransactionQuery & { cursor?: string; page?: number } = {}): Promise<Page<Transaction>> {
      const { from, to, ...rest } = query;
      const q = { ...rest, ...(from !== undefined ? { start_date: from } : {}), ...(to !== undefined ? { end_date: to } : {}) };
      const { data, response } = await ok(http.GET('/data/v2/accounts/{account_id}/transactions', { params: { ...accountParams(entityId, accountId), query: q } }), true);
      return page(data as Transaction[], response);
    },
    /**
     * Every page of an account's transactions in the date range, following the `Link` header: by
     * keyset cursor, so a transaction that arrives meanwhile (newer, so before the first page)
     * neither shifts nor repeats the rest. One kind of change can still show: a pending payment
     * that books meanwhile under a new id (at banks that do that) appears at its time, naming the
     * pending one in `pending_transaction_id`. To keep a copy exact, use the sync feed (`syncPages`).
     */
    async *transactionPages(entityId: string, accountId: string, query: TransactionQuery = {}): AsyncGenerator<Page<Transaction>, void, undefined> {
      let next: Record<string, string> | null = {};
      while (next) {
        const p: Page<Transaction> = await client.transactions(entityId, accountId, { ...query, ...next, ...(next.page !== undefined ? { page: Number(next.page) } : {}) });
        yield p;
        next = p.next;
      }
    },
    /** Every transaction of the range, page after page (`transactionPages`). */
    async *allTransactions(entityId: string, accountId: string, query: TransactionQuery = {}): AsyncGenerator<Transaction, void, undefined> {
      for await (const p of client.transactionPages(entityId, accountId, query)) yield* p.items;
    },
    /** One answer of the sync feed: the changes after `cursor` (none: every transaction, as `added`). */
    async sync(entityId: string, accountId: string, query: { cursor?: string; count?: number } = {}): Promise<SyncPage> {
      return (await ok(http.GET('/data/v2/accounts/{account_id}/transactions/sync', { params: { ...accountParams(entityId, accountId), query } }), true)).data as SyncPage;
    },
    /**
     * The sync feed from `cursor` until it has nothing more now (`has_more` false): apply each
     * page's `added`, `modified`, `removed` in order, and keep the last page's `next_cursor` for
     * next time. Transactions that arrive while paging come in a later page or the next call,
     * never twice and never lost.
     */
    async *syncPages(entityId: string, accountId: string, query: { cursor?: string; count?: number } = {}): AsyncGenerator<SyncPage, void, undefined> {
      let cursor = query.cursor;
      for (;;) {
        const p = await client.sync(entityId, accountId, { ...query, ...(cursor !== undefined ? { cursor } : {}) });
        yield p;
        if (!p.has_more) return;
        cursor = p.next_cursor;
      }
    },
    async balances(entityId: string, accountId: string): Promise<Balance[]> {
      return (await ok(http.GET('/data/v2/accounts/{account_id}/balances', { params: accountParams(entityId, accountId) }), true)).data as Balance[];
    },
    async beneficiaries(entityId: string, accountId: string): Promise<Beneficiary[]> {
      return (await ok(http.GET('/data/v2/accounts/{account_id}/beneficiaries', { params: accountParams(entityId, accountId) }), true)).data as Beneficiary[];
    },
    async directDebits(entityId: string, accountId: string): Promise<DirectDebit[]> {
      return (await ok(http.GET('/data/v2/accounts/{account_id}/direct-debits', { params: accountParams(entityId, accountId) }), true)).data as DirectDebit[];
    },
    async scheduledPayments(entityId: string, accountId: string): Promise<ScheduledPayment[]> {
      return (await ok(http.GET('/data/v2/accounts/{account_id}/scheduled-payments', { params: accountParams(entityId, accountId) }), true)).data as ScheduledPayment[];
    },
    async standingOrders(entityId: string, accountId: string): Promise<StandingOrder[]> {
      return (await ok(http.GET('/data/v2/accounts/{account_id}/standing-orders', { params: accountParams(entityId, accountId) }), true)).data as StandingOrder[];
    },
    async accountIdentities(entityId: string, accountId: string): Promise<AccountIdentity[]> {
      return (await ok(http.GET('/data/v2/accounts/{account_id}/identities', { params: accountParams(entityId, accountId) }), true)).data as AccountIdentity[];
    },
    async identity(entityId: string): Promise<Identity> {
      return (await ok(http.GET('/data/v2/identity', { params: entity(entityId) }), true)).data as Identity;
    },

    // Refreshes
    /**
     * Asks openlean to fetch the entity's data from the bank now; answers the refresh (or the one
     * already running). Throws ProblemError `REFRESH_LIMIT_REACHED` past the daily limit.
     */
    async refresh(entityId: string, options: { idempotencyKey?: string } = {}): Promise<Refresh> {
      const header = { entity_id: entityId, ...(options.idempotencyKey ? { 'idempotency-key': options.idempotencyKey } : {}) };
      return (await ok(http.POST('/data/v2/refreshes', { params: { header } }))).data;
    },
    /** One page of the entity's refreshes, newest first. */
    async listRefreshes(entityId: string, query: { page?: number; size?: number; cursor?: string } = {}): Promise<Page<Refresh>> {
      const { data, response } = await ok(http.GET('/data/v2/refreshes', { params: { ...entity(entityId), query } }));
      return page(data, response);
    },
    async getRefresh(entityId: string, refreshId: string): Promise<Refresh> {
      return (await ok(http.GET('/data/v2/refreshes/{refresh_id}', { params: { ...entity(entityId), path: { refresh_id: refreshId } } }))).data;
    },
    /** Reads the refresh until it is FINISHED or FAILED and answers it, reporting progress on the way. */
    async waitForRefresh(entityId: string, refreshId: string, o: RefreshProgressOptions = {}): Promise<Refresh> {
      let seen = '';
      for (;;) {
        const r = await client.getRefresh(entityId, refreshId);
        const key = progressKey(r);
        if (key !== seen) o.onProgress?.(r);
        seen = key;
        if (r.status === 'FINISHED' || r.status === 'FAILED') return r;
        await sleep(o.intervalMs ?? 1000, o.signal);
      }
    },

    // Webhooks
    /** Sets where events go; a new endpoint answers its `secret` (shown once: keep it to verify deliveries). */
    async setWebhookEndpoint(url: string): Promise<WebhookEndpoint> {
      return (await ok(http.PUT('/webhooks/v1/endpoint', { body: { url } }))).data;
    },
    async getWebhookEndpoint(): Promise<WebhookEndpoint> {
      return (await ok(http.GET('/webhooks/v1/endpoint'))).data;
    },
    async deleteWebhookEndpoint(): Promise<void> {
      await ok(http.DELETE('/webhooks/v1/endpoint'));
    },
    /** A new signing secret; the old one still signs during the grace period (`WEBHOOK_SECRET_GRACE_HOURS`). */
    async rotateWebhookSecret(): Promise<WebhookEndpoint> {
      return (await ok(http.POST('/webhooks/v1/endpoint/rotate-secret'))).data;
    },
    async listWebhookDeliveries(query: { page?: number; size?: number; event_id?: string } = {}): Promise<Page<WebhookDelivery>> {
      const { data, response } = await ok(http.GET('/webhooks/v1/deliveries', { params: { query } }));
      return page(data, response);
    },
    /** Queues the delivery's event again; answers its `event_id`. */
    async redeliverWebhook(deliveryId: string): Promise<{ event_id: string }> {
      return (await ok(http.POST('/webhooks/v1/deliveries/{delivery_id}/redeliver', { params: { path: { delivery_id: deliveryId } } }))).data;
    },
  };
  return client;
}

export type OpenleanClient = ReturnType<typeof createOpenleanClient>;
