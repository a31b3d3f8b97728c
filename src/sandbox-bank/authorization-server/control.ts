import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { Compile } from 'typebox/compile';
import { StringEnum } from '../../domain/typebox.ts';
import type { SandboxBank, SandboxContext } from '../context.ts';
import { JourneyError, notFound, ObieError } from '../errors.ts';
import { HIDDEN } from '../hidden.ts';
import { SANDBOX_OTP } from '../pages.ts';
import { validBody } from '../validate.ts';
import { approve, deny, otpFailed } from './interaction.ts';
import { generateBankJwks, ID_TOKEN_ALGS } from './keys.ts';
import type { ProviderRegistry } from './providers.ts';

/**
 * The control API's authorization-server part (sandbox only, unauthenticated, like the rest of it):
 * complete a pending interaction as the user would, without the pages, and rotate the bank's
 * ID-token signing key.
 */

const InteractionBody = Compile(
  Type.Object(
    {
      login: Type.String({ minLength: 1, maxLength: 100 }),
      account_ids: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { minItems: 1, uniqueItems: true })),
      decision: StringEnum(['approve', 'deny'] as const),
      otp: Type.Optional(Type.String()),
    },
    { additionalProperties: false },
  ),
);
const SigningBody = Compile(Type.Object({ alg: StringEnum(ID_TOKEN_ALGS) }, { additionalProperties: false }));

export function registerAuthorizationControl(app: FastifyInstance, ctx: SandboxContext, providers: ProviderRegistry): void {
  const providerOf = (request: FastifyRequest): { bank: SandboxBank; built: NonNullable<ReturnType<ProviderRegistry['get']>> } => {
    const bank = ctx.bank(request);
    const built = providers.get(bank);
    if (!built) throw notFound(`openlean's registration at ${bank.identifier}`);
    return { bank, built };
  };

  /**
   * `{login, account_ids?, decision, otp?}` → `{redirect_to}`: the interaction's resume URL, to be
   * opened with the cookies the authorization request set. A wrong `otp` ends it as three wrong
   * codes on the pages do (`otp_failed`); `account_ids` default to every account of the login.
   */
  app.post<{ Params: { uid: string } }>('/:bank/control/interactions/:uid', HIDDEN, async (request) => {
    const { bank, built } = providerOf(request);
    const body = validBody(InteractionBody, request.body);
    const interaction = await built.provider.Interaction.find(request.params.uid);
    if (!interaction) throw notFound('Interaction');
    const complete = async (): Promise<string> => {
      if (body.otp !== undefined && body.otp !== SANDBOX_OTP) return otpFailed(interaction);
      if (body.decision === 'deny') return deny(ctx, bank, interaction);
      const accounts = ctx.customers.get(bank, body.login, ctx.state.user(bank.identifier, body.login).profile, ctx.now().getTime()).customer.accounts;
      const ids = body.account_ids ?? accounts.map((a) => a.accountId);
      const unknown = ids.find((id) => !accounts.some((a) => a.accountId === id));
      if (unknown) throw new ObieError(400, 'UK.OBIE.Field.Invalid', `Account ${unknown} is not one of ${body.login}'s`, { path: 'account_ids' });
      return approve(ctx, bank, built.provider, interaction, body.login, ids);
    };
    try {
      return { redirect_to: await complete() };
    } catch (error) {
      if (error instanceof JourneyError) throw new ObieError(error.status, 'UK.OBIE.Resource.InvalidConsentStatus', error.message);
      throw error;
    }
  });

  /**
   * `{alg}`: a new JWKS (new kids; the old keys leave the bank's JWKS at once) and ID tokens
   * signed with `alg` from now on, openlean re-registered with that `id_token_signed_response_alg`.
   */
  app.put('/:bank/control/id-token-signing', HIDDEN, async (request) => {
    const { bank } = providerOf(request);
    const { alg } = validBody(SigningBody, request.body);
    ctx.state.rotateBankKeys(bank.identifier, generateBankJwks(), alg);
    const rotated = providers.get(bank)!;
    const kid = rotated.keys.jwks.keys.find((k) => k.kty === (alg === 'ES256' ? 'EC' : 'RSA')) as { kid: string };
    return { bank_identifier: bank.identifier, alg, kid: kid.kid };
  });
}
