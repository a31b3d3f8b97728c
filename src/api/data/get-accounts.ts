import Type from 'typebox';
import type { Api } from '../api.ts';
import type { AppContext } from '../../context.ts';
import { Account } from '../../domain/bank-data.ts';
import { accountsJson } from '../../store/bank-data-reads.ts';
import { ref } from '../responses.ts';
import { renderedJson } from './entity-access.ts';
import { registerDataRead, type DataReads } from './lean-read.ts';

export function registerGetAccounts(app: Api, ctx: AppContext, reads: DataReads): void {
  registerDataRead(app, ctx, reads, {
    path: '/data/v2/accounts',
    resource: 'accounts',
    operationId: 'getAccounts',
    tags: ['Accounts'],
    summary: 'Lean Get Accounts',
    description: 'The accounts the consent covers, in the order the bank lists them.',
    data: Type.Array(ref(Account)),
    dataDescription: 'Accounts list',
    render: async (_input, entity) => renderedJson<Account[]>(await accountsJson(ctx.store, entity.id)),
  });
}
