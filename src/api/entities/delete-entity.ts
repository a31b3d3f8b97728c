import type { Api } from '../api.ts';
import type { AppContext } from '../../context.ts';
import { findCustomerEntity } from '../../entities/find-customer-entity.ts';
import { revokeEntity } from '../../entities/revoke-entity.ts';
import { problemResponses, ref } from '../responses.ts';
import { EntityParams } from './entity-params.ts';
import { Entity, toEntity } from './entity.schema.ts';

export function registerDeleteEntity(app: Api, ctx: AppContext): void {
  app.delete(
    '/customers/v1/:customer_id/entities/:entity_id',
    {
      config: { auth: 'api' },
      schema: {
        operationId: 'deleteEntity',
        tags: ['Entities'],
        summary: 'Revoke the consent and delete the stored bank data',
        description: 'Idempotent: deleting a revoked entity answers the same REVOKED entity.',
        params: EntityParams,
        response: { 200: ref(Entity), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { customer_id, entity_id } = request.params;
      const entity = await findCustomerEntity(ctx.store.db, request.principal, customer_id, entity_id);
      const now = ctx.now();
      if (entity.status !== 'REVOKED') await revokeEntity(ctx, entity, now, { subject: request.principal.clientId, request_id: request.id });
      return toEntity({ ...entity, status: 'REVOKED', updated_at: now.toISOString() }, now);
    },
  );
}
