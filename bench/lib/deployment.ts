import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { createPostgresDatabase, withClient } from '../../test/helpers/database.ts';
import { freePort } from '../../test/helpers/free-port.ts';
import { sandboxApp, type Credentials } from './api.ts';
import { CLI, launch, UNLIMITED, waitForLog, type Proc } from './processes.ts';
import { atCleanup } from './run.ts';

/** The PostgreSQL server the bench databases are created on and dropped through. */
const ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Jobs each worker process runs at once. */
export const WORKER_CONCURRENCY = Number(process.env.BENCH_WORKER_CONCURRENCY ?? 4);

/** The sandbox bank every bench entity is created at. */
export const BANK = 'SANDBOX_NAKHEEL_SA';

/** The environment every child starts from: none of this shell's openlean settings leak in. */
const BASE_ENV: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'warn', REFRESH_SCHEDULE_HOURS: '0', ...UNLIMITED };

/** Runs `run` on a connection to the maintenance database. */
export const admin = <T>(run: (client: pg.Client) => Promise<T>) => withClient(ADMIN_URL, run);

let launched = 0;

/** An openlean command in `dir` with a data directory of its own, `<dir>/<name>-<n>`, and its log beside it. */
function launchOpenlean(dir: string, name: string, args: string[], env: NodeJS.ProcessEnv): Proc & { dataDir: string } {
  const unique = `${name}-${++launched}`;
  const dataDir = path.join(dir, unique);
  fs.mkdirSync(dataDir, { recursive: true });
  return { ...launch(unique, process.execPath, [CLI, ...args], { env: { DATA_DIR: dataDir, ...env }, log: path.join(dir, `${unique}.log`) }), dataDir };
}

/** Where the sandbox banks' process listens, and the test PKI openlean reaches them with. */
export interface SandboxBankAt {
  url: string;
  tlsUrl: string;
  pkiDir: string;
}

/** The sandbox banks as their own process; openlean reaches them with their test PKI (SANDBOX_PKI_DIR). */
export async function startBank(dir: string): Promise<SandboxBankAt> {
  const [port, tlsPort] = [await freePort(), await freePort()];
  const proc = launchOpenlean(dir, 'bank', ['sandbox-bank', '--port', String(port), '--tls-port', String(tlsPort)], BASE_ENV);
  await waitForLog(proc, 'sandbox banks listening');
  return { url: `http://127.0.0.1:${port}/sandbox-banks`, tlsUrl: `https://127.0.0.1:${tlsPort}/sandbox-banks`, pkiDir: path.join(proc.dataDir, 'sandbox-pki') };
}

/** `openlean serve` as shipped: only DATA_DIR and PORT (and the benches' log level, limit and no scheduler). */
export async function startEmbedded(dir: string): Promise<{ url: string; proc: Proc; credentials: Credentials }> {
  const port = await freePort();
  const proc = launchOpenlean(dir, 'embedded', ['serve'], { ...BASE_ENV, PORT: String(port) });
  await waitForLog(proc, 'Quick start');
  return { url: `http://127.0.0.1:${port}`, proc, credentials: sandboxApp(proc.dataDir) };
}

/** One PostgreSQL database and the openlean processes started on it. */
export interface Deployment {
  databaseUrl: string;
  credentials: Credentials;
  startApi(extra?: NodeJS.ProcessEnv): Promise<{ url: string; proc: Proc }>;
  startWorker(extra?: NodeJS.ProcessEnv): Promise<Proc>;
}

/**
 * A fresh database `openlean_bench_<random>` (dropped when the run ends), migrated, with an
 * application; its processes share every setting but DATA_DIR, and reach the banks at `bank`.
 */
export async function deployment(dir: string, label: string, bank: SandboxBankAt): Promise<Deployment> {
  const database = await createPostgresDatabase(ADMIN_URL, 'openlean_bench');
  atCleanup(() => database.drop());
  const env: NodeJS.ProcessEnv = {
    ...BASE_ENV,
    DATABASE_URL: database.url,
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    MODE: 'sandbox',
    // Lower case: openlean sends the redirect URI as written at PAR but host-lower-cased at the code exchange, so `pages-10M` failed with invalid_grant.
    PUBLIC_URL: `http://openlean-${label.toLowerCase()}.bench`,
    SANDBOX_BANKS: 'off',
    SANDBOX_BANK_URL: bank.url,
    SANDBOX_BANK_TLS_URL: bank.tlsUrl,
    SANDBOX_PKI_DIR: bank.pkiDir,
    REFRESH_MANUAL_DAILY_LIMIT: '100000',
    WORKER_CONCURRENCY: String(WORKER_CONCURRENCY),
  };
  execFileSync(process.execPath, [CLI, 'migrate'], { env });
  const credentials = JSON.parse(execFileSync(process.execPath, [CLI, 'apps', 'create', '--name', 'bench', '--json'], { env }).toString()) as Credentials;
  return {
    databaseUrl: database.url,
    credentials,
    async startApi(extra = {}) {
      const port = await freePort();
      const proc = launchOpenlean(dir, `${label}-api`, ['serve', '--role', 'api'], { ...env, PORT: String(port), ...extra });
      await waitForLog(proc, 'Quick start');
      return { url: `http://127.0.0.1:${port}`, proc };
    },
    async startWorker(extra = {}) {
      const proc = launchOpenlean(dir, `${label}-worker`, ['serve', '--role', 'worker'], { ...env, ...extra });
      await waitForLog(proc, 'openlean worker running');
      return proc;
    },
  };
}
