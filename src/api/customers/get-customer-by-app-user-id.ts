import Type from 'typebox';
import type { Api } from '../api.ts';
import type { AppContext } from '../../context.ts';
import { notFound } from '../../errors/api-error.ts';
import { findCustomerByAppUserId } from '../../store/customers.ts';
import { problemResponses, ref } from '../responses.ts';
import { Customer, toCustomer } from './customer.schema.ts';

export function registerGetCustomerByAppUserId(app: Api, ctx: AppContext): void {
  app.get(
    '/customers/v1/app-user-id/:app_user_id',
    {
      config: { auth: 'api' },
      schema: {
        operationId: 'getCustomerByAppUserId',
        tags: ['Customers'],
        summary: 'Find a customer by your own user id',
        params: Type.Object({ app_user_id: Type.String({ minLength: 1, maxLength: 255 }) }),
        response: { 200: ref(Customer), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { app_user_id } = request.params;
      const row = await findCustomerByAppUserId(ctx.store.read, request.principal.appId, app_user_id);
      if (!row) throw notFound('Customer with app_user_id', app_user_id);
      return toCustomer(row);
    },
  );
}
