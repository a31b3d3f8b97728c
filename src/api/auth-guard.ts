import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyInstance, FastifyReply, onRequestHookHandler } from 'fastify';
import type { RateDecision } from '../rate-limit/fixed-window.ts';
import { InvalidTokenError, type Principal } from '../auth/tokens.ts';
import type { AppContext } from '../context.ts';
import { ApiError } from '../errors/api-error.ts';
import { problemResponses } from './responses.ts';

/**
 * Who may call a route: `api` = a backend token, `any` = a backend or a customer-scoped token
 * (the link pages), `none` = public. Routes declare it in `config.auth`.
 */
export type RouteAuth = 'api' | 'any' | 'none';

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: RouteAuth;
    /** A route in the form Lean's guides show (docs/decisions/015): documented as taking `lean-app-token` too. */
    leanForm?: boolean;
  }
  interface FastifyRequest {
    principal: Principal;
  }
}

const BEARER = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i;

/**
 * The access token of a request: `Authorization: Bearer <token>`, or, when there is no
 * Authorization header, Lean's `lean-app-token` header carrying an openlean access token
 * (docs/decisions/015: Lean's older guides authenticate data calls with it). Throws `ApiError`
 * `UNAUTHENTICATED` (none) or `INVALID_TOKEN` (not RFC 6750 §2.1's form).
 */
function bearerToken(headers: IncomingHttpHeaders): { token: string; leanHeader: boolean } {
  const header = headers.authorization;
  const lean = headers['lean-app-token'];
  if (!header && typeof lean === 'string' && lean.length > 0) return { token: lean.trim(), leanHeader: true };
  if (!header) throw new ApiError('UNAUTHENTICATED', 'Send an access token in the header "Authorization: Bearer <token>"');
  const m = BEARER.exec(header);
  if (!m) throw new ApiError('INVALID_TOKEN', 'The Authorization header must be "Bearer <token>"');
  return { token: m[1]!, leanHeader: false };
}

/** A token the token service refused, as the API answers it. */
function tokenRefused(err: unknown): unknown {
  return err instanceof InvalidTokenError ? new ApiError('INVALID_TOKEN', err.message) : err;
}

/** A token given as `lean-app-token` that is not an openlean access token: say what openlean expects. */
function leanTokenRefused(err: unknown): unknown {
  if (!(err instanceof ApiError) || err.status !== 401) return err;
  return new ApiError(
    err.code,
    `${err.message}. The "lean-app-token" header must carry an openlean access token (POST /oauth2/token with your openlean client_id and client_secret); send it as "Authorization: Bearer <token>" or as "lean-app-token"`,
  );
}

function admit(auth: RouteAuth, principal: Principal): Principal {
  if (auth === 'api' && principal.scope.kind !== 'api') {
    throw new ApiError('INSUFFICIENT_SCOPE', 'This operation needs a token with scope "api"');
  }
  return principal;
}

/**
 * Counts the request against its application's rate limit, saying where it stands in the
 * RateLimit-* headers (docs/decisions/009) of whatever the answer is.
 */
function meter(ctx: AppContext, principal: Principal, reply: FastifyReply): void {
  if (!ctx.rateLimits) return;
  const d = ctx.rateLimits.hit(principal.appId);
  const headers = rateLimitHeaders(d);
  reply.headers(headers);
  if (!d.allowed) {
    const reset = headers['ratelimit-reset'];
    throw new ApiError('RATE_LIMITED', `This application has made its ${d.limit} requests of this minute (RATE_LIMIT_PER_MINUTE); retry in ${reset} s`, {
      headers: { 'retry-after': reset },
    });
  }
}

/** The RateLimit-* headers of a decision (docs/decisions/009): the limit, what is left, and seconds until the window ends. */
export function rateLimitHeaders(d: RateDecision): { 'ratelimit-limit': string; 'ratelimit-remaining': string; 'ratelimit-reset': string } {
  return { 'ratelimit-limit': String(d.limit), 'ratelimit-remaining': String(d.remaining), 'ratelimit-reset': String(Math.ceil(d.resetMs / 1000)) };
}

/**
 * Authenticates every route that asks for it, before its input is even parsed, so an anonymous
 * caller learns nothing from validation errors, and meters it against the application's rate
 * limit; and documents the route as bearer-secured and, with a limit, as answering 429.
 */
export function installAuthGuard(app: FastifyInstance, ctx: AppContext): void {
  app.decorateRequest('principal', null as unknown as Principal);

  app.addHook('onRoute', (route) => {
    const auth = route.config?.auth ?? 'none';
    if (auth === 'none') return;
    if (route.schema) {
      route.schema.security = route.config?.leanForm ? [{ BearerAuth: [] }, { LeanAppToken: [] }] : [{ BearerAuth: [] }];
      if (ctx.rateLimits && route.schema.response) route.schema.response = { ...problemResponses(429), ...(route.schema.response as object) };
    }
    // A token seen before is answered from the verified-token cache without a promise.
    const guard: onRequestHookHandler = (request, reply, done) => {
      try {
        const { token, leanHeader } = bearerToken(request.headers);
        const cached = ctx.tokens.verifyCached(token);
        if (cached) {
          request.principal = admit(auth, cached);
          meter(ctx, cached, reply);
          return done();
        }
        ctx.tokens.verify(token).then(
          (principal) => {
            try {
              request.principal = admit(auth, principal);
              meter(ctx, principal, reply);
              done();
            } catch (err) {
              done(err as Error);
            }
          },
          (err: Error) => done((leanHeader ? leanTokenRefused(tokenRefused(err)) : tokenRefused(err)) as Error),
        );
      } catch (err) {
        done(err as Error);
      }
    };
    route.onRequest = [guard, ...(route.onRequest ? [route.onRequest].flat() : [])];
  });
}

/** The customer a customer-scoped token is limited to, or null for a backend token. */
export function customerLimit(principal: Principal): string | null {
  return principal.scope.kind === 'customer' ? principal.scope.customerId : null;
}
