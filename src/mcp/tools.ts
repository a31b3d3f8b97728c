import Type, { type TProperties, type TSchema } from 'typebox';
import type { ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import type { Principal } from '../auth/tokens.ts';
import type { AppContext } from '../context.ts';
import { Bank, listBanks, ListBanksQuery } from '../api/banks/list-banks.ts';
import { Customer, CustomerIdParams } from '../api/customers/customer.schema.ts';
import { customersPage, ListCustomersQuery } from '../api/customers/list-customers.ts';
import { AccountParams, EntityHeader, entityForReadOf, entityOf, pendingRefreshOf, type RenderedPage } from '../api/data/entity-access.ts';
import { performRead, type DataRead, type DataReads } from '../api/data/lean-read.ts';
import { cursorOf, SyncQuery, SyncResponse, syncChanges } from '../api/data/sync-transactions.ts';
import { Entity } from '../api/entities/entity.schema.ts';
import { customerEntities } from '../api/entities/list-entities.ts';
import { DEFAULT_PAGE_SIZE, keysetPaging } from '../api/pagination.ts';
import { startManualRefresh } from '../api/refreshes/create-refresh.ts';
import { refreshOf, RefreshParams } from '../api/refreshes/get-refresh.ts';
import { ListRefreshesQuery, refreshesPage } from '../api/refreshes/list-refreshes.ts';
import { Refresh, toRefresh } from '../api/refreshes/refresh.schema.ts';
import type { Account, Balance, Identity, Transaction } from '../domain/bank-data.ts';
import { PERMISSION_FOR, type DataResource } from '../domain/permissions.ts';
import { REFRESH_STATUSES } from '../domain/refresh.ts';
import { Nullable } from '../domain/typebox.ts';
import type { RefreshRow } from '../store/schema.ts';
import {
  accountsSummary,
  balancesSummary,
  banksSummary,
  customersSummary,
  entitiesSummary,
  identitySummary,
  listSummary,
  refreshesSummary,
  refreshSummary,
  syncSummary,
  transactionsSummary,
} from './summaries.ts';

/** Who calls a tool: an application (scope `api`), and the HTTP request that carried the call, for problem `request_id`s. */
export interface Caller {
  principal: Principal;
  requestId: string;
}

/** What a tool answers: its structured content and the summary beside it, or the refresh the entity's first data waits for. */
export type ToolAnswer = { structured: Record<string, unknown>; text: string } | { pending: RefreshRow };

/**
 * One MCP tool: its input and output as the TypeBox schemas of the REST route it mirrors, and a
 * `run` that calls the same function that route's handler calls. `run` gets arguments already
 * validated against `input`, and throws `ApiError` as the route would.
 */
export interface Tool {
  name: string;
  title: string;
  description: string;
  input: TSchema;
  output: TSchema;
  annotations: ToolAnnotations;
  /** The tool reads bank data: each call is recorded in the audit trail as a read of `resource`, as the REST read is (docs/decisions/017). */
  audit?: { resource: DataResource };
  run(args: Record<string, unknown>, caller: Caller): Promise<ToolAnswer>;
}

/** Reads only openlean's store, never a bank: repeating one changes nothing. */
const READ_ONLY: ToolAnnotations = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false };

const entityId = EntityHeader.properties.entity_id;

/** A tool's arguments: every property as the REST route's schema has it, nothing else accepted. */
function args(properties: TProperties): TSchema {
  return Type.Object(properties, { additionalProperties: false });
}

/** What a paged read continues with (the REST `Link: rel="next"`): a cursor, or a page number. */
function nextOf(page: RenderedPage | null): { next_cursor: string | null; next_page: number | null } {
  const next = page?.next;
  return { next_cursor: next?.cursor ?? null, next_page: next?.page === undefined ? null : Number(next.page) };
}

const NextFields = {
  next_cursor: Nullable(Type.String({ description: 'Pass it as `cursor` for the next page (the REST `Link: rel="next"`); null on the last page or when paging by `page`' })),
  next_page: Nullable(Type.Integer({ minimum: 0, description: 'Pass it as `page` for the next page, when paging by number; null otherwise' })),
};

/** The URL the REST route would have been called at, which a read's paging links are built from. */
function urlOf(read: DataRead, params: Record<string, string>, query: Record<string, unknown>): string {
  const path = read.path.replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(params[name] ?? ''));
  const search = new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]));
  return search.size ? `${path}?${search}` : path;
}

interface ReadTool {
  name: string;
  operationId: string;
  title: string;
  description: string;
  /** The structured content's field that holds the REST body (null: the body is the structured content). */
  key: string | null;
  summary(body: unknown, page: RenderedPage | null): string;
  /** Fields added beside the body: where a paged read stands. */
  extra?: { schema: TProperties; of(page: RenderedPage | null): Record<string, unknown> };
}

const transactionsExtra = {
  schema: { total: Type.Integer({ minimum: 0, description: 'Transactions matching the dates, over all pages (REST `X-Total-Count`)' }), ...NextFields },
  of: (page: RenderedPage | null) => ({ total: page?.total ?? 0, ...nextOf(page) }),
};

const READ_TOOLS: readonly ReadTool[] = [
  {
    name: 'get_accounts',
    operationId: 'getAccounts',
    title: 'Accounts of an entity',
    description: 'The bank accounts an entity\'s consent covers (REST GET /data/v2/accounts). Each has the `account_id` the per-account tools take.',
    key: 'accounts',
    summary: (body) => accountsSummary(body as Account[]),
  },
  {
    name: 'get_balances',
    operationId: 'getBalances',
    title: 'Balances of an account',
    description: 'An account\'s balances as the bank last reported them (REST GET /data/v2/accounts/{account_id}/balances). Amounts are exact decimals in the currency\'s minor-unit precision; a DEBIT balance is owed.',
    key: 'balances',
    summary: (body) => balancesSummary(body as Balance[]),
  },
  {
    name: 'get_transactions',
    operationId: 'getTransactions',
    title: 'Transactions of an account',
    description:
      'An account\'s transactions, newest first (REST GET /data/v2/accounts/{account_id}/transactions). `start_date`/`end_date` (YYYY-MM-DD, inclusive, the bank\'s local date) filter; ' +
      'continue with `next_cursor` as `cursor` (exact even while new transactions arrive), or page by `page`/`size`.',
    key: 'transactions',
    summary: (body, page) => {
      const { next_cursor, next_page } = nextOf(page);
      return transactionsSummary(body as Transaction[], page?.total ?? 0, { cursor: next_cursor, page: next_page });
    },
    extra: transactionsExtra,
  },
  {
    name: 'get_beneficiaries',
    operationId: 'getBeneficiaries',
    title: 'Beneficiaries of an account',
    description: 'The payees saved on an account (REST GET /data/v2/accounts/{account_id}/beneficiaries).',
    key: 'beneficiaries',
    summary: (body) => listSummary(body as unknown[], 'beneficiary'),
  },
  {
    name: 'get_direct_debits',
    operationId: 'getDirectDebits',
    title: 'Direct debits of an account',
    description: 'An account\'s direct-debit mandates (REST GET /data/v2/accounts/{account_id}/direct-debits).',
    key: 'direct_debits',
    summary: (body) => listSummary(body as unknown[], 'direct debit'),
  },
  {
    name: 'get_standing_orders',
    operationId: 'getStandingOrders',
    title: 'Standing orders of an account',
    description: 'An account\'s standing orders (REST GET /data/v2/accounts/{account_id}/standing-orders).',
    key: 'standing_orders',
    summary: (body) => listSummary(body as unknown[], 'standing order'),
  },
  {
    name: 'get_scheduled_payments',
    operationId: 'getScheduledPayments',
    title: 'Scheduled payments of an account',
    description: 'An account\'s one-off future payments (REST GET /data/v2/accounts/{account_id}/scheduled-payments).',
    key: 'scheduled_payments',
    summary: (body) => listSummary(body as unknown[], 'scheduled payment'),
  },
  {
    name: 'get_account_identities',
    operationId: 'getAccountIdentities',
    title: 'Parties of an account',
    description: 'The people or companies with a role on an account (REST GET /data/v2/accounts/{account_id}/identities).',
    key: 'identities',
    summary: (body) => listSummary(body as unknown[], 'account party', 'account parties'),
  },
  {
    name: 'get_identity',
    operationId: 'getIdentity',
    title: 'Identity of the consenting user',
    description: 'The person who gave the consent, as the bank knows them (REST GET /data/v2/identity). NOT_FOUND when the bank shared no identity.',
    key: null,
    summary: (body) => identitySummary(body as Identity),
  },
];

function readTool(ctx: AppContext, read: DataRead, spec: ReadTool): Tool {
  const params = read.params?.properties ?? {};
  const output = spec.key === null ? read.data : Type.Object({ [spec.key]: read.data, ...(spec.extra?.schema ?? {}) });
  return {
    name: spec.name,
    title: spec.title,
    description: `${spec.description} Needs the consent's "${PERMISSION_FOR[read.resource]}" permission.`,
    input: args({ entity_id: entityId, ...params, ...(read.query ?? {}) }),
    output,
    annotations: { ...READ_ONLY, title: spec.title },
    audit: { resource: read.resource },
    async run(given, caller) {
      const { entity_id, ...rest } = given as { entity_id: string } & Record<string, unknown>;
      const pathParams = Object.fromEntries(Object.keys(params).map((k) => [k, String(rest[k])]));
      const query = Object.fromEntries(Object.entries(rest).filter(([k]) => !(k in params)));
      const outcome = await performRead(ctx, caller.principal.appId, entity_id, read, { params: pathParams, query, url: urlOf(read, pathParams, query) });
      if (outcome.status === 'PENDING') return { pending: outcome.refresh };
      const structured = spec.key === null ? (outcome.body as Record<string, unknown>) : { [spec.key]: outcome.body, ...(spec.extra?.of(outcome.page) ?? {}) };
      return { structured, text: spec.summary(outcome.body, outcome.page) };
    },
  };
}

/**
 * Every tool of openlean's MCP server, over the same functions the REST routes call: `reads` are
 * the data reads src/app.ts registered (each tool finds its read by operationId).
 */
export function createTools(ctx: AppContext, reads: DataReads): Tool[] {
  const tools: Tool[] = [
    {
      name: 'list_customers',
      title: 'Customers',
      description: 'The application\'s customers, oldest first (REST GET /customers/v1). A customer\'s `app_user_id` is the application\'s own id for the person.',
      input: args(ListCustomersQuery.properties),
      output: Type.Object({ customers: Type.Array(Customer), total: Type.Integer({ minimum: 0 }), next_page: NextFields.next_page }),
      annotations: { ...READ_ONLY, title: 'Customers' },
      async run(given, caller) {
        const { page = 0, size = DEFAULT_PAGE_SIZE } = given as { page?: number; size?: number };
        const { customers, total } = await customersPage(ctx, caller.principal.appId, page, size);
        const next_page = (page + 1) * size < total ? page + 1 : null;
        return { structured: { customers, total, next_page }, text: customersSummary(customers, total, { page: next_page }) };
      },
    },
    {
      name: 'list_entities',
      title: 'Bank connections of a customer',
      description:
        'A customer\'s entities: one per bank they connected, with the permissions the consent grants, its status and `last_synced_at`, when its data was last refreshed (REST GET /customers/v1/{customer_id}/entities).',
      input: args(CustomerIdParams.properties),
      output: Type.Object({ entities: Type.Array(Entity) }),
      annotations: { ...READ_ONLY, title: 'Bank connections of a customer' },
      async run(given, caller) {
        const entities = await customerEntities(ctx, caller.principal, String(given.customer_id));
        return { structured: { entities }, text: entitiesSummary(entities) };
      },
    },
    {
      name: 'list_banks',
      title: 'Banks',
      description: 'The banks customers can connect (REST GET /banks/v1), by country (ISO 3166-1 alpha-2) and capability.',
      input: args(ListBanksQuery.properties),
      output: Type.Object({ banks: Type.Array(Bank) }),
      annotations: { ...READ_ONLY, title: 'Banks' },
      async run(given) {
        const banks = listBanks(ctx, given);
        return { structured: { banks }, text: banksSummary(banks) };
      },
    },
  ];

  for (const spec of READ_TOOLS) {
    const read = reads.get(spec.operationId);
    if (!read) throw new Error(`no data read ${spec.operationId} to serve the ${spec.name} tool`);
    tools.push(readTool(ctx, read, spec));
  }

  tools.push(
    {
      name: 'sync_transactions',
      title: 'Transaction changes since a cursor',
      description:
        'Transactions added, modified and removed on an account since `cursor` (REST GET /data/v2/accounts/{account_id}/transactions/sync). Without a cursor every transaction comes as added; ' +
        'call again with `next_cursor` while `has_more`, and keep the last one for next time. Needs the "transactions" permission.',
      input: args({ entity_id: entityId, ...AccountParams.properties, ...SyncQuery.properties }),
      output: SyncResponse,
      annotations: { ...READ_ONLY, title: 'Transaction changes since a cursor' },
      audit: { resource: 'transactions' },
      async run(given, caller) {
        const q = given as { entity_id: string; account_id: string; cursor?: string; count?: number };
        const cursor = cursorOf(q, q.account_id);
        const entity = await entityForReadOf(ctx, caller.principal.appId, q.entity_id, 'transactions');
        if (entity.synced_at === null) return { pending: await pendingRefreshOf(ctx, entity) };
        const sync = await syncChanges(ctx, entity, q.account_id, cursor, q.count);
        return { structured: sync, text: syncSummary(sync) };
      },
    },
    {
      name: 'refresh_entity',
      title: 'Refresh an entity\'s data from its bank',
      description:
        'Fetches the entity\'s data from its bank again (REST POST /data/v2/refreshes), or joins the refresh already waiting or running. ' +
        `Each entity may start ${ctx.config.refresh.manualDailyLimit} manual refreshes per UTC day (REFRESH_LIMIT_REACHED after that): ` +
        'refresh only when `list_refreshes` shows the newest finished refresh is too old for the question. Follow it with `get_refresh` until FINISHED or FAILED.',
      input: args({ entity_id: entityId }),
      output: Refresh,
      // The only tool that changes anything: it starts work at the bank and counts against the daily limit.
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true, title: 'Refresh an entity\'s data from its bank' },
      async run(given, caller) {
        const refresh = toRefresh(await startManualRefresh(ctx, await entityOf(ctx, caller.principal.appId, String(given.entity_id))));
        return { structured: refresh, text: refreshSummary(refresh) };
      },
    },
    {
      name: 'get_refresh',
      title: 'Status of a refresh',
      description: `A refresh's status (${REFRESH_STATUSES.join(', ')}), per resource with record counts, and why it failed (REST GET /data/v2/refreshes/{refresh_id}).`,
      input: args({ entity_id: entityId, ...RefreshParams.properties }),
      output: Refresh,
      annotations: { ...READ_ONLY, title: 'Status of a refresh' },
      async run(given, caller) {
        const refresh = await refreshOf(ctx, await entityOf(ctx, caller.principal.appId, String(given.entity_id)), String(given.refresh_id));
        return { structured: refresh, text: refreshSummary(refresh) };
      },
    },
    {
      name: 'list_refreshes',
      title: 'Refreshes of an entity',
      description: 'An entity\'s refreshes, newest first (REST GET /data/v2/refreshes): how fresh its data is, and whether one is running.',
      input: args({ entity_id: entityId, ...ListRefreshesQuery.properties }),
      output: Type.Object({ refreshes: Type.Array(Refresh), total: Type.Integer({ minimum: 0 }), ...NextFields }),
      annotations: { ...READ_ONLY, title: 'Refreshes of an entity' },
      async run(given, caller) {
        const paging = keysetPaging(given as { page?: number; size?: number; cursor?: string });
        const entity = await entityOf(ctx, caller.principal.appId, String(given.entity_id));
        const { refreshes, total, next } = await refreshesPage(ctx, entity, paging);
        const following = { next_cursor: next?.cursor ?? null, next_page: next?.page === undefined ? null : Number(next.page) };
        return { structured: { refreshes, total, ...following }, text: refreshesSummary(refreshes, total, { cursor: following.next_cursor, page: following.next_page }) };
      },
    },
  );
  return tools;
}
