import Type from 'typebox';
import type { Api } from '../api.ts';
import { StringEnum } from '../../domain/typebox.ts';
import { CAPABILITIES, STANDARDS, type BankDefinition } from '../../banks/bank.ts';
import type { AppContext } from '../../context.ts';
import { PERMISSIONS } from '../../domain/permissions.ts';
import { problemResponses, ref } from '../responses.ts';

export const Bank = Type.Object(
  {
    identifier: Type.String(),
    name: Type.String(),
    country: Type.String(),
    currency: Type.String(),
    logo: Type.Union([Type.String(), Type.Null()], { description: 'Logo as a URL (a data: URL for the sandbox banks); null when none was configured' }),
    capabilities: Type.Array(StringEnum(CAPABILITIES)),
    supported_permissions: Type.Array(StringEnum(PERMISSIONS)),
    sandbox: Type.Boolean({ description: 'A built-in sandbox bank; listed in sandbox mode only' }),
    standard: StringEnum(STANDARDS, { description: 'The account-information API standard the bank speaks' }),
  },
  { $id: 'Bank' },
);
export type Bank = Type.Static<typeof Bank>;

export const ListBanksQuery = Type.Object(
  {
    country: Type.Optional(Type.String({ pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2 country, upper case' })),
    capability: Type.Optional(StringEnum(CAPABILITIES)),
  },
  { additionalProperties: false },
);

function toBank(b: BankDefinition): Bank {
  return {
    identifier: b.identifier,
    name: b.name,
    country: b.country,
    currency: b.currency,
    logo: b.logo,
    capabilities: [...b.capabilities],
    supported_permissions: [...b.permissions],
    sandbox: b.sandbox,
    standard: b.standard,
  };
}

export function registerListBanks(app: Api, ctx: AppContext): void {
  app.get(
    '/banks/v1',
    {
      config: { auth: 'any' },
      schema: {
        operationId: 'listBanks',
        tags: ['Banks'],
        summary: 'List the banks customers can connect',
        querystring: ListBanksQuery,
        response: { 200: Type.Array(ref(Bank)), ...problemResponses(400, 401) },
      },
    },
    async (request) => listBanks(ctx, request.query),
  );
}

/** The configured banks, of `country` and with `capability` when given. */
export function listBanks(ctx: AppContext, { country, capability }: Type.Static<typeof ListBanksQuery>): Bank[] {
  return ctx.banks
    .list()
    .filter((b) => (!country || b.country === country) && (!capability || b.capabilities.includes(capability)))
    .map(toBank);
}
