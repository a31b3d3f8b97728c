import Type from 'typebox';
import type { Api } from '../api.ts';
import type { AppContext } from '../../context.ts';
import { AccountIdentity, Balance, Beneficiary, DirectDebit, ScheduledPayment, StandingOrder } from '../../domain/bank-data.ts';
import type { DataResource } from '../../domain/permissions.ts';
import { resourceSetJson, type ResourceSets } from '../../store/bank-data-reads.ts';
import type { ListResource } from '../../store/bank-data.ts';
import { ref } from '../responses.ts';
import { AccountParams, assertResourceFetched, renderedJson, requireAccount } from './entity-access.ts';
import { registerDataRead, type DataReads } from './lean-read.ts';

interface AccountResourceRoute {
  path: string;
  resource: ListResource & DataResource;
  schema: Type.TSchema;
  operationId: string;
  tag: string;
  summary: string;
  description: string;
}

/** The per-account lists that are served whole, as the last refresh stored them. */
const ROUTES: readonly AccountResourceRoute[] = [
  { path: 'balances', resource: 'balances', schema: Balance, operationId: 'getBalances', tag: 'Balances', summary: 'Lean Get Balances', description: 'Balances' },
  { path: 'beneficiaries', resource: 'beneficiaries', schema: Beneficiary, operationId: 'getBeneficiaries', tag: 'Accounts', summary: 'Lean Get Beneficiaries', description: 'Beneficiaries' },
  { path: 'direct-debits', resource: 'direct_debits', schema: DirectDebit, operationId: 'getDirectDebits', tag: 'Accounts', summary: 'Lean Get Direct Debits', description: 'Direct debits' },
  { path: 'scheduled-payments', resource: 'scheduled_payments', schema: ScheduledPayment, operationId: 'getScheduledPayments', tag: 'Accounts', summary: 'Lean Get Scheduled Payments', description: 'Scheduled payments' },
  { path: 'standing-orders', resource: 'standing_orders', schema: StandingOrder, operationId: 'getStandingOrders', tag: 'Accounts', summary: 'Lean Get Standing Orders', description: 'Standing orders' },
  { path: 'identities', resource: 'account_identities', schema: AccountIdentity, operationId: 'getAccountIdentities', tag: 'Identity', summary: 'Lean Get Account Identities', description: 'Account identities' },
];

export function registerAccountResources(app: Api, ctx: AppContext, reads: DataReads): void {
  for (const route of ROUTES) {
    registerDataRead(app, ctx, reads, {
      path: `/data/v2/accounts/:account_id/${route.path}`,
      resource: route.resource,
      operationId: route.operationId,
      tags: [route.tag],
      summary: route.summary,
      params: AccountParams,
      data: Type.Array(ref(route.schema)),
      dataDescription: route.description,
      render: async (input, entity) => {
        const { account_id } = input.params;
        await requireAccount(ctx, entity, account_id);
        const stored = await resourceSetJson(ctx.store, entity.id, account_id, route.resource);
        if (stored === undefined) await assertResourceFetched(ctx, entity, route.resource);
        return renderedJson<ResourceSets[typeof route.resource]>(stored ?? '[]');
      },
    });
  }
}
