import Type from 'typebox';
import type { Api } from '../api.ts';
import type { AppContext } from '../../context.ts';
import { effectiveStatus } from '../../entities/effective-status.ts';
import { StringEnum } from '../../domain/typebox.ts';
import { openJourney } from '../../link/journey.ts';
import { LANGUAGES } from '../../domain/language.ts';
import { LinkError } from '../../link/reasons.ts';
import { findEntity } from '../../store/entities.ts';
import { customerOfToken } from './customer-token.ts';
import { bankFor, parsePermissions, parseTarget } from './journey-input.ts';
import { journeyPath, seeOther } from './page-reply.ts';

const common = {
  token: Type.String({ minLength: 1, maxLength: 4096, description: 'A customer-scoped access token (scope customer.<customer_id>)' }),
  language: Type.Optional(StringEnum(LANGUAGES)),
  redirect_uri: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
  origin: Type.Optional(Type.String({ minLength: 1, maxLength: 300, description: 'Set by the SDK: the page its popup reports to' })),
};

const ConnectQuery = Type.Object(
  {
    ...common,
    permissions: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    bank_identifier: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  },
  { additionalProperties: false },
);

const ReconnectQuery = Type.Object({ ...common, reconnect_id: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false });

/**
 * The journey's entry points. Each checks everything the URL says, trades the token for a
 * journey row and redirects to the journey's own token-free URL, so the token is not left in the
 * address bar, the history, or on any page the user goes on to.
 */
export function registerOpenJourney(app: Api, ctx: AppContext): void {
  app.get('/', { schema: { hide: true, querystring: ConnectQuery } }, async (request, reply) => {
    const q = request.query;
    const target = parseTarget(q, ctx.config.mode);
    const customer = await customerOfToken(ctx, q.token, target);
    const permissions = parsePermissions(q.permissions, target);
    const bank = q.bank_identifier === undefined ? null : bankFor(ctx, q.bank_identifier, permissions, target);
    const journey = await openJourney(ctx, { ...target, customer, mode: 'connect', entityId: null, bank, permissions, language: q.language ?? 'en' });
    return seeOther(reply, journeyPath(journey.id));
  });

  app.get('/reconnect', { schema: { hide: true, querystring: ReconnectQuery } }, async (request, reply) => {
    const q = request.query;
    const target = parseTarget(q, ctx.config.mode);
    const customer = await customerOfToken(ctx, q.token, target);
    // A reconnect_id is the entity's id (reconnectIdOf in src/entities/effective-status.ts).
    const entity = await findEntity(ctx.store.read, customer.app_id, q.reconnect_id);
    if (!entity || entity.customer_id !== customer.id) throw new LinkError(404, 'INVALID_REQUEST', `No entity of this customer has reconnect_id ${q.reconnect_id}`, target);
    const status = effectiveStatus(entity, ctx.now());
    if (status !== 'RECONNECT_REQUIRED' && status !== 'EXPIRED') {
      throw new LinkError(409, 'INVALID_REQUEST', `Entity ${entity.id} is ${status}; only RECONNECT_REQUIRED or EXPIRED entities can be reconnected`, target);
    }
    const bank = bankFor(ctx, entity.bank_identifier, entity.permissions, target);
    const journey = await openJourney(ctx, { ...target, customer, mode: 'reconnect', entityId: entity.id, bank, permissions: entity.permissions, language: q.language ?? 'en' });
    return seeOther(reply, journeyPath(journey.id));
  });
}
