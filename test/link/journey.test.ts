import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { browserTestsSkipped, launchChromium, screenshotter } from '../helpers/browser.ts';
import { startClientApp, type ClientApp } from '../helpers/client-app.ts';
import { describeDialects } from '../helpers/dialects.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { startReceiver, verifyDelivery, type Received } from '../helpers/webhook-receiver.ts';

const BANK = 'SANDBOX_FALCON_AE';
const ARABIC = /[\u0600-\u06FF]/;

interface Journey {
  s: TestServer;
  client: ClientApp;
  context: BrowserContext;
  page: Page;
  shot: (page: Page, name: string) => Promise<void>;
  /** Backend token. */
  api: string;
  customerId: string;
  /** `customer.<id>` token, for the link. */
  customerToken: string;
  /** The server's public URL: where browsers go, and where banks send users back. */
  base: string;
  /** Runs `fn` when the test ends, whatever its outcome. */
  onClose(fn: () => Promise<void>): void;
}

/**
 * The hosted consent journey driven in real headless Chromium, from the client's link through
 * openlean's pages and the sandbox bank's own login, OTP and account pages, back to the client.
 * One browser for the file; each test has its own server, client app and browser context.
 */
describeDialects('Link journey in a browser', { skip: browserTestsSkipped() }, (dialect) => {
  let browser: Browser;
  before(async () => {
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
  });

  const journey = (name: string, fn: (j: Journey) => Promise<void>) =>
    it(name, async () => {
      const s = await startTestServer({ dialect });
      const base = s.server.ctx.publicUrl();
      const client = await startClientApp(base);
      const context = await browser.newContext({ viewport: { width: 520, height: 860 } });
      const closers: Array<() => Promise<void>> = [];
      try {
        const api = await s.token();
        const customerId = await s.createCustomer(api);
        const customerToken = await s.token(s.app, `customer.${customerId}`);
        const page = await context.newPage();
        await fn({ s, client, context, page, shot: screenshotter(name), api, customerId, customerToken, base, onClose: (f) => closers.push(f) });
      } finally {
        for (const close of closers) await close();
        await context.close();
        await client.close();
        await s.close();
      }
    });

  const linkUrl = (j: Journey, params: Record<string, string>) =>
    `${j.base}/link?${new URLSearchParams({ token: j.customerToken, redirect_uri: `${j.client.url}/return`, ...params })}`;

  const onPage = async (page: Page, name: string) => {
    await page.locator(`main[data-page="${name}"]`).waitFor();
  };

  const direction = async (page: Page) => ({ lang: await page.getAttribute('html', 'lang'), dir: await page.getAttribute('html', 'dir') });

  /** Signs in at the sandbox bank and reaches its one-time-code page. */
  const signInAtBank = async (j: Journey, page: Page, login: string) => {
    await page.getByTestId('login-form').waitFor();
    await j.shot(page, 'bank-login');
    await page.getByTestId('username').fill(login);
    await page.getByTestId('password').fill('any-password');
    await page.getByTestId('login-submit').click();
    await page.getByTestId('otp-form').waitFor();
    await j.shot(page, 'bank-otp');
  };

  const enterOtp = async (page: Page, otp: string) => {
    await page.getByTestId('otp').fill(otp);
    await page.getByTestId('otp-submit').click();
  };

  /** From the bank's OTP page to its account selection, then allow or deny. */
  const decideAtBank = async (j: Journey, page: Page, decision: 'approve' | 'deny') => {
    await enterOtp(page, '123456');
    await page.getByTestId('consent-form').waitFor();
    await j.shot(page, 'bank-accounts');
    await page.getByTestId(decision).click();
  };

  /** The result page, then the automatic return to the client's redirect_uri; the query it got. */
  const backAtClient = async (j: Journey, page: Page, outcome: 'success' | 'failure') => {
    await onPage(page, outcome);
    await j.shot(page, outcome);
    await page.waitForURL((url) => url.href.startsWith(`${j.client.url}/return`), { timeout: 15_000 });
    await j.shot(page, 'client-return');
    assert.equal(j.client.returns.length, 1);
    return j.client.returns[0]!;
  };

  const entitiesOf = async (j: Journey) => {
    const res = await j.s.request(`/customers/v1/${j.customerId}/entities`, { token: j.api });
    assert.equal(res.status, 200);
    return res.body as any[];
  };

  /** The entity's newest refresh, waited for. */
  const latestRefresh = async (j: Journey, entityId: string) => {
    const list = await j.s.request('/data/v2/refreshes', { token: j.api, headers: { entity_id: entityId } });
    assert.equal(list.status, 200, list.text);
    return j.s.waitForRefresh(j.api, entityId, list.body[0].refresh_id);
  };

  const accountIds = async (j: Journey, entityId: string) => {
    const res = await j.s.request('/data/v2/accounts', { token: j.api, headers: { entity_id: entityId } });
    assert.equal(res.status, 200, res.text);
    return (res.body as any[]).map((a) => a.account_id).sort();
  };

  journey('happy path in English: search, review, bank, back with entity_id; webhooks announce it', async (j) => {
    const { page } = j;
    const receiver = await startReceiver();
    j.onClose(() => receiver.close());
    const endpoint = await j.s.request('/webhooks/v1/endpoint', { method: 'PUT', token: j.api, json: { url: receiver.url } });
    assert.equal(endpoint.status, 200, endpoint.text);
    await page.goto(linkUrl(j, { language: 'en' }));
    await onPage(page, 'bank-list');
    assert.ok(!page.url().includes('token='), 'the token is traded for a token-free journey URL');
    assert.deepEqual(await direction(page), { lang: 'en', dir: 'ltr' });
    assert.equal(await page.getByTestId('page-title').textContent(), 'Choose your bank');
    await j.shot(page, 'bank-list');

    const search = page.getByTestId('bank-search');
    await search.fill('no such bank');
    assert.ok(await page.getByTestId('no-match').isVisible());
    await search.fill('falcon');
    assert.ok(await page.getByTestId(`bank-${BANK}`).isVisible());
    assert.ok(!(await page.getByTestId('bank-SANDBOX_OASIS_AE').isVisible()));
    assert.ok(!(await page.getByTestId('no-match').isVisible()));
    await j.shot(page, 'bank-search');

    await page.getByTestId(`bank-${BANK}`).click();
    await onPage(page, 'review');
    assert.equal(await page.getByTestId('permissions').locator('li').count(), 8);
    assert.match((await page.getByTestId('permissions').textContent()) ?? '', /Transactions.*Money in and out/);
    const year = new Date(Date.now() + 90 * 86_400_000).getUTCFullYear();
    assert.match((await page.getByTestId('consent-expiry').textContent()) ?? '', new RegExp(`Access ends on .*${year}`));
    await j.shot(page, 'review');

    await page.getByTestId('continue').click();
    await signInAtBank(j, page, 'link-en');
    assert.match(page.url(), new RegExp(`/sandbox-banks/${BANK}/interaction/`), "the bank's own pages, as its authorization server's interaction");
    await decideAtBank(j, page, 'approve');
    const back = await backAtClient(j, page, 'success');

    assert.equal(back.get('status'), 'SUCCESS');
    assert.equal(back.get('customer_id'), j.customerId);
    const entityId = back.get('entity_id')!;
    const [entity] = await entitiesOf(j);
    assert.equal(entity.id, entityId);
    assert.equal(entity.bank_identifier, BANK);
    assert.equal(entity.status, 'ACTIVE');
    assert.equal(entity.reconnect_id, null);
    const refresh = await latestRefresh(j, entityId);
    assert.equal(refresh.trigger, 'INITIAL');
    assert.equal(refresh.status, 'FINISHED', JSON.stringify(refresh.error));
    assert.ok((await accountIds(j, entityId)).length > 0);

    const mine = (received: Received[]) => received.filter((r) => r.event.payload.entity_id === entityId);
    await receiver.waitFor((received) => mine(received).some((r) => r.event.payload.status === 'FINISHED'));
    // Arrival order is not guaranteed (deliveries run concurrently); event ids sort as recorded.
    const events = mine(receiver.received).sort((a, b) => a.event.event_id.localeCompare(b.event.event_id));
    for (const r of events) verifyDelivery(r, endpoint.body.secret, j.s.server.ctx.now().getTime());
    assert.equal(events[0]!.event.type, 'entity.created', 'the entity is announced first');
    const finished = events.findIndex((r) => r.event.type === 'entity.data.refresh.updated' && r.event.payload.status === 'FINISHED');
    assert.ok(finished > 0, `then its refresh FINISHED: ${events.map((r) => `${r.event.type}/${r.event.payload.status ?? ''}`)}`);
    assert.equal(events[finished]!.event.payload.refresh_id, refresh.refresh_id);
  });

  journey('FAPI 1.0 Advanced bank: PAR, the hybrid code id_token answer in the fragment, relayed and checked', async (j) => {
    const { page } = j;
    const hybrid = 'SANDBOX_NAKHEEL_SA';
    const visited: string[] = [];
    page.on('request', (request) => {
      if (request.isNavigationRequest()) visited.push(request.url());
    });
    // Requests never carry a fragment; the address bar does.
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) visited.push(frame.url());
    });
    await page.goto(linkUrl(j, { bank_identifier: hybrid }));
    await onPage(page, 'review');
    await page.getByTestId('continue').click();
    await signInAtBank(j, page, 'link-hybrid');
    await decideAtBank(j, page, 'approve');
    const back = await backAtClient(j, page, 'success');
    assert.equal(back.get('status'), 'SUCCESS');
    // The authorization request carried only a request_uri (PAR); the bank answered in the fragment,
    // which the callback page moved into the query for the server to check.
    const authorize = visited.find((u) => u.includes(`/sandbox-banks/${hybrid}/authorize`))!;
    assert.deepEqual([...new URL(authorize).searchParams.keys()].sort(), ['client_id', 'request_uri']);
    const callbacks = visited.filter((u) => u.startsWith(`${j.base}/link/callback`)).map((u) => new URL(u));
    assert.ok(callbacks.some((u) => u.hash.includes('id_token=') && u.search === ''), 'the bank answered in the fragment');
    assert.ok(callbacks.some((u) => u.searchParams.has('id_token') && u.searchParams.has('code')), 'the relay moved it into the query');
    const [entity] = await entitiesOf(j);
    assert.equal(entity.bank_identifier, hybrid);
    const refresh = await latestRefresh(j, entity.id);
    assert.equal(refresh.status, 'FINISHED', JSON.stringify(refresh.error));
    assert.ok((await accountIds(j, entity.id)).length > 0);
  });

  /** Watches the page's navigations, with the fragments the address bar shows. */
  const navigations = (page: Page) => {
    const visited: string[] = [];
    page.on('request', (request) => {
      if (request.isNavigationRequest()) visited.push(request.url());
    });
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) visited.push(frame.url());
    });
    return visited;
  };

  /** Linked at `bank`, straight from its review page: the entity, its INITIAL refresh FINISHED, accounts readable. */
  const linkedAtBank = async (j: Journey, bank: string, login: string) => {
    const { page } = j;
    await page.goto(linkUrl(j, { bank_identifier: bank }));
    await onPage(page, 'review');
    await page.getByTestId('continue').click();
    await signInAtBank(j, page, login);
    assert.match(page.url(), new RegExp(`/sandbox-banks/${bank}/interaction/`));
    await decideAtBank(j, page, 'approve');
    const back = await backAtClient(j, page, 'success');
    assert.equal(back.get('status'), 'SUCCESS');
    assert.equal(back.get('customer_id'), j.customerId);
    const [entity] = await entitiesOf(j);
    assert.equal(entity.id, back.get('entity_id'));
    assert.equal(entity.bank_identifier, bank);
    assert.equal(entity.status, 'ACTIVE');
    const refresh = await latestRefresh(j, entity.id);
    assert.equal(refresh.trigger, 'INITIAL');
    assert.equal(refresh.status, 'FINISHED', JSON.stringify(refresh.error));
    const accounts = await accountIds(j, entity.id);
    assert.ok(accounts.length > 0);
    const balances = await j.s.request(`/data/v2/accounts/${accounts[0]}/balances`, { token: j.api, headers: { entity_id: entity.id } });
    assert.equal(balances.status, 200, balances.text);
    return entity;
  };

  journey('UAE Open Finance bank (SANDBOX_SAQR_AE): FAPI 2.0, the consent as RAR in PAR, linked and refreshed', async (j) => {
    const bank = 'SANDBOX_SAQR_AE';
    const visited = navigations(j.page);
    await linkedAtBank(j, bank, 'link-uae');
    // The consent travelled in the pushed request object: the browser saw only its request_uri.
    const authorize = visited.find((u) => u.includes(`/sandbox-banks/${bank}/authorize`))!;
    assert.deepEqual([...new URL(authorize).searchParams.keys()].sort(), ['client_id', 'request_uri']);
    const callbacks = visited.filter((u) => u.startsWith(`${j.base}/link/callback`)).map((u) => new URL(u));
    assert.ok(callbacks.some((u) => u.searchParams.has('code') && !u.searchParams.has('id_token')), 'FAPI 2.0: a plain code in the query');
  });

  journey('KSA Open Banking bank (SANDBOX_RIYADH_SA): FAPI 1.0 Advanced hybrid, the fragment relayed, linked and refreshed', async (j) => {
    const bank = 'SANDBOX_RIYADH_SA';
    const visited = navigations(j.page);
    await linkedAtBank(j, bank, 'link-ksa');
    const authorize = visited.find((u) => u.includes(`/sandbox-banks/${bank}/authorize`))!;
    assert.deepEqual([...new URL(authorize).searchParams.keys()].sort(), ['client_id', 'request_uri']);
    const callbacks = visited.filter((u) => u.startsWith(`${j.base}/link/callback`)).map((u) => new URL(u));
    assert.ok(callbacks.some((u) => u.hash.includes('id_token=') && u.search === ''), 'the bank answered in the fragment');
    assert.ok(callbacks.some((u) => u.searchParams.has('id_token') && u.searchParams.has('code')), 'the relay moved it into the query');
  });

  journey('happy path in Arabic, right to left on every page', async (j) => {
    const { page } = j;
    const rtl = async () => {
      assert.deepEqual(await direction(page), { lang: 'ar', dir: 'rtl' }, page.url());
      assert.match((await page.locator('h1').textContent()) ?? '', ARABIC, page.url());
    };
    await page.goto(linkUrl(j, { language: 'ar' }));
    await onPage(page, 'bank-list');
    await rtl();
    assert.equal(await page.getByTestId('page-title').textContent(), 'اختر بنكك');
    await j.shot(page, 'bank-list');
    await page.getByTestId(`bank-${BANK}`).click();
    await onPage(page, 'review');
    await rtl();
    assert.match((await page.getByTestId('consent-expiry').textContent()) ?? '', /ينتهي الوصول في/);
    await j.shot(page, 'review');

    await page.getByTestId('continue').click();
    await page.getByTestId('login-form').waitFor();
    await rtl();
    await signInAtBank(j, page, 'link-ar');
    await rtl();
    await enterOtp(page, '123456');
    await page.getByTestId('consent-form').waitFor();
    await rtl();
    await j.shot(page, 'bank-accounts');
    await page.getByTestId('approve').click();
    await onPage(page, 'success');
    await rtl();
    assert.equal(await page.getByTestId('page-title').textContent(), 'تم ربط حسابك المصرفي');
    const back = await backAtClient(j, page, 'success');
    assert.equal(back.get('status'), 'SUCCESS');
    assert.equal((await entitiesOf(j))[0].id, back.get('entity_id'));
  });

  journey('the user denies at the bank: USER_DENIED, no entity', async (j) => {
    const { page } = j;
    await page.goto(linkUrl(j, { bank_identifier: BANK }));
    await onPage(page, 'review');
    await j.shot(page, 'review');
    await page.getByTestId('continue').click();
    await signInAtBank(j, page, 'link-deny');
    await decideAtBank(j, page, 'deny');
    await onPage(page, 'failure');
    assert.equal(await page.getByTestId('outcome').getAttribute('data-reason'), 'USER_DENIED');
    const back = await backAtClient(j, page, 'failure');
    assert.equal(back.get('status'), 'ERROR');
    assert.equal(back.get('reason'), 'USER_DENIED');
    assert.equal(back.get('entity_id'), null);
    assert.deepEqual(await entitiesOf(j), []);
  });

  journey('a wrong one-time code three times: OTP_FAILED, no entity', async (j) => {
    const { page } = j;
    await page.goto(linkUrl(j, { bank_identifier: BANK }));
    await onPage(page, 'review');
    await page.getByTestId('continue').click();
    await signInAtBank(j, page, 'link-otp');
    for (const left of [2, 1]) {
      await enterOtp(page, '000000');
      await page.getByTestId('error-message').waitFor();
      assert.match((await page.getByTestId('error-message').textContent()) ?? '', new RegExp(`Attempts left: ${left}`));
      await j.shot(page, `bank-otp-wrong-${left}-left`);
    }
    await enterOtp(page, '000000');
    await onPage(page, 'failure');
    assert.equal(await page.getByTestId('outcome').getAttribute('data-reason'), 'OTP_FAILED');
    const back = await backAtClient(j, page, 'failure');
    assert.equal(back.get('reason'), 'OTP_FAILED');
    assert.deepEqual(await entitiesOf(j), []);
  });

  journey('a replayed callback is STATE_INVALID and creates nothing more', async (j) => {
    const { page } = j;
    await page.goto(linkUrl(j, { bank_identifier: BANK }));
    await onPage(page, 'review');
    await page.getByTestId('continue').click();
    await signInAtBank(j, page, 'link-replay');
    const callback = page.waitForRequest((req) => req.url().includes('/link/callback?'));
    await decideAtBank(j, page, 'approve');
    const callbackUrl = (await callback).url();
    await onPage(page, 'success');
    await j.shot(page, 'success');
    assert.equal((await entitiesOf(j)).length, 1);

    const replay = await page.goto(callbackUrl);
    assert.equal(replay?.status(), 400);
    await onPage(page, 'error');
    assert.equal(await page.getByTestId('outcome').getAttribute('data-reason'), 'STATE_INVALID');
    assert.equal(await page.getByTestId('return-link').count(), 0);
    await j.shot(page, 'replayed-state');
    assert.equal((await entitiesOf(j)).length, 1);
  });

  journey('an expired token: TOKEN_EXPIRED page, and the way back to the client', async (j) => {
    const { page } = j;
    j.s.advanceClock(3600_000 + 60_000);
    const res = await page.goto(linkUrl(j, { language: 'en' }));
    assert.equal(res?.status(), 401);
    await onPage(page, 'error');
    assert.equal(await page.getByTestId('outcome').getAttribute('data-reason'), 'TOKEN_EXPIRED');
    assert.match((await page.getByTestId('outcome').textContent()) ?? '', /This link has expired/);
    await j.shot(page, 'token-expired');
    assert.equal(await page.locator('meta[http-equiv="refresh"]').count(), 0, 'an error page stays, so that its reason can be read');
    const href = new URL((await page.getByTestId('return-link').getAttribute('href'))!);
    assert.equal(href.origin + href.pathname, `${j.client.url}/return`);
    assert.equal(href.searchParams.get('status'), 'ERROR');
    assert.equal(href.searchParams.get('reason'), 'TOKEN_EXPIRED');
  });

  journey('the SDK: a popup, then the result through postMessage', async (j) => {
    const { page } = j;
    await page.goto(`${j.client.url}/sdk?${new URLSearchParams({ token: j.customerToken })}`);
    await j.shot(page, 'client-sdk-page');
    const [popup] = await Promise.all([j.context.waitForEvent('page'), page.locator('#connect').click()]);
    // Listened for from the start: the popup closes itself once it has posted its result.
    const closed = popup.waitForEvent('close', { timeout: 60_000 });
    await onPage(popup, 'bank-list');
    await j.shot(popup, 'popup-bank-list');
    await popup.getByTestId(`bank-${BANK}`).click();
    await onPage(popup, 'review');
    await j.shot(popup, 'popup-review');
    await popup.getByTestId('continue').click();
    await signInAtBank(j, popup, 'link-sdk');
    await decideAtBank(j, popup, 'approve');
    // The success page may be gone before a slow machine looks at it: the result is read below.
    await closed;

    await page.locator('#result:not(:empty)').waitFor();
    await j.shot(page, 'client-sdk-result');
    const result = JSON.parse((await page.locator('#result').textContent())!);
    const [entity] = await entitiesOf(j);
    assert.deepEqual(result, { status: 'SUCCESS', entity_id: entity.id, customer_id: j.customerId, reason: null });
    assert.deepEqual(j.client.returns, [], 'no redirect_uri: the result came by message only');
  });

  journey('the SDK: closing the popup reports CANCELLED', async (j) => {
    const { page } = j;
    await page.goto(`${j.client.url}/sdk?${new URLSearchParams({ token: j.customerToken, language: 'ar' })}`);
    const [popup] = await Promise.all([j.context.waitForEvent('page'), page.locator('#connect').click()]);
    await onPage(popup, 'bank-list');
    assert.equal((await direction(popup)).dir, 'rtl');
    await j.shot(popup, 'popup-bank-list');
    await popup.close();
    await page.locator('#result:not(:empty)').waitFor();
    await j.shot(page, 'client-sdk-result');
    assert.deepEqual(JSON.parse((await page.locator('#result').textContent())!), { status: 'ERROR', entity_id: null, customer_id: null, reason: 'CANCELLED' });
  });

  journey('reconnect keeps the entity_id and the account_ids', async (j) => {
    const { page, s } = j;
    const login = 'link-reconnect';
    const created = await s.createSandboxEntity(j.api, { customer_id: j.customerId, bank_identifier: BANK, login, profile: 'thin' });
    const before = await accountIds(j, created.id);

    const setFaults = async (faults: string[]) => {
      const res = await fetch(`${s.url}/sandbox-banks/${BANK}/control/users/${login}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ faults }),
      });
      assert.ok(res.ok, await res.text());
    };
    await setFaults(['consent_revoked']);
    const started = await s.request('/data/v2/refreshes', { method: 'POST', token: j.api, headers: { entity_id: created.id } });
    assert.equal(started.status, 202, started.text);
    const failed = await s.waitForRefresh(j.api, created.id, started.body.refresh_id);
    assert.equal(failed.status, 'FAILED');
    assert.equal(failed.error.code, 'RECONNECT_REQUIRED');
    const broken = (await entitiesOf(j))[0];
    assert.equal(broken.status, 'RECONNECT_REQUIRED');
    assert.equal(typeof broken.reconnect_id, 'string');
    await setFaults([]);

    await page.goto(`${j.base}/link/reconnect?${new URLSearchParams({ token: j.customerToken, reconnect_id: broken.reconnect_id, redirect_uri: `${j.client.url}/return` })}`);
    await onPage(page, 'review');
    assert.equal(await page.getByTestId('page-title').textContent(), 'Renew your bank connection');
    assert.equal(await page.getByTestId('change-bank').count(), 0, 'a reconnect stays at the entity\'s bank');
    await j.shot(page, 'reconnect-review');
    await page.getByTestId('continue').click();
    await signInAtBank(j, page, login);
    await decideAtBank(j, page, 'approve');
    await onPage(page, 'success');
    assert.equal(await page.getByTestId('page-title').textContent(), 'Your bank connection is renewed');
    const back = await backAtClient(j, page, 'success');
    assert.equal(back.get('status'), 'SUCCESS');
    assert.equal(back.get('entity_id'), created.id);

    const entities = await entitiesOf(j);
    assert.equal(entities.length, 1, 'no second entity');
    assert.equal(entities[0].id, created.id);
    assert.equal(entities[0].status, 'ACTIVE');
    assert.equal(entities[0].reconnect_id, null);
    const refresh = await latestRefresh(j, created.id);
    assert.equal(refresh.status, 'FINISHED', JSON.stringify(refresh.error));
    assert.deepEqual(await accountIds(j, created.id), before);

    // The audit trail has the consent's story (docs/decisions/017); records of one millisecond have no order, hence sorted.
    const audit = await s.request(`/audit/v1/events?entity_id=${created.id}&size=1000`, { token: j.api });
    const changes = audit.body.filter((e: any) => e.kind !== 'data.read');
    assert.deepEqual(changes.map((e: any) => `${e.kind} ${e.outcome}`).sort(), [
      'consent.created OK',
      'consent.reconnected OK',
      'consent.refreshed FAILED',
      'consent.refreshed OK',
      'consent.refreshed OK',
      'consent.revoked OK',
    ]);
    const reconnected = changes.find((e: any) => e.kind === 'consent.reconnected');
    assert.equal(reconnected.customer_id, j.customerId);
    assert.equal(reconnected.subject, null);
    assert.match(reconnected.detail, /by the customer in the Link journey$/);
    assert.equal(changes.find((e: any) => e.kind === 'consent.revoked').error_code, 'RECONNECT_REQUIRED');
  });
});
