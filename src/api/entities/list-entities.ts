import Type from 'typebox';
import type { Api } from '../api.ts';
import type { AppContext } from '../../context.ts';
import { notFound } from '../../errors/api-error.ts';
import { findCustomer } from '../../store/customers.ts';
import { listCustomerEntities } from '../../store/entities.ts';
import { customerLimit } from '../auth-guard.ts';
import { CustomerIdParams } from '../customers/customer.schema.ts';
import { problemResponses, ref } from '../responses.ts';
import { Entity, toEntity } from './entity.schema.ts';
import type { Principal } from '../../auth/tokens.ts';

export function registerListEntities(app: Api, ctx: AppContext): void {
  app.get(
    '/customers/v1/:customer_id/entities',
    {
      config: { auth: 'any' },
      schema: {
        operationId: 'listEntities',
        tags: ['Entities'],
        summary: "List a customer's entities (bank connections)",
        params: CustomerIdParams,
        response: { 200: Type.Array(ref(Entity)), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => customerEntities(ctx, request.principal, request.params.customer_id),
  );
}

/** Customer `customerId`'s entities, if the caller may see the customer (its application's, and its own under a customer token); else 404. */
export async function customerEntities(ctx: AppContext, principal: Principal, customerId: string): Promise<Entity[]> {
  const limit = customerLimit(principal);
  if ((limit && limit !== customerId) || !(await findCustomer(ctx.store.read, principal.appId, customerId))) {
    throw notFound('Customer', customerId);
  }
  const now = ctx.now();
  return (await listCustomerEntities(ctx.store.read, principal.appId, customerId)).map((row) => toEntity(row, now));
}
