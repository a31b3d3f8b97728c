import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import type { AppContext } from '../../context.ts';
import { settleCallback } from '../../link/journey.ts';
import { outcomePage } from '../../link/pages.ts';
import { journeyPath, seeOther, sendPage } from './page-reply.ts';

const param = Type.Optional(Type.String({ maxLength: 2048 }));
// Banks may add parameters of their own (`iss`, `session_state`): RFC 6749 says to ignore them.
const Query = Type.Object({ state: param, code: param, error: param, error_description: param });

/**
 * Where banks send the user back (`${PUBLIC_URL}/link/callback`). A state that is unknown, already
 * used or from another journey changes nothing and answers STATE_INVALID; otherwise the journey is
 * settled and the user sent to its result page, so reloading that page repeats nothing.
 */
export function registerCallback(app: FastifyInstance, ctx: AppContext): void {
  app.get('/callback', { schema: { hide: true, querystring: Query } }, async (request, reply) => {
    const outcome = await settleCallback(ctx, request.query as Type.Static<typeof Query>);
    if ('settled' in outcome) return seeOther(reply, `${journeyPath(outcome.settled.id)}/result`);
    return sendPage(reply, 400, (nonce) =>
      outcomePage({
        lang: outcome.invalid?.language ?? 'en',
        appName: null,
        nonce,
        kind: 'error',
        mode: outcome.invalid?.mode ?? 'connect',
        reason: 'STATE_INVALID',
        detail: 'The state is unknown, was already used, or its journey ended',
        returnUrl: null,
        notify: null,
      }),
    );
  });
}
