import Fastify from 'fastify';
import type { SandboxClientRegistration } from './authorization-server/registration.ts';
import type { SandboxBank } from './context.ts';
import { SANDBOX_BANK_PROFILES } from './profiles.ts';
import { sandboxBanksPlugin } from './plugin.ts';
import { startSandboxTlsListener } from './tls-listener.ts';

const SANDBOX_BANKS_PATH = '/sandbox-banks';

export interface SandboxBankServerOptions {
  /** 127.0.0.1 by default; both listeners use it. */
  host?: string;
  /** HTTP port (discovery, authorization, the pages, control API); 3100 by default, 0 lets the system choose. */
  port?: number;
  /** The mutual-TLS listener (tls-listener.ts): port (3443 by default, 0 lets the system choose), trust anchors, server certificate. */
  tls: { port?: number; ca_pem: string; cert_pem: string; key_pem: string };
  /** openlean's registration at each bank, by bank identifier. */
  clients: Readonly<Record<string, SandboxClientRegistration>>;
  dataDir: string;
  now?: () => Date;
  banks?: readonly SandboxBank[];
  accessTokenTtlSeconds?: number;
  hangMs?: number;
  /** Fastify's request log; none by default (or `silent`). */
  logLevel?: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

/** The sandbox banks on their own, as a separate party from openlean: `openlean sandbox-bank`. */
export async function startSandboxBank(options: SandboxBankServerOptions): Promise<{ url: string; tlsUrl: string; close(): Promise<void> }> {
  const host = options.host ?? '127.0.0.1';
  const app = Fastify({ logger: options.logLevel && options.logLevel !== 'silent' ? { level: options.logLevel } : false });
  // Liveness, as `openlean serve` answers it: a supervisor's probe needs no bank.
  app.get('/healthz', async () => ({ status: 'ok' }));
  let url = '';
  let tlsUrl = '';
  await app.register(sandboxBanksPlugin, {
    prefix: SANDBOX_BANKS_PATH,
    banks: options.banks ?? SANDBOX_BANK_PROFILES,
    clients: options.clients,
    now: options.now ?? (() => new Date()),
    dataDir: options.dataDir,
    baseUrl: () => url,
    tls: { baseUrl: () => tlsUrl },
    ...(options.accessTokenTtlSeconds === undefined ? {} : { accessTokenTtlSeconds: options.accessTokenTtlSeconds }),
    ...(options.hangMs === undefined ? {} : { hangMs: options.hangMs }),
  });
  let tls: Awaited<ReturnType<typeof startSandboxTlsListener>> | null = null;
  try {
    await app.listen({ host, port: options.port ?? 3100 });
    tls = await startSandboxTlsListener({ ...options.tls, port: options.tls.port ?? 3443, host, prefix: SANDBOX_BANKS_PATH }, app);
  } catch (err) {
    await app.close();
    throw err;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  // A wildcard address is no place to send a client to; loopback is.
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  const hostPart = reachable.includes(':') ? `[${reachable}]` : reachable;
  url = `http://${hostPart}:${port}${SANDBOX_BANKS_PATH}`;
  tlsUrl = `https://${hostPart}:${tls.port}${SANDBOX_BANKS_PATH}`;
  const listener = tls;
  return {
    url,
    tlsUrl,
    // The app first: closing it ends requests a fault holds, on either listener.
    close: async () => {
      await app.close();
      await listener.close();
    },
  };
}
