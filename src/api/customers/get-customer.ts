import type { Api } from '../api.ts';
import type { AppContext } from '../../context.ts';
import { notFound } from '../../errors/api-error.ts';
import { findCustomer } from '../../store/customers.ts';
import { customerLimit } from '../auth-guard.ts';
import { problemResponses, ref } from '../responses.ts';
import { Customer, CustomerIdParams, toCustomer } from './customer.schema.ts';

export function registerGetCustomer(app: Api, ctx: AppContext): void {
  app.get(
    '/customers/v1/:customer_id',
    {
      config: { auth: 'any' },
      schema: {
        operationId: 'getCustomer',
        tags: ['Customers'],
        summary: 'Get a customer',
        params: CustomerIdParams,
        response: { 200: ref(Customer), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { customer_id } = request.params;
      const limit = customerLimit(request.principal);
      const row = limit && limit !== customer_id ? undefined : await findCustomer(ctx.store.read, request.principal.appId, customer_id);
      if (!row) throw notFound('Customer', customer_id);
      return toCustomer(row);
    },
  );
}
