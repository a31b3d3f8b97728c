import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, FastifySchema } from 'fastify';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The headers the published document shows, when they differ from those validated: a seed
     * read documents its `entity_id` header as the seed does (required), while the server also
     * takes it from the query or body (docs/decisions/015).
     */
    publishedHeaders?: unknown;
  }
}
import type { AppContext } from '../context.ts';

/**
 * The published OpenAPI 3.1 document, generated from the route schemas (so it cannot drift from
 * what the server validates and answers), at `/openapi.json`, with an interactive reference at `/docs`.
 */
export async function installOpenApi(app: FastifyInstance, ctx: AppContext): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'openlean — Lean Data API v2',
        version: '2.0',
        description:
          'A self-hostable implementation of the Lean Data API v2. Accounts, transactions, balances, beneficiaries, ' +
          'direct debits, standing orders, scheduled payments and identity of your customers\' consented bank ' +
          'connections (entities). Errors are RFC 9457 problem+json with a stable `code`.',
      },
      servers: [{ url: ctx.config.publicUrl }],
      components: {
        securitySchemes: {
          BearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          LeanAppToken: {
            type: 'apiKey',
            in: 'header',
            name: 'lean-app-token',
            description: 'Lean\'s application-token header, for code written against Lean\'s guides: it carries the same openlean access token as `Authorization: Bearer` (any route takes it; the Lean-form routes document it)',
          },
        },
      },
      tags: [
        { name: 'Auth' },
        { name: 'Customers' },
        { name: 'Entities' },
        { name: 'Banks' },
        { name: 'Accounts' },
        { name: 'Transactions' },
        { name: 'Balances' },
        { name: 'Identity' },
        { name: 'Refreshes' },
        { name: 'Webhooks' },
        { name: 'Audit' },
        { name: 'Sandbox' },
        { name: 'Operations' },
      ],
    },
    transform: ({ schema, url, route }) => ({
      schema: route.config?.publishedHeaders ? ({ ...schema, headers: route.config.publishedHeaders } as FastifySchema) : schema,
      url,
    }),
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
