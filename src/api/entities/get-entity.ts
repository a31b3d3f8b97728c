import type { Api } from '../api.ts';
import type { AppContext } from '../../context.ts';
import { findCustomerEntity } from '../../entities/find-customer-entity.ts';
import { problemResponses, ref } from '../responses.ts';
import { EntityParams } from './entity-params.ts';
import { Entity, toEntity } from './entity.schema.ts';

export function registerGetEntity(app: Api, ctx: AppContext): void {
  app.get(
    '/customers/v1/:customer_id/entities/:entity_id',
    {
      config: { auth: 'any' },
      schema: {
        operationId: 'getEntity',
        tags: ['Entities'],
        summary: 'Get an entity',
        params: EntityParams,
        response: { 200: ref(Entity), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { customer_id, entity_id } = request.params;
      return toEntity(await findCustomerEntity(ctx.store.read, request.principal, customer_id, entity_id), ctx.now());
    },
  );
}
