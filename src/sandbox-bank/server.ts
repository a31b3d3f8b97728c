import Fastify from 'fastify';
import { SANDBOX_BANKS, type BankDefinition } from '../banks/registry.ts';
import { sandboxBanksPlugin } from './plugin.ts';

const SANDBOX_BANKS_PATH = '/sandbox-banks';

export interface SandboxBankServerOptions {
  /** 127.0.0.1 by default. */
  host?: string;
  /** 3100 by default; 0 lets the system choose. */
  port?: number;
  dataDir: string;
  now?: () => Date;
  banks?: readonly BankDefinition[];
  accessTokenTtlSeconds?: number;
  hangMs?: number;
  /** Fastify's request log; none by default. */
  logLevel?: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
}

/** The sandbox banks on their own, as a separate party from openlean: `openlean sandbox-bank`. */
export async function startSandboxBank(options: SandboxBankServerOptions): Promise<{ url: string; close(): Promise<void> }> {
  const host = options.host ?? '127.0.0.1';
  const app = Fastify({ logger: options.logLevel ? { level: options.logLevel } : false });
  let url = '';
  await app.register(sandboxBanksPlugin, {
    prefix: SANDBOX_BANKS_PATH,
    banks: options.banks ?? SANDBOX_BANKS,
    now: options.now ?? (() => new Date()),
    dataDir: options.dataDir,
    baseUrl: () => url,
    ...(options.accessTokenTtlSeconds === undefined ? {} : { accessTokenTtlSeconds: options.accessTokenTtlSeconds }),
    ...(options.hangMs === undefined ? {} : { hangMs: options.hangMs }),
  });
  try {
    await app.listen({ host, port: options.port ?? 3100 });
  } catch (err) {
    await app.close();
    throw err;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  // A wildcard address is no place to send a client to; loopback is.
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  url = `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}${SANDBOX_BANKS_PATH}`;
  return { url, close: () => app.close() };
}
