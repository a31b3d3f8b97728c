import http from 'node:http';
import formbody from '@fastify/formbody';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { lazyRequestLogger } from './logging.ts';
import { BANK_DATA_SCHEMAS } from './domain/bank-data.ts';
import type { AppContext } from './context.ts';
import { Problem } from './errors/problem.ts';
import { installAuditTrail } from './api/audit-trail.ts';
import { registerListAuditEvents } from './api/audit/list-audit-events.ts';
import { installAuthGuard } from './api/auth-guard.ts';
import { registerListBanks, Bank } from './api/banks/list-banks.ts';
import { Customer } from './api/customers/customer.schema.ts';
import { registerCreateCustomer } from './api/customers/create-customer.ts';
import { registerGetCustomer } from './api/customers/get-customer.ts';
import { registerGetCustomerByAppUserId } from './api/customers/get-customer-by-app-user-id.ts';
import { registerListCustomers } from './api/customers/list-customers.ts';
import { registerAccountResources } from './api/data/account-resources.ts';
import { createCachedReads, type CachedReads } from './api/data/cached-read.ts';
import { registerGetAccounts } from './api/data/get-accounts.ts';
import { registerGetIdentity } from './api/data/get-identity.ts';
import { registerGetResults } from './api/data/get-results.ts';
import { LeanNoData, type DataReads } from './api/data/lean-read.ts';
import { registerGetTransactions } from './api/data/get-transactions.ts';
import { registerSyncTransactions } from './api/data/sync-transactions.ts';
import { Entity } from './api/entities/entity.schema.ts';
import { registerDeleteEntity } from './api/entities/delete-entity.ts';
import { registerGetEntity } from './api/entities/get-entity.ts';
import { registerListEntities } from './api/entities/list-entities.ts';
import { clientErrorHandler, frameworkErrorHandler, installErrorHandling, MAX_PATH_PARAMETER_LENGTH } from './api/error-handler.ts';
import { registerHealth } from './api/health/health.ts';
import { registerJwks } from './api/oauth/jwks.ts';
import { registerAuthorizationServerMetadata } from './api/oauth/metadata.ts';
import { registerToken } from './api/oauth/token.ts';
import { installOpenApi } from './api/openapi.ts';
import { installValidation } from './api/validation.ts';
import { requestIdOf } from './api/request-id.ts';
import { registerCreateSandboxEntity } from './api/sandbox/create-sandbox-entity.ts';
import { registerLink } from './api/link/register-link.ts';
import { registerCreateRefresh } from './api/refreshes/create-refresh.ts';
import { registerGetRefresh } from './api/refreshes/get-refresh.ts';
import { registerListRefreshes } from './api/refreshes/list-refreshes.ts';
import { registerWebhooks } from './api/webhooks/register-webhooks.ts';
import { DataPending, Refresh } from './api/refreshes/refresh.schema.ts';
import { registerMcp, RESOURCE_METADATA_PATH } from './mcp/http.ts';
import { sandboxBanksPlugin } from './sandbox-bank/plugin.ts';
import { SANDBOX_BANK_PROFILES } from './sandbox-bank/profiles.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The cached fast path of data reads in front of the router (src/api/data/cached-read.ts). */
    cachedReads: CachedReads;
  }
}

/** Where the built-in sandbox banks are mounted. */
export const SANDBOX_BANKS_PREFIX = '/sandbox-banks';

/**
 * Assembles the HTTP application from its parts. No side effects at import; the caller owns the
 * store and decides whether and where to listen.
 */
export async function buildApp(ctx: AppContext): Promise<FastifyInstance> {
  const cachedReads = createCachedReads(ctx);
  const app = Fastify({
    // Fastify's own server, with the cached fast path of data reads in front of its router (issue 12).
    serverFactory: (handler, options) => {
      const server = http.createServer((req, res) => {
        try {
          if (cachedReads.serve(req, res, handler)) return;
        } catch (err) {
          // A bug there must cost one request, not the process: Fastify answers it, unless it was half sent.
          ctx.log.error({ err }, 'the cached read path failed');
          if (res.headersSent) return void res.destroy();
        }
        handler(req, res);
      });
      // What Fastify sets on a server of its own, from its options with their defaults filled in.
      const { keepAliveTimeout, requestTimeout, connectionTimeout, maxRequestsPerSocket } = options as Record<string, number>;
      server.keepAliveTimeout = keepAliveTimeout!;
      server.requestTimeout = requestTimeout!;
      server.setTimeout(connectionTimeout);
      if (maxRequestsPerSocket! > 0) server.maxRequestsPerSocket = maxRequestsPerSocket!;
      return server;
    },
    loggerInstance: ctx.log as FastifyBaseLogger,
    // One line per request, written by the onResponse hook below, instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'request_id' }),
    childLoggerFactory: (logger, bindings, options) => lazyRequestLogger(logger as Logger, bindings, options as Record<string, unknown>) as FastifyBaseLogger,
    bodyLimit: ctx.config.bodyLimit,
    genReqId: (req) => requestIdOf(req.headers),
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: MAX_PATH_PARAMETER_LENGTH },
    frameworkErrors: frameworkErrorHandler,
    clientErrorHandler,
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.decorate('cachedReads', cachedReads);
  app.addHook('preClose', (done) => {
    cachedReads.stop();
    done();
  });

  // Callback-style hooks: on the read path every promise and microtask is measurable.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  // Successful reads are the hot path and are logged at debug; writes and failures at info
  // (docs/decisions/003-read-path-performance.md).
  const enabled = { debug: ctx.log.isLevelEnabled('debug'), info: ctx.log.isLevelEnabled('info') };
  app.addHook('onResponse', (request, reply, done) => {
    const quiet = (request.method === 'GET' || request.method === 'HEAD') && reply.statusCode < 400;
    const level = quiet ? 'debug' : 'info';
    if (enabled[level]) {
      const line = { method: request.method, url: request.routeOptions.url ?? request.url.split('?')[0], status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 };
      request.log[level](line, 'request completed');
    }
    done();
  });

  await app.register(formbody);
  // The API takes JSON (and forms on the token endpoint); plain text is an unsupported media type.
  app.removeContentTypeParser('text/plain');
  installValidation(app);
  installErrorHandling(app, { resourceMetadataUrl: () => `${ctx.publicUrl()}${RESOURCE_METADATA_PATH}` });
  installAuthGuard(app, ctx);
  installAuditTrail(app, ctx);
  await installOpenApi(app, ctx);
  for (const schema of [...BANK_DATA_SCHEMAS, Customer, Entity, Bank, Refresh, DataPending, LeanNoData, Problem]) app.addSchema(schema);

  registerHealth(app, ctx);
  registerToken(app, ctx);
  registerJwks(app, ctx);
  registerAuthorizationServerMetadata(app, ctx);
  registerCreateCustomer(app, ctx);
  registerListCustomers(app, ctx);
  registerGetCustomer(app, ctx);
  registerGetCustomerByAppUserId(app, ctx);
  registerListEntities(app, ctx);
  registerGetEntity(app, ctx);
  registerDeleteEntity(app, ctx);
  registerListBanks(app, ctx);
  // Each data read in the seed's GET form and Lean's POST form, and the results of either.
  const reads: DataReads = new Map();
  registerGetAccounts(app, ctx, reads);
  registerGetTransactions(app, ctx, reads);
  registerSyncTransactions(app, ctx);
  registerAccountResources(app, ctx, reads);
  registerGetIdentity(app, ctx, reads);
  registerGetResults(app, ctx, reads);
  registerCreateRefresh(app, ctx);
  registerListRefreshes(app, ctx);
  registerGetRefresh(app, ctx);
  // The MCP tools call the same functions as the routes above (src/mcp/tools.ts).
  registerMcp(app, ctx, reads);
  registerCreateSandboxEntity(app, ctx);
  registerWebhooks(app, ctx);
  registerListAuditEvents(app, ctx);
  await registerLink(app, ctx);
  if (ctx.sandboxBanks && ctx.config.sandboxBanks) {
    await app.register(sandboxBanksPlugin, {
      prefix: SANDBOX_BANKS_PREFIX,
      banks: SANDBOX_BANK_PROFILES,
      clients: ctx.sandboxBanks.clients,
      now: ctx.now,
      dataDir: ctx.config.dataDir,
      baseUrl: ctx.sandboxBanks.baseUrl,
      tls: { baseUrl: ctx.sandboxBanks.tlsBaseUrl },
    });
  }
  return app;
}
