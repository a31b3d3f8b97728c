import assert from 'node:assert/strict';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { BankError } from '../../src/banks/connector.ts';
import { createBankHttp, parseRetryAfter, type HttpEvent, type HttpSettings } from '../../src/banks/obie/http.ts';

describe('Retry-After', () => {
  const now = Date.parse('2026-11-20T08:30:00.000Z');

  it('reads delay-seconds', () => {
    assert.equal(parseRetryAfter('0', now), 0);
    assert.equal(parseRetryAfter('1', now), 1000);
    assert.equal(parseRetryAfter(' 120 ', now), 120_000);
  });

  it('reads HTTP-dates, a past one as no wait', () => {
    assert.equal(parseRetryAfter('Fri, 20 Nov 2026 08:30:30 GMT', now), 30_000);
    assert.equal(parseRetryAfter('Fri, 20 Nov 2026 08:00:00 GMT', now), 0);
  });

  it('ignores what is neither', () => {
    for (const value of [null, '', '-1', '1.5', 'soon', '2026-11-20T08:31:00Z', 'Fri, 99 Nov 2026 08:30:30 GMT']) {
      assert.equal(parseRetryAfter(value, now), null, String(value));
    }
  });
});

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

describe('bank HTTP calls', () => {
  let server: http.Server;
  let url: string;
  let script: Handler[] = [];
  let seen: IncomingMessage[] = [];
  let events: HttpEvent[] = [];

  const json = (status: number, body: unknown, headers: Record<string, string> = {}): Handler => (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(typeof body === 'string' ? body : JSON.stringify(body));
  };
  const hang: Handler = () => {};
  const settings: HttpSettings = {
    timeout_ms: 200,
    max_attempts: 3,
    max_retry_after_ms: 1000,
    base_backoff_ms: 10,
    max_backoff_ms: 50,
    circuit_threshold: 100,
    circuit_half_open_after_ms: 200,
  };
  const client = (overrides: Partial<HttpSettings> = {}) => createBankHttp({ ...settings, ...overrides }, (e) => events.push(e));

  before(async () => {
    server = http.createServer((req, res) => {
      seen.push(req);
      (script.shift() ?? json(200, { ok: true }))(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/aisp/accounts?x=1`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });
  beforeEach(() => {
    script = [];
    seen = [];
    events = [];
  });

  it('sends a fresh x-fapi-interaction-id and Accept: application/json on every attempt', async () => {
    script = [json(503, {}), json(200, { Data: {} })];
    const res = await client().send('BANK', { method: 'GET', url, headers: { authorization: 'Bearer t' } });
    assert.deepEqual(res, { status: 200, body: { Data: {} } });
    const ids = seen.map((r) => r.headers['x-fapi-interaction-id']);
    assert.equal(new Set(ids).size, 2);
    for (const id of ids) assert.match(String(id), /^[0-9a-f-]{36}$/);
    for (const r of seen) {
      assert.equal(r.headers.accept, 'application/json');
      assert.equal(r.headers.authorization, 'Bearer t');
    }
    assert.deepEqual(
      events.map((e) => e.type === 'retry' && { path: e.path, attempt: e.attempt, reason: e.reason }),
      [{ path: '/aisp/accounts', attempt: 1, reason: 'the bank failed (503)' }],
    );
  });

  it('retries timeouts and bodies that are not JSON', async () => {
    script = [hang, json(200, '{"Data": {"Acc'), json(200, { Data: { Account: [] } })];
    const res = await client().send('BANK', { method: 'GET', url });
    assert.deepEqual(res.body, { Data: { Account: [] } });
    assert.deepEqual(
      events.map((e) => e.type === 'retry' && e.reason),
      ['no answer within 200 ms', 'the bank answered 200 with a body that is not JSON'],
    );
  });

  it('gives up as unavailable after the last attempt, naming the resource', async () => {
    script = [json(500, {}), json(502, {}), json(503, {})];
    await assert.rejects(client().send('BANK', { method: 'GET', url, resource: 'balances' }), (err: unknown) => {
      assert.ok(err instanceof BankError);
      assert.equal(err.kind, 'unavailable');
      assert.equal(err.status, 503);
      assert.equal(err.resource, 'balances');
      assert.equal(err.retryable, true);
      return true;
    });
    assert.equal(seen.length, 3);
  });

  it('tries a POST once: a consent created by a lost answer must not be created twice', async () => {
    script = [json(503, {}), json(201, { Data: { ConsentId: 'c-2' } })];
    await assert.rejects(client().send('BANK', { method: 'POST', url, body: '{}' }), (err: unknown) => err instanceof BankError && err.kind === 'unavailable' && err.status === 503);
    assert.equal(seen.length, 1);
    assert.deepEqual(events, []);
    script = [];
  });

  it('returns refusals as they are, without retrying', async () => {
    script = [json(403, { Errors: [{ ErrorCode: 'UK.OBIE.Resource.InvalidConsentStatus' }] })];
    assert.deepEqual(await client().send('BANK', { method: 'GET', url }), { status: 403, body: { Errors: [{ ErrorCode: 'UK.OBIE.Resource.InvalidConsentStatus' }] } });
    script = [json(400, '<html>Bad request</html>')];
    assert.deepEqual(await client().send('BANK', { method: 'GET', url }), { status: 400, body: undefined });
    script = [(_req, res) => res.writeHead(204).end()];
    assert.deepEqual(await client().send('BANK', { method: 'DELETE', url }), { status: 204, body: undefined });
    assert.equal(seen.length, 3);
  });

  it('waits out a short Retry-After', async (t) => {
    // Our clock stands still 300 ms before the second the bank's HTTP-date names: that is the wait.
    t.mock.timers.enable({ apis: ['Date'], now: Date.parse('2026-11-20T08:30:00.700Z') });
    script = [json(429, {}, { 'retry-after': '0' }), json(429, {}, { 'retry-after': 'Fri, 20 Nov 2026 08:30:01 GMT' })];
    assert.equal((await client().send('BANK', { method: 'GET', url })).status, 200);
    assert.deepEqual(events.map((e) => e.type === 'retry' && e.delay_ms < 1000), [true, true]);
    assert.deepEqual(events.map((e) => e.type === 'retry' && e.delay_ms), [0, 300], 'each wait is the one the bank asked for');
  });

  it('fails as rate_limited at once when the bank asks for a longer wait than allowed', async () => {
    script = [json(429, {}, { 'retry-after': '120' })];
    await assert.rejects(client().send('BANK', { method: 'GET', url }), (err: unknown) => {
      assert.ok(err instanceof BankError);
      assert.equal(err.kind, 'rate_limited');
      assert.equal(err.retry_after_ms, 120_000);
      assert.equal(err.status, 429);
      return true;
    });
    assert.equal(seen.length, 1);
  });

  it('fails as rate_limited when 429s outlast the attempts', async () => {
    script = [json(429, {}), json(429, {}), json(429, {})];
    await assert.rejects(client().send('BANK', { method: 'GET', url }), (err: unknown) => err instanceof BankError && err.kind === 'rate_limited' && err.retry_after_ms !== null);
  });

  it('fails as unavailable when the bank cannot be reached', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await assert.rejects(client().send('BANK', { method: 'GET', url: `http://127.0.0.1:${port}/` }), (err: unknown) => {
      assert.ok(err instanceof BankError);
      assert.equal(err.kind, 'unavailable');
      assert.match(err.message, /could not reach the bank: .*ECONNREFUSED/);
      return true;
    });
  });

  // Only the abort can end these calls: the bank asks for an hour's wait, or never answers within
  // the hour the call would wait for it. The timeout makes a call that ignores the abort a failure
  // rather than a hang.
  it('stops at once when the caller aborts, even while waiting to retry', { timeout: 60_000 }, async () => {
    script = [json(429, {}, { 'retry-after': '3600' })];
    const controller = new AbortController();
    const waiting = createBankHttp({ ...settings, max_retry_after_ms: 3_600_000 }, (e) => {
      events.push(e);
      // The wait begins as this returns.
      if (e.type === 'retry') setImmediate(() => controller.abort(new Error('shutting down')));
    });
    await assert.rejects(waiting.send('BANK', { method: 'GET', url, signal: controller.signal }), /shutting down/);
    assert.deepEqual(events.map((e) => e.type === 'retry' && e.delay_ms), [3_600_000]);

    const hanging = new AbortController();
    // The bank has the request, and keeps it.
    script = [() => hanging.abort(new Error('lease lost'))];
    await assert.rejects(client({ timeout_ms: 3_600_000 }).send('BANK', { method: 'GET', url, signal: hanging.signal }), /lease lost/);
    assert.equal(seen.length, 2);
  });

  it('opens the circuit per bank after failures in a row, then probes and closes it', async (t) => {
    // cockatiel's breaker reads Date.now(): the test moves it past the half-open delay instead of waiting.
    t.mock.timers.enable({ apis: ['Date'], now: Date.now() });
    const calls = client({ max_attempts: 1, circuit_threshold: 2 });
    script = [json(503, {}), json(503, {})];
    for (let i = 0; i < 2; i++) await assert.rejects(calls.send('BANK', { method: 'GET', url }), (err: unknown) => err instanceof BankError && err.status === 503);
    await assert.rejects(calls.send('BANK', { method: 'GET', url }), (err: unknown) => err instanceof BankError && err.kind === 'unavailable' && /circuit open/.test(err.message));
    assert.equal(seen.length, 2, 'an open circuit makes no call');
    assert.equal((await calls.send('OTHER_BANK', { method: 'GET', url })).status, 200, 'other banks are not affected');
    t.mock.timers.tick(settings.circuit_half_open_after_ms);
    assert.equal((await calls.send('BANK', { method: 'GET', url })).status, 200);
    assert.deepEqual(
      events.filter((e) => e.type === 'circuit').map((e) => e.type === 'circuit' && `${e.bank} ${e.state}`),
      ['BANK open', 'BANK half_open', 'BANK closed'],
    );
  });

  it('does not count 429s or refusals towards the circuit', async () => {
    const calls = client({ max_attempts: 1, circuit_threshold: 2 });
    script = [json(429, {}), json(404, {}), json(429, {}), json(401, {})];
    for (let i = 0; i < 4; i++) await calls.send('BANK', { method: 'GET', url }).catch(() => {});
    assert.equal((await calls.send('BANK', { method: 'GET', url })).status, 200);
    assert.deepEqual(events.filter((e) => e.type === 'circuit'), []);
  });
});
