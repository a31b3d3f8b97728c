import { randomUUID } from 'node:crypto';
import Type from 'typebox';
import type { Api } from '../api.ts';
import type { AppContext } from '../../context.ts';
import { ApiError } from '../../errors/api-error.ts';
import { insertCustomer } from '../../store/customers.ts';
import { problemResponses, ref } from '../responses.ts';
import { Customer, toCustomer } from './customer.schema.ts';

const CreateCustomerBody = Type.Object(
  {
    app_user_id: Type.String({
      minLength: 1,
      maxLength: 255,
      pattern: '^\\S(.*\\S)?$',
      description: 'Your own id for the user; unique within your application',
    }),
  },
  { additionalProperties: false },
);

export function registerCreateCustomer(app: Api, ctx: AppContext): void {
  app.post(
    '/customers/v1',
    {
      config: { auth: 'api' },
      schema: {
        operationId: 'createCustomer',
        tags: ['Customers'],
        summary: 'Create a customer',
        body: CreateCustomerBody,
        response: { 201: ref(Customer), ...problemResponses(400, 401, 403, 409, 413, 415) },
      },
    },
    async (request, reply) => {
      const { app_user_id } = request.body;
      const row = { id: randomUUID(), app_id: request.principal.appId, app_user_id, created_at: ctx.now().toISOString() };
      if (!(await insertCustomer(ctx.store.db, row))) {
        throw new ApiError('DUPLICATE_CUSTOMER', `A customer with app_user_id "${app_user_id}" already exists`, { param: 'app_user_id' });
      }
      return reply.code(201).send(toCustomer(row));
    },
  );
}
