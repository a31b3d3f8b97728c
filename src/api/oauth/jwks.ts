import Type from 'typebox';
import type { Api } from '../api.ts';
import type { AppContext } from '../../context.ts';

const Jwks = Type.Object({
  keys: Type.Array(
    Type.Object({
      kty: Type.String(),
      kid: Type.String(),
      alg: Type.String(),
      use: Type.String(),
      crv: Type.Optional(Type.String()),
      x: Type.Optional(Type.String()),
      y: Type.Optional(Type.String()),
    }),
  ),
});

export function registerJwks(app: Api, ctx: AppContext): void {
  app.get(
    '/.well-known/jwks.json',
    {
      schema: {
        operationId: 'getJwks',
        tags: ['Auth'],
        summary: 'Public keys that verify openlean access tokens',
        response: { 200: Jwks },
      },
    },
    async (_request, reply) => reply.header('cache-control', 'public, max-age=300').send(await ctx.tokens.jwks()),
  );
}
