import type { FastifyInstance } from 'fastify';
import { ResponseCache } from './api/data/response-cache.ts';
import { REQUEST_ID_NODE } from './api/request-id.ts';
import { buildApp, SANDBOX_BANKS_PREFIX } from './app.ts';
import { createAuditRecorder, type AuditRecorder } from './audit/recorder.ts';
import { loadKeyRing } from './auth/secret-box.ts';
import { loadSigningKeys } from './auth/signing-keys.ts';
import { createTokenService } from './auth/tokens.ts';
import { createConnectors } from './banks/connectors.ts';
import { BankTransports } from './banks/security/bank-transport.ts';
import { createFapiClient } from './banks/security/fapi-client.ts';
import { loadBanksFile } from './banks/banks-file.ts';
import { createBankRegistry } from './banks/registry.ts';
import type { Config } from './config.ts';
import { ConfigError } from './errors/config-error.ts';
import type { AppContext } from './context.ts';
import { createLogger } from './logging.ts';
import { createJobQueue } from './jobs/create-queue.ts';
import type { JobQueue } from './jobs/queue.ts';
import { createRateLimiter, type RateLimiter } from './rate-limit/limiter.ts';
import { createRefreshEngine } from './refresh/engine.ts';
import { ensureTestPki } from './pki/test-pki.ts';
import { startSandboxTlsListener } from './sandbox-bank/tls-listener.ts';
import { bankSource, checkSandboxCollisions, sandboxClients } from './sandbox-connections.ts';
import { migrate, openStore, type Store } from './store/database.ts';
import { JOB_KINDS, startWorker, type Worker } from './worker/worker.ts';

export interface RunningServer {
  /** The HTTP app; null for a worker, which serves no HTTP. */
  app: FastifyInstance | null;
  ctx: AppContext;
  /** The base URL it listens on; empty for a worker, which serves no HTTP. */
  url: string;
  /** What this process runs besides serving (jobs, the refresh scheduler, housekeeping); null when it runs no workers (`ROLE=api`). */
  worker: Worker | null;
  close(): Promise<void>;
}

/** The queue of this deployment's store, with every kind of job openlean runs. */
export function jobQueueFor(store: Store, config: Config, now: () => Date): JobQueue {
  const { workers, leaseMs, pollMs, retryBaseMs } = config.refresh;
  return createJobQueue(store, { databaseUrl: config.databaseUrl, kinds: JOB_KINDS, concurrency: workers, leaseMs, pollMs, retryBaseMs, now });
}

/**
 * Opens and migrates the store, assembles the context, builds the app and listens (unless the role
 * is `worker`), then starts the workers (unless it is `api`).
 */
export async function startServer(config: Config, options: { now?: () => Date } = {}): Promise<RunningServer> {
  // Before anything is opened: a bad BANKS_FILE stops the start with every problem it has.
  const configuredBanks = config.banksFile ? loadBanksFile(config.banksFile, process.env) : [];
  checkSandboxCollisions(configuredBanks, { mode: config.mode, banksFile: config.banksFile });
  const { log, flush } = createLogger(config.logLevel);
  // A worker serves no reads, so it needs no entity cache (nor, on PostgreSQL, its listening connection).
  const store = openStore(config.databaseUrl, { cacheEntities: config.role !== 'worker' });
  const now = options.now ?? (() => new Date());
  // What runs on every read (the fast path's consent check, the rate limiter, the audit record, the
  // token cache) takes the clock in ms: without an injected clock, a number rather than a Date each time.
  const nowMs = options.now ? () => options.now!().getTime() : Date.now;
  const jobs = jobQueueFor(store, config, now);
  let rateLimits: RateLimiter | null = null;
  let tlsListener: { close(): Promise<void>; port: number } | null = null;
  let transports: BankTransports | null = null;
  let audit: AuditRecorder | null = null;
  try {
    await migrate(store);
    await jobs.install();
    const encryptionKey = loadKeyRing(config.encryptionKey, config.encryptionKeysOld, config.dataDir);
    const loadKeys = () => loadSigningKeys(store.db, encryptionKey, config.tokenTtlSeconds, now());
    const keys = await loadKeys();
    // The in-process sandbox banks are reached at this server's own addresses, known once it
    // listens (HTTP) and once their mutual-TLS listener does; a worker, which does not listen,
    // reaches those of the API at PUBLIC_URL and SANDBOX_BANKS_TLS_PORT.
    const inProcess = config.sandboxBanks && config.role !== 'worker';
    let selfUrl = config.role === 'worker' ? config.publicUrl : '';
    let tlsUrl = inProcess ? '' : config.sandboxBankTlsUrl;
    // Port 0 means "any": the URL derived from it only exists once the server listens.
    const publicUrl = () => (config.publicUrlGiven || config.port !== 0 ? config.publicUrl : selfUrl.replace('://127.0.0.1:', '://localhost:'));
    const sandboxBase = () => (config.sandboxBanks ? `${selfUrl}${SANDBOX_BANKS_PREFIX}` : config.sandboxBankUrl);
    // Both parties of the sandbox share one test PKI: the banks' server certificate and trust
    // anchors, openlean's transport certificate and signing keys.
    const pki = config.mode === 'sandbox' ? await ensureTestPki(config.sandboxPkiDir) : null;
    const sandboxLocation = () => (selfUrl !== '' || !config.sandboxBanks) && tlsUrl !== '' ? { http: sandboxBase(), tls: tlsUrl } : null;
    const banks = createBankRegistry(bankSource(configuredBanks, sandboxLocation, pki), { mode: config.mode });
    transports = new BankTransports();
    const connector = createConnectors({
      fapi: createFapiClient({ transports, timeout_ms: config.bankTimeoutMs }),
      transports,
      timeout_ms: config.bankTimeoutMs,
      now,
      // What the bank got wrong is worth a warning; retries and token refreshes are routine.
      onEvent: (event) => (event.type === 'notes' ? log.warn({ bank_event: event }, 'bank data notes') : log.info({ bank_event: event }, `bank ${event.type}`)),
    });
    const refreshes = createRefreshEngine({ store, jobs, limits: config.refresh, now });
    // A worker serves no requests to count.
    rateLimits = config.rateLimitPerMinute > 0 && config.role !== 'worker' ? createRateLimiter({ store, perMinute: config.rateLimitPerMinute, nowMs, log }) : null;
    // On SQLite, batches go through a connection of their own that never waits for a lock (docs/decisions/021).
    audit = createAuditRecorder({ store, log, nowMs, ...config.audit, databaseUrl: config.databaseUrl, requestIdNode: REQUEST_ID_NODE });
    const ctx: AppContext = {
      config,
      audit,
      log,
      store,
      jobs,
      banks,
      connector,
      refreshes,
      encryptionKey,
      rateLimits,
      responses: new ResponseCache(config.responseCacheBytes),
      sandboxBanks: pki ? { baseUrl: sandboxBase, tlsBaseUrl: () => tlsUrl, clients: sandboxClients(pki) } : null,
      publicUrl,
      now,
      nowMs,
      tokens: createTokenService({ issuer: publicUrl, ttlSeconds: config.tokenTtlSeconds, keys, reloadKeys: loadKeys, now: nowMs }),
    };
    let app: FastifyInstance | null = null;
    let url = '';
    if (config.role !== 'worker') {
      app = await buildApp(ctx);
      await app.listen({ host: config.host, port: config.port });
      const address = app.server.address();
      const port = typeof address === 'object' && address ? address.port : config.port;
      url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
      selfUrl = url.replace('://0.0.0.0:', '://127.0.0.1:').replace('://[::]:', '://[::1]:');
      if (inProcess && pki) {
        try {
          tlsListener = await startSandboxTlsListener(
            { port: config.sandboxBanksTlsPort, host: config.host, ca_pem: pki.ca.cert_pem, cert_pem: pki.server.cert_pem, key_pem: pki.server.key_pem, prefix: SANDBOX_BANKS_PREFIX },
            app,
          );
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
          throw new ConfigError(`SANDBOX_BANKS_TLS_PORT ${config.sandboxBanksTlsPort} is in use (the sandbox banks' mutual-TLS port): set SANDBOX_BANKS_TLS_PORT to a free port, or 0 for any`);
        }
        tlsUrl = `https://${new URL(selfUrl).host.replace(/:\d+$/, '')}:${tlsListener.port}${SANDBOX_BANKS_PREFIX}`;
      }
    }
    // The sandbox banks' entries exist now that their addresses are known: a bad one (a broken
    // test PKI, a PUBLIC_URL they cannot be reached at) stops the start instead of a request.
    banks.list();
    const worker = config.refresh.workers > 0 ? await startWorker({ store, jobs, connector, banks, encryptionKey, refreshes, mode: config.mode, now, log, settings: config }) : null;
    return {
      app,
      ctx,
      url,
      worker,
      async close() {
        await worker?.stop();
        await app?.close();
        // After the last request has been answered: its record is in the buffer.
        await audit?.close();
        await tlsListener?.close();
        await transports?.close();
        await rateLimits?.close();
        await jobs.close();
        await store.close();
        flush();
      },
    };
  } catch (err) {
    await audit?.close();
    await tlsListener?.close();
    await transports?.close();
    await rateLimits?.close();
    await jobs.close();
    await store.close();
    flush();
    throw err;
  }
}
