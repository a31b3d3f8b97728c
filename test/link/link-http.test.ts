import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { authorizeAtSandboxBank } from '../../src/sandbox-bank/automate-consent.ts';
import { describeDialects } from '../helpers/dialects.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const BANK = 'SANDBOX_FALCON_AE';

interface Page {
  status: number;
  headers: Headers;
  text: string;
  /** `data-reason` of the page's outcome, when it has one. */
  reason: string | undefined;
  location: string | null;
}

async function get(url: string, init: RequestInit = {}): Promise<Page> {
  const res = await fetch(url, { redirect: 'manual', ...init });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, reason: /data-reason="([^"]*)"/.exec(text)?.[1], location: res.headers.get('location') };
}

const post = (url: string, form: Record<string, string> = {}) =>
  get(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });

/**
 * The Link routes without a browser: every malformed input answers a 4xx page (never a 5xx), the
 * pages' security headers, the SDK script, and the journey's edges driven over HTTP with the
 * sandbox bank's own automation (cancel, expiry, concurrent callbacks, a bank that is down,
 * reconnecting an expired entity or one deleted meanwhile).
 */
describeDialects('Link over HTTP', (dialect) => {
  let s: TestServer;
  let base: string;
  let api: string;
  let customerId: string;
  let customerToken: string;

  before(async () => {
    s = await startTestServer({ dialect });
    base = s.server.ctx.publicUrl();
    api = await s.token();
    customerId = await s.createCustomer(api);
    customerToken = await s.token(s.app, `customer.${customerId}`);
  });
  after(() => s.close());

  const link = (params: Record<string, string>, path = '/link') => `${base}${path}?${new URLSearchParams(params)}`;

  /** Opens a journey and returns its token-free path. */
  const open = async (params: Record<string, string> = {}, path = '/link') => {
    const res = await get(link({ token: customerToken, ...params }, path));
    assert.equal(res.status, 303, res.text);
    assert.match(res.location!, /^\/link\/journey\/[A-Za-z0-9_-]{43}$/);
    return res.location!;
  };

  /** Continues a journey to its bank; the authorization URL. */
  const toBank = async (journey: string, bank = BANK) => {
    const res = await post(`${base}${journey}/start`, { bank_identifier: bank });
    assert.equal(res.status, 303, res.text);
    return res.location!;
  };

  const entities = async (customer: string, token = api) => (await s.request(`/customers/v1/${customer}/entities`, { token })).body as any[];

  it('refuses malformed input with a 4xx page, never a 5xx', async () => {
    const entity = await s.createSandboxEntity(api, { customer_id: customerId, bank_identifier: BANK, login: 'http-active', profile: 'thin' });
    const token = customerToken;
    const cases: [string, string, number, string][] = [
      ['no token', link({}), 400, 'INVALID_REQUEST'],
      ['empty token', link({ token: '' }), 400, 'INVALID_REQUEST'],
      ['garbage token', link({ token: 'not-a-jwt' }), 401, 'TOKEN_INVALID'],
      ['over-long token', link({ token: 'x'.repeat(5000) }), 400, 'INVALID_REQUEST'],
      ['backend token', link({ token: api }), 403, 'TOKEN_INVALID'],
      ['relative redirect_uri', link({ token, redirect_uri: '/return' }), 400, 'INVALID_REQUEST'],
      ['ftp redirect_uri', link({ token, redirect_uri: 'ftp://client.test/return' }), 400, 'INVALID_REQUEST'],
      ['javascript redirect_uri', link({ token, redirect_uri: 'javascript:alert(1)' }), 400, 'INVALID_REQUEST'],
      ['redirect_uri with a fragment', link({ token, redirect_uri: 'https://client.test/return#x' }), 400, 'INVALID_REQUEST'],
      ['redirect_uri with credentials', link({ token, redirect_uri: 'https://u:p@client.test/return' }), 400, 'INVALID_REQUEST'],
      ['origin with a path', link({ token, origin: 'https://client.test/page' }), 400, 'INVALID_REQUEST'],
      ['origin "null"', link({ token, origin: 'null' }), 400, 'INVALID_REQUEST'],
      ['unknown bank', link({ token, bank_identifier: 'NO_SUCH_BANK' }), 400, 'INVALID_REQUEST'],
      ['unknown permission', link({ token, permissions: 'accounts,foo' }), 400, 'INVALID_REQUEST'],
      ['empty permission in the list', link({ token, permissions: 'accounts,,balance' }), 400, 'INVALID_REQUEST'],
      ['empty permissions', link({ token, permissions: '' }), 400, 'INVALID_REQUEST'],
      ['unknown language', link({ token, language: 'fr' }), 400, 'INVALID_REQUEST'],
      ['repeated language', `${link({ token, language: 'en' })}&language=ar`, 400, 'INVALID_REQUEST'],
      ['unknown parameter', link({ token, colour: 'blue' }), 400, 'INVALID_REQUEST'],
      ['reconnect without reconnect_id', link({ token }, '/link/reconnect'), 400, 'INVALID_REQUEST'],
      ['unknown reconnect_id', link({ token, reconnect_id: '00000000-0000-4000-8000-000000000000' }, '/link/reconnect'), 404, 'INVALID_REQUEST'],
      ['reconnecting an ACTIVE entity', link({ token, reconnect_id: entity.id }, '/link/reconnect'), 409, 'INVALID_REQUEST'],
      ['malformed journey id', `${base}/link/journey/short`, 400, 'INVALID_REQUEST'],
      ['unknown journey', `${base}/link/journey/${'a'.repeat(43)}`, 404, 'STATE_INVALID'],
      ['unknown journey result', `${base}/link/journey/${'a'.repeat(43)}/result`, 404, 'STATE_INVALID'],
      ['callback without state', `${base}/link/callback?code=abc`, 400, 'STATE_INVALID'],
      ['callback with an unknown state', `${base}/link/callback?code=abc&state=nope`, 400, 'STATE_INVALID'],
      ['unknown page', `${base}/link/nope`, 404, 'INVALID_REQUEST'],
    ];
    for (const [what, url, status, reason] of cases) {
      const res = await get(url);
      assert.equal(res.status, status, `${what}: ${res.status} ${res.text.slice(0, 300)}`);
      assert.match(res.headers.get('content-type') ?? '', /^text\/html/, what);
      assert.equal(res.reason, reason, what);
    }

    const unknownPost = await post(`${base}/link/journey/${'a'.repeat(43)}/start`, { bank_identifier: BANK });
    assert.equal(unknownPost.status, 404);
    const journey = await open();
    const forms: Record<string, string>[] = [{ bank_identifier: 'NO_SUCH_BANK' }, {}, { bank_identifier: BANK, extra: '1' }];
    for (const form of forms) {
      const res = await post(`${base}${journey}/start`, form);
      assert.equal(res.status, 400, JSON.stringify(form));
      assert.equal(res.reason, 'INVALID_REQUEST');
    }
    const badChoice = await get(`${base}${journey}?bank_identifier=NO_SUCH_BANK`);
    assert.equal(badChoice.status, 400);

    // Bad percent-encoding never reaches the route: the framework answers problem+json.
    const encoding = await get(`${base}/link?token=%zz`);
    assert.ok(encoding.status >= 400 && encoding.status < 500, String(encoding.status));
  });

  it('speaks the error page in the language asked for, and reports back only where it is safe', async () => {
    const arabic = await get(link({ token: customerToken, language: 'ar', bank_identifier: 'NOPE' }));
    assert.equal(arabic.status, 400);
    assert.match(arabic.text, /<html lang="ar" dir="rtl">/);
    assert.match(arabic.text, /لا يمكن استخدام هذا الرابط/);

    // A bad redirect_uri cannot be sent back to, but the SDK's opener still hears of it.
    const badRedirect = await get(link({ token: customerToken, origin: 'https://client.test', redirect_uri: 'nope' }));
    assert.doesNotMatch(badRedirect.text, /data-testid="return-link"/);
    assert.match(badRedirect.text, /"origin":"https:\/\/client.test"/);

    // Nothing proves who built a link with a forged token: no way "back" to wherever it says.
    const forged = await get(link({ token: 'forged', redirect_uri: 'https://client.test/return' }));
    assert.equal(forged.reason, 'TOKEN_INVALID');
    assert.doesNotMatch(forged.text, /client\.test/);

    // A verified token: an invalid request goes back with status=ERROR.
    const verified = await get(link({ token: customerToken, permissions: 'foo', redirect_uri: 'https://client.test/return?keep=1' }));
    const href = /href="([^"]+)" data-testid="return-link"/.exec(verified.text)?.[1];
    assert.equal(href?.replaceAll('&#38;', '&'), 'https://client.test/return?keep=1&status=ERROR&reason=INVALID_REQUEST');
  });

  it('escapes what the link carries', async () => {
    const journey = await open({ redirect_uri: 'https://client.test/return?x="><script>alert(1)</script>' });
    await post(`${base}${journey}/cancel`);
    const result = await get(`${base}${journey}/result`);
    assert.equal(result.status, 200);
    assert.doesNotMatch(result.text, /<script>alert/);
    assert.match(result.text, /%22%3E%3Cscript%3Ealert/);
  });

  it('serves pages with a strict CSP and without leaking the token', async () => {
    const entry = await get(link({ token: customerToken }));
    assert.equal(entry.status, 303);
    assert.equal(entry.headers.get('referrer-policy'), 'no-referrer');
    assert.equal(entry.headers.get('cache-control'), 'no-store');
    assert.doesNotMatch(entry.location!, /token/);

    const page = await get(base + entry.location!);
    assert.equal(page.status, 200);
    const csp = page.headers.get('content-security-policy')!;
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    assert.ok(nonce, csp);
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(csp, /unsafe-inline/);
    assert.equal(page.headers.get('x-frame-options'), 'DENY');
    assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
    for (const tag of page.text.match(/<(script|style)\b[^>]*>/g) ?? []) {
      if (!tag.includes('application/json')) assert.ok(tag.includes(`nonce="${nonce}"`), tag);
    }
    assert.doesNotMatch(page.text, /https?:\/\/(?!localhost|127\.0\.0\.1)/, 'no external asset');
    assert.ok(page.text.length < 16_000, `${page.text.length} bytes`);
    const other = await get(base + entry.location!);
    assert.notEqual(/'nonce-([^']+)'/.exec(other.headers.get('content-security-policy')!)?.[1], nonce, 'a nonce per response');
  });

  it('serves the SDK script, cacheable and self-contained', async () => {
    const res = await get(`${base}/link/sdk.js`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/javascript/);
    assert.match(res.headers.get('cache-control') ?? '', /public, max-age=\d+/);
    assert.match(res.text, /window\.OpenleanLink = \{/);
    assert.doesNotMatch(res.text, /\bimport\b|\brequire\(/);
    assert.ok(res.text.length < 8000);
    const doc = await s.request('/openapi.json', { unchecked: true });
    assert.ok(!Object.keys(doc.body.paths).some((p) => p.startsWith('/link')), 'Link pages are not in the API document');
  });

  it('in Arabic, shows the banks by their Arabic names and finds them by either name', async () => {
    const journey = await open({ language: 'ar' });
    const page = await get(`${base}${journey}`);
    assert.equal(page.status, 200, page.text);
    const falcon = /<li data-search="([^"]*)"><a class="bank"[^>]*data-testid="bank-SANDBOX_FALCON_AE">[\s\S]*?<span>([^<]*)<small>/.exec(page.text);
    assert.ok(falcon, page.text);
    assert.equal(falcon[2], 'بنك فالكون (تجريبي)');
    // The search box matches this attribute: the Arabic name, the English one and the identifier.
    for (const typed of ['فالكون', 'falcon', 'sandbox_falcon_ae']) assert.ok(falcon[1]!.includes(typed), `${typed} in ${falcon[1]}`);
  });

  it('cancelling ends the journey: CANCELLED, back to the caller, nothing more possible', async () => {
    const journey = await open({ redirect_uri: 'https://client.test/return' });
    const cancelled = await post(`${base}${journey}/cancel`);
    assert.equal(cancelled.status, 303);
    assert.equal(cancelled.location, `${journey}/result`);
    const result = await get(`${base}${journey}/result`);
    assert.equal(result.reason, 'CANCELLED');
    assert.match(result.text, /<meta http-equiv="refresh" content="3;url=https:\/\/client.test\/return\?status=ERROR&#38;customer_id=[0-9a-f-]+&#38;reason=CANCELLED">/);
    const again = await post(`${base}${journey}/start`, { bank_identifier: BANK });
    assert.equal(again.location, `${journey}/result`, 'an ended journey only shows its result');
    assert.equal((await get(`${base}${journey}`)).location, `${journey}/result`);
  });

  it('a journey past its 15 minutes: STATE_INVALID at the callback, nothing created', async () => {
    const customer = await s.createCustomer(api);
    const token = await s.token(s.app, `customer.${customer}`);
    const res = await get(link({ token, bank_identifier: BANK, redirect_uri: 'https://client.test/return' }));
    // The language travels inside the pushed, signed request object (the browser tests see the bank's pages in it).
    const authorize = await toBank(res.location!);
    const callback = await authorizeAtSandboxBank(authorize, { login: 'http-late' });
    s.advanceClock(16 * 60_000);
    try {
      const back = await get(callback);
      assert.equal(back.status, 303);
      const result = await get(new URL(back.location!, callback).toString());
      assert.equal(result.reason, 'STATE_INVALID');
      assert.match(result.text, /reason=STATE_INVALID/);
    } finally {
      s.advanceClock(-16 * 60_000);
    }
    assert.deepEqual(await entities(customer), []);
  });

  it('two callbacks racing with the same state settle the journey once', async () => {
    const customer = await s.createCustomer(api);
    const token = await s.token(s.app, `customer.${customer}`);
    const res = await get(link({ token, bank_identifier: BANK }));
    const callback = await authorizeAtSandboxBank(await toBank(res.location!), { login: 'http-race' });
    const answers = await Promise.all([get(callback), get(callback), get(callback)]);
    assert.deepEqual(answers.map((a) => a.status).sort(), [303, 400, 400]);
    assert.equal((await entities(customer)).length, 1);
  });

  it('a reconnect of an EXPIRED entity renews its consent under the same id; one deleted meanwhile is not revived', async () => {
    const customer = await s.createCustomer(api);
    const soon = new Date(Date.now() + 3600_000).toISOString();
    const first = await s.createSandboxEntity(api, { customer_id: customer, bank_identifier: BANK, login: 'http-expired', profile: 'thin', consent_expires_at: soon });
    const second = await s.createSandboxEntity(api, { customer_id: customer, bank_identifier: BANK, login: 'http-deleted', profile: 'thin', consent_expires_at: soon });
    s.advanceClock(2 * 3600_000);
    try {
      const apiNow = await s.token();
      const token = await s.token(s.app, `customer.${customer}`);
      const view = (await s.request(`/customers/v1/${customer}/entities/${first.id}`, { token: apiNow })).body;
      assert.equal(view.status, 'EXPIRED');
      assert.equal(view.reconnect_id, first.id);

      const reconnect = await get(link({ token, reconnect_id: view.reconnect_id, language: 'ar' }, '/link/reconnect'));
      const review = await get(base + reconnect.location!);
      assert.match(review.text, /data-page="review"/);
      assert.match(review.text, /جدّد اتصالك بالبنك/);
      const authorize = await toBank(reconnect.location!);
      const back = await get(await authorizeAtSandboxBank(authorize, { login: 'http-expired' }));
      assert.equal((await get(new URL(back.location!, base).toString())).text.includes('data-page="success"'), true);
      const renewed = (await s.request(`/customers/v1/${customer}/entities/${first.id}`, { token: apiNow })).body;
      assert.equal(renewed.status, 'ACTIVE');
      assert.equal(renewed.reconnect_id, null);
      assert.ok(Date.parse(renewed.consent_expires_at) > s.server.ctx.now().getTime() + 80 * 86_400_000);

      const doomed = await get(link({ token, reconnect_id: second.id }, '/link/reconnect'));
      const callback = await authorizeAtSandboxBank(await toBank(doomed.location!), { login: 'http-deleted' });
      const deleted = await s.request(`/customers/v1/${customer}/entities/${second.id}`, { method: 'DELETE', token: apiNow });
      assert.ok(deleted.status < 300, deleted.text);
      const settled = await get(callback);
      const result = await get(new URL(settled.location!, base).toString());
      assert.equal(result.reason, 'ENTITY_REVOKED');
      const still = (await s.request(`/customers/v1/${customer}/entities/${second.id}`, { token: apiNow })).body;
      assert.equal(still.status, 'REVOKED');
      assert.equal((await entities(customer, apiNow)).length, 2, 'no entity was added');
    } finally {
      s.advanceClock(-2 * 3600_000);
    }
  });

  for (const bank of ['SANDBOX_SAQR_AE', 'SANDBOX_RIYADH_SA']) {
    it(`reconnect at ${bank} keeps the entity_id and the account_ids, and the refresh finishes`, async () => {
      const customer = await s.createCustomer(api);
      const token = await s.token(s.app, `customer.${customer}`);
      const login = `http-reconnect-${bank.toLowerCase()}`;
      const accountIds = async (entityId: string) => {
        const res = await s.request('/data/v2/accounts', { token: api, headers: { entity_id: entityId } });
        assert.equal(res.status, 200, res.text);
        return (res.body as any[]).map((a) => a.account_id).sort();
      };
      const setFaults = async (faults: string[]) => {
        const res = await fetch(`${s.url}/sandbox-banks/${bank}/control/users/${login}`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ faults }),
        });
        assert.ok(res.ok, await res.text());
      };

      const created = await s.createSandboxEntity(api, { customer_id: customer, bank_identifier: bank, login, profile: 'thin' });
      const before = await accountIds(created.id);
      assert.ok(before.length > 0);

      await setFaults(['consent_revoked']);
      const started = await s.request('/data/v2/refreshes', { method: 'POST', token: api, headers: { entity_id: created.id } });
      assert.equal(started.status, 202, started.text);
      const failed = await s.waitForRefresh(api, created.id, started.body.refresh_id);
      assert.equal(failed.status, 'FAILED');
      assert.equal(failed.error.code, 'RECONNECT_REQUIRED');
      const broken = (await s.request(`/customers/v1/${customer}/entities/${created.id}`, { token: api })).body;
      assert.equal(broken.status, 'RECONNECT_REQUIRED');
      assert.equal(typeof broken.reconnect_id, 'string');
      await setFaults([]);

      const reconnect = await get(link({ token, reconnect_id: broken.reconnect_id }, '/link/reconnect'));
      assert.equal(reconnect.status, 303, reconnect.text);
      // A bank in the hybrid flow answers in the fragment, which the callback page moves into the query.
      const callback = (await authorizeAtSandboxBank(await toBank(reconnect.location!, bank), { login })).replace('#', '?');
      const back = await get(callback);
      assert.equal(back.status, 303, back.text);
      const result = await get(new URL(back.location!, base).toString());
      assert.match(result.text, /data-page="success"/, result.reason);

      const all = await entities(customer);
      assert.equal(all.length, 1, 'no second entity');
      assert.equal(all[0].id, created.id);
      assert.equal(all[0].status, 'ACTIVE');
      assert.equal(all[0].reconnect_id, null);
      const list = await s.request('/data/v2/refreshes', { token: api, headers: { entity_id: created.id } });
      assert.equal(list.status, 200, list.text);
      assert.notEqual(list.body[0].refresh_id, started.body.refresh_id, 'the reconnect started a refresh');
      const refresh = await s.waitForRefresh(api, created.id, list.body[0].refresh_id);
      assert.equal(refresh.status, 'FINISHED', JSON.stringify(refresh.error));
      assert.deepEqual(await accountIds(created.id), before);
    });
  }

  it('a bank that cannot be reached: BANK_UNAVAILABLE, and the journey ends', async () => {
    const down = await startTestServer({ dialect, env: { SANDBOX_BANKS: 'off', SANDBOX_BANK_URL: 'http://127.0.0.1:9/sandbox-banks', BANK_TIMEOUT_MS: '200' } });
    try {
      const tok = await down.token();
      const customer = await down.createCustomer(tok);
      const token = await down.token(down.app, `customer.${customer}`);
      const res = await get(`${down.server.ctx.publicUrl()}/link?${new URLSearchParams({ token, bank_identifier: BANK, redirect_uri: 'https://client.test/return' })}`);
      const started = await post(`${down.server.ctx.publicUrl()}${res.location!}/start`, { bank_identifier: BANK });
      assert.equal(started.location, `${res.location}/result`);
      const result = await get(`${down.server.ctx.publicUrl()}${started.location}`);
      assert.equal(result.reason, 'BANK_UNAVAILABLE');
      assert.match(result.text, /reason=BANK_UNAVAILABLE/);
    } finally {
      await down.close();
    }
  });

  it('in production mode, redirect_uri must be https', async () => {
    const prod = await startTestServer({ dialect, mode: 'production' });
    try {
      const url = (redirect: string) => `${prod.server.ctx.publicUrl()}/link?${new URLSearchParams({ token: 'any', redirect_uri: redirect })}`;
      const http = await get(url('http://client.test/return'));
      assert.equal(http.status, 400);
      assert.match(http.text, /must be an https URL/);
      assert.equal((await get(url('https://client.test/return'))).reason, 'TOKEN_INVALID', 'https passes on to the token check');
    } finally {
      await prod.close();
    }
  });
});
