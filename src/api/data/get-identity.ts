import type { Api } from '../api.ts';
import type { AppContext } from '../../context.ts';
import { Identity } from '../../domain/bank-data.ts';
import { notFound } from '../../errors/api-error.ts';
import { getResourceSet } from '../../store/bank-data-reads.ts';
import { ref } from '../responses.ts';
import { assertResourceFetched } from './entity-access.ts';
import { registerDataRead, type DataReads } from './lean-read.ts';

export function registerGetIdentity(app: Api, ctx: AppContext, reads: DataReads): void {
  registerDataRead(app, ctx, reads, {
    path: '/data/v2/identity',
    resource: 'identity',
    operationId: 'getIdentity',
    tags: ['Identity'],
    summary: 'Lean Get Identity',
    description: 'The person who gave the consent, as the bank knows them. 404 when the bank shared no identity.',
    data: ref(Identity),
    dataDescription: 'Identity',
    render: async (_input, entity) => {
      const identity = await getResourceSet(ctx.store, entity.id, null, 'identity');
      if (identity === undefined) await assertResourceFetched(ctx, entity, 'identity');
      if (!identity) throw notFound('Identity of entity', entity.id);
      return { body: identity };
    },
  });
}
