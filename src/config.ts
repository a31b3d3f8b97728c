import path from 'node:path';
import { parseKey } from './auth/secret-box.ts';
import type { Mode } from './domain/mode.ts';
import { ConfigError } from './errors/config-error.ts';
import { LOG_LEVELS, type LogLevel } from './logging.ts';
import type { DeliverySettings } from './webhooks/deliver.ts';
import { WEBHOOK_MAX_RETRIES } from './webhooks/events.ts';
import { isPostgresUrl } from './store/database-url.ts';

/** Everything openlean can be told, from the environment and then overridden by CLI flags. */
export interface Config {
  mode: Mode;
  /**
   * What this process does: `all` serves the API and runs jobs (the single-machine default); `api`
   * and `worker` split them into processes that scale separately, sharing a PostgreSQL database.
   */
  role: 'all' | 'api' | 'worker';
  host: string;
  port: number;
  /** Base URL clients reach this server at; used as token issuer and in links. */
  publicUrl: string;
  /** Whether `publicUrl` was configured, rather than derived from the port. */
  publicUrlGiven: boolean;
  /** Host names `/mcp` answers to besides `publicUrl`'s (`MCP_ALLOWED_HOSTS`, comma-separated): DNS-rebinding protection. */
  mcpAllowedHosts: string[];
  dataDir: string;
  /** `sqlite:<file>` (the embedded default) or `postgres://…` / `postgresql://…`. */
  databaseUrl: string;
  logLevel: LogLevel;
  tokenTtlSeconds: number;
  /** Largest request body accepted, in bytes. */
  bodyLimit: number;
  /** Requests an application may make per minute, over all API processes; 0 turns the limit off. */
  rateLimitPerMinute: number;
  /** Memory for finished data responses, in bytes; 0 turns the cache off. */
  responseCacheBytes: number;
  /** Mount the built-in sandbox banks at /sandbox-banks (default: in sandbox mode only). */
  sandboxBanks: boolean;
  /** Where the sandbox banks are when this process does not serve them (`openlean sandbox-bank`), e.g. http://127.0.0.1:3100/sandbox-banks. */
  sandboxBankUrl: string;
  /** Their mutual-TLS side (token, PAR, OBIE API) when this process does not serve them, e.g. https://127.0.0.1:3443/sandbox-banks. */
  sandboxBankTlsUrl: string;
  /** The port of the sandbox banks' mutual-TLS listener this process serves; 0 lets the system choose. */
  sandboxBanksTlsPort: number;
  /** The test PKI the sandbox banks and openlean's connection to them share (created at first start). */
  sandboxPkiDir: string;
  /** Base64 or hex 32-byte key sealing every secret at rest; unset: generated into `$DATA_DIR/encryption.key`. */
  encryptionKey: string | undefined;
  /** Retired encryption keys (`ENCRYPTION_KEYS_OLD`, comma-separated) that still open what they sealed. */
  encryptionKeysOld: string[];
  /** How long a new token-signing key is published before it signs (`openlean keys rotate-signing`), in seconds. */
  signingKeyOverlapSeconds: number;
  /** Per-attempt timeout of a call to a bank. */
  bankTimeoutMs: number;
  /** The operator's banks (JSON or YAML, docs/banks.md); none configured when unset. */
  banksFile: string | undefined;
  refresh: RefreshConfig;
  webhooks: WebhookConfig;
  audit: AuditConfig;
}

/** The audit trail of data access (docs/decisions/017-audit-trail.md). */
export interface AuditConfig {
  /** Record every read of bank data (`AUDIT`, on by default); consent changes are recorded regardless. */
  enabled: boolean;
  /** Most time a read's record waits in the process's buffer before it is written, in ms (`AUDIT_FLUSH_MS`). */
  flushMs: number;
  /** Buffered records that are written at once without waiting for the timer (`AUDIT_BATCH_SIZE`). */
  batchSize: number;
  /** Records are deleted this many days after they were made (`AUDIT_RETENTION_DAYS`). */
  retentionDays: number;
}

export interface RefreshConfig {
  /** Refresh jobs this process runs at once; 0 runs no worker here. */
  workers: number;
  /** How long a worker holds a job without a heartbeat before another may take it over. */
  leaseMs: number;
  /** How often an idle worker looks for due jobs (it is woken at once for jobs this process queues). */
  pollMs: number;
  /** First retry delay of a failed refresh attempt; doubles per attempt, with jitter. */
  retryBaseMs: number;
  /** Attempts before a refresh ends FAILED. */
  maxAttempts: number;
  /** Active entities are refreshed when their last refresh is this old; 0 turns the scheduler off. */
  scheduleHours: number;
  /** Incremental refreshes re-fetch transactions booked this many days before the last one. */
  overlapDays: number;
  /** Manual refreshes an entity may start per UTC day. */
  manualDailyLimit: number;
}

export interface WebhookConfig extends DeliverySettings {
  /** How long a rotated-out secret still signs deliveries beside the new one. */
  secretGraceHours: number;
  /** Events and their attempts are deleted this many days after the event. */
  retentionDays: number;
}

export type ConfigOverrides = Partial<Pick<Config, 'mode' | 'role' | 'host' | 'port' | 'dataDir' | 'databaseUrl' | 'logLevel' | 'publicUrl'>>;

function integer(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name} must be an integer between ${min} and ${max}, got ${JSON.stringify(raw)}`);
  }
  return n;
}

function oneOf<T extends string>(name: string, raw: string | undefined, allowed: readonly T[], fallback: T): T {
  if (raw === undefined || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(raw)}`);
  }
  return raw as T;
}

/** The sandbox banks' mutual-TLS port unless SANDBOX_BANKS_TLS_PORT says otherwise. */
export const SANDBOX_BANKS_TLS_PORT = 3443;

/** Lean's schedule: retries 1, 2, 5, 10, 60 and 180 minutes after the first attempt. */
const LEAN_RETRY_SCHEDULE_MS = [60_000, 120_000, 300_000, 600_000, 3_600_000, 10_800_000];

function schedule(name: string, raw: string | undefined, fallback: number[]): number[] {
  if (raw === undefined || raw.trim() === '') return fallback;
  const values = raw.split(',').map((v) => Number(v.trim()));
  const valid =
    values.length <= WEBHOOK_MAX_RETRIES &&
    values.every((v, i) => Number.isInteger(v) && v >= 1 && v <= 7 * 86_400_000 && (i === 0 || v > values[i - 1]!));
  if (!valid) {
    throw new ConfigError(`${name} must be up to ${WEBHOOK_MAX_RETRIES} increasing comma-separated millisecond offsets (1 ms to 7 days), got ${JSON.stringify(raw)}`);
  }
  return values;
}

/**
 * Reads the configuration. Flags win over the environment; invalid values throw a `ConfigError`
 * naming the variable, so a typo fails at start rather than at the first request.
 *
 * @example loadConfig(process.env, { port: 0 })
 */
/**
 * `PUBLIC_URL` as the WHATWG URL parser writes it (host lower-cased, default port dropped), without
 * a trailing slash: every URL built from it (the Link callback sent to banks as `redirect_uri`, the
 * token issuer) must be byte-identical to what URL-parsing code elsewhere sends for the same
 * address, or a bank refuses the code exchange (RFC 6749 §4.1.3). Throws `ConfigError` for a value
 * that is not an absolute http(s) URL, or that has a query or fragment.
 */
export function canonicalPublicUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`PUBLIC_URL must be an absolute URL, got ${JSON.stringify(value)}`);
  }
  if (!['http:', 'https:'].includes(url.protocol) || url.search || url.hash) {
    throw new ConfigError(`PUBLIC_URL must be an http(s) URL without query or fragment, got ${JSON.stringify(value)}`);
  }
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: ConfigOverrides = {}): Config {
  const mode = overrides.mode ?? oneOf('MODE', env.MODE, ['sandbox', 'production'] as const, 'sandbox');
  const port = overrides.port ?? integer('PORT', env.PORT, 3000, 0, 65535);
  const host = overrides.host ?? (env.HOST || '127.0.0.1');
  const dataDir = path.resolve(overrides.dataDir ?? (env.DATA_DIR || './data'));
  const databaseUrl = overrides.databaseUrl ?? (env.DATABASE_URL || `sqlite:${path.join(dataDir, 'openlean.db')}`);
  if (!/^(sqlite:|postgres(ql)?:\/\/)/.test(databaseUrl)) {
    throw new ConfigError(`DATABASE_URL must be sqlite:<file> or postgres://user@host:port/database, got ${JSON.stringify(databaseUrl)}`);
  }
  const role = overrides.role ?? oneOf('ROLE', env.ROLE, ['all', 'api', 'worker'] as const, 'all');
  if (role !== 'all' && !isPostgresUrl(databaseUrl)) {
    // Separate processes share jobs, entity-change notifications and locks through PostgreSQL.
    throw new ConfigError(`ROLE=${role} needs DATABASE_URL=postgres://…; on SQLite one process serves the API and runs the jobs (ROLE=all)`);
  }
  if (role !== 'all' && !env.ENCRYPTION_KEY) {
    // A key generated per process would seal bank tokens that the other processes cannot open.
    throw new ConfigError(`ROLE=${role} needs ENCRYPTION_KEY, the same in every process (e.g. openssl rand -base64 32)`);
  }
  const encryptionKeysOld = (env.ENCRYPTION_KEYS_OLD ?? '').split(',').map((v) => v.trim()).filter(Boolean);
  const keys: [string, string][] = [...(env.ENCRYPTION_KEY ? [['ENCRYPTION_KEY', env.ENCRYPTION_KEY] as [string, string]] : []), ...encryptionKeysOld.map((v): [string, string] => ['ENCRYPTION_KEYS_OLD', v])];
  for (const [name, value] of keys) {
    try {
      parseKey(value);
    } catch (err) {
      throw new ConfigError(`${name}: ${(err as Error).message}`);
    }
  }
  const retryScheduleMs = schedule('WEBHOOK_RETRY_SCHEDULE_MS', env.WEBHOOK_RETRY_SCHEDULE_MS, LEAN_RETRY_SCHEDULE_MS);
  const retentionDays = integer('WEBHOOK_RETENTION_DAYS', env.WEBHOOK_RETENTION_DAYS, 30, 1, 3650);
  if (retentionDays * 86_400_000 <= retryScheduleMs.at(-1)!) {
    // Otherwise an event could be pruned while its delivery is still being retried.
    throw new ConfigError(`WEBHOOK_RETENTION_DAYS (${retentionDays}) must outlast the last retry of WEBHOOK_RETRY_SCHEDULE_MS (${retryScheduleMs.at(-1)} ms)`);
  }
  const sandboxBanksTlsPort = integer('SANDBOX_BANKS_TLS_PORT', env.SANDBOX_BANKS_TLS_PORT, SANDBOX_BANKS_TLS_PORT, 0, 65535);
  const publicUrl = canonicalPublicUrl(overrides.publicUrl ?? (env.PUBLIC_URL || `http://localhost:${port}`));
  return {
    mode,
    role,
    host,
    port,
    publicUrl,
    publicUrlGiven: Boolean(overrides.publicUrl ?? env.PUBLIC_URL),
    mcpAllowedHosts: (env.MCP_ALLOWED_HOSTS ?? '').split(',').map((h) => h.trim().toLowerCase()).filter(Boolean),
    dataDir,
    databaseUrl,
    logLevel: overrides.logLevel ?? oneOf('LOG_LEVEL', env.LOG_LEVEL, LOG_LEVELS, 'info'),
    tokenTtlSeconds: integer('TOKEN_TTL_SECONDS', env.TOKEN_TTL_SECONDS, 3600, 60, 86400),
    bodyLimit: integer('BODY_LIMIT_BYTES', env.BODY_LIMIT_BYTES, 1024 * 1024, 1024, 100 * 1024 * 1024),
    rateLimitPerMinute: integer('RATE_LIMIT_PER_MINUTE', env.RATE_LIMIT_PER_MINUTE, 6000, 0, 100_000_000),
    responseCacheBytes: integer('RESPONSE_CACHE_MB', env.RESPONSE_CACHE_MB, 64, 0, 64 * 1024) * 1024 * 1024,
    sandboxBanks: oneOf('SANDBOX_BANKS', env.SANDBOX_BANKS, ['on', 'off'] as const, mode === 'sandbox' ? 'on' : 'off') === 'on',
    sandboxBankUrl: (env.SANDBOX_BANK_URL || 'http://127.0.0.1:3100/sandbox-banks').replace(/\/+$/, ''),
    sandboxBankTlsUrl: (env.SANDBOX_BANK_TLS_URL || `https://127.0.0.1:${sandboxBanksTlsPort || SANDBOX_BANKS_TLS_PORT}/sandbox-banks`).replace(/\/+$/, ''),
    sandboxBanksTlsPort,
    sandboxPkiDir: path.resolve(env.SANDBOX_PKI_DIR || path.join(dataDir, 'sandbox-pki')),
    encryptionKey: env.ENCRYPTION_KEY || undefined,
    encryptionKeysOld,
    // Longer than a process goes without re-reading the keys (src/auth/tokens.ts) and than a verifier caches JWKS.
    signingKeyOverlapSeconds: integer('SIGNING_KEY_OVERLAP_SECONDS', env.SIGNING_KEY_OVERLAP_SECONDS, 3600, 120, 7 * 86400),
    bankTimeoutMs: integer('BANK_TIMEOUT_MS', env.BANK_TIMEOUT_MS, 10_000, 100, 300_000),
    banksFile: env.BANKS_FILE ? path.resolve(env.BANKS_FILE) : undefined,
    refresh: {
      workers: role === 'api' ? 0 : integer('WORKER_CONCURRENCY', env.WORKER_CONCURRENCY, 4, role === 'worker' ? 1 : 0, 256),
      leaseMs: integer('JOB_LEASE_MS', env.JOB_LEASE_MS, 30_000, 500, 3_600_000),
      pollMs: integer('JOB_POLL_MS', env.JOB_POLL_MS, 500, 10, 60_000),
      retryBaseMs: integer('REFRESH_RETRY_BASE_MS', env.REFRESH_RETRY_BASE_MS, 2_000, 1, 3_600_000),
      maxAttempts: integer('REFRESH_MAX_ATTEMPTS', env.REFRESH_MAX_ATTEMPTS, 6, 1, 100),
      scheduleHours: integer('REFRESH_SCHEDULE_HOURS', env.REFRESH_SCHEDULE_HOURS, 24, 0, 24 * 365),
      overlapDays: integer('REFRESH_OVERLAP_DAYS', env.REFRESH_OVERLAP_DAYS, 7, 0, 365),
      manualDailyLimit: integer('REFRESH_MANUAL_DAILY_LIMIT', env.REFRESH_MANUAL_DAILY_LIMIT, 10, 1, 100_000),
    },
    webhooks: {
      timeoutMs: integer('WEBHOOK_TIMEOUT_MS', env.WEBHOOK_TIMEOUT_MS, 10_000, 100, 60_000),
      retryScheduleMs,
      secretGraceHours: integer('WEBHOOK_SECRET_GRACE_HOURS', env.WEBHOOK_SECRET_GRACE_HOURS, 24, 0, 24 * 30),
      retentionDays,
    },
    audit: {
      enabled: oneOf('AUDIT', env.AUDIT, ['on', 'off'] as const, 'on') === 'on',
      flushMs: integer('AUDIT_FLUSH_MS', env.AUDIT_FLUSH_MS, 1000, 10, 60_000),
      batchSize: integer('AUDIT_BATCH_SIZE', env.AUDIT_BATCH_SIZE, 4096, 1, 10_000),
      retentionDays: integer('AUDIT_RETENTION_DAYS', env.AUDIT_RETENTION_DAYS, 400, 1, 36_500),
    },
  };
}
