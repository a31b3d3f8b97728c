import type { FastifyInstance } from 'fastify';
import { ResponseCache } from './api/data/response-cache.ts';
import { buildApp } from './app.ts';
import { loadSigningKeys } from './auth/signing-keys.ts';
import { createTokenService } from './auth/tokens.ts';
import { createBankRegistry } from './banks/registry.ts';
import type { Config } from './config.ts';
import type { AppContext } from './context.ts';
import { migrate, openStore } from './store/database.ts';

export interface RunningServer {
  app: FastifyInstance;
  ctx: AppContext;
  /** The base URL it listens on. */
  url: string;
  close(): Promise<void>;
}

/** Opens and migrates the store, assembles the context and the app, and listens. */
export async function startServer(config: Config, options: { now?: () => Date } = {}): Promise<RunningServer> {
  const store = openStore(config.databaseUrl);
  try {
    await migrate(store);
    const keys = await loadSigningKeys(store.db);
    const ctx: AppContext = {
      config,
      store,
      banks: createBankRegistry(),
      responses: new ResponseCache(config.responseCacheBytes),
      now: options.now ?? (() => new Date()),
      tokens: createTokenService({
        issuer: config.publicUrl,
        ttlSeconds: config.tokenTtlSeconds,
        keys,
        reloadKeys: () => loadSigningKeys(store.db),
        ...(options.now ? { now: () => options.now!().getTime() } : {}),
      }),
    };
    const app = await buildApp(ctx);
    await app.listen({ host: config.host, port: config.port });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    return {
      app,
      ctx,
      url: `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`,
      async close() {
        await app.close();
        await store.close();
      },
    };
  } catch (err) {
    await store.close();
    throw err;
  }
}
