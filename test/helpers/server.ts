import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApplication } from '../../src/applications/create-application.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { startServer, type RunningServer } from '../../src/server.ts';
import { createTestDatabase, type Dialect } from './database.ts';
import { eventually } from './eventually.ts';
import { OpenApiValidator } from './openapi-validator.ts';
import { TEST_PKI_DIR } from './sandbox-fapi.ts';

export interface Credentials {
  app_id: string;
  client_id: string;
  client_secret: string;
}

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface RequestOptions {
  method?: string;
  token?: string;
  headers?: Record<string, string>;
  json?: unknown;
  body?: string;
  /** Skip OpenAPI validation, for requests the document cannot describe (unknown routes). */
  unchecked?: boolean;
}

export interface TestServer {
  url: string;
  server: RunningServer;
  dataDir: string;
  /** The application every test server starts with. */
  app: Credentials;
  request<T = any>(pathOrUrl: string, options?: RequestOptions): Promise<ApiResponse<T>>;
  newApp(name?: string): Promise<Credentials>;
  token(credentials?: Credentials, scope?: string): Promise<string>;
  createCustomer(token: string, appUserId?: string): Promise<string>;
  /** Creates a sandbox entity and, unless `wait` is false, waits for its INITIAL refresh to end. */
  createSandboxEntity(token: string, body: Record<string, unknown>, options?: { wait?: boolean }): Promise<any>;
  /** Polls a refresh until it is FINISHED or FAILED, and returns it. */
  waitForRefresh(token: string, entityId: string, refreshId: string): Promise<any>;
  /** Every transaction of an account, following the Link headers page by page. */
  allTransactions(token: string, entityId: string, accountId: string): Promise<any[]>;
  /** Sets the faults a built-in sandbox bank plays for one of its users (its control endpoint); throws unless it took them. */
  setSandboxFaults(bank: string, login: string, faults: string[]): Promise<void>;
  /** Moves the server's clock (token expiry, consent expiry) by `ms`; negative moves it back. */
  advanceClock(ms: number): void;
  /**
   * Stops the server and starts it again on the same database, data directory, port and clock,
   * with `env` added to its environment (a deployment restarted with new settings).
   */
  restart(env?: Record<string, string>): Promise<void>;
  /** Stops the server and deletes its data; call it from the suite's `after`. */
  close(): Promise<void>;
}

let counter = 0;

/**
 * Fast retries and polling, no scheduler: tests drive refreshes themselves. The rate limiter runs
 * but is never reached, except where a test sets a limit of its own.
 */
const TEST_ENV = {
  SANDBOX_BANKS_TLS_PORT: '0',
  // One test PKI per test process: every server of the process shares it (ensureTestPki is safe to race).
  SANDBOX_PKI_DIR: TEST_PKI_DIR,
  RATE_LIMIT_PER_MINUTE: '1000000',
  JOB_POLL_MS: '50',
  JOB_LEASE_MS: '5000',
  REFRESH_RETRY_BASE_MS: '50',
  BANK_TIMEOUT_MS: '2000',
  REFRESH_SCHEDULE_HOURS: '0',
};

/**
 * Starts the real server on a free 127.0.0.1 port over a fresh database of `dialect` (a SQLite
 * file, or a new PostgreSQL database). Every response received through `request` is validated
 * against the server's own published OpenAPI document.
 */
export async function startTestServer(options: { dialect: Dialect; mode?: Config['mode']; env?: Record<string, string>; frozenClock?: boolean }): Promise<TestServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'openlean-test-'));
  const database = await createTestDatabase(dataDir, options.dialect);
  let env = { ...TEST_ENV, ...options.env };
  const overrides = { dataDir, databaseUrl: database.url, port: 0, host: '127.0.0.1', logLevel: 'silent', mode: options.mode ?? 'sandbox' } as const;
  let offset = 0;
  // A frozen clock moves only through advanceClock: what the sandbox banks stamp with the time
  // (a balance's minute) is then the same on every request of the test.
  const frozenAt = Date.now();
  const now = options.frozenClock ? () => new Date(frozenAt + offset) : () => new Date(Date.now() + offset);
  let server = await startServer(loadConfig(env, overrides), { now });
  const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as ConstructorParameters<typeof OpenApiValidator>[0];
  const validator = new OpenApiValidator(doc);

  const request = async <T = any>(pathOrUrl: string, o: RequestOptions = {}): Promise<ApiResponse<T>> => {
    const url = pathOrUrl.startsWith('http') ? pathOrUrl : server.url + pathOrUrl;
    const method = o.method ?? (o.json !== undefined ? 'POST' : 'GET');
    const headers: Record<string, string> = { ...o.headers };
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    if (o.json !== undefined) headers['content-type'] ??= 'application/json';
    const res = await fetch(url, { method, headers, body: o.json !== undefined ? JSON.stringify(o.json) : o.body });
    const text = await res.text();
    const contentType = res.headers.get('content-type');
    const body = text && contentType?.includes('json') ? JSON.parse(text) : text;
    if (!o.unchecked) validator.check(method, url, res.status, text ? contentType : null, text ? body : undefined);
    return { status: res.status, headers: res.headers, body, text };
  };

  const newApp = async (name = 'test') => {
    const created = await createApplication(server.ctx.store.db, name);
    return { app_id: created.app_id, client_id: created.client_id, client_secret: created.client_secret };
  };
  const app = await newApp('primary');

  const token = async (credentials: Credentials = app, scope = 'api') => {
    const res = await request('/oauth2/token', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: credentials.client_id, client_secret: credentials.client_secret, scope }).toString(),
    });
    if (res.status !== 200) throw new Error(`token request failed: ${res.status} ${res.text}`);
    return res.body.access_token as string;
  };

  const createCustomer = async (tok: string, appUserId = `user-${process.pid}-${++counter}`) => {
    const res = await request('/customers/v1', { token: tok, json: { app_user_id: appUserId } });
    if (res.status !== 201) throw new Error(`customer creation failed: ${res.status} ${res.text}`);
    return res.body.customer_id as string;
  };

  const waitForRefresh = (tok: string, entityId: string, refreshId: string) =>
    eventually(`refresh ${refreshId} FINISHED or FAILED`, async () => {
      const res = await request(`/data/v2/refreshes/${refreshId}`, { token: tok, headers: { entity_id: entityId } });
      if (res.status !== 200) throw new Error(`refresh status failed: ${res.status} ${res.text}`);
      return (res.body.status === 'FINISHED' || res.body.status === 'FAILED') && res.body;
    }, 120_000);

  const createSandboxEntity = async (tok: string, body: Record<string, unknown>, o: { wait?: boolean } = {}) => {
    const res = await request('/sandbox/v1/entities', { token: tok, json: body });
    if (res.status !== 201) throw new Error(`sandbox entity creation failed: ${res.status} ${res.text}`);
    if (o.wait !== false) {
      const refresh = await waitForRefresh(tok, res.body.id, res.body.refresh_id);
      if (refresh.status !== 'FINISHED') throw new Error(`INITIAL refresh failed: ${JSON.stringify(refresh.error)}`);
    }
    return res.body;
  };

  const allTransactions = async (tok: string, entityId: string, accountId: string) => {
    const all: any[] = [];
    let next: string | null = `/data/v2/accounts/${accountId}/transactions?size=1000`;
    while (next) {
      const res: ApiResponse = await request(next, { token: tok, headers: { entity_id: entityId } });
      if (res.status !== 200) throw new Error(`transactions page failed: ${res.status} ${res.text}`);
      all.push(...res.body);
      next = /^<([^>]+)>; rel="next"$/.exec(res.headers.get('link') ?? '')?.[1] ?? null;
    }
    return all;
  };

  const setSandboxFaults = async (bank: string, login: string, faults: string[]) => {
    const res = await fetch(`${server.url}/sandbox-banks/${bank}/control/users/${encodeURIComponent(login)}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ faults }),
    });
    if (!res.ok) throw new Error(`setting faults ${faults.join(', ')} of ${bank}/${login} failed: ${res.status} ${await res.text()}`);
  };

  const advanceClock = (ms: number) => {
    offset += ms;
  };

  const restart = async (more: Record<string, string> = {}) => {
    const port = Number(new URL(server.url).port);
    await server.close();
    env = { ...env, ...more };
    server = await startServer(loadConfig(env, { ...overrides, port }), { now });
  };

  const close = async () => {
    await server.close();
    await database.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };

  return {
    get url() {
      return server.url;
    },
    get server() {
      return server;
    },
    dataDir,
    app,
    request,
    newApp,
    token,
    createCustomer,
    createSandboxEntity,
    waitForRefresh,
    allTransactions,
    setSandboxFaults,
    advanceClock,
    restart,
    close,
  };
}
