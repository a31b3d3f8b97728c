import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import type { AppContext } from '../../context.ts';
import { notFound } from '../../errors/api-error.ts';
import { findCustomer } from '../../store/customers.ts';
import { listCustomerEntities } from '../../store/entities.ts';
import { customerLimit } from '../auth-guard.ts';
import { CustomerIdParams } from '../customers/customer.schema.ts';
import { problemResponses, ref } from '../responses.ts';
import { toEntity } from './entity.schema.ts';

export function registerListEntities(app: FastifyInstance, ctx: AppContext): void {
  app.get(
    '/customers/v1/:customer_id/entities',
    {
      config: { auth: 'any' },
      schema: {
        operationId: 'listEntities',
        tags: ['Entities'],
        summary: "List a customer's entities (bank connections)",
        params: CustomerIdParams,
        response: { 200: Type.Array(ref('Entity')), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { customer_id } = request.params as { customer_id: string };
      const { appId } = request.principal;
      const limit = customerLimit(request.principal);
      if ((limit && limit !== customer_id) || !(await findCustomer(ctx.store.read, appId, customer_id))) {
        throw notFound('Customer', customer_id);
      }
      const now = ctx.now();
      return (await listCustomerEntities(ctx.store.read, appId, customer_id)).map((row) => toEntity(row, now));
    },
  );
}
