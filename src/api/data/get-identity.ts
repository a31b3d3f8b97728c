import type { Api } from '../api.ts';
import type { AppContext } from '../../context.ts';
import { Identity } from '../../domain/bank-data.ts';
import { notFound } from '../../errors/api-error.ts';
import { resourceSetJson } from '../../store/bank-data-reads.ts';
import { ref } from '../responses.ts';
import { assertResourceFetched, renderedJson } from './entity-access.ts';
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
      const json = await resourceSetJson(ctx.store, entity.id, null, 'identity');
      if (json === undefined) await assertResourceFetched(ctx, entity, 'identity');
      // Stored as 'null' when the bank shared none.
      if (json === undefined || json === 'null') throw notFound('Identity of entity', entity.id);
      return renderedJson<Identity>(json);
    },
  });
}
