import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { createLocalJWKSet, jwtVerify } from 'jose';
import * as oauth from 'openid-client';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { PERMISSIONS } from '../../src/domain/permissions.ts';
import { OPENLEAN_BIN } from '../helpers/cli.ts';
import { describeDialects } from '../helpers/dialects.ts';
import { eventually } from '../helpers/eventually.ts';
import { expectedSnapshot } from '../helpers/expected.ts';
import { startTestServer, type Credentials, type TestServer } from '../helpers/server.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

const TOOLS = [
  'get_account_identities',
  'get_accounts',
  'get_balances',
  'get_beneficiaries',
  'get_direct_debits',
  'get_identity',
  'get_refresh',
  'get_scheduled_payments',
  'get_standing_orders',
  'get_transactions',
  'list_banks',
  'list_customers',
  'list_entities',
  'list_refreshes',
  'refresh_entity',
  'sync_transactions',
];

/** The REST path each per-account tool mirrors. */
const ACCOUNT_TOOLS = [
  ['get_balances', 'balances', 'balances'],
  ['get_beneficiaries', 'beneficiaries', 'beneficiaries'],
  ['get_direct_debits', 'direct-debits', 'direct_debits'],
  ['get_standing_orders', 'standing-orders', 'standing_orders'],
  ['get_scheduled_payments', 'scheduled-payments', 'scheduled_payments'],
  ['get_account_identities', 'identities', 'identities'],
] as const;

/** Both transports an agent reaches openlean by, each as the application `credentials`. */
const TRANSPORTS: Record<string, (s: TestServer, credentials: Credentials) => Promise<Transport>> = {
  'Streamable HTTP at /mcp': async (s, credentials) =>
    new StreamableHTTPClientTransport(new URL('/mcp', s.url), { requestInit: { headers: { authorization: `Bearer ${await s.token(credentials)}` } } }),
  'stdio (openlean mcp)': async (s, credentials) =>
    new StdioClientTransport({
      command: process.execPath,
      args: [path.join(ROOT, 'bin/openlean.js'), 'mcp'],
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', OPENLEAN_URL: s.url, OPENLEAN_CLIENT_ID: credentials.client_id, OPENLEAN_CLIENT_SECRET: credentials.client_secret },
      stderr: 'inherit',
    }),
};

function problemOf(result: CallToolResult): { code: string; param?: string } {
  assert.equal(result.isError, true, `expected a tool error, got ${JSON.stringify(result.content)}`);
  const problem = result._meta?.['openlean/problem'] as { code: string; param?: string; status: number };
  assert.ok(problem, 'the problem rides in _meta');
  const text = (result.content[0] as { text: string }).text;
  assert.ok(text.startsWith(`${problem.code}: `), `the text starts with the code: ${text}`);
  return problem;
}

describeDialects('MCP server', (dialect) => {
  let s: TestServer;
  let token: string;
  let customerId: string;
  let entity: any;
  let accountIds: string[];
  let login = '';
  let other: Credentials;
  const clients: Client[] = [];

  const rest = (p: string, entityId: string = entity.id) => s.request(p, { token, headers: { entity_id: entityId } });
  /** `request_id operation` of every read audited so far. */
  const auditedRequests = async () => {
    await s.server.ctx.audit.flush();
    const res = await s.request('/audit/v1/events?kind=data.read&size=1000', { token });
    return res.body.map((e: { request_id: string; operation: string }) => `${e.request_id} ${e.operation}`) as string[];
  };

  before(async () => {
    // One manual refresh per entity per day: the limit is reached at the second.
    s = await startTestServer({ dialect, env: { REFRESH_MANUAL_DAILY_LIMIT: '1' } });
    token = await s.token();
    customerId = await s.createCustomer(token);
    // A sandbox user whose accounts hold every kind of resource, so each tool has something to compare.
    const resources = ['balances', 'beneficiaries', 'direct_debits', 'standing_orders', 'scheduled_payments', 'account_identities'] as const;
    for (let i = 0; !login; i++) {
      const probe = expectedSnapshot({ bank_identifier: 'SANDBOX_FALCON_AE', created_at: new Date().toISOString(), permissions: [...PERMISSIONS] }, `mcp-reader-${i}`);
      if (resources.every((r) => probe.accounts.some((a) => a[r]!.length > 0))) login = `mcp-reader-${i}`;
    }
    entity = await s.createSandboxEntity(token, { customer_id: customerId, bank_identifier: 'SANDBOX_FALCON_AE', login });
    accountIds = (await rest('/data/v2/accounts')).body.map((a: { account_id: string }) => a.account_id);
    other = await s.newApp('other');
  });

  after(async () => {
    for (const client of clients) await client.close();
    await s?.close();
  });

  for (const [transportName, connectTo] of Object.entries(TRANSPORTS)) {
    describe(`over ${transportName}`, () => {
      let client: Client;
      let tools: Map<string, Tool>;
      const ajv = new Ajv({ strict: false });
      (addFormats as unknown as (a: Ajv) => void)(ajv);

      const connect = async (credentials: Credentials) => {
        const c = new Client({ name: 'openlean-test', version: '1.0.0' });
        await c.connect(await connectTo(s, credentials));
        clients.push(c);
        return c;
      };
      const call = async (name: string, args: Record<string, unknown>, via: Client = client) => (await via.callTool({ name, arguments: args })) as CallToolResult;
      /** Calls a tool that must succeed; its structured content validated against the output schema the tool declares. */
      const structured = async (name: string, args: Record<string, unknown>): Promise<any> => {
        const result = await call(name, args);
        assert.notEqual(result.isError, true, `${name} failed: ${JSON.stringify(result.content)}`);
        const validate = ajv.compile(tools.get(name)!.outputSchema!);
        assert.ok(validate(result.structuredContent), `${name}: ${ajv.errorsText(validate.errors)}`);
        const text = (result.content[0] as { type: string; text: string });
        assert.equal(text.type, 'text');
        assert.ok(text.text.length > 0);
        // Whatever the tool, an agent never sees the application's secret.
        assert.ok(!JSON.stringify(result).includes(s.app.client_secret), `${name} shows the client secret`);
        return result.structuredContent;
      };

      before(async () => {
        client = await connect(s.app);
        tools = new Map((await client.listTools()).tools.map((t) => [t.name, t]));
      });

      it('lists every tool with input and output schemas, and only refresh_entity changes anything', () => {
        assert.deepEqual([...tools.keys()].sort(), TOOLS);
        for (const tool of tools.values()) {
          assert.equal(tool.inputSchema.type, 'object', tool.name);
          assert.equal(tool.outputSchema?.type, 'object', tool.name);
          assert.equal(tool.annotations?.readOnlyHint, tool.name !== 'refresh_entity', tool.name);
        }
        assert.deepEqual(tools.get('refresh_entity')!.annotations, {
          readOnlyHint: false,
          destructiveHint: false,
          idempotentHint: false,
          openWorldHint: true,
          title: "Refresh an entity's data from its bank",
        });
      });

      it('lists customers, entities and banks as REST does', async () => {
        const customers = await structured('list_customers', {});
        const restCustomers = await s.request('/customers/v1', { token });
        assert.deepEqual(customers, { customers: restCustomers.body, total: Number(restCustomers.headers.get('x-total-count')), next_page: null });
        assert.deepEqual(await structured('list_entities', { customer_id: customerId }), { entities: (await s.request(`/customers/v1/${customerId}/entities`, { token })).body });
        const banks = await structured('list_banks', { country: 'AE' });
        assert.deepEqual(banks, { banks: (await s.request('/banks/v1?country=AE', { token })).body });
        assert.ok(banks.banks.length > 0);
      });

      it('reads accounts, every per-account resource and identity as REST does', async () => {
        assert.deepEqual(await structured('get_accounts', { entity_id: entity.id }), { accounts: (await rest('/data/v2/accounts')).body });
        for (const accountId of accountIds) {
          for (const [tool, restPath, key] of ACCOUNT_TOOLS) {
            const expected = (await rest(`/data/v2/accounts/${accountId}/${restPath}`)).body;
            assert.deepEqual(await structured(tool, { entity_id: entity.id, account_id: accountId }), { [key]: expected }, `${tool} ${accountId}`);
          }
        }
        assert.deepEqual(await structured('get_identity', { entity_id: entity.id }), (await rest('/data/v2/identity')).body);
      });

      it('pages transactions by cursor and by number, and filters by dates, as REST does', async () => {
        const accountId = accountIds[0];
        const base = `/data/v2/accounts/${accountId}/transactions`;
        const first = await rest(`${base}?size=7`);
        const page1 = await structured('get_transactions', { entity_id: entity.id, account_id: accountId, size: 7 });
        const cursor = new URL(/<([^>]*)>/.exec(first.headers.get('link')!)![1]!, s.url).searchParams.get('cursor');
        assert.deepEqual(page1, { transactions: first.body, total: Number(first.headers.get('x-total-count')), next_cursor: cursor, next_page: null });
        const second = await rest(`${base}?size=7&cursor=${encodeURIComponent(cursor!)}`);
        const page2 = await structured('get_transactions', { entity_id: entity.id, account_id: accountId, size: 7, cursor });
        assert.deepEqual(page2.transactions, second.body);
        assert.notDeepEqual(page2.transactions, page1.transactions);

        const byNumber = await structured('get_transactions', { entity_id: entity.id, account_id: accountId, page: 1, size: 7 });
        assert.deepEqual(byNumber.transactions, (await rest(`${base}?page=1&size=7`)).body);
        assert.equal(byNumber.next_page, 2);
        assert.equal(byNumber.next_cursor, null);

        const day = page1.transactions[0].timestamp.slice(0, 10);
        const dated = await structured('get_transactions', { entity_id: entity.id, account_id: accountId, start_date: day, end_date: day });
        assert.deepEqual(dated.transactions, (await rest(`${base}?start_date=${day}&end_date=${day}`)).body);
      });

      it('syncs transactions as REST does', async () => {
        const accountId = accountIds[0];
        const restSync = (await rest(`/data/v2/accounts/${accountId}/transactions/sync?count=5`)).body;
        const sync = await structured('sync_transactions', { entity_id: entity.id, account_id: accountId, count: 5 });
        assert.deepEqual(sync, restSync);
        assert.equal(sync.added.length, 5);
        const next = await structured('sync_transactions', { entity_id: entity.id, account_id: accountId, cursor: sync.next_cursor, count: 5 });
        assert.deepEqual(next, (await rest(`/data/v2/accounts/${accountId}/transactions/sync?count=5&cursor=${encodeURIComponent(sync.next_cursor)}`)).body);
      });

      it('refreshes an entity, reports its status as REST does, and honours the daily manual limit', async () => {
        const fresh = await s.createSandboxEntity(token, { customer_id: customerId, login });
        const started = await structured('refresh_entity', { entity_id: fresh.id });
        assert.equal(started.trigger, 'MANUAL');
        assert.equal(started.entity_id, fresh.id);
        await s.waitForRefresh(token, fresh.id, started.refresh_id);
        assert.deepEqual(await structured('get_refresh', { entity_id: fresh.id, refresh_id: started.refresh_id }), (await rest(`/data/v2/refreshes/${started.refresh_id}`, fresh.id)).body);
        const refreshes = await rest('/data/v2/refreshes', fresh.id);
        assert.deepEqual(await structured('list_refreshes', { entity_id: fresh.id }), {
          refreshes: refreshes.body,
          total: Number(refreshes.headers.get('x-total-count')),
          next_cursor: null,
          next_page: null,
        });
        assert.deepEqual(refreshes.body.map((r: { trigger: string }) => r.trigger), ['MANUAL', 'INITIAL']);

        const refused = await call('refresh_entity', { entity_id: fresh.id });
        assert.equal(problemOf(refused).code, 'REFRESH_LIMIT_REACHED');
        assert.ok(Number(refused._meta?.['openlean/retry_after']) > 0);
        const restRefused = await s.request('/data/v2/refreshes', { method: 'POST', token, headers: { entity_id: fresh.id } });
        assert.equal(restRefused.body.code, 'REFRESH_LIMIT_REACHED');
        // Refused, so nothing was started.
        assert.equal((await rest('/data/v2/refreshes', fresh.id)).body.length, 2);
      });

      it("never shows another application's customers or entities", async () => {
        const stranger = await connect(other);
        const theirs = (await stranger.callTool({ name: 'list_customers', arguments: {} })) as CallToolResult;
        assert.deepEqual((theirs.structuredContent as { customers: unknown[] }).customers, []);
        for (const [name, args] of [
          ['list_entities', { customer_id: customerId }],
          ['get_accounts', { entity_id: entity.id }],
          ['get_balances', { entity_id: entity.id, account_id: accountIds[0] }],
          ['get_transactions', { entity_id: entity.id, account_id: accountIds[0] }],
          ['sync_transactions', { entity_id: entity.id, account_id: accountIds[0] }],
          ['get_identity', { entity_id: entity.id }],
          ['list_refreshes', { entity_id: entity.id }],
          ['refresh_entity', { entity_id: entity.id }],
        ] as const) {
          const result = await call(name, args, stranger);
          assert.equal(problemOf(result).code, 'NOT_FOUND', name);
          assert.equal(result.structuredContent, undefined, name);
        }
      });

      it('refuses a revoked consent with the code REST answers', async () => {
        const revoked = await s.createSandboxEntity(token, { customer_id: customerId, login });
        const { body: accounts } = await rest('/data/v2/accounts', revoked.id);
        assert.equal((await s.request(`/customers/v1/${customerId}/entities/${revoked.id}`, { method: 'DELETE', token })).status, 200);
        assert.equal((await rest('/data/v2/accounts', revoked.id)).body.code, 'CONSENT_REVOKED');
        for (const [name, args] of [
          ['get_accounts', { entity_id: revoked.id }],
          ['get_transactions', { entity_id: revoked.id, account_id: accounts[0].account_id }],
          ['sync_transactions', { entity_id: revoked.id, account_id: accounts[0].account_id }],
          ['refresh_entity', { entity_id: revoked.id }],
        ] as const) {
          assert.equal(problemOf(await call(name, args)).code, 'CONSENT_REVOKED', name);
        }
      });

      it('answers PENDING, naming the refresh to wait for, before the first refresh has finished, as REST answers 202', async () => {
        // The bank's daily quota holds the INITIAL refresh for hours: no data yet, and no sleep in the test.
        const name = `mcp-quota-${transportName.split(' ')[0]}`;
        const faults = await fetch(`${s.url}/sandbox-banks/SANDBOX_FALCON_AE/control/users/${encodeURIComponent(name)}`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ faults: ['daily_quota'] }),
        });
        assert.equal(faults.status < 300, true);
        const waiting = await s.createSandboxEntity(token, { customer_id: customerId, bank_identifier: 'SANDBOX_FALCON_AE', login: name }, { wait: false });
        await eventually('the INITIAL refresh waits for the quota', async () => (await rest(`/data/v2/refreshes/${waiting.refresh_id}`, waiting.id)).body.next_attempt_at !== null);
        const restRead = await rest('/data/v2/accounts', waiting.id);
        assert.deepEqual([restRead.status, restRead.body], [202, { status: 'PENDING', refresh_id: waiting.refresh_id }]);
        for (const [tool, args] of [
          ['get_accounts', { entity_id: waiting.id }],
          ['get_identity', { entity_id: waiting.id }],
          ['sync_transactions', { entity_id: waiting.id, account_id: 'any' }],
        ] as const) {
          const result = await call(tool, args);
          assert.equal(result.isError, true, tool);
          assert.match((result.content[0] as { text: string }).text, new RegExp(`^PENDING: the entity's first refresh ${waiting.refresh_id} is IN_PROGRESS`), tool);
          const pending = result._meta?.['openlean/pending'] as { status: string; refresh_id: string; retry_after: number };
          assert.deepEqual([pending.status, pending.refresh_id], ['PENDING', waiting.refresh_id], tool);
          assert.ok(pending.retry_after > 3600, `${tool}: retry after the quota, ${pending.retry_after} s`);
        }
      });

      it('answers invalid arguments with the parameter at fault, and an unknown tool with a protocol error', async () => {
        const bad = problemOf(await call('get_transactions', { entity_id: entity.id, account_id: accountIds[0], start_date: 'yesterday' }));
        assert.deepEqual([bad.code, bad.param], ['INVALID_PARAMETER', 'start_date']);
        const unknown = problemOf(await call('get_accounts', { entity_id: entity.id, colour: 'blue' }));
        assert.deepEqual([unknown.code, unknown.param], ['UNKNOWN_PARAMETER', 'colour']);
        const missing = problemOf(await call('get_accounts', {}));
        assert.deepEqual([missing.code, missing.param], ['INVALID_PARAMETER', 'entity_id']);
        const reversed = problemOf(await call('get_transactions', { entity_id: entity.id, account_id: accountIds[0], start_date: '2026-02-01', end_date: '2026-01-01' }));
        assert.equal(reversed.code, 'INVALID_PARAMETER');
        await assert.rejects(client.callTool({ name: 'transfer_money', arguments: {} }), /Unknown tool: transfer_money/);
      });
    });
  }

  it('records each tool call that reads bank data in the audit trail, as the REST read is, refused ones included', async () => {
    const client = new Client({ name: 'audited', version: '1' });
    clients.push(client);
    await client.connect(await TRANSPORTS['Streamable HTTP at /mcp']!(s, s.app));
    const requestsBefore = new Set(await auditedRequests());
    await client.callTool({ name: 'get_balances', arguments: { entity_id: entity.id, account_id: accountIds[0] } });
    await client.callTool({ name: 'list_banks', arguments: {} });
    const refused = await client.callTool({ name: 'get_accounts', arguments: { entity_id: '00000000-0000-4000-8000-000000000000' } });
    assert.equal(problemOf(refused as CallToolResult).code, 'NOT_FOUND');
    await s.server.ctx.audit.flush();
    const res = await s.request('/audit/v1/events?kind=data.read&size=1000', { token });
    const fresh = res.body.filter((e: { request_id: string; operation: string }) => !requestsBefore.has(`${e.request_id} ${e.operation}`) && e.operation.startsWith('mcp:'));
    assert.deepEqual(
      fresh.map((e: any) => [e.operation, e.resource, e.entity_id, e.account_id, e.status, e.outcome, e.error_code]).sort(),
      [
        ['mcp:get_accounts', 'accounts', '00000000-0000-4000-8000-000000000000', null, 404, 'REFUSED', 'NOT_FOUND'],
        ['mcp:get_balances', 'balances', entity.id, accountIds[0], 200, 'OK', null],
      ],
      'one record per reading call; list_banks reads no bank data',
    );
    assert.ok(fresh.every((e: any) => e.subject === s.app.client_id));
  });

  it('openlean mcp answers every request piped to it before stdin ended, then exits 0', async () => {
    const child = spawn(process.execPath, [OPENLEAN_BIN, 'mcp'], {
      env: { PATH: process.env.PATH ?? '', OPENLEAN_URL: s.url, OPENLEAN_CLIENT_ID: s.app.client_id, OPENLEAN_CLIENT_SECRET: s.app.client_secret },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    // All at once and stdin closed straight after, as `printf '…' | openlean mcp` sends them.
    child.stdin.end(
      [
        { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'pipe', version: '1' } } },
        { jsonrpc: '2.0', method: 'notifications/initialized' },
        { jsonrpc: '2.0', id: 2, method: 'tools/list' },
        { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'list_banks', arguments: {} } },
      ].map((m) => `${JSON.stringify(m)}\n`).join(''),
    );
    assert.equal(await exited, 0);
    const answers = new Map(stdout.trim().split('\n').map((line) => JSON.parse(line) as { id: number; result?: any }).map((m) => [m.id, m.result]));
    assert.deepEqual([...answers.keys()].sort(), [1, 2, 3]);
    assert.equal(typeof answers.get(1).protocolVersion, 'string');
    assert.deepEqual(answers.get(2).tools.map((t: Tool) => t.name).sort(), TOOLS);
    assert.notEqual(answers.get(3).isError, true);
  });

  describe('/mcp as an OAuth 2.0 protected resource', () => {
    const initialize = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } };
    const post = (headers: Record<string, string>) =>
      fetch(`${s.url}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers }, body: JSON.stringify(initialize) });

    it('answers 401 pointing at its RFC 9728 metadata, which names openlean as the authorization server', async () => {
      const res = await post({});
      assert.equal(res.status, 401);
      assert.equal(((await res.json()) as { code: string }).code, 'UNAUTHENTICATED');
      const challenge = res.headers.get('www-authenticate') ?? '';
      const pointer = /resource_metadata="([^"]+)"/.exec(challenge)?.[1];
      assert.ok(pointer, challenge);
      assert.doesNotMatch(challenge, /error=/);
      assert.equal(new URL(pointer).pathname, '/.well-known/oauth-protected-resource');
      const metadata = await s.request(new URL(pointer).pathname);
      assert.equal(metadata.status, 200);
      assert.deepEqual(metadata.body.authorization_servers, [metadata.body.resource]);
      assert.deepEqual(metadata.body.scopes_supported, ['api']);

      const forged = await post({ authorization: 'Bearer not.a.token' });
      assert.equal(forged.status, 401);
      assert.match(forged.headers.get('www-authenticate') ?? '', /error="invalid_token", resource_metadata="/);
    });

    it('names an authorization server whose RFC 8414 metadata an OAuth library discovers and gets a working token from', async () => {
      const resource = (await s.request('/.well-known/oauth-protected-resource')).body;
      const issuer = new URL(resource.authorization_servers[0]);
      const config = await oauth.discovery(issuer, s.app.client_id, s.app.client_secret, undefined, { algorithm: 'oauth2', execute: [oauth.allowInsecureRequests] });
      const metadata = config.serverMetadata();
      assert.equal(metadata.issuer, resource.authorization_servers[0]);
      assert.deepEqual(metadata.grant_types_supported, ['client_credentials']);
      const granted = await oauth.clientCredentialsGrant(config, { scope: 'api' });
      const keys = await s.request(new URL(metadata.jwks_uri!).pathname);
      assert.equal(keys.status, 200);
      const { payload } = await jwtVerify(granted.access_token, createLocalJWKSet(keys.body), { issuer: metadata.issuer });
      assert.equal(payload.scope, 'api');
      const client = new Client({ name: 'discovered', version: '1' });
      clients.push(client);
      await client.connect(new StreamableHTTPClientTransport(new URL('/mcp', s.url), { requestInit: { headers: { authorization: `Bearer ${granted.access_token}` } } }));
      assert.ok((await client.listTools()).tools.length > 0);
    });

    it('refuses the SDK client without a token, and a customer-scoped token', async () => {
      const anonymous = new Client({ name: 'anonymous', version: '1' });
      await assert.rejects(anonymous.connect(new StreamableHTTPClientTransport(new URL('/mcp', s.url))));
      const customerToken = await s.token(s.app, `customer.${customerId}`);
      const res = await post({ authorization: `Bearer ${customerToken}` });
      assert.equal(res.status, 403);
      assert.equal(((await res.json()) as { code: string }).code, 'INSUFFICIENT_SCOPE');
    });

    it('refuses a Host or Origin it does not answer to (DNS rebinding)', async () => {
      const fromPage = await post({ authorization: `Bearer ${token}`, origin: 'http://rebound.example' });
      assert.equal(fromPage.status, 403);
      assert.equal(((await fromPage.json()) as { code: string }).code, 'HOST_NOT_ALLOWED');
      const url = new URL(s.url);
      const rebound = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = http.request(
          { host: url.hostname, port: url.port, path: '/mcp', method: 'POST', headers: { host: `rebound.example:${url.port}`, authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' } },
          (res) => {
            let body = '';
            res.on('data', (chunk) => (body += chunk));
            res.on('end', () => resolve({ status: res.statusCode!, body }));
          },
        );
        req.on('error', reject);
        req.end(JSON.stringify(initialize));
      });
      assert.equal(rebound.status, 403);
      assert.equal(JSON.parse(rebound.body).code, 'HOST_NOT_ALLOWED');
      assert.equal((await post({ authorization: `Bearer ${token}`, origin: s.url })).status, 200);
    });

    it('keeps no session: GET and DELETE answer 405', async () => {
      for (const method of ['GET', 'DELETE']) {
        const res = await fetch(`${s.url}/mcp`, { method, headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' } });
        assert.equal(res.status, 405, method);
        assert.equal(res.headers.get('allow'), 'POST');
      }
    });

    it('counts MCP calls against the application\'s rate limit, as REST calls', async () => {
      const res = await post({ authorization: `Bearer ${token}` });
      assert.equal(res.status, 200);
      assert.ok(Number(res.headers.get('ratelimit-remaining')) < Number(res.headers.get('ratelimit-limit')));
    });
  });
});
