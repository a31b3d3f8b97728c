import Type from 'typebox';
import type { Api } from '../api.ts';
import { StringEnum } from '../../domain/typebox.ts';
import type { AppContext } from '../../context.ts';
import { PERMISSIONS } from '../../domain/permissions.ts';
import { createSandboxEntity } from '../../entities/create-sandbox-entity.ts';
import { ApiError, notFound } from '../../errors/api-error.ts';
import { findCustomer } from '../../store/customers.ts';
import { Entity, toEntity } from '../entities/entity.schema.ts';
import { problemResponses, ref } from '../responses.ts';

const DEFAULT_CONSENT_DAYS = 90;
const PROFILES = ['default', 'thin', 'high_volume'] as const;
/** The sandbox banks' bound on a login (their control API refuses longer ones). */
const MAX_LOGIN_LENGTH = 100;

/**
 * The request body; `bank_identifier` is an enum of this deployment's sandbox banks, so the published
 * document names exactly the values the server takes.
 */
const bodySchema = (sandboxBanks: readonly string[]) =>
  Type.Object(
    {
      customer_id: Type.String({ format: 'uuid' }),
      bank_identifier: Type.Optional(
        sandboxBanks.length > 0
          ? StringEnum(sandboxBanks as [string, ...string[]], { description: `A sandbox bank; ${sandboxBanks[0]} by default` })
          : Type.String({ minLength: 1, maxLength: 100, description: 'A sandbox bank (none is offered in production mode)' }),
      ),
      permissions: Type.Optional(
        Type.Array(StringEnum(PERMISSIONS), { minItems: 1, uniqueItems: true, description: 'Defaults to every permission the bank supports' }),
      ),
      login: Type.Optional(
        Type.String({
          minLength: 1,
          maxLength: MAX_LOGIN_LENGTH,
          pattern: '\\S',
          description: `The sandbox bank user to connect as; defaults to the customer's app_user_id, which must then be at most ${MAX_LOGIN_LENGTH} characters (else 400 naming \`login\`)`,
        }),
      ),
      profile: Type.Optional(StringEnum(PROFILES, { description: 'Data volume: thin, default, or high_volume (about 10 000 transactions per account)' })),
      consent_expires_at: Type.Optional(Type.String({ format: 'date-time', description: `Defaults to ${DEFAULT_CONSENT_DAYS} days from now; must be in the future` })),
    },
    { additionalProperties: false },
  );

export function registerCreateSandboxEntity(app: Api, ctx: AppContext): void {
  const Body = bodySchema(ctx.banks.list().filter((b) => b.sandbox).map((b) => b.identifier));
  app.post(
    '/sandbox/v1/entities',
    {
      config: { auth: 'api' },
      // Refused before the body is even validated: in production the route does not exist for clients.
      preValidation: async () => {
        if (ctx.config.mode === 'production') throw new ApiError('SANDBOX_DISABLED', 'Sandbox entities cannot be created when MODE=production');
      },
      schema: {
        operationId: 'createSandboxEntity',
        tags: ['Sandbox'],
        summary: 'Connect a customer to a sandbox bank without the browser journey',
        body: Body,
        description:
          'Creates a consent at the sandbox bank and authorises it as the bank user `login` (the bank\'s login, OTP and approval ' +
          'pages, driven over HTTP), then starts the INITIAL refresh; data reads answer 202 until `refresh_id` has finished.',
        response: {
          201: {
            description: 'The entity, and the INITIAL refresh that will fill it',
            content: { 'application/json': { schema: Type.Intersect([ref(Entity), Type.Object({ refresh_id: Type.String({ format: 'uuid' }) })]) } },
          },
          ...problemResponses(400, 401, 403, 404, 413, 415, 502),
        },
      },
    },
    async (request, reply) => {
      const { body } = request;
      const customer = await findCustomer(ctx.store.read, request.principal.appId, body.customer_id);
      if (!customer) throw notFound('Customer', body.customer_id);
      const sandboxBanks = ctx.banks.list().filter((b) => b.sandbox);
      const bank = body.bank_identifier ? sandboxBanks.find((b) => b.identifier === body.bank_identifier) : sandboxBanks[0];
      if (!bank) {
        throw new ApiError('INVALID_PARAMETER', `bank_identifier must be a sandbox bank: ${sandboxBanks.map((b) => b.identifier).join(', ')}`, {
          param: 'bank_identifier',
        });
      }
      const permissions = body.permissions ?? [...bank.permissions];
      const unsupported = permissions.filter((p) => !bank.permissions.includes(p));
      if (unsupported.length > 0) {
        throw new ApiError('INVALID_PARAMETER', `${bank.identifier} does not support ${unsupported.join(', ')}`, { param: 'permissions' });
      }
      // A login the sandbox bank would refuse is the caller's input, not the bank's failure.
      const login = body.login ?? customer.app_user_id;
      if (login.length > MAX_LOGIN_LENGTH) {
        throw new ApiError(
          'INVALID_PARAMETER',
          `login defaults to the customer's app_user_id, which has ${login.length} characters; a sandbox bank login has at most ${MAX_LOGIN_LENGTH}: send login`,
          { param: 'login' },
        );
      }
      const now = ctx.now();
      const consentExpiresAt = body.consent_expires_at ? new Date(body.consent_expires_at) : new Date(now.getTime() + DEFAULT_CONSENT_DAYS * 86_400_000);
      if (consentExpiresAt <= now) throw new ApiError('INVALID_PARAMETER', 'consent_expires_at must be in the future', { param: 'consent_expires_at' });
      const { entity, refresh } = await createSandboxEntity(ctx, {
        customer,
        bank,
        permissions,
        login,
        profile: body.profile ?? 'default',
        consentExpiresAt,
        by: { subject: request.principal.clientId, request_id: request.id, detail: 'through POST /sandbox/v1/entities' },
      });
      // Returned, not sent: only a returned body is checked against a response given per media type (src/api/api.ts).
      reply.code(201);
      return { ...toEntity(entity, now), refresh_id: refresh.id };
    },
  );
}
