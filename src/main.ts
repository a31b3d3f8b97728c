import path from 'node:path';
import fs from 'node:fs';
import { Command, Option } from 'commander';
import { ensureSandboxApp, SANDBOX_APP_FILE } from './applications/sandbox-app.ts';
import { createApplication } from './applications/create-application.ts';
import { SANDBOX_BANKS_PREFIX } from './app.ts';
import { toAuditEvent } from './api/audit/list-audit-events.ts';
import { rotateEncryption } from './auth/rotate-encryption.ts';
import { loadKeyRing } from './auth/secret-box.ts';
import { rotateSigningKey, sealPlaintextSigningKeys } from './auth/signing-keys.ts';
import { loadBanksFile } from './banks/banks-file.ts';
import { checkBank } from './banks/check-bank.ts';
import { BankTransports } from './banks/security/bank-transport.ts';
import { createFapiClient } from './banks/security/fapi-client.ts';
import { IMPORT_INSTRUCTIONS, importDirectory, renderBanksFile } from './banks/directory-import.ts';
import { createBankRegistry } from './banks/registry.ts';
import { registerDataCommands } from './cli/data-commands.ts';
import { loadConfig, type Config, type ConfigOverrides } from './config.ts';
import { ConfigError } from './errors/config-error.ts';
import { LOG_LEVELS } from './logging.ts';
import { ensureTestPki } from './pki/test-pki.ts';
import { quickstart } from './quickstart.ts';
import { sandboxClientRegistration } from './sandbox-bank/authorization-server/registration.ts';
import { SANDBOX_BANK_PROFILES } from './sandbox-bank/profiles.ts';
import { startSandboxBank, type SandboxBankServerOptions } from './sandbox-bank/server.ts';
import { bankSource, checkSandboxCollisions } from './sandbox-connections.ts';
import { jobQueueFor, startServer } from './server.ts';
import { exportAuditEvents } from './store/audit-events.ts';
import { migrate, openStore } from './store/database.ts';
import { table } from './cli/table.ts';
import { expectedFailure } from './cli-failure.ts';
import { VERSION } from './version.ts';

interface CommonFlags {
  dataDir?: string;
  databaseUrl?: string;
  port?: string;
  host?: string;
  mode?: 'sandbox' | 'production';
  role?: Config['role'];
  logLevel?: Config['logLevel'];
}

/** Where the sandbox banks' test PKI is: `SANDBOX_PKI_DIR`, else `$DATA_DIR/sandbox-pki` (as `serve` reads it). */
const sandboxPkiDir = (dataDir: string) => path.resolve(process.env.SANDBOX_PKI_DIR || path.join(dataDir, 'sandbox-pki'));

/**
 * The sandbox banks' TLS listener material (the test PKI, made at first start) and openlean's
 * registrations at them, built from the same PKI.
 */
async function sandboxBankTls(dataDir: string, port: number): Promise<Pick<SandboxBankServerOptions, 'tls' | 'clients'>> {
  const pki = await ensureTestPki(sandboxPkiDir(dataDir));
  return {
    tls: { port, ca_pem: pki.ca.cert_pem, cert_pem: pki.server.cert_pem, key_pem: pki.server.key_pem },
    // openlean's callback where it listens by default; the sandbox takes any other http(s) one too.
    clients: sandboxClientRegistration(pki, SANDBOX_BANK_PROFILES.map((b) => b.identifier), [`${(process.env.PUBLIC_URL || 'http://localhost:3000').replace(/\/+$/, '')}/link/callback`]),
  };
}

/** `serve`'s and `sandbox-bank`'s log levels. */
const LOG_LEVEL_CHOICES: string[] = [...LOG_LEVELS];

const portOf = (flag: string, value: string): number => {
  const port = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isInteger(port) || port < 0 || port > 65_535) throw new ConfigError(`${flag} must be an integer between 0 and 65535, got ${JSON.stringify(value)}`);
  return port;
};

/** The configuration from the environment, `env` (variables a command's own flags set) and the common flags. */
function configFrom(flags: CommonFlags, env: Record<string, string> = {}): Config {
  const overrides: ConfigOverrides = {};
  if (flags.dataDir) overrides.dataDir = flags.dataDir;
  if (flags.databaseUrl) overrides.databaseUrl = flags.databaseUrl;
  if (flags.host) overrides.host = flags.host;
  if (flags.mode) overrides.mode = flags.mode;
  if (flags.role) overrides.role = flags.role;
  if (flags.logLevel) overrides.logLevel = flags.logLevel;
  return loadConfig({ ...process.env, ...env, ...(flags.port ? { PORT: flags.port } : {}) }, overrides);
}

function withStoreFlags(cmd: Command): Command {
  return cmd
    .option('--data-dir <dir>', 'data directory (env DATA_DIR, default ./data)')
    .option('--database-url <url>', 'database URL (env DATABASE_URL, default sqlite:$DATA_DIR/openlean.db)');
}

async function serve(flags: CommonFlags): Promise<void> {
  const config = configFrom(flags);
  const server = await startServer(config);
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    server.ctx.log.info({ signal }, 'shutting down');
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        server.ctx.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  // Printed last: whoever waits for the quickstart may stop the server right away.
  if (config.role === 'worker') {
    process.stdout.write(`openlean worker running: ${config.refresh.workers} jobs at once, on ${new URL(config.databaseUrl).host}\n`);
  } else if (config.mode === 'sandbox') {
    const { credentials, created } = await ensureSandboxApp(server.ctx.store.db, server.ctx.encryptionKey, config.dataDir);
    process.stdout.write(quickstart({ config, credentials, created, file: `${config.dataDir}/${SANDBOX_APP_FILE}` }));
  } else {
    server.ctx.log.info({ url: config.publicUrl }, 'openlean listening (production mode)');
  }
}

/** The banks the server would offer with this configuration: BANKS_FILE's, and the sandbox banks in sandbox mode. */
async function listBanks(flags: { mode?: Config['mode'] }): Promise<void> {
  const config = configFrom(flags);
  const configured = config.banksFile ? loadBanksFile(config.banksFile, process.env) : [];
  checkSandboxCollisions(configured, { mode: config.mode, banksFile: config.banksFile });
  // Where `openlean serve` would serve them, or SANDBOX_BANK_URL when it would not.
  // Where `serve` would put them: at the address it listens on (the issuer the banks announce).
  const listening = `http://${/^(0\.0\.0\.0|::)$/.test(config.host) ? '127.0.0.1' : config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}`;
  const location = config.sandboxBanks
    ? { http: `${listening}${SANDBOX_BANKS_PREFIX}`, tls: `https://127.0.0.1:${config.sandboxBanksTlsPort}${SANDBOX_BANKS_PREFIX}` }
    : { http: config.sandboxBankUrl, tls: config.sandboxBankTlsUrl };
  const pki = config.mode === 'sandbox' ? await ensureTestPki(config.sandboxPkiDir) : null;
  const banks = createBankRegistry(bankSource(configured, () => location, pki), { mode: config.mode }).list();
  if (banks.length === 0) {
    process.stdout.write(`no banks: set BANKS_FILE to your banks file (docs/banks.md)${config.mode === 'production' ? '; sandbox banks are not offered in production mode' : ''}\n`);
    return;
  }
  process.stdout.write(
    table(
      ['IDENTIFIER', 'NAME', 'COUNTRY', 'STANDARD', 'PROFILE', 'CLIENT_AUTH', 'ISSUER', 'SANDBOX'],
      banks.map((b) => [b.identifier, b.name, b.country, b.standard, b.security_profile, b.client_auth, b.issuer, b.sandbox ? 'yes' : '']),
    ),
  );
}

/**
 * `openlean banks check [IDENTIFIER]`: each step of each bank (src/banks/check-bank.ts), with why
 * it failed. Exits 1 when a bank failed, 2 when BANKS_FILE names no such bank.
 */
async function checkBanks(identifier: string | undefined): Promise<void> {
  const config = configFrom({});
  const configured = config.banksFile ? loadBanksFile(config.banksFile, process.env) : [];
  const chosen = identifier === undefined ? configured : configured.filter((b) => b.identifier === identifier);
  if (chosen.length === 0) {
    throw new ConfigError(
      identifier === undefined ? 'no banks to check: set BANKS_FILE to your banks file (docs/banks.md)' : `${identifier} is not a bank of BANKS_FILE (${config.banksFile ?? 'unset'})`,
    );
  }
  const transports = new BankTransports();
  const fapi = createFapiClient({ transports, timeout_ms: config.bankTimeoutMs });
  let failed = 0;
  try {
    for (const bank of chosen) {
      process.stdout.write(`${bank.identifier} (${bank.name}, ${bank.issuer})\n`);
      const steps = await checkBank(bank, { fapi, transports, timeout_ms: config.bankTimeoutMs });
      for (const step of steps) process.stdout.write(`  ${step.ok ? 'ok  ' : 'FAIL'} ${step.step.padEnd(18)} ${step.detail}\n`);
      if (steps.some((s) => !s.ok)) failed++;
    }
  } finally {
    await transports.close();
  }
  process.stdout.write(failed === 0 ? `${chosen.length} bank(s) ready\n` : `${failed} of ${chosen.length} bank(s) failed\n`);
  if (failed > 0) process.exitCode = 1;
}

/** A participants list from a URL (fetched) or a file (read), parsed. */
async function readDirectory(source: string): Promise<unknown> {
  let text: string;
  if (/^https?:\/\//i.test(source)) {
    const res = await fetch(source, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(60_000) }).catch((err: unknown) => {
      throw new ConfigError(`--directory ${source}: cannot fetch it (${(err as Error).message})`);
    });
    if (!res.ok) throw new ConfigError(`--directory ${source}: answered HTTP ${res.status}`);
    text = await res.text();
  } else {
    try {
      text = fs.readFileSync(source, 'utf8');
    } catch (err) {
      throw new ConfigError(`--directory ${source}: cannot read it (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    }
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ConfigError(`--directory ${source}: is not JSON`);
  }
}

async function importBanks(flags: { directory: string; out?: string; json?: boolean }): Promise<void> {
  const { entries, skipped } = importDirectory(await readDirectory(flags.directory));
  const format = flags.json ? 'json' : 'yaml';
  const text = renderBanksFile(entries, { format, source: flags.directory });
  if (flags.out) {
    try {
      // Never over an existing file: it may be the BANKS_FILE the operator already filled in.
      fs.writeFileSync(flags.out, text, { flag: 'wx' });
    } catch (err) {
      const exists = (err as NodeJS.ErrnoException).code === 'EEXIST';
      throw new ConfigError(`--out ${flags.out}: ${exists ? 'already exists; remove it or choose another file' : `cannot write it (${(err as NodeJS.ErrnoException).code})`}`);
    }
  } else {
    process.stdout.write(text);
  }
  const notes = [`imported ${entries.length} bank${entries.length === 1 ? '' : 's'} serving account information${flags.out ? ` into ${flags.out}` : ''}`];
  for (const s of skipped) notes.push(`skipped ${s.name}: ${s.reason}`);
  if (format === 'json' && entries.length > 0) notes.push('', IMPORT_INSTRUCTIONS.replace('{source}', flags.directory));
  process.stderr.write(`${notes.join('\n')}\n`);
}

/** `openlean keys rotate-encryption`: exits 1 when values are left that no key of the ring opens, 130 when interrupted. */
async function rotateEncryptionCommand(flags: CommonFlags & { batchSize: string }): Promise<void> {
  const batchSize = Number(flags.batchSize);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) throw new ConfigError(`--batch-size must be an integer between 1 and 10000, got ${JSON.stringify(flags.batchSize)}`);
  const config = configFrom(flags);
  const ring = loadKeyRing(config.encryptionKey, config.encryptionKeysOld, config.dataDir);
  const store = openStore(config.databaseUrl);
  const stop = new AbortController();
  const interrupt = () => {
    process.stderr.write('stopping after this batch; run the command again to resume\n');
    stop.abort();
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  try {
    await migrate(store);
    process.stdout.write(`re-sealing with key ${ring.current.id}; ${ring.keys.size - 1} old key(s) in the ring (${[...ring.keys.keys()].filter((id) => id !== ring.current.id).join(', ') || 'none'})\n`);
    let done = 0;
    const report = await rotateEncryption(store.db, ring, {
      batchSize,
      signal: stop.signal,
      onBatch: (b) => {
        done += b.resealed;
        const notes = [b.changed ? `${b.changed} rewritten meanwhile by a server, kept` : '', b.unopenable ? `${b.unopenable} no key opens` : ''].filter(Boolean);
        process.stdout.write(`${b.column}: ${b.resealed} re-sealed${notes.length ? ` (${notes.join(', ')})` : ''}; ${done} so far\n`);
      },
    });
    const left = Object.entries(report.remaining).map(([column, n]) => `${column} ${n}`);
    process.stdout.write(`${report.interrupted ? 'interrupted' : 'done'}: ${report.resealed} re-sealed, ${left.length ? `still sealed with another key: ${left.join(', ')}` : 'every stored secret is sealed with the current key'}\n`);
    if (report.unopenable > 0) process.stderr.write(`${report.unopenable} value(s) open with no key of the ring: add the key that sealed them to ENCRYPTION_KEYS_OLD and run again\n`);
    process.exitCode = report.interrupted ? 130 : report.unopenable > 0 ? 1 : 0;
  } finally {
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
    await store.close();
  }
}

/** `openlean keys rotate-signing`: prints the new key and when it signs, and when the keys it replaces leave JWKS. */
async function rotateSigningCommand(flags: CommonFlags & { overlap?: string }): Promise<void> {
  const config = configFrom(flags, flags.overlap !== undefined ? { SIGNING_KEY_OVERLAP_SECONDS: flags.overlap } : {});
  const ring = loadKeyRing(config.encryptionKey, config.encryptionKeysOld, config.dataDir);
  const store = openStore(config.databaseUrl);
  try {
    await migrate(store);
    const now = new Date();
    const { added, deleted } = await rotateSigningKey(store.db, ring, { now, overlapSeconds: config.signingKeyOverlapSeconds, ttlSeconds: config.tokenTtlSeconds });
    const leaves = new Date(Date.parse(added.activates_at) + config.tokenTtlSeconds * 1000).toISOString();
    process.stdout.write(
      `added signing key ${added.kid}: in JWKS now, signing from ${added.activates_at}\n` +
        `the key it replaces leaves JWKS at ${leaves}, when the last token it signed expires (TOKEN_TTL_SECONDS ${config.tokenTtlSeconds})\n` +
        (deleted.length ? `deleted ${deleted.length} key(s) whose tokens have all expired: ${deleted.join(', ')}\n` : ''),
    );
  } finally {
    await store.close();
  }
}

/** An `--from`/`--to` flag as stored times compare (ISO 8601 UTC, milliseconds); a date alone is its midnight UTC. */
function instantFlag(name: string, value: string): string {
  const ms = /^\d{4}-\d{2}-\d{2}(T.+)?$/.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(ms)) throw new ConfigError(`${name} must be an ISO 8601 date or date-time (2026-01-31, 2026-01-31T12:00:00Z), got ${JSON.stringify(value)}`);
  return new Date(ms).toISOString();
}

/**
 * `openlean audit export`: the audit records made from `--from` (inclusive) to `--to` (exclusive),
 * of every application, as JSON Lines on stdout (one `AuditEvent` per line, oldest first), written
 * as fast as stdout takes them.
 */
async function auditExportCommand(flags: CommonFlags & { from: string; to: string; customerId?: string; entityId?: string }): Promise<void> {
  const range = {
    from: instantFlag('--from', flags.from),
    to: instantFlag('--to', flags.to),
    ...(flags.customerId ? { customerId: flags.customerId.toLowerCase() } : {}),
    ...(flags.entityId ? { entityId: flags.entityId.toLowerCase() } : {}),
  };
  const store = openStore(configFrom(flags).databaseUrl);
  try {
    await migrate(store);
    for await (const row of exportAuditEvents(store.read, range)) {
      if (!process.stdout.write(`${JSON.stringify(toAuditEvent(row))}\n`)) await new Promise((resolve) => process.stdout.once('drain', resolve));
    }
  } finally {
    await store.close();
  }
}

export function buildCli(): Command {
  const program = new Command('openlean')
    .description('Self-hostable Lean Data API v2 with built-in sandbox banks (OBIE v3.1, UAE Open Finance v2.1, KSA Open Banking)')
    .version(VERSION, '-V, --version', 'print the version')
    .showHelpAfterError();

  withStoreFlags(program.command('serve').description('run the API server (the default of npm start)'))
    .option('-p, --port <port>', 'port to listen on (env PORT, default 3000)')
    .option('--host <host>', 'interface to listen on (env HOST, default 127.0.0.1)')
    .addOption(new Option('--mode <mode>', 'sandbox or production (env MODE)').choices(['sandbox', 'production']))
    .addOption(
      new Option('--role <role>', 'all: API and jobs (default); api: HTTP only; worker: jobs only, no HTTP (api and worker need PostgreSQL; env ROLE)').choices([
        'all',
        'api',
        'worker',
      ]),
    )
    .addOption(new Option('--log-level <level>', 'log level (env LOG_LEVEL)').choices(LOG_LEVEL_CHOICES))
    .action(serve);

  withStoreFlags(program.command('migrate').description('bring the database schema (and, on PostgreSQL, the pg-boss job schema) up to date')).action(async (flags: CommonFlags) => {
    const config = configFrom(flags);
    const store = openStore(config.databaseUrl);
    const jobs = jobQueueFor(store, config, () => new Date());
    try {
      // Progress on standard error: a migration of a large database can take minutes.
      const { results = [] } = await migrate(store, { onStart: (name) => process.stderr.write(`applying ${name}…\n`) });
      await jobs.install();
      // Signing keys written in clear before migration 013: sealed here rather than at the next start.
      const sealed = await sealPlaintextSigningKeys(store.db, loadKeyRing(config.encryptionKey, config.encryptionKeysOld, config.dataDir));
      const applied = results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
      process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n');
      if (store.dialect === 'postgres') process.stdout.write('job schema (pg-boss, schema pgboss) installed and up to date\n');
      if (sealed > 0) process.stdout.write(`sealed ${sealed} token-signing key(s) stored in clear\n`);
    } finally {
      await jobs.close();
      await store.close();
    }
  });

  const apps = program.command('apps').description('manage applications (API clients)');
  withStoreFlags(apps.command('create').description('create an application and print its credentials'))
    .requiredOption('--name <name>', 'a name for the application')
    .option('--json', 'print exactly {"client_id","client_secret"} on one line')
    .action(async (flags: CommonFlags & { name: string; json?: boolean }) => {
      // Users read it on the consent page ("<name> would like to read…").
      if (flags.name.trim() === '' || flags.name.length > 100) throw new ConfigError(`--name must be 1 to 100 characters, not blank: your users read it on the consent page ("<name> would like to read…")`);
      const store = openStore(configFrom(flags).databaseUrl);
      try {
        await migrate(store);
        const app = await createApplication(store.db, flags.name);
        process.stdout.write(
          flags.json
            ? JSON.stringify({ client_id: app.client_id, client_secret: app.client_secret }) + '\n'
            : `application ${app.name} (${app.app_id})\nclient_id:     ${app.client_id}\nclient_secret: ${app.client_secret}\n(the secret is shown only now)\n`,
        );
      } finally {
        await store.close();
      }
    });

  const keys = program.command('keys').description('rotate the keys openlean holds (docs/security.md)');
  withStoreFlags(keys.command('rotate-encryption').description('re-seal every stored secret sealed with an old key (ENCRYPTION_KEYS_OLD) with ENCRYPTION_KEY; safe to interrupt and run again, and while servers run'))
    .option('--batch-size <n>', 'rows re-sealed per batch', '100')
    .action(rotateEncryptionCommand);
  withStoreFlags(keys.command('rotate-signing').description('add a token-signing key: published in JWKS at once, signing after the overlap; the old one leaves JWKS once its tokens have expired'))
    .option('--overlap <seconds>', 'how long the new key is published before it signs (env SIGNING_KEY_OVERLAP_SECONDS, default 3600)')
    .action(rotateSigningCommand);

  const audit = program.command('audit').description('the audit trail of data access (docs/security.md)');
  withStoreFlags(audit.command('export').description('print the audit records made in a time range, of every application, as JSON Lines (one record per line, oldest first)'))
    .requiredOption('--from <time>', 'first instant, inclusive (ISO 8601 date or date-time)')
    .requiredOption('--to <time>', 'last instant, exclusive (ISO 8601 date or date-time)')
    .option('--customer-id <id>', 'only the records about this customer')
    .option('--entity-id <id>', 'only the records about this entity')
    .action(auditExportCommand);

  const banks = program.command('banks').description('the banks this deployment connects to (BANKS_FILE, docs/banks.md)');
  banks
    .command('list')
    .description('print the banks the server offers: those of BANKS_FILE, and in sandbox mode the sandbox banks')
    .addOption(new Option('--mode <mode>', 'sandbox or production (env MODE)').choices(['sandbox', 'production']))
    .action(listBanks);
  banks
    .command('check')
    .argument('[identifier]', 'one bank of BANKS_FILE; all of them by default')
    .description("prove each bank of BANKS_FILE works before a customer meets it: discovery, TLS, mutual TLS, a client-credentials token")
    .action(checkBanks);
  banks
    .command('import')
    .description("turn a trust framework's participants list (Raidiam /participants JSON) into BANKS_FILE entries to complete")
    .requiredOption('--directory <file|url>', 'the participants JSON: a file, or an http(s) URL to fetch')
    .option('--out <file>', 'write the entries to this new file instead of standard output')
    .option('--json', 'write JSON instead of YAML')
    .action(importBanks);

  program
    .command('sandbox-bank')
    .description('run only the built-in sandbox banks (mock OBIE, UAE and KSA banks), as a separate party')
    .option('-p, --port <port>', 'HTTP port: discovery, authorization pages, control API', '3100')
    .option('--tls-port <port>', 'mutual-TLS port: token, PAR and the OBIE API (env SANDBOX_BANKS_TLS_PORT, default 3443)')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--data-dir <dir>', 'where sandbox-banks.db and the test PKI (sandbox-pki/, or SANDBOX_PKI_DIR) are kept (env DATA_DIR, default ./data)')
    .addOption(new Option('--log-level <level>', 'request log level (env LOG_LEVEL, default warn)').choices(LOG_LEVEL_CHOICES))
    .action(async (flags: { port: string; tlsPort?: string; host: string; dataDir?: string; logLevel?: Config['logLevel'] }) => {
      const port = portOf('--port', flags.port);
      const tlsPort = flags.tlsPort !== undefined ? portOf('--tls-port', flags.tlsPort) : process.env.SANDBOX_BANKS_TLS_PORT ? portOf('SANDBOX_BANKS_TLS_PORT', process.env.SANDBOX_BANKS_TLS_PORT) : 3443;
      const dataDir = flags.dataDir ?? (process.env.DATA_DIR || './data');
      const logLevel = flags.logLevel ?? (process.env.LOG_LEVEL ? (LOG_LEVEL_CHOICES.includes(process.env.LOG_LEVEL) ? (process.env.LOG_LEVEL as Config['logLevel']) : null) : 'warn');
      if (logLevel === null) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVEL_CHOICES.join(', ')}, got ${JSON.stringify(process.env.LOG_LEVEL)}`);
      const bank = await startSandboxBank({ host: flags.host, port, dataDir, logLevel, ...(await sandboxBankTls(dataDir, tlsPort)) });
      const pki = await ensureTestPki(sandboxPkiDir(dataDir));
      const stop = () => bank.close().then(() => process.exit(0), () => process.exit(1));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      process.stdout.write(
        `sandbox banks listening at ${bank.url} (discovery, authorization, control API)\n` +
          `sandbox banks mutual TLS at ${bank.tlsUrl} (token, PAR, OBIE API; client certificates from ${sandboxPkiDir(dataDir)})\n` +
          `(for an openlean that does not serve them itself: SANDBOX_BANKS=off SANDBOX_BANK_URL=${bank.url} SANDBOX_BANK_TLS_URL=${bank.tlsUrl} SANDBOX_PKI_DIR=${sandboxPkiDir(dataDir)})\n` +
          `openlean is registered at each with client_id openlean and the signing keys PS256 kid ${pki.signing.PS256.kid}, ES256 kid ${pki.signing.ES256.kid}\n`,
      );
    });

  registerDataCommands(program);
  program
    .command('mcp')
    .description('the MCP server on stdin/stdout, for an agent that starts it: its tools run on the openlean server at OPENLEAN_URL, as the application OPENLEAN_CLIENT_ID/OPENLEAN_CLIENT_SECRET')
    .option('--url <url>', 'the running openlean server (env OPENLEAN_URL, default http://localhost:3000)')
    .action(mcpCommand);

  return program;
}

/** `openlean mcp`: stdio relayed to the running server's `/mcp` (src/mcp/stdio.ts, docs/decisions/018). */
async function mcpCommand(flags: { url?: string }): Promise<void> {
  const url = flags.url ?? (process.env.OPENLEAN_URL || 'http://localhost:3000');
  const clientId = process.env.OPENLEAN_CLIENT_ID;
  const clientSecret = process.env.OPENLEAN_CLIENT_SECRET;
  try {
    new URL(url);
  } catch {
    throw new ConfigError(`OPENLEAN_URL must be an absolute URL, got ${JSON.stringify(url)}`);
  }
  if (!clientId || !clientSecret) {
    throw new ConfigError(`OPENLEAN_CLIENT_ID and OPENLEAN_CLIENT_SECRET must name an application (on a sandbox server, the ones in ${SANDBOX_APP_FILE})`);
  }
  // Loaded here: only this command needs the SDK's client side.
  const { runStdioBridge } = await import('./mcp/stdio.ts');
  await runStdioBridge({ url, clientId, clientSecret });
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildCli().parseAsync(argv);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`openlean: ${err.message}\n`);
      process.exit(2);
    }
    const line = expectedFailure(err);
    if (line !== null) {
      process.stderr.write(`openlean: ${line}\n`);
      process.exit(1);
    }
    throw err;
  }
}
