import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import formbody from '@fastify/formbody';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance } from 'fastify';
import { sandboxBanksPlugin } from '../../src/sandbox-bank/plugin.ts';
import { startSandboxTlsListener } from '../../src/sandbox-bank/tls-listener.ts';
import { tempDir } from '../helpers/sandbox-bank.ts';
import { BANKS, bankClient, connect, mtlsCall, registrations, testPki, type FapiSandbox } from '../helpers/sandbox-fapi.ts';

/**
 * The plugin inside a host shaped like openlean's app: its own form parser, OpenAPI document,
 * error and not-found handlers, and a guard on routes that declare `config.auth`.
 */
let host: FastifyInstance;
let base: string;
let tlsBase: string;
let tls: { close(): Promise<void> };
let sandbox: FapiSandbox;
const call = (url: string, init: RequestInit = {}) => mtlsCall(null, url, init);
const dataDir = tempDir();

before(async () => {
  host = Fastify();
  await host.register(formbody);
  await host.register(swagger, { openapi: { openapi: '3.1.0', info: { title: 'host', version: '1' } } });
  host.addHook('onRoute', (route) => {
    if (((route.config as { auth?: string } | undefined)?.auth ?? 'none') !== 'none') {
      route.onRequest = [(_request, reply, done) => (reply.code(401).send({ host: 'guard' }), done())];
    }
  });
  host.setErrorHandler((_error, _request, reply) => reply.code(599).send({ host: 'error' }));
  host.setNotFoundHandler((_request, reply) => reply.code(404).send({ host: 'not found' }));
  host.post('/echo', { config: { auth: 'none' } as never }, async (request) => request.body);
  host.get('/guarded', { config: { auth: 'api' } as never }, async () => 'secret');
  const pki = await testPki();
  await host.register(sandboxBanksPlugin, {
    prefix: '/sandbox-banks',
    banks: BANKS,
    clients: registrations(pki),
    now: () => new Date(),
    dataDir,
    baseUrl: () => `${base}/sandbox-banks`,
    tls: { baseUrl: () => `${tlsBase}/sandbox-banks` },
  });
  base = await host.listen({ host: '127.0.0.1', port: 0 });
  const listener = await startSandboxTlsListener({ port: 0, host: '127.0.0.1', ca_pem: pki.ca.cert_pem, cert_pem: pki.server.cert_pem, key_pem: pki.server.key_pem, prefix: '/sandbox-banks' }, host);
  tls = listener;
  tlsBase = `https://127.0.0.1:${listener.port}`;
  sandbox = { url: `${base}/sandbox-banks`, tlsUrl: `${tlsBase}/sandbox-banks`, pki, close: async () => undefined };
});
after(async () => {
  await host.close();
  await tls.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test('the sandbox banks work under the host, with their own errors, and stay out of its OpenAPI document', async () => {
  const c = await bankClient(sandbox, 'SANDBOX_OASIS_AE');
  const connection = await connect(c, 'hosted');
  assert.equal((await connection.get('/accounts')).status, 200);
  const unknown = await mtlsCall(c, `${c.ais}/nothing`);
  assert.equal(unknown.status, 404);
  assert.equal(unknown.body.Errors[0].ErrorCode, 'UK.OBIE.Resource.NotFound');
  assert.equal((await mtlsCall(c, `${c.ais}/accounts`)).body.Errors[0].ErrorCode, 'UK.OBIE.Header.Missing');
  // The TLS listener serves the sandbox banks only, not the rest of the host.
  assert.equal((await mtlsCall(c, `${tlsBase}/echo`)).status, 404);
  await c.fetch.close();

  const paths = Object.keys((host.swagger() as { paths?: Record<string, unknown> }).paths ?? {});
  assert.ok(paths.includes('/echo'));
  assert.deepEqual(paths.filter((p) => p.startsWith('/sandbox-banks')), []);
});

test('the host keeps its own parsers, guard and handlers', async () => {
  const form = await call(`${base}/echo`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1' });
  assert.deepEqual(form.body, { a: '1' });
  const text = await call(`${base}/echo`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello' });
  assert.equal(text.text, 'hello');
  assert.deepEqual((await call(`${base}/guarded`)).body, { host: 'guard' });
  assert.deepEqual((await call(`${base}/elsewhere`)).body, { host: 'not found' });
  assert.equal((await call(`${base}/elsewhere`)).headers.get('x-fapi-interaction-id'), null);
});
