import { Command, Option } from 'commander';
import { ensureSandboxApp, SANDBOX_APP_FILE } from './applications/sandbox-app.ts';
import { createApplication } from './applications/create-application.ts';
import { ConfigError, loadConfig, type Config, type ConfigOverrides } from './config.ts';
import { quickstart } from './quickstart.ts';
import { startSandboxBank } from './sandbox-bank/server.ts';
import { jobQueueFor, startServer } from './server.ts';
import { migrate, openStore } from './store/database.ts';

interface CommonFlags {
  dataDir?: string;
  databaseUrl?: string;
  port?: string;
  host?: string;
  mode?: 'sandbox' | 'production';
  role?: Config['role'];
  logLevel?: Config['logLevel'];
}

function configFrom(flags: CommonFlags): Config {
  const overrides: ConfigOverrides = {};
  if (flags.dataDir) overrides.dataDir = flags.dataDir;
  if (flags.databaseUrl) overrides.databaseUrl = flags.databaseUrl;
  if (flags.host) overrides.host = flags.host;
  if (flags.mode) overrides.mode = flags.mode;
  if (flags.role) overrides.role = flags.role;
  if (flags.logLevel) overrides.logLevel = flags.logLevel;
  const env = { ...process.env, ...(flags.port ? { PORT: flags.port } : {}) };
  return loadConfig(env, overrides);
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

export function buildCli(): Command {
  const program = new Command('openlean')
    .description('Self-hostable Lean Data API v2 with built-in OBIE sandbox banks')
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
    .addOption(new Option('--log-level <level>', 'log level (env LOG_LEVEL)').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']))
    .action(serve);

  withStoreFlags(program.command('migrate').description('bring the database schema (and, on PostgreSQL, the pg-boss job schema) up to date')).action(async (flags: CommonFlags) => {
    const config = configFrom(flags);
    const store = openStore(config.databaseUrl);
    const jobs = jobQueueFor(store, config, () => new Date());
    try {
      const { results = [] } = await migrate(store);
      await jobs.install();
      const applied = results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
      process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n');
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

  program
    .command('sandbox-bank')
    .description('run only the built-in sandbox banks (mock OBIE v3.1 banks), as a separate party')
    .option('-p, --port <port>', 'port to listen on', '3100')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--data-dir <dir>', 'where sandbox-banks.db is kept (env DATA_DIR, default ./data)')
    .addOption(new Option('--log-level <level>', 'request log level').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('warn'))
    .action(async (flags: { port: string; host: string; dataDir?: string; logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' }) => {
      const port = Number(flags.port);
      if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new ConfigError(`--port must be an integer between 0 and 65535, got ${JSON.stringify(flags.port)}`);
      const dataDir = flags.dataDir ?? (process.env.DATA_DIR || './data');
      const bank = await startSandboxBank({ host: flags.host, port, dataDir, logLevel: flags.logLevel });
      const stop = () => bank.close().then(() => process.exit(0), () => process.exit(1));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      process.stdout.write(`sandbox banks listening at ${bank.url}\n(set SANDBOX_BANK_URL=${bank.url} for an openlean that does not serve them itself)\n`);
    });

  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildCli().parseAsync(argv);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`openlean: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}
