import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { setEndpoint } from '../../src/webhooks/endpoints.ts';
import { recordEvent } from '../../src/webhooks/events.ts';
import { describeDialects } from '../helpers/dialects.ts';
import { eventually } from '../helpers/eventually.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

/** Production mode: endpoints must be https and must not reach the server's own networks (SSRF). */
describeDialects('webhook URLs in production mode', (dialect) => {
  let s: TestServer;
  let token: string;

  before(async () => {
    s = await startTestServer({ dialect, mode: 'production' });
    token = await s.token();
  });
  after(() => s.close());

  const put = (url: string) => s.request('/webhooks/v1/endpoint', { method: 'PUT', token, json: { url } });

  it('refuses plain http, credentials, and hosts that are or resolve to loopback, private, link-local or CGNAT addresses', async () => {
    for (const [url, why] of [
      ['http://example.com/hook', /https/],
      ['https://user:secret@example.com/hook', /credentials/],
      ['https://127.0.0.1/hook', /loopback/],
      ['https://127.9.9.9:8443/hook', /loopback/],
      ['https://10.1.2.3/hook', /private/],
      ['https://172.20.0.1/hook', /private/],
      ['https://192.168.1.1/hook', /private/],
      ['https://169.254.169.254/latest/meta-data', /link-local/],
      ['https://100.64.0.1/hook', /CGNAT/],
      ['https://0.0.0.0/hook', /unspecified/],
      ['https://2130706433/hook', /loopback/],
      ['https://[::1]/hook', /loopback/],
      ['https://[::ffff:127.0.0.1]/hook', /loopback/],
      ['https://[::ffff:169.254.169.254]/hook', /link-local/],
      ['https://[fd00::1]/hook', /private/],
      ['https://[fe80::1]/hook', /link-local/],
      ['https://localhost/hook', /resolves to a loopback address/],
      ['https://does-not-exist.invalid/hook', /does not resolve/],
    ] as const) {
      const res = await put(url);
      assert.equal(res.status, 400, `${url}: ${res.text}`);
      assert.equal(res.body.code, 'WEBHOOK_URL_REFUSED', url);
      assert.equal(res.body.param, 'url');
      assert.match(res.body.detail, why, url);
    }
    assert.equal((await s.request('/webhooks/v1/endpoint', { token })).status, 404, 'nothing was set');
  });

  it('accepts an https URL at a public address', async () => {
    const res = await put('https://93.184.215.14/hook');
    assert.equal(res.status, 200, res.text);
    assert.match(res.body.secret, /^whsec_/);
  });

  it('checks the address again when delivering: a name that now resolves to loopback is refused and recorded as a failed attempt', async () => {
    const { ctx } = s.server;
    // As if DNS had pointed the accepted name somewhere else since (rebinding).
    await setEndpoint(ctx.store.db, ctx.encryptionKey, s.app.app_id, 'https://localhost:9/hook', ctx.now());
    const eventId = await ctx.store.db.transaction().execute((trx) =>
      recordEvent(trx, ctx.jobs, { app_id: s.app.app_id, type: 'entity.deleted', payload: { entity_id: 'rebound' } }, ctx.now()),
    );
    ctx.refreshes.wake();
    const attempts: any[] = await eventually('the attempt is recorded', async () => {
      const recorded = (await s.request(`/webhooks/v1/deliveries?event_id=${eventId}`, { token })).body;
      return recorded.length > 0 && recorded;
    });
    assert.equal(attempts.length, 1);
    assert.equal(attempts[0].status, 'FAILED');
    assert.equal(attempts[0].response_status, null);
    assert.match(attempts[0].error, /Refused: its host localhost resolves to a loopback address/);
    assert.ok(attempts[0].next_attempt_at, 'retried like any failure');
  });
});
