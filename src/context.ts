import type { AuditRecorder } from './audit/recorder.ts';
import type { KeyRing } from './auth/secret-box.ts';
import type { Logger } from 'pino';
import type { ResponseCache } from './api/data/response-cache.ts';
import type { TokenService } from './auth/tokens.ts';
import type { BankConnector } from './banks/connector.ts';
import type { BankRegistry } from './banks/registry.ts';
import type { Config } from './config.ts';
import type { JobQueue } from './jobs/queue.ts';
import type { RateLimiter } from './rate-limit/limiter.ts';
import type { RefreshEngine } from './refresh/engine.ts';
import type { SandboxClientRegistration } from './sandbox-bank/authorization-server/registration.ts';
import type { Store } from './store/database.ts';

/** What handlers need, handed to each route's register function; nothing is a module singleton. */
export interface AppContext {
  config: Config;
  log: Logger;
  store: Store;
  tokens: TokenService;
  banks: BankRegistry;
  connector: BankConnector;
  /** Where background work is queued (inside the transaction of the change that needs it). */
  jobs: JobQueue;
  refreshes: RefreshEngine;
  /** Seals secrets at rest (bank tokens, webhook secrets, signing keys...): `ENCRYPTION_KEY`, and `ENCRYPTION_KEYS_OLD` to open older values. */
  encryptionKey: KeyRing;
  /** Requests per application per minute (`RATE_LIMIT_PER_MINUTE`); null when off. */
  rateLimits: RateLimiter | null;
  /** The audit trail: reads of bank data are recorded through it, in batches (`recordAccess`, src/audit/recorder.ts). */
  audit: AuditRecorder;
  /** Finished data responses, per entity data version. */
  responses: ResponseCache;
  /**
   * Where the sandbox banks are (in this process, or `SANDBOX_BANK_URL` / `SANDBOX_BANK_TLS_URL`)
   * and openlean's registration at them; null in production mode.
   */
  sandboxBanks: { baseUrl: () => string; tlsBaseUrl: () => string; clients: Readonly<Record<string, SandboxClientRegistration>> } | null;
  /** The base URL browsers reach this server at (`PUBLIC_URL`, or the address it listens on). */
  publicUrl: () => string;
  now: () => Date;
  /**
   * The same clock in ms since the epoch, without a `Date` per call: what the cached read path
   * asks on every request (consent expiry); the rate limiter, the audit recorder and the token
   * service are given the same function.
   */
  nowMs: () => number;
}
