import Type from 'typebox';
import type { Api } from '../api.ts';
import type { AppContext } from '../../context.ts';
import { listCustomers } from '../../store/customers.ts';
import { DEFAULT_PAGE_SIZE, PageHeaders, PageParams, pageHeaders } from '../pagination.ts';
import { problemResponses, ref } from '../responses.ts';
import { Customer, toCustomer } from './customer.schema.ts';

export const ListCustomersQuery = Type.Object(PageParams, { additionalProperties: false });

/** Application `appId`'s customers, oldest first: page `page` (0-based) of `size`, and how many there are. */
export async function customersPage(ctx: AppContext, appId: string, page: number, size: number): Promise<{ customers: Customer[]; total: number }> {
  const { rows, total } = await listCustomers(ctx.store.read, appId, { offset: page * size, limit: size });
  return { customers: rows.map(toCustomer), total };
}

export function registerListCustomers(app: Api, ctx: AppContext): void {
  app.get(
    '/customers/v1',
    {
      config: { auth: 'api' },
      schema: {
        operationId: 'listCustomers',
        tags: ['Customers'],
        summary: 'List customers, oldest first',
        querystring: ListCustomersQuery,
        response: {
          200: { description: 'Customers', headers: PageHeaders, content: { 'application/json': { schema: Type.Array(ref(Customer)) } } },
          ...problemResponses(400, 401, 403),
        },
      },
    },
    async (request, reply) => {
      const { page = 0, size = DEFAULT_PAGE_SIZE } = request.query;
      const { customers, total } = await customersPage(ctx, request.principal.appId, page, size);
      reply.headers(pageHeaders(request.url, total, (page + 1) * size < total ? { page: String(page + 1), size: String(size) } : null));
      return customers;
    },
  );
}
