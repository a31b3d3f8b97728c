import Type from 'typebox';
import type { Api } from '../api.ts';
import type { AppContext } from '../../context.ts';
import { settleCallback } from '../../link/journey.ts';
import { outcomePage } from '../../link/pages.ts';
import { journeyPath, seeOther, sendPage } from './page-reply.ts';

const param = Type.Optional(Type.String({ maxLength: 2048 }));
// Banks may add parameters of their own (`iss`, `session_state`): RFC 6749 says to ignore them,
// but they are handed to the ID token's checks. An ID token is a few KB.
const Query = Type.Object(
  { state: param, code: param, error: param, error_description: param, id_token: Type.Optional(Type.String({ maxLength: 16_384 })) },
  { additionalProperties: Type.String({ maxLength: 2048 }) },
);

/**
 * The hybrid flow (`code id_token`, FAPI 1.0 Advanced) answers in the fragment (OIDC Core
 * §3.3.2.5), which browsers never send: a callback without parameters moves its fragment into
 * the query and loads again; without a fragment either, it is the error it looks like.
 */
const FRAGMENT_RELAY = `if(location.hash.length>1&&!location.search){location.replace(location.pathname+'?'+location.hash.slice(1))}`;

/**
 * Where banks send the user back (`${PUBLIC_URL}/link/callback`). A state that is unknown, already
 * used or from another journey changes nothing and answers STATE_INVALID; otherwise the journey is
 * settled and the user sent to its result page, so reloading that page repeats nothing.
 */
export function registerCallback(app: Api, ctx: AppContext): void {
  app.get('/callback', { schema: { hide: true, querystring: Query } }, async (request, reply) => {
    const { query } = request;
    const outcome = await settleCallback(ctx, query);
    if ('settled' in outcome) return seeOther(reply, `${journeyPath(outcome.settled.id)}/result`);
    const relay = query.state === undefined && query.error === undefined;
    return sendPage(reply, 400, (nonce) => {
      const page = outcomePage({
        lang: outcome.invalid?.language ?? 'en',
        appName: null,
        nonce,
        kind: 'error',
        mode: outcome.invalid?.mode ?? 'connect',
        reason: 'STATE_INVALID',
        detail: 'The state is unknown, was already used, or its journey ended',
        returnUrl: null,
        notify: null,
      });
      return relay ? page.replace('</head>', `<script nonce="${nonce}">${FRAGMENT_RELAY}</script></head>`) : page;
    });
  });
}
