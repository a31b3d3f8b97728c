import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { SANDBOX_CLIENT } from './client.ts';
import type { SandboxContext } from './context.ts';
import { OAuthError, ObieError } from './errors.ts';
import type { AccessToken } from './state.ts';

/**
 * Each bank's OAuth 2.0 authorization server: discovery and the token endpoint (client
 * credentials for consent set-up, authorization code with PKCE for a consent's data, refresh
 * with rotation). The authorization endpoint is the journey (journey.ts).
 */

export const HIDDEN = { schema: { hide: true } } as const;

/** Form fields as the plugin's parser gives them: repeated names become arrays. */
export type Form = Record<string, string | string[]>;

export function formOf(body: unknown): Form {
  return body && typeof body === 'object' ? (body as Form) : {};
}

/** RFC 6749 §3.1: parameters must not repeat; a repeated one counts as malformed. */
function field(form: Form, name: string, required: true): string;
function field(form: Form, name: string, required?: false): string | undefined;
function field(form: Form, name: string, required = false): string | undefined {
  const value = form[name];
  if (Array.isArray(value)) throw new OAuthError('invalid_request', `${name} is repeated`);
  if (required && !value) throw new OAuthError('invalid_request', `${name} is required`);
  return value || undefined;
}

/** RFC 7636 §4.1. */
const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

/** `client_secret_basic` (RFC 6749 §2.3.1: form-encoded id and secret) or `client_secret_post`, not both. */
function authenticateClient(request: FastifyRequest, form: Form): void {
  const header = request.headers.authorization;
  const basic = header?.match(/^Basic\s+([A-Za-z0-9+/=]+)\s*$/i);
  let id: string | undefined;
  let secret: string | undefined;
  if (header) {
    if (!basic) throw new OAuthError('invalid_client', 'Authorization must be HTTP Basic with the client credentials', { headers: { 'www-authenticate': 'Basic realm="sandbox-bank"' } });
    if (form.client_secret !== undefined) throw new OAuthError('invalid_request', 'Use one client authentication method, not both');
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const decode = (s: string) => decodeURIComponent(s.replaceAll('+', ' '));
    try {
      id = decode(decoded.slice(0, colon < 0 ? undefined : colon));
      secret = colon < 0 ? undefined : decode(decoded.slice(colon + 1));
    } catch {
      throw new OAuthError('invalid_client', 'The Basic credentials are not form-encoded', { headers: { 'www-authenticate': 'Basic realm="sandbox-bank"' } });
    }
  } else {
    id = field(form, 'client_id');
    secret = field(form, 'client_secret');
  }
  if (id !== SANDBOX_CLIENT.client_id || secret !== SANDBOX_CLIENT.client_secret) {
    throw new OAuthError('invalid_client', 'Unknown client or wrong secret', header ? { headers: { 'www-authenticate': 'Basic realm="sandbox-bank"' } } : {});
  }
  const bodyId = field(form, 'client_id');
  if (bodyId !== undefined && bodyId !== id) throw new OAuthError('invalid_request', 'client_id does not match the authenticated client');
}

export function registerOAuth(app: FastifyInstance, ctx: SandboxContext): void {
  app.setErrorHandler((error, request, reply) => {
    if (error instanceof OAuthError) {
      return reply.code(error.status).headers(error.headers).header('cache-control', 'no-store').send({ error: error.error, error_description: error.message });
    }
    if (error instanceof ObieError) {
      return reply.code(error.status).send({ error: 'invalid_request', error_description: error.message });
    }
    const status = (error as { statusCode?: number }).statusCode;
    if (status && status >= 400 && status < 500) {
      return reply.code(status).send({ error: 'invalid_request', error_description: (error as Error).message });
    }
    request.log.error({ err: error }, 'sandbox bank token endpoint failed');
    return reply.code(500).send({ error: 'server_error', error_description: 'The authorization server failed' });
  });

  app.get('/:bank/.well-known/openid-configuration', HIDDEN, async (request) => {
    const bank = ctx.bank(request);
    const issuer = `${ctx.baseUrl()}/${bank.identifier}`;
    return {
      issuer,
      authorization_endpoint: `${issuer}/authorize`,
      token_endpoint: `${issuer}/token`,
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      scopes_supported: ['openid', 'accounts'],
      ui_locales_supported: ['en', 'ar'],
    };
  });

  app.post('/:bank/token', HIDDEN, async (request, reply) => {
    const bank = ctx.bank(request);
    const form = formOf(request.body);
    authenticateClient(request, form);
    const nowMs = ctx.now().getTime();
    const ttl = ctx.accessTokenTtlSeconds;
    const issue = (token: Omit<AccessToken, 'bank' | 'expiresAtMs'>) => {
      const { access, refresh } = ctx.state.issueTokens({ ...token, bank: bank.identifier, expiresAtMs: nowMs + ttl * 1000 }, nowMs);
      reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
      return { access_token: access, token_type: 'Bearer', expires_in: ttl, scope: token.scope, ...(refresh ? { refresh_token: refresh } : {}) };
    };

    switch (field(form, 'grant_type', true)) {
      case 'client_credentials': {
        const scopes = (field(form, 'scope') ?? 'accounts').split(' ').filter(Boolean);
        if (scopes.some((s) => s !== 'accounts')) throw new OAuthError('invalid_scope', 'Client credentials tokens carry the scope "accounts" only');
        return issue({ grant: 'client_credentials', consentId: null, scope: 'accounts' });
      }
      case 'authorization_code': {
        const code = field(form, 'code', true);
        const redirectUri = field(form, 'redirect_uri', true);
        const verifier = field(form, 'code_verifier', true);
        const granted = ctx.state.takeCode(bank.identifier, code, nowMs);
        if (!granted) throw new OAuthError('invalid_grant', 'The code is unknown, expired or already used');
        if (granted.redirectUri !== redirectUri) throw new OAuthError('invalid_grant', 'redirect_uri differs from the one the code was issued for');
        if (!VERIFIER.test(verifier) || s256(verifier) !== granted.codeChallenge) throw new OAuthError('invalid_grant', 'code_verifier does not match the code_challenge');
        const consent = ctx.state.consent(bank.identifier, granted.consentId);
        if (consent?.status !== 'Authorised') throw new OAuthError('invalid_grant', 'The consent is no longer authorised');
        return issue({ grant: 'authorization_code', consentId: consent.id, scope: granted.scope });
      }
      case 'refresh_token': {
        const token = ctx.state.takeRefreshToken(bank.identifier, field(form, 'refresh_token', true));
        if (!token) throw new OAuthError('invalid_grant', 'The refresh token is unknown or was already used');
        const consent = ctx.state.consent(bank.identifier, token.consentId);
        const status = consent ? ctx.consentStatus(consent, ctx.faults(bank.identifier, consent.login), nowMs) : 'Revoked';
        if (status !== 'Authorised') throw new OAuthError('invalid_grant', `The consent is ${status.toLowerCase()}`);
        return issue({ grant: 'authorization_code', consentId: token.consentId, scope: token.scope });
      }
      default:
        throw new OAuthError('unsupported_grant_type', 'grant_type must be client_credentials, authorization_code or refresh_token');
    }
  });
}
