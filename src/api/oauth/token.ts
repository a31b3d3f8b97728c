import Type from 'typebox';
import { StringEnum } from '../../domain/typebox.ts';
import type { FastifyReply } from 'fastify';
import type { Api } from '../api.ts';
import { verifyClientSecret } from '../../auth/client-secrets.ts';
import { parseScope } from '../../auth/tokens.ts';
import type { AppContext } from '../../context.ts';
import { findApplicationByClientId } from '../../store/applications.ts';
import { findCustomer } from '../../store/customers.ts';

const TokenRequest = Type.Object({
  grant_type: Type.Literal('client_credentials'),
  client_id: Type.Optional(Type.String({ maxLength: 200 })),
  client_secret: Type.Optional(Type.String({ maxLength: 200 })),
  scope: Type.Optional(Type.String({ description: '"api" (default) or "customer.<customer_id>"', maxLength: 200 })),
});

const TokenResponse = Type.Object({
  access_token: Type.String(),
  token_type: Type.Literal('bearer'),
  expires_in: Type.Integer(),
  scope: Type.String(),
});

/** RFC 6749 §5.2 error response. */
const OAuthError = Type.Object({
  error: StringEnum(['invalid_request', 'invalid_client', 'invalid_grant', 'unauthorized_client', 'unsupported_grant_type', 'invalid_scope']),
  error_description: Type.String(),
});
type OAuthErrorCode = Type.Static<typeof OAuthError>['error'];

function oauthError(reply: FastifyReply, status: number, error: OAuthErrorCode, description: string) {
  return reply.code(status).header('cache-control', 'no-store').send({ error, error_description: description });
}

/** Client id and secret from HTTP Basic (RFC 6749 §2.3.1: each form-urlencoded), if sent. */
function basicCredentials(header: string | undefined): { id: string; secret: string } | null | 'malformed' {
  if (!header) return null;
  const m = /^Basic ([A-Za-z0-9+/]+=*)$/i.exec(header);
  if (!m) return 'malformed';
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return 'malformed';
  try {
    return { id: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)) };
  } catch {
    return 'malformed';
  }
}

export function registerToken(app: Api, ctx: AppContext): void {
  app.post(
    '/oauth2/token',
    {
      attachValidation: true,
      schema: {
        operationId: 'createToken',
        tags: ['Auth'],
        summary: 'Get an access token (OAuth 2.0 client credentials)',
        description:
          'Authenticate with `client_secret_post` (client_id and client_secret in the form) or HTTP Basic. ' +
          'An `Authorization` header of any other scheme (such as `Bearer`) is refused with 400 `invalid_request`. ' +
          'Errors follow RFC 6749 §5.2, not problem+json.',
        // HTTP Basic, or nothing in the header (client_secret_post).
        security: [{ ClientBasic: [] }, {}],
        consumes: ['application/x-www-form-urlencoded'],
        body: TokenRequest,
        response: { 200: TokenResponse, 400: OAuthError, 401: OAuthError },
      },
      // Even parse failures answer in the RFC 6749 format a client library expects here.
      errorHandler: (error, _request, reply) => {
        const status = (error as { statusCode?: number }).statusCode;
        return oauthError(reply, 400, 'invalid_request', status && status < 500 ? error.message : 'Malformed token request');
      },
    },
    async (request, reply) => {
      // Validation is attached, not thrown (its failures answer in RFC 6749's format): the body may be anything here.
      const body = (request.body ?? {}) as Partial<Type.Static<typeof TokenRequest>>;
      const basic = basicCredentials(request.headers.authorization);
      if (basic === 'malformed') return oauthError(reply, 400, 'invalid_request', 'Malformed HTTP Basic credentials');
      if (typeof body !== 'object' || body.grant_type === undefined) {
        return oauthError(reply, 400, 'invalid_request', 'grant_type is required');
      }
      if (body.grant_type !== 'client_credentials') {
        return oauthError(reply, 400, 'unsupported_grant_type', 'Only grant_type=client_credentials is supported');
      }
      if (request.validationError) return oauthError(reply, 400, 'invalid_request', request.validationError.message);
      if (basic && (body.client_id !== undefined || body.client_secret !== undefined)) {
        return oauthError(reply, 400, 'invalid_request', 'Use one client authentication method, not both');
      }
      const id = basic?.id ?? body.client_id;
      const secret = basic?.secret ?? body.client_secret;
      if (!id || !secret) return oauthError(reply, 401, 'invalid_client', 'Client authentication is required');

      const application = await findApplicationByClientId(ctx.store.read, id);
      if (!application || !verifyClientSecret(secret, application.client_secret_hash)) {
        if (basic) reply.header('www-authenticate', 'Basic realm="openlean"');
        return oauthError(reply, 401, 'invalid_client', 'Unknown client or wrong secret');
      }

      const requested = body.scope?.trim() || 'api';
      const scope = parseScope(requested);
      if (!scope) return oauthError(reply, 400, 'invalid_scope', 'scope must be "api" or "customer.<customer_id>"');
      if (scope.kind === 'customer' && !(await findCustomer(ctx.store.read, application.id, scope.customerId))) {
        return oauthError(reply, 400, 'invalid_scope', `No customer ${scope.customerId} in this application`);
      }

      const { token, expiresIn } = await ctx.tokens.issue({ appId: application.id, clientId: application.client_id, scope });
      return reply
        .header('cache-control', 'no-store')
        .header('pragma', 'no-cache')
        .send({ access_token: token, token_type: 'bearer' as const, expires_in: expiresIn, scope: requested });
    },
  );
}
