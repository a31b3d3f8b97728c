/**
 * Compile-time checks of the route types, run by `npm run typecheck` (tsconfig includes test/);
 * `node --test` never loads this file and nothing in it runs. Through the TypeBox type provider a
 * handler's input is typed from its route's schemas and its answer is checked against the route's
 * response schemas. Each `@ts-expect-error` marks code that must not compile: should it ever
 * compile, the unused directive fails the typecheck.
 */
import Type from 'typebox';
import type { Api } from '../../src/api/api.ts';
import { Customer } from '../../src/api/customers/customer.schema.ts';
import { registerDataRead, type DataReads } from '../../src/api/data/lean-read.ts';
import { noBody, problemResponses, ref } from '../../src/api/responses.ts';
import type { AppContext } from '../../src/context.ts';
import { Transaction } from '../../src/domain/bank-data.ts';

const customer: Customer = { customer_id: 'c', app_user_id: 'u', app_id: 'a', created_at: 't' };

/** A route answering a Customer, a bodiless 304 and problems: neither of the last two may loosen the check of the first. */
const answersCustomer = { response: { 200: ref(Customer), 304: noBody({ description: 'Not modified' }), ...problemResponses(400, 404) } };

/** The same answer documented per media type, as the paged lists and the 201/202 routes do. */
const answersCustomerContent = {
  response: { 202: { description: 'Accepted', content: { 'application/json': { schema: ref(Customer) } } }, ...problemResponses(400) },
};

export function routes(app: Api, ctx: AppContext, reads: DataReads): void {
  app.post(
    '/check/:id',
    {
      schema: {
        params: Type.Object({ id: Type.String() }),
        querystring: Type.Object({ n: Type.Optional(Type.Integer()) }),
        headers: Type.Object({ 'x-key': Type.String() }),
        body: Type.Object({ name: Type.String() }),
      },
    },
    async (request) => {
      const typed: [string, number | undefined, string, string] = [request.params.id, request.query.n, request.headers['x-key'], request.body.name];
      // @ts-expect-error a parameter the schema does not declare
      void request.params.other;
      // @ts-expect-error a body field the schema does not declare
      void request.body.other;
      return typed;
    },
  );

  app.get('/right', { schema: answersCustomer }, async () => customer);
  app.get('/right-content', { schema: answersCustomerContent }, async (_request, reply) => {
    reply.code(202);
    return customer;
  });

  // @ts-expect-error a reply without a field the response schema requires
  app.get('/missing', { schema: answersCustomer }, async () => ({ customer_id: 'c', app_user_id: 'u', app_id: 'a' }));
  // @ts-expect-error a reply with a field of the wrong type
  app.get('/wrong', { schema: answersCustomer }, async () => ({ ...customer, created_at: 1 }));
  // @ts-expect-error the same, against a response documented per media type
  app.get('/wrong-content', { schema: answersCustomerContent }, async () => ({ ...customer, created_at: 1 }));

  app.get('/sent', { schema: answersCustomer }, async (_request, reply) => {
    // @ts-expect-error `send` is checked as a returned answer is
    reply.send({ ...customer, app_id: 5 });
    return reply.code(200).send(customer);
  });

  registerDataRead(app, ctx, reads, {
    path: '/check/data/:account_id',
    resource: 'transactions',
    operationId: 'checkData',
    tags: [],
    summary: '',
    dataDescription: '',
    params: Type.Object({ account_id: Type.String() }),
    query: { start_date: Type.Optional(Type.String()) },
    data: Type.Array(ref(Transaction)),
    // @ts-expect-error a read renders what its `data` schema says
    render: async () => ({ body: [{ id: 1 }] }),
    check: (input) => {
      const typed: [string, string | undefined, boolean | undefined] = [input.params.account_id, input.query.start_date, input.query.async];
      // @ts-expect-error a path parameter the read does not declare
      void input.params.other;
      void typed;
    },
  });
}
