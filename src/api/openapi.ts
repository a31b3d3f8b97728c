import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifySchema } from 'fastify';
import type { Api } from './api.ts';

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
import { VERSION } from '../version.ts';

/** The top bar's logo on `/docs`: the project's name instead of Swagger's. */
const LOGO = `<svg xmlns="http://www.w3.org/2000/svg" width="150" height="32" viewBox="0 0 150 32"><text x="0" y="24" font-family="sans-serif" font-size="24" font-weight="700" fill="#fff">openlean</text></svg>`;

/**
 * The document as `/docs` shows it: every bearer-secured operation also takes a token that Swagger
 * UI's "Authorize" fetches itself with the client credentials (OAuth2 `clientCredentials` at
 * `/oauth2/token`, RFC 6749 §4.4), so a reader tries an endpoint without pasting a token. Only the
 * page's copy: `/openapi.json` keeps the seed's exact `security` (test/contract).
 */
function withClientCredentials(doc: Record<string, any>): Record<string, any> {
  doc.components.securitySchemes.OAuth2 = {
    type: 'oauth2',
    description: 'Client credentials: the tokens of `POST /oauth2/token`, sent as `Authorization: Bearer`',
    flows: { clientCredentials: { tokenUrl: '/oauth2/token', scopes: { api: 'Your backend: every route of your application' } } },
  };
  for (const item of Object.values<Record<string, any>>(doc.paths)) {
    for (const op of Object.values<any>(item)) {
      if (op?.security?.some((s: Record<string, unknown>) => 'BearerAuth' in s)) op.security = [...op.security, { OAuth2: ['api'] }];
    }
  }
  return doc;
}

/**
 * The published OpenAPI 3.1 document, generated from the route schemas (so it cannot drift from
 * what the server validates and answers), at `/openapi.json`, with an interactive reference at `/docs`.
 */
export async function installOpenApi(app: Api, ctx: AppContext): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'openlean — Lean Data API v2',
        version: VERSION,
        description:
          'A self-hostable implementation of the Lean Data API v2. Accounts, transactions, balances, beneficiaries, ' +
          'direct debits, standing orders, scheduled payments and identity of your customers\' consented bank ' +
          'connections (entities). Errors are RFC 9457 problem+json with a stable `code`.',
      },
      servers: [{ url: ctx.config.publicUrl }],
      components: {
        securitySchemes: {
          BearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          ClientBasic: { type: 'http', scheme: 'basic', description: 'HTTP Basic with client_id and client_secret (RFC 6749 §2.3.1), on `POST /oauth2/token` only' },
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
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    theme: { title: `openlean ${VERSION} — API reference` },
    logo: { type: 'image/svg+xml', content: Buffer.from(LOGO), href: '/docs', target: '_self' },
    // "Authorize" offers the OAuth2 client-credentials flow with the scope `api` ticked.
    initOAuth: { scopes: ['api'] },
    transformSpecification: withClientCredentials,
    uiConfig: { persistAuthorization: false },
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
