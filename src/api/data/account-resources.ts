import Type from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.ts';
import type { DataResource } from '../../domain/permissions.ts';
import { getResourceSet, type ListResource } from '../../store/bank-data.ts';
import { ref } from '../responses.ts';
import { AccountParams, assertResourceFetched, DATA_READ_RESPONSES, ETagHeader, EntityHeader, dataReadHandler, requireAccount } from './entity-access.ts';

interface AccountResourceRoute {
  path: string;
  resource: ListResource & DataResource;
  schema: string;
  operationId: string;
  tag: string;
  summary: string;
  description: string;
}

/** The per-account lists that are served whole, as the last refresh stored them. */
const ROUTES: readonly AccountResourceRoute[] = [
  { path: 'balances', resource: 'balances', schema: 'Balance', operationId: 'getBalances', tag: 'Balances', summary: 'Lean Get Balances', description: 'Balances' },
  { path: 'beneficiaries', resource: 'beneficiaries', schema: 'Beneficiary', operationId: 'getBeneficiaries', tag: 'Accounts', summary: 'Lean Get Beneficiaries', description: 'Beneficiaries' },
  { path: 'direct-debits', resource: 'direct_debits', schema: 'DirectDebit', operationId: 'getDirectDebits', tag: 'Accounts', summary: 'Lean Get Direct Debits', description: 'Direct debits' },
  { path: 'scheduled-payments', resource: 'scheduled_payments', schema: 'ScheduledPayment', operationId: 'getScheduledPayments', tag: 'Accounts', summary: 'Lean Get Scheduled Payments', description: 'Scheduled payments' },
  { path: 'standing-orders', resource: 'standing_orders', schema: 'StandingOrder', operationId: 'getStandingOrders', tag: 'Accounts', summary: 'Lean Get Standing Orders', description: 'Standing orders' },
  { path: 'identities', resource: 'account_identities', schema: 'AccountIdentity', operationId: 'getAccountIdentities', tag: 'Identity', summary: 'Lean Get Account Identities', description: 'Account identities' },
];

export function registerAccountResources(app: FastifyInstance, ctx: AppContext): void {
  for (const route of ROUTES) {
    app.get(
      `/data/v2/accounts/:account_id/${route.path}`,
      {
        config: { auth: 'api' },
        schema: {
          operationId: route.operationId,
          tags: [route.tag],
          summary: route.summary,
          headers: EntityHeader,
          params: AccountParams,
          response: {
            200: { description: route.description, headers: ETagHeader, content: { 'application/json': { schema: Type.Array(ref(route.schema)) } } },
            ...DATA_READ_RESPONSES,
          },
        },
      },
      dataReadHandler(ctx, route.resource, async (request, entity) => {
        const { account_id } = request.params as { account_id: string };
        await requireAccount(ctx, entity, account_id);
        const payload = await getResourceSet(ctx.store, entity.id, account_id, route.resource);
        if (payload === undefined) await assertResourceFetched(ctx, entity, route.resource);
        return { body: payload === undefined ? [] : JSON.parse(payload) };
      }),
    );
  }
}
