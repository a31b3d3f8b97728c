import Type from 'typebox';
import type { Api } from '../api.ts';
import type { AppContext } from '../../context.ts';

/** Where RFC 8414 §3 puts an issuer's metadata: `{issuer}/.well-known/oauth-authorization-server`. */
export const AUTHORIZATION_SERVER_METADATA_PATH = '/.well-known/oauth-authorization-server';

/** RFC 8414 §2 authorization-server metadata, for the one grant openlean issues tokens by. */
const AuthorizationServerMetadata = Type.Object({
  issuer: Type.String({ format: 'uri', description: 'The `iss` of every access token: the base URL (`PUBLIC_URL`)' }),
  token_endpoint: Type.String({ format: 'uri' }),
  jwks_uri: Type.String({ format: 'uri' }),
  grant_types_supported: Type.Array(Type.String()),
  token_endpoint_auth_methods_supported: Type.Array(Type.String()),
  response_types_supported: Type.Array(Type.String(), { description: 'Empty: openlean has no authorization endpoint; applications authenticate as themselves' }),
  scopes_supported: Type.Array(Type.String()),
  service_documentation: Type.String({ format: 'uri' }),
});

/**
 * `GET /.well-known/oauth-authorization-server`: how an OAuth client (an MCP client following
 * `/.well-known/oauth-protected-resource`, or openid-client's discovery) finds the token endpoint
 * and the keys that verify the tokens. openlean is the issuer named there (RFC 9728 §2
 * `authorization_servers`), so this document is what that name resolves to.
 */
export function registerAuthorizationServerMetadata(app: Api, ctx: AppContext): void {
  app.get(
    AUTHORIZATION_SERVER_METADATA_PATH,
    {
      schema: {
        operationId: 'getAuthorizationServerMetadata',
        tags: ['Auth'],
        summary: 'OAuth 2.0 authorization-server metadata (RFC 8414)',
        response: { 200: AuthorizationServerMetadata },
      },
    },
    async (_request, reply) => {
      const issuer = ctx.publicUrl();
      return reply.header('cache-control', 'public, max-age=300').send({
        issuer,
        token_endpoint: `${issuer}/oauth2/token`,
        jwks_uri: `${issuer}/.well-known/jwks.json`,
        grant_types_supported: ['client_credentials'],
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
        response_types_supported: [],
        scopes_supported: ['api', 'customer.<customer_id>'],
        service_documentation: `${issuer}/docs`,
      });
    },
  );
}
