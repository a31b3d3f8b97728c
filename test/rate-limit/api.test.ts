import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { startServer, type RunningServer } from '../../src/server.ts';
import { describeDialects } from '../helpers/dialects.ts';
import { startTestServer, type ApiResponse, type TestServer } from '../helpers/server.ts';

const LIMIT = 5;

const limitOf = (res: ApiResponse) => ({
  limit: res.headers.get('ratelimit-limit'),
  remaining: res.headers.get('ratelimit-remaining'),
});

describeDialects('rate limits per application', (dialect) => {
  let s: TestServer;

  before(async () => {
    s = await startTestServer({ dialect, env: { RATE_LIMIT_PER_MINUTE: String(LIMIT) } });
  });
  after(() => s.close());

  /** Puts the server's clock a second into a minute, so a test's requests share one window. */
  const startOfMinute = () => {
    const now = s.server.ctx.now().getTime();
    s.advanceClock(Math.ceil(now / 60_000) * 60_000 + 1_000 - now);
  };

  it(`admits ${LIMIT} requests a minute, counting down in RateLimit headers, then answers 429 RATE_LIMITED with Retry-After`, async () => {
    startOfMinute();
    const token = await s.token(await s.newApp('metered'));
    for (let i = LIMIT - 1; i >= 0; i--) {
      const res = await s.request('/customers/v1', { token });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(limitOf(res), { limit: String(LIMIT), remaining: String(i) });
      const reset = Number(res.headers.get('ratelimit-reset'));
      assert.ok(reset > 0 && reset <= 60, String(reset));
    }
    const refused = await s.request('/customers/v1', { token });
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get('content-type'), 'application/problem+json; charset=utf-8');
    assert.equal(refused.body.code, 'RATE_LIMITED');
    assert.match(refused.body.detail, /its 5 requests of this minute/);
    assert.deepEqual(limitOf(refused), { limit: String(LIMIT), remaining: '0' });
    assert.equal(refused.headers.get('retry-after'), refused.headers.get('ratelimit-reset'));
    assert.ok(Number(refused.headers.get('retry-after')) <= 60);
    // Every route, not only the one that ran out; refused requests do not count.
    for (const path of ['/banks/v1', '/customers/v1', '/data/v2/accounts']) {
      assert.equal((await s.request(path, { token, headers: { entity_id: '00000000-0000-4000-8000-000000000000' } })).status, 429, path);
    }

    const other = await s.token(await s.newApp('other'));
    const theirs = await s.request('/customers/v1', { token: other });
    assert.equal(theirs.status, 200, 'applications are limited apart');
    assert.equal(theirs.headers.get('ratelimit-remaining'), String(LIMIT - 1));

    s.advanceClock(60_000);
    const next = await s.request('/customers/v1', { token });
    assert.equal(next.status, 200, 'a new minute, a new count');
    assert.equal(next.headers.get('ratelimit-remaining'), String(LIMIT - 1));
  });

  it('does not count what is not authenticated, nor the token endpoint', async () => {
    startOfMinute();
    const credentials = await s.newApp('anonymous');
    for (let i = 0; i < LIMIT + 2; i++) {
      const res = await s.request('/customers/v1', { token: 'not-a-token' });
      assert.equal(res.status, 401);
      assert.equal(res.headers.get('ratelimit-limit'), null);
    }
    for (let i = 0; i < LIMIT + 2; i++) await s.token(credentials);
    const res = await s.request('/customers/v1', { token: await s.token(credentials) });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('ratelimit-remaining'), String(LIMIT - 1));
  });

  it('is documented: every authenticated operation may answer 429', async () => {
    const doc = (await s.request('/openapi.json', { unchecked: true })).body;
    const operations = Object.values(doc.paths as Record<string, Record<string, any>>).flatMap((item) => Object.values(item));
    // Token-authenticated; the token endpoint's own client authentication is not metered (README).
    const secured = operations.filter((op) => op.security?.some((s: Record<string, unknown>) => 'BearerAuth' in s));
    assert.ok(secured.length > 20, String(secured.length));
    for (const op of secured) assert.ok(op.responses['429'], `${op.operationId ?? op.summary} documents 429`);
  });

  // Several API processes on one PostgreSQL share one limit: here two servers, one clock.
  it('is one limit for all API processes on one database', { skip: dialect !== 'postgres' && 'one process per SQLite file' }, async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'openlean-second-api-'));
    let second: RunningServer | undefined;
    try {
      const config = loadConfig(
        // One PUBLIC_URL, as behind one load balancer: the first process's tokens name it as issuer.
        { RATE_LIMIT_PER_MINUTE: String(LIMIT), ENCRYPTION_KEY: s.server.ctx.encryptionKey.current.key.toString('base64'), REFRESH_SCHEDULE_HOURS: '0', SANDBOX_BANKS_TLS_PORT: '0', PUBLIC_URL: s.server.ctx.publicUrl() },
        { dataDir, databaseUrl: s.server.ctx.config.databaseUrl, port: 0, host: '127.0.0.1', logLevel: 'silent', mode: 'sandbox', role: 'api' },
      );
      second = await startServer(config, { now: s.server.ctx.now });
      startOfMinute();
      const token = await s.token(await s.newApp('shared'));
      const at = (server: string) => s.request(`${server}/customers/v1`, { token });
      /** The processes trade counts, `from` first: what the timers do every 250 ms. */
      const exchange = async (from: RunningServer, to: RunningServer) => {
        await from.ctx.rateLimits!.exchange();
        await to.ctx.rateLimits!.exchange();
      };

      for (let i = 0; i < 3; i++) assert.equal((await at(s.url)).status, 200);
      await exchange(s.server, second);
      const one = await at(second.url);
      assert.equal(one.status, 200);
      assert.equal(one.headers.get('ratelimit-remaining'), String(LIMIT - 4), 'the second process counts the first one\'s requests');
      assert.equal((await at(second.url)).status, 200);
      assert.equal((await at(second.url)).status, 429);
      await exchange(second, s.server);
      assert.equal((await at(s.url)).status, 429, 'and the first the second\'s');
      const rows = await s.server.ctx.store.db.selectFrom('rate_limit_windows').select(['hits']).execute();
      assert.ok(rows.some((r) => r.hits === LIMIT), JSON.stringify(rows));
    } finally {
      await second?.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
