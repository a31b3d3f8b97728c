import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { SANDBOX_BANKS } from '../../src/banks/registry.ts';
import { approveConsent } from '../../src/sandbox-bank/automate-consent.ts';
import { SANDBOX_CLIENT } from '../../src/sandbox-bank/client.ts';
import { generateCustomer } from '../../src/sandbox-bank/generator/index.ts';
import { startSandboxBank } from '../../src/sandbox-bank/server.ts';
import {
  authorizeUrl,
  BASIC,
  call,
  clientToken,
  connect,
  createConsent,
  pkce,
  putJson,
  REDIRECT_URI,
  tempDir,
  token,
  ObieSpec,
  type Connection,
  type Reply,
} from '../helpers/sandbox-bank.ts';

const spec = new ObieSpec();
/** OBIE 3.1.11 has no `Expired` consent status; the sandbox adds it (docs/sandbox-banks.md). */
const specWithExpired = new ObieSpec(['Expired']);

const DAY_MS = 86_400_000;
/**
 * The bank's clock, stopped at a fixed instant so the generated data (which entries are pending,
 * which a fault hides) is the same every run; tests that need time to pass move it and put it back.
 */
const T0 = Date.parse('2026-11-29T02:00:30.000Z');
let clockMs = T0;
const now = () => new Date(clockMs);

async function later<T>(ms: number, run: () => Promise<T>): Promise<T> {
  clockMs += ms;
  try {
    return await run();
  } finally {
    clockMs -= ms;
  }
}

const dataDir = tempDir();
let server: { url: string; close(): Promise<void> };
let FALCON: string;
let PEARL: string;

before(async () => {
  server = await startSandboxBank({ port: 0, dataDir, now });
  FALCON = `${server.url}/SANDBOX_FALCON_AE`;
  PEARL = `${server.url}/SANDBOX_PEARL_BH`;
});
after(async () => {
  await server.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const AIS_TEMPLATES: Record<string, string> = {
  accounts: '/accounts',
  account: '/accounts/{AccountId}',
  balances: '/accounts/{AccountId}/balances',
  transactions: '/accounts/{AccountId}/transactions',
  beneficiaries: '/accounts/{AccountId}/beneficiaries',
  'direct-debits': '/accounts/{AccountId}/direct-debits',
  'standing-orders': '/accounts/{AccountId}/standing-orders',
  'scheduled-payments': '/accounts/{AccountId}/scheduled-payments',
  parties: '/accounts/{AccountId}/parties',
  party: '/party',
};

/** GETs an AIS resource and checks the answer against the spec. */
async function read(c: Connection, name: keyof typeof AIS_TEMPLATES, accountId = '', query = ''): Promise<Reply> {
  const path = AIS_TEMPLATES[name]!.replace('{AccountId}', encodeURIComponent(accountId)) + query;
  const res = await c.get(path);
  spec.response('GET', AIS_TEMPLATES[name]!, res.status, res.body);
  return res;
}

/** Every transaction over every page, following `Links.Next`. */
async function allTransactions(c: Connection, accountId: string, query = ''): Promise<{ items: any[]; pages: number }> {
  const items: any[] = [];
  let next: string | undefined = `${c.ais}/accounts/${accountId}/transactions${query}`;
  let pages = 0;
  while (next) {
    const res = await c.get(next);
    assert.equal(res.status, 200, res.text);
    spec.check('OBReadTransaction6', res.body);
    items.push(...res.body.Data.Transaction);
    pages++;
    next = res.body.Links.Next;
    assert.ok(pages <= 100, 'paging ends');
  }
  return { items, pages };
}

function assertObieError(res: Reply, status: number, errorCode: string): void {
  assert.equal(res.status, status, res.text);
  spec.check('OBErrorResponse1', res.body);
  assert.equal(res.body.Errors[0].ErrorCode, errorCode, res.text);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
}

describe('discovery and tokens', () => {
  test('discovery names the endpoints, grants, PKCE method, client authentication and scopes', async () => {
    const res = await call(`${FALCON}/.well-known/openid-configuration`);
    assert.equal(res.status, 200);
    assert.deepEqual(
      { ...res.body, ui_locales_supported: undefined },
      {
        issuer: FALCON,
        authorization_endpoint: `${FALCON}/authorize`,
        token_endpoint: `${FALCON}/token`,
        response_types_supported: ['code'],
        grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
        scopes_supported: ['openid', 'accounts'],
        ui_locales_supported: undefined,
      },
    );
    assert.equal((await call(`${server.url}/NO_SUCH_BANK/.well-known/openid-configuration`)).status, 404);
  });

  test('client credentials by Basic or in the body; wrong secrets and grants answer RFC 6749 errors', async () => {
    const basic = await token(FALCON, { grant_type: 'client_credentials', scope: 'accounts' });
    assert.equal(basic.status, 200);
    assert.equal(basic.body.token_type, 'Bearer');
    assert.equal(basic.body.expires_in, 3600);
    assert.equal(basic.headers.get('cache-control'), 'no-store');
    const post = await token(FALCON, { grant_type: 'client_credentials', ...SANDBOX_CLIENT }, null);
    assert.equal(post.status, 200);

    const wrong = await token(FALCON, { grant_type: 'client_credentials', client_id: 'openlean', client_secret: 'nope' }, null);
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.error, 'invalid_client');
    assert.equal(typeof wrong.body.error_description, 'string');
    const both = await token(FALCON, { grant_type: 'client_credentials', client_secret: 'x' });
    assert.equal(both.body.error, 'invalid_request');
    assert.equal((await token(FALCON, { grant_type: 'password' })).body.error, 'unsupported_grant_type');
    assert.equal((await token(FALCON, { grant_type: 'client_credentials', scope: 'payments' })).body.error, 'invalid_scope');
    assert.equal((await token(FALCON, {})).body.error, 'invalid_request');
    assert.ok((await token(FALCON, {})).headers.get('x-fapi-interaction-id'));
  });
});

describe('consents', () => {
  test('POST creates an AwaitingAuthorisation consent (201, OBReadConsentResponse1); GET reads it', async () => {
    const expires = new Date(T0 + 30 * DAY_MS).toISOString();
    const created = await createConsent(FALCON, { ExpirationDateTime: expires, TransactionFromDateTime: '2025-01-01T00:00:00Z' });
    assert.equal(created.status, 201, created.text);
    spec.response('POST', '/account-access-consents', 201, created.body);
    assert.equal(created.body.Data.Status, 'AwaitingAuthorisation');
    assert.equal(created.body.Data.ExpirationDateTime, expires);
    assert.equal(created.body.Data.TransactionFromDateTime, '2025-01-01T00:00:00.000Z');
    const id = created.body.Data.ConsentId;
    const cc = await clientToken(FALCON);
    const read = await call(created.body.Links.Self, { headers: { authorization: `Bearer ${cc}` } });
    assert.equal(read.status, 200);
    spec.response('GET', '/account-access-consents/{ConsentId}', 200, read.body);
    assert.equal(read.body.Data.ConsentId, id);
    // A consent belongs to its bank.
    const elsewhere = await call(`${PEARL}/open-banking/v3.1/aisp/account-access-consents/${id}`, { headers: { authorization: `Bearer ${await clientToken(PEARL)}` } });
    assertObieError(elsewhere, 404, 'UK.OBIE.Resource.NotFound');
  });

  test('invalid bodies answer 400 with the field at fault', async () => {
    const cc = await clientToken(FALCON);
    const post = (body: unknown, contentType = 'application/json') =>
      call(`${FALCON}/open-banking/v3.1/aisp/account-access-consents`, {
        method: 'POST',
        headers: { authorization: `Bearer ${cc}`, 'content-type': contentType },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
    const unknown = await post({ Data: { Permissions: ['ReadEverything'] }, Risk: {} });
    assertObieError(unknown, 400, 'UK.OBIE.Field.Invalid');
    assert.equal(unknown.body.Errors[0].Path, 'Data.Permissions.0');
    const missing = await post({ Data: {}, Risk: {} });
    assertObieError(missing, 400, 'UK.OBIE.Field.Missing');
    assert.equal(missing.body.Errors[0].Path, 'Data.Permissions');
    assertObieError(await post({ Data: { Permissions: ['ReadBalances'] } }), 400, 'UK.OBIE.Field.Missing');
    assertObieError(await post({ Data: { Permissions: ['ReadBalances'], ExpirationDateTime: 'tomorrow' }, Risk: {} }), 400, 'UK.OBIE.Field.InvalidDate');
    assertObieError(await post({ Data: { Permissions: ['ReadTransactionsDetail'] }, Risk: {} }), 400, 'UK.OBIE.Field.Invalid');
    assertObieError(await post({ Data: { Permissions: ['ReadBalances'] }, Risk: {}, Extra: 1 }), 400, 'UK.OBIE.Field.Unexpected');
    assertObieError(await post('{"Data":'), 400, 'UK.OBIE.Field.Invalid');
    assertObieError(await post('x', 'text/plain'), 415, 'UK.OBIE.Header.Invalid');
  });

  test('consent endpoints need a client credentials token', async () => {
    const url = `${FALCON}/open-banking/v3.1/aisp/account-access-consents`;
    assertObieError(await call(url, { method: 'POST' }), 401, 'UK.OBIE.Header.Missing');
    const bogus = await call(url, { method: 'POST', headers: { authorization: 'Bearer nope' } });
    assertObieError(bogus, 401, 'UK.OBIE.Header.Invalid');
    assert.match(bogus.headers.get('www-authenticate') ?? '', /^Bearer /);
    const c = await connect(FALCON, 'consent-token-kind');
    const res = await call(`${url}/${c.consentId}`, { headers: { authorization: `Bearer ${c.accessToken}` } });
    assertObieError(res, 403, 'UK.OBIE.Header.Invalid');
  });

  test('DELETE revokes: 204, the consent reads Revoked, its tokens stop working and cannot be refreshed', async () => {
    const c = await connect(FALCON, 'delete-me');
    assert.equal((await read(c, 'accounts')).status, 200);
    const cc = await clientToken(FALCON);
    const url = `${c.ais}/account-access-consents/${c.consentId}`;
    const deleted = await call(url, { method: 'DELETE', headers: { authorization: `Bearer ${cc}` } });
    assert.equal(deleted.status, 204);
    assert.equal(deleted.text, '');
    assert.ok(deleted.headers.get('x-fapi-interaction-id'));
    const readBack = await call(url, { headers: { authorization: `Bearer ${cc}` } });
    spec.response('GET', '/account-access-consents/{ConsentId}', 200, readBack.body);
    assert.equal(readBack.body.Data.Status, 'Revoked');
    assertObieError(await read(c, 'accounts'), 403, 'UK.OBIE.Resource.InvalidConsentStatus');
    const refreshed = await token(FALCON, { grant_type: 'refresh_token', refresh_token: c.refreshToken });
    assert.equal(refreshed.status, 400);
    assert.equal(refreshed.body.error, 'invalid_grant');
    assert.equal((await call(url, { method: 'DELETE', headers: { authorization: `Bearer ${cc}` } })).status, 204, 'deleting twice is fine');
    assertObieError(await call(`${c.ais}/account-access-consents/aac-nope`, { method: 'DELETE', headers: { authorization: `Bearer ${cc}` } }), 404, 'UK.OBIE.Resource.NotFound');
  });
});

describe('authorization journey', () => {
  test('authorization code with PKCE: one use, matching redirect_uri and verifier; refresh rotates', async () => {
    const created = await createConsent(FALCON);
    const { verifier, challenge } = pkce();
    const back = new URL(await approveConsent(authorizeUrl(FALCON, { consent_id: created.body.Data.ConsentId, code_challenge: challenge, state: 'xyz' }), { login: 'pkce' }));
    assert.equal(back.origin + back.pathname, REDIRECT_URI);
    assert.equal(back.searchParams.get('state'), 'xyz');
    const code = back.searchParams.get('code')!;

    const wrongVerifier = await token(FALCON, { grant_type: 'authorization_code', code, code_verifier: pkce().verifier, redirect_uri: REDIRECT_URI });
    assert.equal(wrongVerifier.status, 400);
    assert.equal(wrongVerifier.body.error, 'invalid_grant');
    const reused = await token(FALCON, { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT_URI });
    assert.equal(reused.body.error, 'invalid_grant', 'a code is gone after its first use, even a failed one');

    const again = await connect(FALCON, 'pkce');
    const refreshed = await token(FALCON, { grant_type: 'refresh_token', refresh_token: again.refreshToken });
    assert.equal(refreshed.status, 200, refreshed.text);
    assert.notEqual(refreshed.body.refresh_token, again.refreshToken);
    const accounts = await call(`${again.ais}/accounts`, { headers: { authorization: `Bearer ${refreshed.body.access_token}` } });
    assert.equal(accounts.status, 200);
    const replay = await token(FALCON, { grant_type: 'refresh_token', refresh_token: again.refreshToken });
    assert.equal(replay.body.error, 'invalid_grant', 'a rotated refresh token is spent');
  });

  test('the redirect_uri of the exchange must be the one authorised', async () => {
    const created = await createConsent(FALCON);
    const { verifier, challenge } = pkce();
    const back = new URL(await approveConsent(authorizeUrl(FALCON, { consent_id: created.body.Data.ConsentId, code_challenge: challenge }), { login: 'redirect' }));
    const res = await token(FALCON, { grant_type: 'authorization_code', code: back.searchParams.get('code')!, code_verifier: verifier, redirect_uri: 'https://evil.example/cb' });
    assert.equal(res.body.error, 'invalid_grant');
  });

  test('a bad authorization request shows an error page and never redirects', async () => {
    const created = await createConsent(FALCON);
    const consent_id = created.body.Data.ConsentId;
    const { challenge } = pkce();
    const cases: Record<string, string>[] = [
      { consent_id, code_challenge: challenge, redirect_uri: 'not a url' },
      { consent_id, code_challenge: challenge, redirect_uri: 'javascript:alert(1)' },
      { consent_id, code_challenge: challenge, client_id: 'someone-else' },
      { consent_id, code_challenge: challenge, code_challenge_method: 'plain' },
      { consent_id, code_challenge: 'short' },
      { consent_id, code_challenge: challenge, response_type: 'token' },
      { consent_id, code_challenge: challenge, scope: 'openid' },
      { consent_id: 'aac-<script>alert(1)</script>', code_challenge: challenge },
    ];
    for (const params of cases) {
      const res = await call(authorizeUrl(FALCON, params));
      assert.equal(res.status, 400, JSON.stringify(params));
      assert.equal(res.headers.get('location'), null);
      assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
      assert.match(res.text, /data-testid="error-message"/);
      assert.ok(!res.text.includes('<script>'), 'HTML-escaped');
    }
    const noState = new URL(authorizeUrl(FALCON, { consent_id, code_challenge: challenge }));
    noState.searchParams.delete('state');
    assert.equal((await call(noState.toString())).status, 400);
  });

  test('pages carry stable field names and test ids; ui_locales=ar renders Arabic right to left', async () => {
    const created = await createConsent(FALCON);
    const { challenge } = pkce();
    const en = await call(authorizeUrl(FALCON, { consent_id: created.body.Data.ConsentId, code_challenge: challenge }));
    assert.equal(en.status, 200);
    assert.match(en.text, /<html lang="en" dir="ltr">/);
    for (const marker of ['name="username"', 'name="password"', 'name="session"', 'data-testid="login-submit"']) assert.ok(en.text.includes(marker), marker);
    assert.ok(en.headers.get('x-fapi-interaction-id'));
    assert.match(en.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    const ar = await call(authorizeUrl(FALCON, { consent_id: created.body.Data.ConsentId, code_challenge: challenge, ui_locales: 'ar-AE en' }));
    assert.match(ar.text, /<html lang="ar" dir="rtl">/);
    assert.ok(ar.text.includes('تسجيل الدخول'));
  });

  test('a wrong code shows the page again; three end the journey with otp_failed and leave the consent to retry', async () => {
    const created = await createConsent(FALCON);
    const consent_id = created.body.Data.ConsentId;
    const { challenge } = pkce();
    const login = await call(authorizeUrl(FALCON, { consent_id, code_challenge: challenge }));
    const session = /name="session" value="([^"]+)"/.exec(login.text)![1]!;
    const post = (path: string, form: Record<string, string>) =>
      call(`${FALCON}/authorize/${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form) });
    const empty = await post('login', { session, username: 'otp-user', password: '' });
    assert.match(empty.text, /data-testid="error-message"/);
    const otp = await post('login', { session, username: 'otp-user', password: 'pw' });
    assert.match(otp.text, /name="otp"/);
    const wrong = await post('otp', { session, otp: '000000' });
    assert.equal(wrong.status, 200);
    assert.match(wrong.text, /data-testid="error-message"[^>]*>[^<]*2/);
    assert.equal((await post('login', { session, username: 'x', password: 'y' })).status, 409, 'a finished step cannot be replayed');

    const ended = await approveConsent(authorizeUrl(FALCON, { consent_id, code_challenge: challenge, state: 'otp-state' }), { login: 'otp-user', otp: '999999' });
    const back = new URL(ended);
    assert.equal(back.searchParams.get('error'), 'access_denied');
    assert.equal(back.searchParams.get('error_description'), 'otp_failed');
    assert.equal(back.searchParams.get('state'), 'otp-state');
    assert.equal(back.searchParams.get('code'), null);
    const cc = await clientToken(FALCON);
    const consent = await call(`${FALCON}/open-banking/v3.1/aisp/account-access-consents/${consent_id}`, { headers: { authorization: `Bearer ${cc}` } });
    assert.equal(consent.body.Data.Status, 'AwaitingAuthorisation');
  });

  test('deny redirects with access_denied and rejects the consent', async () => {
    const created = await createConsent(FALCON);
    const consent_id = created.body.Data.ConsentId;
    const { challenge } = pkce();
    const back = new URL(await approveConsent(authorizeUrl(FALCON, { consent_id, code_challenge: challenge, state: 'deny-state' }), { login: 'denier', deny: true }));
    assert.equal(back.searchParams.get('error'), 'access_denied');
    assert.equal(back.searchParams.get('state'), 'deny-state');
    const cc = await clientToken(FALCON);
    const consent = await call(`${FALCON}/open-banking/v3.1/aisp/account-access-consents/${consent_id}`, { headers: { authorization: `Bearer ${cc}` } });
    spec.response('GET', '/account-access-consents/{ConsentId}', 200, consent.body);
    assert.equal(consent.body.Data.Status, 'Rejected');
    const retry = await call(authorizeUrl(FALCON, { consent_id, code_challenge: challenge }));
    assert.equal(retry.status, 400, 'a rejected consent cannot be authorised');
  });
});

describe('account information', () => {
  let c: Connection;
  let accountIds: string[];
  before(async () => {
    c = await connect(FALCON, 'user1');
    accountIds = (await read(c, 'accounts')).body.Data.Account.map((a: { AccountId: string }) => a.AccountId);
  });

  test('every endpoint answers per the OBIE spec, with Links.Self and Meta', async () => {
    const accounts = await read(c, 'accounts');
    assert.equal(accounts.status, 200);
    assert.ok(accountIds.length >= 1);
    for (const a of accounts.body.Data.Account) spec.check('OBAccount6Detail', a);
    assert.equal(accounts.body.Links.Self, `${c.ais}/accounts`);
    let seen = { beneficiaries: 0, 'direct-debits': 0, 'standing-orders': 0, 'scheduled-payments': 0 };
    for (const id of accountIds) {
      const one = await read(c, 'account', id);
      assert.equal(one.status, 200);
      assert.equal(one.body.Data.Account[0].AccountId, id);
      const balances = await read(c, 'balances', id);
      assert.ok(balances.body.Data.Balance.length >= 1);
      const tx = await read(c, 'transactions', id);
      assert.equal(tx.status, 200);
      for (const t of tx.body.Data.Transaction) spec.check('OBTransaction6Detail', t);
      for (const name of ['beneficiaries', 'direct-debits', 'standing-orders', 'scheduled-payments'] as const) {
        const res = await read(c, name, id);
        assert.equal(res.status, 200, res.text);
        seen[name] += (Object.values(res.body.Data)[0] as unknown[]).length;
      }
      const parties = await read(c, 'parties', id);
      assert.ok(parties.body.Data.Party.length >= 1);
    }
    for (const [name, count] of Object.entries(seen)) assert.ok(count > 0, `${name} present somewhere`);
    const party = await read(c, 'party');
    assert.equal(party.status, 200);
    assert.ok(party.body.Data.Party.PartyId);
    assert.equal(party.body.Links.Self, `${c.ais}/party`);
  });

  test('401 without a token or with a bad one', async () => {
    const none = await call(`${c.ais}/accounts`);
    assertObieError(none, 401, 'UK.OBIE.Header.Missing');
    assert.ok(none.headers.get('www-authenticate'));
    assertObieError(await call(`${c.ais}/accounts`, { headers: { authorization: 'Bearer forged' } }), 401, 'UK.OBIE.Header.Invalid');
    assertObieError(await call(`${c.ais}/accounts`, { headers: { authorization: `Basic abc` } }), 401, 'UK.OBIE.Header.Invalid');
    // A token is only good at the bank that issued it.
    const elsewhere = await call(`${PEARL}/open-banking/v3.1/aisp/accounts`, { headers: { authorization: `Bearer ${c.accessToken}` } });
    assertObieError(elsewhere, 401, 'UK.OBIE.Header.Invalid');
  });

  test('a client credentials token is refused on resources', async () => {
    const cc = await clientToken(FALCON);
    for (const path of ['/accounts', `/accounts/${accountIds[0]}/transactions`, '/party']) {
      assertObieError(await call(`${c.ais}${path}`, { headers: { authorization: `Bearer ${cc}` } }), 403, 'UK.OBIE.Header.Invalid');
    }
  });

  test('unknown accounts, unknown paths and unknown banks answer 404 OBErrorResponse1', async () => {
    assertObieError(await read(c, 'account', 'no-such-account'), 404, 'UK.OBIE.Resource.NotFound');
    assertObieError(await read(c, 'balances', 'no-such-account'), 404, 'UK.OBIE.Resource.NotFound');
    assertObieError(await read(c, 'transactions', 'no-such-account'), 404, 'UK.OBIE.Resource.NotFound');
    assertObieError(await c.get('/statements'), 404, 'UK.OBIE.Resource.NotFound');
    assertObieError(await call(`${server.url}/NOPE/open-banking/v3.1/aisp/accounts`), 404, 'UK.OBIE.Resource.NotFound');
  });

  test('x-fapi-interaction-id is echoed when sent and generated when not, errors included', async () => {
    const echoed = await c.get('/accounts', { 'x-fapi-interaction-id': '93bac548-d2de-4546-b106-880a5018460d' });
    assert.equal(echoed.headers.get('x-fapi-interaction-id'), '93bac548-d2de-4546-b106-880a5018460d');
    const error = await call(`${c.ais}/accounts`, { headers: { 'x-fapi-interaction-id': 'abc-123' } });
    assert.equal(error.headers.get('x-fapi-interaction-id'), 'abc-123');
    assert.equal(error.body.Id, 'abc-123');
    const generated = await c.get('/accounts');
    assert.match(generated.headers.get('x-fapi-interaction-id') ?? '', /^[0-9a-f-]{36}$/);
    const notFound = await call(`${server.url}/nothing-here`);
    assert.match(notFound.headers.get('x-fapi-interaction-id') ?? '', /^[0-9a-f-]{36}$/);
    const tokenError = await token(FALCON, { grant_type: 'nope' }, BASIC);
    assert.ok(tokenError.headers.get('x-fapi-interaction-id'));
  });

  test('transactions filter on booking time, inclusive, with the time zone ignored', async () => {
    const all = await allTransactions(c, accountIds[0]!);
    const booked = all.items.map((t) => t.BookingDateTime as string).sort();
    const from = booked[Math.floor(booked.length / 2)]!;
    const to = booked[booked.length - 5]!;
    const window = await allTransactions(c, accountIds[0]!, `?fromBookingDateTime=${encodeURIComponent(from)}&toBookingDateTime=${encodeURIComponent(to.replace('Z', '+04:00'))}`);
    assert.deepEqual(
      window.items.map((t) => t.TransactionId).sort(),
      all.items.filter((t) => t.BookingDateTime >= from && t.BookingDateTime <= to).map((t) => t.TransactionId).sort(),
    );
    const dateOnly = await read(c, 'transactions', accountIds[0]!, `?fromBookingDateTime=${from.slice(0, 10)}`);
    assert.ok(dateOnly.body.Data.Transaction.every((t: { BookingDateTime: string }) => t.BookingDateTime >= `${from.slice(0, 10)}T00:00:00.000Z`));
    const bad = await read(c, 'transactions', accountIds[0]!, '?fromBookingDateTime=yesterday');
    assertObieError(bad, 400, 'UK.OBIE.Field.InvalidDate');
    assert.equal(bad.body.Errors[0].Path, 'fromBookingDateTime');
    assertObieError(await read(c, 'transactions', accountIds[0]!, '?page=0'), 400, 'UK.OBIE.Field.Invalid');
  });

  test('time moves: new transactions appear and pending ones book under the same id', async () => {
    const before = (await allTransactions(c, accountIds[0]!)).items;
    const after = (
      await later(3 * DAY_MS, async () => {
        await c.refresh();
        return allTransactions(c, accountIds[0]!);
      })
    ).items;
    assert.ok(after.length > before.length, `${after.length} > ${before.length}`);
    const afterById = new Map(after.map((t) => [t.TransactionId, t]));
    for (const t of before) assert.ok(afterById.has(t.TransactionId), `${t.TransactionId} still there`);
    const pending = before.filter((t) => t.Status === 'Pending');
    assert.ok(pending.length > 0, 'the current account has pending card entries');
    for (const t of pending) assert.equal(afterById.get(t.TransactionId).Status, 'Booked');
  });

  test('access tokens expire; the refresh token gets a new one', async () => {
    const own = await connect(FALCON, 'expiry');
    await later(2 * 3_600_000, async () => {
      assertObieError(await own.get('/accounts'), 401, 'UK.OBIE.Header.Invalid');
      const refreshed = await token(FALCON, { grant_type: 'refresh_token', refresh_token: own.refreshToken });
      assert.equal(refreshed.status, 200, refreshed.text);
      assert.equal((await call(`${own.ais}/accounts`, { headers: { authorization: `Bearer ${refreshed.body.access_token}` } })).status, 200);
    });
  });

  test('a consent past its ExpirationDateTime reads Expired and refuses its data', async () => {
    const own = await connect(FALCON, 'expired', { data: { ExpirationDateTime: new Date(T0 - 60_000).toISOString() } });
    assertObieError(await own.get('/accounts'), 403, 'UK.OBIE.Resource.InvalidConsentStatus');
    const consent = await call(`${own.ais}/account-access-consents/${own.consentId}`, { headers: { authorization: `Bearer ${await clientToken(FALCON)}` } });
    specWithExpired.check('OBReadConsentResponse1', consent.body);
    assert.equal(consent.body.Data.Status, 'Expired');
  });
});

describe('permissions and account selection', () => {
  test('Basic permissions leave out the detail fields; a missing permission answers 403', async () => {
    const c = await connect(FALCON, 'user1', { data: { Permissions: ['ReadAccountsBasic', 'ReadBalances', 'ReadTransactionsBasic', 'ReadTransactionsCredits', 'ReadBeneficiariesBasic', 'ReadStandingOrdersBasic', 'ReadScheduledPaymentsBasic'] } });
    const accounts = await read(c, 'accounts');
    for (const a of accounts.body.Data.Account) {
      spec.check('OBAccount6Basic', a);
      assert.equal(a.Account, undefined);
    }
    const id = accounts.body.Data.Account[0].AccountId;
    const tx = await allTransactions(c, id);
    assert.ok(tx.items.length > 0);
    for (const t of tx.items) {
      spec.check('OBTransaction6Basic', t);
      assert.equal(t.CreditDebitIndicator, 'Credit', 'ReadTransactionsCredits only');
    }
    for (const name of ['beneficiaries', 'standing-orders', 'scheduled-payments'] as const) {
      const res = await read(c, name, id);
      for (const item of Object.values(res.body.Data)[0] as Record<string, unknown>[]) assert.equal(item.CreditorAccount, undefined, name);
    }
    for (const name of ['direct-debits', 'parties'] as const) assertObieError(await read(c, name, id), 403, 'UK.OBIE.Resource.ConsentMismatch');
    assertObieError(await read(c, 'party'), 403, 'UK.OBIE.Resource.ConsentMismatch');
  });

  test('without an accounts permission the account list is refused; balances still answer', async () => {
    const full = await connect(FALCON, 'user2');
    const id = (await read(full, 'accounts')).body.Data.Account[0].AccountId;
    const c = await connect(FALCON, 'user2', { data: { Permissions: ['ReadBalances'] } });
    assertObieError(await read(c, 'accounts'), 403, 'UK.OBIE.Resource.ConsentMismatch');
    assert.equal((await read(c, 'balances', id)).status, 200);
  });

  test("the consent's TransactionFromDateTime and TransactionToDateTime bound what its token sees", async () => {
    const from = new Date(T0 - 30 * DAY_MS).toISOString();
    const to = new Date(T0 - 10 * DAY_MS).toISOString();
    const c = await connect(FALCON, 'user1', { data: { TransactionFromDateTime: from, TransactionToDateTime: to } });
    const id = (await read(c, 'accounts')).body.Data.Account[0].AccountId;
    const { items } = await allTransactions(c, id);
    assert.ok(items.length > 0);
    assert.ok(items.every((t) => t.BookingDateTime >= from && t.BookingDateTime <= to));
  });

  test('only the accounts the user chose are visible', async () => {
    const full = await connect(FALCON, 'user1');
    const ids: string[] = (await read(full, 'accounts')).body.Data.Account.map((a: { AccountId: string }) => a.AccountId);
    assert.ok(ids.length >= 2, 'user1 has several accounts');
    const c = await connect(FALCON, 'user1', { approve: { accountIds: [ids[1]!] } });
    assert.deepEqual((await read(c, 'accounts')).body.Data.Account.map((a: { AccountId: string }) => a.AccountId), [ids[1]]);
    assertObieError(await read(c, 'balances', ids[0]!), 404, 'UK.OBIE.Resource.NotFound');
    assertObieError(await read(c, 'transactions', ids[0]!), 404, 'UK.OBIE.Resource.NotFound');
  });
});

describe('paging a high-volume customer', () => {
  test('Links.Next visits every transaction exactly once, 1000 a page', async () => {
    const settings = await putJson(`${FALCON}/control/users/volume`, { profile: 'high_volume' });
    assert.equal(settings.status, 200);
    const c = await connect(FALCON, 'volume');
    const accounts = (await read(c, 'accounts')).body.Data.Account;
    const started = performance.now();
    let busy = 0;
    for (const a of accounts) {
      const first = await read(c, 'transactions', a.AccountId);
      const { items, pages } = await allTransactions(c, a.AccountId);
      assert.equal(pages, first.body.Meta.TotalPages);
      assert.equal(pages, Math.max(1, Math.ceil(items.length / 1000)));
      assert.equal(new Set(items.map((t) => t.TransactionId)).size, items.length, 'no transaction twice');
      assert.ok(first.body.Links.Last && first.body.Links.First);
      if (items.length >= 10_000) busy++;
    }
    console.log(`paged ${accounts.length} high-volume accounts in ${(performance.now() - started).toFixed(0)} ms`);
    assert.ok(busy >= 3, `${busy} accounts with 10 000+ transactions`);
  });
});

describe('control API', () => {
  test('per-login settings are read back and merged; bad input answers 400', async () => {
    const url = `${FALCON}/control/users/ctl-user`;
    assert.deepEqual((await call(url)).body, { bank_identifier: 'SANDBOX_FALCON_AE', login: 'ctl-user', profile: 'default', faults: [] });
    assert.deepEqual((await putJson(url, { faults: ['latency'] })).body.faults, ['latency']);
    const merged = await putJson(url, { profile: 'thin' });
    assert.deepEqual([merged.body.profile, merged.body.faults], ['thin', ['latency']]);
    const badProfile = await putJson(url, { profile: 'huge' });
    assertObieError(badProfile, 400, 'UK.OBIE.Field.Invalid');
    assert.equal(badProfile.body.Errors[0].Path, 'profile');
    assertObieError(await putJson(url, { faults: ['gremlins'] }), 400, 'UK.OBIE.Field.Invalid');
    assertObieError(await putJson(url, { faults: ['latency', 'latency'] }), 400, 'UK.OBIE.Field.Invalid');
    assertObieError(await putJson(url, { colour: 'red' }), 400, 'UK.OBIE.Field.Unexpected');
    assertObieError(await putJson(`${server.url}/NOPE/control/users/x`, {}), 404, 'UK.OBIE.Resource.NotFound');
    assert.deepEqual((await call(url)).body.faults, ['latency']);
  });

  test('bank-wide faults apply to every login of the bank', async () => {
    const c = await connect(PEARL, 'anyone');
    const set = await putJson(`${PEARL}/control/faults`, { faults: ['consent_revoked'] });
    assert.deepEqual(set.body, { bank_identifier: 'SANDBOX_PEARL_BH', faults: ['consent_revoked'] });
    try {
      assertObieError(await c.get('/accounts'), 403, 'UK.OBIE.Resource.InvalidConsentStatus');
    } finally {
      await putJson(`${PEARL}/control/faults`, { faults: [] });
    }
    assert.equal((await c.get('/accounts')).status, 200);
    assertObieError(await putJson(`${PEARL}/control/faults`, {}), 400, 'UK.OBIE.Field.Missing');
  });
});

describe('faults', () => {
  /** A login with `faults` switched on, connected with every permission. */
  async function faulty(login: string, faults: string[], profile = 'default'): Promise<Connection> {
    assert.equal((await putJson(`${FALCON}/control/users/${login}`, { faults, profile })).status, 200);
    return connect(FALCON, login);
  }

  async function accountIdsOf(c: Connection): Promise<string[]> {
    return (await read(c, 'accounts')).body.Data.Account.map((a: { AccountId: string }) => a.AccountId);
  }

  test('latency adds 100-400 ms to each response', async () => {
    const c = await faulty('f-latency', ['latency']);
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      assert.equal((await read(c, 'party')).status, 200);
      const ms = performance.now() - started;
      assert.ok(ms >= 95 && ms < 1500, `${ms} ms`);
    }
  });

  test('server_errors: each path fails 503 on its first two requests per consent', async () => {
    const c = await faulty('f-5xx', ['server_errors']);
    assertObieError(await read(c, 'accounts'), 503, 'UK.OBIE.UnexpectedError');
    assertObieError(await read(c, 'accounts'), 503, 'UK.OBIE.UnexpectedError');
    assert.equal((await read(c, 'accounts')).status, 200);
    assertObieError(await read(c, 'party'), 503, 'UK.OBIE.UnexpectedError');
    assertObieError(await read(c, 'party'), 503, 'UK.OBIE.UnexpectedError');
    assert.equal((await read(c, 'party')).status, 200);
    const second = await connect(FALCON, 'f-5xx');
    assert.equal((await second.get('/party')).status, 503, 'counted per consent');
    await putJson(`${FALCON}/control/users/f-5xx`, { faults: [] });
    assert.equal((await c.get('/party')).status, 200);
    await later(1_000, async () => {
      await putJson(`${FALCON}/control/users/f-5xx`, { faults: ['server_errors'] });
      assert.equal((await c.get('/party')).status, 503, 'switched on again, it bites again');
    });
  });

  test('timeouts: the first request of each path hangs until the client gives up', async () => {
    const c = await faulty('f-timeouts', ['timeouts']);
    const started = performance.now();
    await assert.rejects(fetch(`${c.ais}/party`, { headers: { authorization: `Bearer ${c.accessToken}` }, signal: AbortSignal.timeout(300) }), /TimeoutError|aborted/i);
    assert.ok(performance.now() - started < 2000);
    assert.equal((await read(c, 'party')).status, 200);
  });

  test('timeouts: a hanging request does not hold the server open when it closes', async () => {
    const dir = tempDir();
    const own = await startSandboxBank({ port: 0, dataDir: dir });
    try {
      const bankUrl = `${own.url}/SANDBOX_FALCON_AE`;
      await putJson(`${bankUrl}/control/users/hang`, { faults: ['timeouts'] });
      const c = await connect(bankUrl, 'hang');
      const pending = fetch(`${c.ais}/party`, { headers: { authorization: `Bearer ${c.accessToken}` } }).then(
        (res) => res.status,
        () => 'failed',
      );
      await new Promise((resolve) => setTimeout(resolve, 200));
      const started = performance.now();
      await own.close();
      assert.ok(performance.now() - started < 2000, 'closed promptly');
      assert.ok([503, 'failed'].includes(await pending));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('rate_limited: the first request of each path answers 429 with Retry-After: 1', async () => {
    const c = await faulty('f-429', ['rate_limited']);
    const limited = await read(c, 'party');
    assertObieError(limited, 429, 'UK.OBIE.UnexpectedError');
    assert.equal(limited.headers.get('retry-after'), '1');
    assert.equal((await read(c, 'party')).status, 200);
  });

  test('malformed_json: the first request of each path gets a truncated body', async () => {
    const c = await faulty('f-malformed', ['malformed_json']);
    const broken = await c.get('/party');
    assert.equal(broken.status, 200);
    assert.match(broken.headers.get('content-type') ?? '', /^application\/json/);
    assert.throws(() => JSON.parse(broken.text));
    assert.equal((await read(c, 'party')).status, 200);
  });

  test('consent_expired: data refused, consent reads Expired, refresh refused', async () => {
    const c = await faulty('f-expired', ['consent_expired']);
    assertObieError(await read(c, 'accounts'), 403, 'UK.OBIE.Resource.InvalidConsentStatus');
    const consent = await call(`${c.ais}/account-access-consents/${c.consentId}`, { headers: { authorization: `Bearer ${await clientToken(FALCON)}` } });
    specWithExpired.check('OBReadConsentResponse1', consent.body);
    assert.equal(consent.body.Data.Status, 'Expired');
    const refreshed = await token(FALCON, { grant_type: 'refresh_token', refresh_token: c.refreshToken });
    assert.equal(refreshed.body.error, 'invalid_grant');
  });

  test('consent_revoked: data refused, consent reads Revoked, refresh refused', async () => {
    const c = await faulty('f-revoked', ['consent_revoked']);
    assertObieError(await read(c, 'party'), 403, 'UK.OBIE.Resource.InvalidConsentStatus');
    const consent = await call(`${c.ais}/account-access-consents/${c.consentId}`, { headers: { authorization: `Bearer ${await clientToken(FALCON)}` } });
    spec.check('OBReadConsentResponse1', consent.body);
    assert.equal(consent.body.Data.Status, 'Revoked');
    assert.equal((await token(FALCON, { grant_type: 'refresh_token', refresh_token: c.refreshToken })).body.error, 'invalid_grant');
    // Switched off again, the consent is back: the fault is the bank's behaviour, not a stored change.
    await putJson(`${FALCON}/control/users/f-revoked`, { faults: [] });
    assert.equal((await read(c, 'party')).status, 200);
  });

  test('missing_transaction_id: transactions come without TransactionId', async () => {
    const c = await faulty('f-noid', ['missing_transaction_id']);
    const [accountId] = await accountIdsOf(c);
    const tx = await read(c, 'transactions', accountId!);
    assert.ok(tx.body.Data.Transaction.length > 0);
    for (const t of tx.body.Data.Transaction) assert.equal(t.TransactionId, undefined);
  });

  test('unstable_ids: the same transaction has a different id on every fetch', async () => {
    const c = await faulty('f-unstable', ['unstable_ids']);
    const [accountId] = await accountIdsOf(c);
    const first = (await read(c, 'transactions', accountId!)).body.Data.Transaction;
    const second = (await read(c, 'transactions', accountId!)).body.Data.Transaction;
    assert.equal(first.length, second.length);
    assert.deepEqual(first.map((t: any) => t.BookingDateTime + t.Amount.Amount), second.map((t: any) => t.BookingDateTime + t.Amount.Amount));
    for (const [i, t] of first.entries()) assert.notEqual(t.TransactionId, second[i].TransactionId);
  });

  test('pending_new_id: an entry pending when the fault came on books under a new id and a slightly later time', async () => {
    const c = await faulty('f-rebook', ['pending_new_id']);
    const [accountId] = await accountIdsOf(c);
    const before = (await allTransactions(c, accountId!)).items;
    const pending = before.filter((t) => t.Status === 'Pending');
    assert.ok(pending.length > 0);
    const after = (
      await later(3 * DAY_MS, async () => {
        await c.refresh();
        return allTransactions(c, accountId!);
      })
    ).items;
    const ids = new Set(after.map((t) => t.TransactionId));
    for (const t of before.filter((x) => x.Status === 'Booked')) assert.ok(ids.has(t.TransactionId), 'what was booked keeps its id');
    for (const p of pending) {
      assert.ok(!ids.has(p.TransactionId), 'the pending id is gone');
      const booked = after.find(
        (t) =>
          t.Status === 'Booked' &&
          t.Amount.Amount === p.Amount.Amount &&
          t.TransactionInformation === p.TransactionInformation &&
          Date.parse(t.BookingDateTime) > Date.parse(p.BookingDateTime) &&
          Date.parse(t.BookingDateTime) - Date.parse(p.BookingDateTime) <= DAY_MS,
      );
      assert.ok(booked, `${p.TransactionId} booked again`);
      assert.notEqual(booked.TransactionId, p.TransactionId);
    }
  });

  test('late_backdated: about 1 in 15 entries booked after the switch shows up two days after its booking time', async () => {
    const c = await faulty('f-late', ['late_backdated'], 'high_volume');
    const accountIds = await accountIdsOf(c);
    const shownIds = async () => {
      await c.refresh();
      return new Set((await Promise.all(accountIds.map((id) => allTransactions(c, id)))).flatMap((x) => x.items.map((t) => t.TransactionId)));
    };
    await later(DAY_MS, async () => {
      const shown = await shownIds();
      const snapshot = new Date(Math.floor(clockMs / 60_000) * 60_000);
      const truth = generateCustomer(SANDBOX_BANKS.find((b) => b.identifier === 'SANDBOX_FALCON_AE')!, 'f-late', snapshot, { profile: 'high_volume' }).accounts.flatMap(
        (a) => a.transactions,
      );
      const hidden = truth.filter((t) => !shown.has(t.transactionId));
      const sinceSwitch = truth.filter((t) => t.status === 'Booked' && Date.parse(t.bookingDateTime) > T0);
      assert.ok(hidden.length > 0, 'some entries booked since the switch are hidden');
      assert.ok(hidden.length < sinceSwitch.length / 5, `${hidden.length} of ${sinceSwitch.length} hidden`);
      for (const t of hidden) assert.ok(t.status === 'Booked' && Date.parse(t.bookingDateTime) > T0, 'only entries booked after the switch');
      const afterwards = await later(2 * DAY_MS + 60_000, shownIds);
      for (const t of hidden) assert.ok(afterwards.has(t.transactionId), `${t.transactionId} visible two days on`);
    });
  });
});
