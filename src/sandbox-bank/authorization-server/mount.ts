import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SandboxContext } from '../context.ts';
import { TRANSIENT_FAILURES } from '../faults.ts';
import { HIDDEN } from '../hidden.ts';
import { isMutualTls } from './certificate.ts';
import { MTLS_ONLY, ROUTES } from './provider.ts';
import type { ProviderRegistry } from './providers.ts';

/**
 * Mounts each bank's oidc-provider under `{prefix}/{BANK}`. oidc-provider is a Koa app: each of
 * its routes is a Fastify route whose `onRequest` hook hijacks the reply and hands the raw
 * request and response to `provider.callback()` — before Fastify reads the body, which
 * oidc-provider parses itself. The URL is rewritten as Express's mounting does (`url` relative
 * to the mount, `originalUrl` whole), from which oidc-provider derives the mount path of the
 * URLs it builds (lib/helpers/oidc_context.js `urlFor`). Both listeners reach these routes: the
 * TLS one (tls-listener.ts) routes into the same Fastify instance.
 */

const PROVIDER_PATHS = ['/.well-known/openid-configuration', ROUTES.jwks, ROUTES.authorization, `${ROUTES.authorization}/:uid`, ...MTLS_ONLY];

function oauthError(reply: FastifyReply, status: number, error: string, description: string) {
  return reply.code(status).header('cache-control', 'no-store').type('application/json; charset=utf-8').send({ error, error_description: description });
}

export function registerAuthorizationServer(app: FastifyInstance, ctx: SandboxContext, providers: ProviderRegistry, tlsBaseUrl: () => string): void {
  /** `token_server_errors` and `token_timeouts`: switched on bank-wide, as the request's user is unknown before it is read. */
  const tokenFaults = async (request: FastifyRequest, reply: FastifyReply, bank: string): Promise<boolean> => {
    const faults = ctx.faults(bank, null);
    const hits = (fault: 'token_server_errors' | 'token_timeouts') => faults.has(fault) && ctx.counters.next(fault, `${faults.get(fault)} ${bank}`) <= TRANSIENT_FAILURES[fault];
    if (hits('token_timeouts')) {
      const gone = new AbortController();
      const onClose = () => gone.abort();
      reply.raw.once('close', onClose);
      try {
        await sleep(ctx.hangMs, undefined, { signal: AbortSignal.any([ctx.closing, gone.signal]) });
      } catch {
        // The client gave up or the server closes: answer as the bank would after its time-out.
      } finally {
        reply.raw.off('close', onClose);
      }
      // The client gave up: nobody to answer, and its body, never read, went with the connection
      // (oidc-provider would only find a destroyed request), so the request ends here, undone.
      if (gone.signal.aborted) {
        reply.hijack();
        return true;
      }
    }
    if (hits('token_server_errors')) {
      oauthError(reply, 503, 'temporarily_unavailable', 'The bank is temporarily unavailable');
      return true;
    }
    return false;
  };

  const handle = async (request: FastifyRequest, reply: FastifyReply) => {
    const bank = ctx.bank(request);
    const path = request.url.split('?')[0]!.slice(`${ctx.prefix}/${bank.identifier}`.length);
    if (MTLS_ONLY.has(path) && !isMutualTls(request.raw.socket)) {
      // FAPI 2.0 §5.3.1.1 / FAPI 1.0 Advanced §5.2.2-5: these endpoints take mutual TLS only.
      return oauthError(reply, 400, 'invalid_request', `${path} is served over mutual TLS only: ${tlsBaseUrl()}/${bank.identifier}${path} (mtls_endpoint_aliases in discovery)`);
    }
    const built = providers.get(bank);
    if (!built) return oauthError(reply, 404, 'invalid_client', `openlean has no registration at ${bank.identifier}`);
    if (path === ROUTES.token && (await tokenFaults(request, reply, bank.identifier))) return reply;
    reply.hijack();
    const raw = request.raw as typeof request.raw & { originalUrl?: string };
    raw.originalUrl = raw.url;
    raw.url = raw.url!.slice(`${ctx.prefix}/${bank.identifier}`.length) || '/';
    for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) reply.raw.setHeader(name, value);
    if (ctx.closing.aborted) reply.raw.setHeader('connection', 'close');
    await built.provider.callback()(raw, reply.raw);
  };

  for (const path of PROVIDER_PATHS) {
    app.route({ method: ['GET', 'POST'], url: `/:bank${path}`, ...HIDDEN, onRequest: handle, handler: async () => undefined });
  }
}
