import assert from 'node:assert/strict';
import diagnostics_channel from 'node:diagnostics_channel';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import * as client from 'openid-client';
import { SANDBOX_BANK_PROFILES } from '../../src/sandbox-bank/profiles.ts';
import { authorizeAtSandboxBank } from '../../src/sandbox-bank/automate-consent.ts';
import { generateCustomer } from '../../src/sandbox-bank/generator/index.ts';
import { ObieSpec, tempDir } from '../helpers/sandbox-bank.ts';
import {
  authorizationRequest,
  BANKS,
  bankClient,
  clientToken,
  connect,
  createConsent,
  mtlsCall,
  putJson,
  REDIRECT_URI,
  startFapiSandbox,
  tokenRequest,
  type BankClient,
  type Connection,
  type FapiSandbox,
  type Reply,
} from '../helpers/sandbox-fapi.ts';

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
let sandbox: FapiSandbox;
/** openlean at Falcon (FAPI 2.0, private_key_jwt) and Pearl (FAPI 1.0 Advanced, hybrid, ES256, request by value). */
let falcon: BankClient;
let pearl: BankClient;
/** Issuers: discovery, authorization, pages and control API over plain HTTP. */
let FALCON: string;
let PEARL: string;
/** The OBIE API: mutual TLS only. */
let FALCON_API: string;
let PEARL_API: string;

/** Any request: over openlean's mutual-TLS connection for https URLs, plain fetch for http ones. */
const call = (url: string, init: RequestInit = {}) => mtlsCall(falcon, url, init);

before(async () => {
  sandbox = await startFapiSandbox({ dataDir, now });
  falcon = await bankClient(sandbox, 'SANDBOX_FALCON_AE');
  pearl = await bankClient(sandbox, 'SANDBOX_PEARL_BH');
  FALCON = falcon.issuer;
  PEARL = pearl.issuer;
  FALCON_API = falcon.ais;
  PEARL_API = pearl.ais;
});
after(async () => {
  await falcon.fetch.close();
  await pearl.fetch.close();
  await sandbox.close();
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
  for (const bank of BANKS) {
    test(`${bank.identifier}: discovery announces its FAPI profile (${bank.security_profile}, ${bank.client_auth}, ${bank.response_type})`, async () => {
      const issuer = `${sandbox.url}/${bank.identifier}`;
      const tls = `${sandbox.tlsUrl}/${bank.identifier}`;
      const res = await call(`${issuer}/.well-known/openid-configuration`);
      assert.equal(res.status, 200);
      const d = res.body;
      assert.equal(d.issuer, issuer);
      assert.equal(d.authorization_endpoint, `${issuer}/authorize`, 'the browser reaches it over plain HTTP');
      assert.deepEqual(d.mtls_endpoint_aliases, {
        token_endpoint: `${tls}/token`,
        pushed_authorization_request_endpoint: `${tls}/par`,
        revocation_endpoint: `${tls}/revoke`,
        userinfo_endpoint: `${tls}/userinfo`,
      });
      assert.deepEqual([...d.token_endpoint_auth_methods_supported].sort(), ['private_key_jwt', 'tls_client_auth']);
      assert.ok(!d.token_endpoint_auth_methods_supported.includes('client_secret_basic'));
      assert.equal(d.require_pushed_authorization_requests ?? false, bank.security_profile === 'fapi2' || bank.par);
      assert.ok(d.request_object_signing_alg_values_supported.includes(bank.signing_alg));
      assert.equal(d.request_object_signing_alg_values_supported.includes('none'), false);
      assert.ok(d.response_types_supported.includes(bank.response_type));
      assert.deepEqual(d.code_challenge_methods_supported, ['S256']);
      assert.equal(d.tls_client_certificate_bound_access_tokens, true);
      assert.ok(d.claims_supported.includes('openbanking_intent_id'));
      assert.deepEqual(d.acr_values_supported, ['urn:openbanking:psd2:sca']);
      for (const scope of ['openid', 'accounts']) assert.ok(d.scopes_supported.includes(scope), scope);
      for (const grant of ['authorization_code', 'refresh_token', 'client_credentials']) assert.ok(d.grant_types_supported.includes(grant), grant);
      const jwks = await call(d.jwks_uri);
      assert.equal(jwks.status, 200);
      assert.ok(jwks.body.keys.every((k: Record<string, unknown>) => k.d === undefined), 'public keys only');
    });
  }

  test('an unknown bank has no discovery', async () => {
    assert.equal((await call(`${sandbox.url}/NO_SUCH_BANK/.well-known/openid-configuration`)).status, 404);
  });

  test('client credentials with the profile’s authentication; wrong clients and grants answer RFC 6749 errors', async () => {
    const cc = await tokenRequest(falcon, { grant_type: 'client_credentials', scope: 'accounts' });
    assert.equal(cc.status, 200, cc.text);
    assert.match(cc.body.token_type, /^bearer$/i);
    assert.equal(cc.body.expires_in, 3600);
    assert.equal(cc.headers.get('cache-control'), 'no-store');
    assert.ok(await clientToken(pearl), 'ES256 assertions at Pearl');

    const oasis = await bankClient(sandbox, 'SANDBOX_OASIS_AE');
    try {
      assert.equal((await tokenRequest(oasis, { grant_type: 'client_credentials', scope: 'accounts' })).status, 200, 'tls_client_auth: the certificate alone');
      const stranger = await tokenRequest(oasis, { grant_type: 'client_credentials' }, { clientId: 'someone-else' });
      assert.equal(stranger.status, 401);
      assert.equal(stranger.body.error, 'invalid_client');
    } finally {
      await oasis.fetch.close();
    }
    const noAssertion = await mtlsCall(falcon, `${sandbox.tlsUrl}/SANDBOX_FALCON_AE/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&client_id=openlean&client_secret=secret',
    });
    assert.equal(noAssertion.status, 401, 'a client secret is no authentication here');
    assert.equal(noAssertion.body.error, 'invalid_client');
    assert.equal(typeof noAssertion.body.error_description, 'string');
    assert.equal((await tokenRequest(falcon, { grant_type: 'password' })).body.error, 'unsupported_grant_type');
    const empty = await tokenRequest(falcon, {});
    assert.equal(empty.body.error, 'invalid_request');
    assert.ok(empty.headers.get('x-fapi-interaction-id'));
  });
});

describe('consents', () => {
  test('POST creates an AwaitingAuthorisation consent (201, OBReadConsentResponse1); GET reads it', async () => {
    const expires = new Date(T0 + 30 * DAY_MS).toISOString();
    const created = await createConsent(falcon, { ExpirationDateTime: expires, TransactionFromDateTime: '2025-01-01T00:00:00Z' });
    assert.equal(created.status, 201, created.text);
    spec.response('POST', '/account-access-consents', 201, created.body);
    assert.equal(created.body.Data.Status, 'AwaitingAuthorisation');
    assert.equal(created.body.Data.ExpirationDateTime, expires);
    assert.equal(created.body.Data.TransactionFromDateTime, '2025-01-01T00:00:00.000Z');
    const id = created.body.Data.ConsentId;
    const cc = await clientToken(falcon);
    const read = await call(created.body.Links.Self, { headers: { authorization: `Bearer ${cc}` } });
    assert.equal(read.status, 200);
    spec.response('GET', '/account-access-consents/{ConsentId}', 200, read.body);
    assert.equal(read.body.Data.ConsentId, id);
    // A consent belongs to its bank.
    const elsewhere = await call(`${PEARL_API}/account-access-consents/${id}`, { headers: { authorization: `Bearer ${await clientToken(pearl)}` } });
    assertObieError(elsewhere, 404, 'UK.OBIE.Resource.NotFound');
  });

  test('invalid bodies answer 400 with the field at fault', async () => {
    const cc = await clientToken(falcon);
    const post = (body: unknown, contentType = 'application/json') =>
      call(`${FALCON_API}/account-access-consents`, {
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
    const url = `${FALCON_API}/account-access-consents`;
    assertObieError(await call(url, { method: 'POST' }), 401, 'UK.OBIE.Header.Missing');
    const bogus = await call(url, { method: 'POST', headers: { authorization: 'Bearer nope' } });
    assertObieError(bogus, 401, 'UK.OBIE.Header.Invalid');
    assert.match(bogus.headers.get('www-authenticate') ?? '', /^Bearer /);
    const c = await connect(falcon, 'consent-token-kind');
    const res = await call(`${url}/${c.consentId}`, { headers: { authorization: `Bearer ${c.accessToken}` } });
    assertObieError(res, 403, 'UK.OBIE.Header.Invalid');
  });

  test('DELETE revokes: 204, the consent reads Revoked, its tokens stop working and cannot be refreshed', async () => {
    const c = await connect(falcon, 'delete-me');
    assert.equal((await read(c, 'accounts')).status, 200);
    const cc = await clientToken(falcon);
    const url = `${c.ais}/account-access-consents/${c.consentId}`;
    const deleted = await call(url, { method: 'DELETE', headers: { authorization: `Bearer ${cc}` } });
    assert.equal(deleted.status, 204);
    assert.equal(deleted.text, '');
    assert.ok(deleted.headers.get('x-fapi-interaction-id'));
    const readBack = await call(url, { headers: { authorization: `Bearer ${cc}` } });
    spec.response('GET', '/account-access-consents/{ConsentId}', 200, readBack.body);
    assert.equal(readBack.body.Data.Status, 'Revoked');
    assertObieError(await read(c, 'accounts'), 403, 'UK.OBIE.Resource.InvalidConsentStatus');
    const refreshed = await tokenRequest(falcon, { grant_type: 'refresh_token', refresh_token: c.refreshToken });
    assert.equal(refreshed.status, 400);
    assert.equal(refreshed.body.error, 'invalid_grant');
    assert.equal((await call(url, { method: 'DELETE', headers: { authorization: `Bearer ${cc}` } })).status, 204, 'deleting twice is fine');
    assertObieError(await call(`${c.ais}/account-access-consents/aac-nope`, { method: 'DELETE', headers: { authorization: `Bearer ${cc}` } }), 404, 'UK.OBIE.Resource.NotFound');
  });
});

describe('authorization journey', () => {
  /** A consent authorised at Falcon by `login`; the callback URL and the request it answers. */
  async function authorised(login: string) {
    const consentId = (await createConsent(falcon)).body.Data.ConsentId;
    const request = await authorizationRequest(falcon, consentId);
    const back = new URL(await authorizeAtSandboxBank(request.url.toString(), { login }));
    return { consentId, request, back, code: back.searchParams.get('code')! };
  }

  test('authorization code with PKCE: one use, matching verifier; refresh rotates', async () => {
    const { request, back, code } = await authorised('pkce');
    assert.equal(back.origin + back.pathname, REDIRECT_URI);
    assert.equal(back.searchParams.get('state'), request.state);
    assert.equal(back.searchParams.get('iss'), FALCON, 'RFC 9207 issuer in the response');

    const wrongVerifier = await tokenRequest(falcon, { grant_type: 'authorization_code', code, code_verifier: client.randomPKCECodeVerifier(), redirect_uri: REDIRECT_URI });
    assert.equal(wrongVerifier.status, 400);
    assert.equal(wrongVerifier.body.error, 'invalid_grant');
    const exchanged = await tokenRequest(falcon, { grant_type: 'authorization_code', code, code_verifier: request.verifier, redirect_uri: REDIRECT_URI });
    assert.equal(exchanged.status, 200, exchanged.text);
    const reused = await tokenRequest(falcon, { grant_type: 'authorization_code', code, code_verifier: request.verifier, redirect_uri: REDIRECT_URI });
    assert.equal(reused.body.error, 'invalid_grant', 'a code is gone after its first use');

    const again = await connect(falcon, 'pkce');
    const refreshed = await tokenRequest(falcon, { grant_type: 'refresh_token', refresh_token: again.refreshToken });
    assert.equal(refreshed.status, 200, refreshed.text);
    assert.notEqual(refreshed.body.refresh_token, again.refreshToken);
    const accounts = await call(`${again.ais}/accounts`, { headers: { authorization: `Bearer ${refreshed.body.access_token}` } });
    assert.equal(accounts.status, 200);
    const replay = await tokenRequest(falcon, { grant_type: 'refresh_token', refresh_token: again.refreshToken });
    assert.equal(replay.body.error, 'invalid_grant', 'a rotated refresh token is spent');
  });

  test('the redirect_uri of the exchange must be the one authorised', async () => {
    const { request, code } = await authorised('redirect');
    const res = await tokenRequest(falcon, { grant_type: 'authorization_code', code, code_verifier: request.verifier, redirect_uri: 'https://evil.example/cb' });
    assert.equal(res.body.error, 'invalid_grant');
  });

  test('a bad authorization request shows an error page and never redirects', async () => {
    // Unpushed at Falcon (FAPI 2.0 requires PAR): the error goes back to the client.
    const unpushed = await call(`${FALCON}/authorize?client_id=openlean&response_type=code&scope=openid&redirect_uri=${encodeURIComponent(REDIRECT_URI)}`);
    assert.equal(unpushed.status, 303);
    assert.equal(new URL(unpushed.headers.get('location')!).searchParams.get('error'), 'invalid_request');
    // Without a request object at Pearl (it requires a signed one): back to the client too.
    const good0 = await authorizationRequest(pearl, (await createConsent(pearl)).body.Data.ConsentId);
    const bare = new URL(good0.url);
    bare.searchParams.delete('request');
    const unsigned = await call(bare.toString());
    assert.equal(unsigned.status, 303);
    assert.equal(new URL(unsigned.headers.get('location')!).searchParams.get('error'), 'invalid_request');
    // A request object without its signature: the error goes back in the fragment (hybrid).
    const stripped = new URL(good0.url);
    stripped.searchParams.set('request', `${good0.url.searchParams.get('request')!.split('.').slice(0, 2).join('.')}.`);
    const unverified = await call(stripped.toString());
    assert.equal(unverified.status, 303);
    assert.equal(new URLSearchParams(new URL(unverified.headers.get('location')!).hash.slice(1)).get('error'), 'invalid_request_object');
    // A request_uri Falcon never issued.
    const unissued = await call(`${FALCON}/authorize?client_id=openlean&request_uri=${encodeURIComponent('urn:ietf:params:oauth:request_uri:nope')}`);
    assert.equal(unissued.status, 400);
    assert.equal(unissued.headers.get('location'), null);
    assert.match(unissued.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(unissued.text, /data-testid="error-message"/);
    // The consent id is checked inside the signed request object; what is echoed is HTML-escaped.
    await assert.rejects(authorizationRequest(falcon, 'aac-<script>alert(1)</script>'), (error: { error?: string; error_description?: string }) => {
      assert.equal(error.error, 'invalid_request_object');
      assert.match(String(error.error_description), /not found/);
      return true;
    });
    const script = await authorizationRequest(pearl, 'aac-<script>alert(1)</script>');
    const page = await call(script.url.toString());
    assert.ok(!page.text.includes('<script>'), 'HTML-escaped');
  });

  test('pages carry stable field names and test ids; ui_locales=ar renders Arabic right to left', async () => {
    const page = async (extra: Record<string, string> = {}) => {
      const request = await authorizationRequest(falcon, (await createConsent(falcon)).body.Data.ConsentId, extra);
      const opened = await call(request.url.toString());
      assert.equal(opened.status, 303, opened.text);
      const cookie = opened.headers.getSetCookie().map((c) => c.split(';', 1)[0]).join('; ');
      return call(new URL(opened.headers.get('location')!, FALCON).toString(), { headers: { cookie } });
    };
    const en = await page();
    assert.equal(en.status, 200, en.text);
    assert.match(en.text, /<html lang="en" dir="ltr">/);
    for (const marker of ['name="username"', 'name="password"', 'data-testid="login-submit"']) assert.ok(en.text.includes(marker), marker);
    assert.ok(en.headers.get('x-fapi-interaction-id'));
    assert.match(en.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    const ar = await page({ ui_locales: 'ar-AE en' });
    assert.match(ar.text, /<html lang="ar" dir="rtl">/);
    assert.ok(ar.text.includes('تسجيل الدخول'));
  });

  test('control API: a wrong otp ends the request with access_denied / otp_failed and leaves the consent to retry', async () => {
    const consentId = (await createConsent(falcon)).body.Data.ConsentId;
    const request = await authorizationRequest(falcon, consentId);
    const back = new URL(await authorizeAtSandboxBank(request.url.toString(), { login: 'otp-user', otp: '999999' }));
    assert.equal(back.searchParams.get('error'), 'access_denied');
    assert.equal(back.searchParams.get('error_description'), 'otp_failed');
    assert.equal(back.searchParams.get('state'), request.state);
    assert.equal(back.searchParams.get('code'), null);
    const consent = await call(`${FALCON_API}/account-access-consents/${consentId}`, { headers: { authorization: `Bearer ${await clientToken(falcon)}` } });
    assert.equal(consent.body.Data.Status, 'AwaitingAuthorisation');
    const retried = await authorizationRequest(falcon, consentId);
    assert.ok(new URL(await authorizeAtSandboxBank(retried.url.toString(), { login: 'otp-user' })).searchParams.get('code'));
  });

  test('control API: deny redirects with access_denied and rejects the consent', async () => {
    const consentId = (await createConsent(falcon)).body.Data.ConsentId;
    const request = await authorizationRequest(falcon, consentId);
    const back = new URL(await authorizeAtSandboxBank(request.url.toString(), { login: 'denier', deny: true }));
    assert.equal(back.searchParams.get('error'), 'access_denied');
    assert.equal(back.searchParams.get('state'), request.state);
    const consent = await call(`${FALCON_API}/account-access-consents/${consentId}`, { headers: { authorization: `Bearer ${await clientToken(falcon)}` } });
    spec.response('GET', '/account-access-consents/{ConsentId}', 200, consent.body);
    assert.equal(consent.body.Data.Status, 'Rejected');
    await assert.rejects(authorizationRequest(falcon, consentId), (error: { error?: string }) => (assert.equal(error.error, 'invalid_request_object'), true), 'a rejected consent cannot be authorised');
  });

  test('control API: unknown interactions and accounts are refused', async () => {
    const missing = await putJson(`${FALCON}/control/interactions/nope`, {});
    assert.ok(missing.status >= 400);
    const res = await call(`${FALCON}/control/interactions/nope`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: 'x', decision: 'approve' }) });
    assert.equal(res.status, 404);
    spec.check('OBErrorResponse1', res.body);
  });
});

describe('account information', () => {
  let c: Connection;
  let accountIds: string[];
  before(async () => {
    c = await connect(falcon, 'user1');
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
    const elsewhere = await call(`${PEARL_API}/accounts`, { headers: { authorization: `Bearer ${c.accessToken}` } });
    assertObieError(elsewhere, 401, 'UK.OBIE.Header.Invalid');
  });

  test('a client credentials token is refused on resources', async () => {
    const cc = await clientToken(falcon);
    for (const path of ['/accounts', `/accounts/${accountIds[0]}/transactions`, '/party']) {
      assertObieError(await call(`${c.ais}${path}`, { headers: { authorization: `Bearer ${cc}` } }), 403, 'UK.OBIE.Header.Invalid');
    }
  });

  test('unknown accounts, unknown paths and unknown banks answer 404 OBErrorResponse1', async () => {
    assertObieError(await read(c, 'account', 'no-such-account'), 404, 'UK.OBIE.Resource.NotFound');
    assertObieError(await read(c, 'balances', 'no-such-account'), 404, 'UK.OBIE.Resource.NotFound');
    assertObieError(await read(c, 'transactions', 'no-such-account'), 404, 'UK.OBIE.Resource.NotFound');
    assertObieError(await c.get('/statements'), 404, 'UK.OBIE.Resource.NotFound');
    assertObieError(await call(`${sandbox.tlsUrl}/NOPE/open-banking/v3.1/aisp/accounts`), 404, 'UK.OBIE.Resource.NotFound');
  });

  test('x-fapi-interaction-id is echoed when sent and generated when not, errors included', async () => {
    const echoed = await c.get('/accounts', { 'x-fapi-interaction-id': '93bac548-d2de-4546-b106-880a5018460d' });
    assert.equal(echoed.headers.get('x-fapi-interaction-id'), '93bac548-d2de-4546-b106-880a5018460d');
    const error = await call(`${c.ais}/accounts`, { headers: { 'x-fapi-interaction-id': 'abc-123' } });
    assert.equal(error.headers.get('x-fapi-interaction-id'), 'abc-123');
    assert.equal(error.body.Id, 'abc-123');
    const generated = await c.get('/accounts');
    assert.match(generated.headers.get('x-fapi-interaction-id') ?? '', /^[0-9a-f-]{36}$/);
    const notFound = await call(`${sandbox.url}/nothing-here`);
    assert.match(notFound.headers.get('x-fapi-interaction-id') ?? '', /^[0-9a-f-]{36}$/);
    const tokenError = await tokenRequest(falcon, { grant_type: 'nope' });
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

  test('access tokens expire on the bank\'s clock; the refresh token gets a new one', async () => {
    const own = await connect(falcon, 'expiry');
    await later(2 * 3_600_000, async () => {
      assertObieError(await own.get('/accounts'), 401, 'UK.OBIE.Header.Invalid');
      const refreshed = await tokenRequest(falcon, { grant_type: 'refresh_token', refresh_token: own.refreshToken });
      assert.equal(refreshed.status, 200, refreshed.text);
      assert.equal(refreshed.body.expires_in, 3600);
      assert.equal((await call(`${own.ais}/accounts`, { headers: { authorization: `Bearer ${refreshed.body.access_token}` } })).status, 200);
    });
  });

  test('a consent past its ExpirationDateTime reads Expired and refuses its data', async () => {
    const own = await connect(falcon, 'expired', { data: { ExpirationDateTime: new Date(T0 - 60_000).toISOString() } });
    assertObieError(await own.get('/accounts'), 403, 'UK.OBIE.Resource.InvalidConsentStatus');
    const consent = await call(`${own.ais}/account-access-consents/${own.consentId}`, { headers: { authorization: `Bearer ${await clientToken(falcon)}` } });
    specWithExpired.check('OBReadConsentResponse1', consent.body);
    assert.equal(consent.body.Data.Status, 'Expired');
  });
});

describe('permissions and account selection', () => {
  test('Basic permissions leave out the detail fields; a missing permission answers 403', async () => {
    const c = await connect(falcon, 'user1', { data: { Permissions: ['ReadAccountsBasic', 'ReadBalances', 'ReadTransactionsBasic', 'ReadTransactionsCredits', 'ReadBeneficiariesBasic', 'ReadStandingOrdersBasic', 'ReadScheduledPaymentsBasic'] } });
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
    const full = await connect(falcon, 'user2');
    const id = (await read(full, 'accounts')).body.Data.Account[0].AccountId;
    const c = await connect(falcon, 'user2', { data: { Permissions: ['ReadBalances'] } });
    assertObieError(await read(c, 'accounts'), 403, 'UK.OBIE.Resource.ConsentMismatch');
    assert.equal((await read(c, 'balances', id)).status, 200);
  });

  test("the consent's TransactionFromDateTime and TransactionToDateTime bound what its token sees", async () => {
    const from = new Date(T0 - 30 * DAY_MS).toISOString();
    const to = new Date(T0 - 10 * DAY_MS).toISOString();
    const c = await connect(falcon, 'user1', { data: { TransactionFromDateTime: from, TransactionToDateTime: to } });
    const id = (await read(c, 'accounts')).body.Data.Account[0].AccountId;
    const { items } = await allTransactions(c, id);
    assert.ok(items.length > 0);
    assert.ok(items.every((t) => t.BookingDateTime >= from && t.BookingDateTime <= to));
  });

  test('only the accounts the user chose are visible', async () => {
    const full = await connect(falcon, 'user1');
    const ids: string[] = (await read(full, 'accounts')).body.Data.Account.map((a: { AccountId: string }) => a.AccountId);
    assert.ok(ids.length >= 2, 'user1 has several accounts');
    const c = await connect(falcon, 'user1', { authorize: { accountIds: [ids[1]!] } });
    assert.deepEqual((await read(c, 'accounts')).body.Data.Account.map((a: { AccountId: string }) => a.AccountId), [ids[1]]);
    assertObieError(await read(c, 'balances', ids[0]!), 404, 'UK.OBIE.Resource.NotFound');
    assertObieError(await read(c, 'transactions', ids[0]!), 404, 'UK.OBIE.Resource.NotFound');
  });
});

describe('paging a high-volume customer', () => {
  test('Links.Next visits every transaction exactly once, 1000 a page', async () => {
    const settings = await putJson(`${FALCON}/control/users/volume`, { profile: 'high_volume' });
    assert.equal(settings.status, 200);
    const c = await connect(falcon, 'volume');
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
    assertObieError(await putJson(`${sandbox.url}/NOPE/control/users/x`, {}), 404, 'UK.OBIE.Resource.NotFound');
    assert.deepEqual((await call(url)).body.faults, ['latency']);
  });

  test('bank-wide faults apply to every login of the bank', async () => {
    const c = await connect(pearl, 'anyone');
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
    return connect(falcon, login);
  }

  async function accountIdsOf(c: Connection): Promise<string[]> {
    return (await read(c, 'accounts')).body.Data.Account.map((a: { AccountId: string }) => a.AccountId);
  }

  // A lower bound only, which no load can break (a timer never fires early); that the delay stays
  // within 100-400 ms is latencyMs's, tested in units.test.ts without a clock.
  test('latency adds 100-400 ms to each response', async () => {
    const c = await faulty('f-latency', ['latency']);
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      assert.equal((await read(c, 'party')).status, 200);
      const ms = performance.now() - started;
      assert.ok(ms >= 95, `${ms} ms`);
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
    const second = await connect(falcon, 'f-5xx');
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
    await assert.rejects(c.client.fetch(`${c.ais}/party`, { headers: { authorization: `Bearer ${c.accessToken}` }, signal: AbortSignal.timeout(300) }), /TimeoutError|aborted/i);
    assert.equal((await read(c, 'party')).status, 200);
  });

  // The bank would hold the request for an hour: only closing can let it go. The timeout makes a
  // close that waits for it a failure, not a hang.
  test('timeouts: a hanging request does not hold the server open when it closes', { timeout: 120_000 }, async () => {
    const dir = tempDir();
    const own = await startFapiSandbox({ dataDir: dir, hangMs: 3_600_000 });
    const ownFalcon = await bankClient(own, 'SANDBOX_FALCON_AE');
    try {
      const bankUrl = ownFalcon.issuer;
      await putJson(`${bankUrl}/control/users/hang`, { faults: ['timeouts'] });
      const c = await connect(ownFalcon, 'hang');
      // Whether closing finds the request held or still on its way to the fault, it must not wait for it.
      const received = new Promise<void>((resolve) => {
        const started = () => {
          diagnostics_channel.unsubscribe('http.server.request.start', started);
          resolve();
        };
        diagnostics_channel.subscribe('http.server.request.start', started);
      });
      const pending = ownFalcon.fetch(`${c.ais}/party`, { headers: { authorization: `Bearer ${c.accessToken}` } }).then(
        (res) => res.status,
        () => 'failed',
      );
      await received;
      await own.close();
      assert.ok([503, 'failed'].includes(await pending));
    } finally {
      await ownFalcon.fetch.close();
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
    const consent = await call(`${c.ais}/account-access-consents/${c.consentId}`, { headers: { authorization: `Bearer ${await clientToken(falcon)}` } });
    specWithExpired.check('OBReadConsentResponse1', consent.body);
    assert.equal(consent.body.Data.Status, 'Expired');
    const refreshed = await tokenRequest(falcon, { grant_type: 'refresh_token', refresh_token: c.refreshToken });
    assert.equal(refreshed.body.error, 'invalid_grant');
  });

  test('consent_revoked: data refused, consent reads Revoked, refresh refused', async () => {
    const c = await faulty('f-revoked', ['consent_revoked']);
    assertObieError(await read(c, 'party'), 403, 'UK.OBIE.Resource.InvalidConsentStatus');
    const consent = await call(`${c.ais}/account-access-consents/${c.consentId}`, { headers: { authorization: `Bearer ${await clientToken(falcon)}` } });
    spec.check('OBReadConsentResponse1', consent.body);
    assert.equal(consent.body.Data.Status, 'Revoked');
    assert.equal((await tokenRequest(falcon, { grant_type: 'refresh_token', refresh_token: c.refreshToken })).body.error, 'invalid_grant');
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
      const truth = generateCustomer(SANDBOX_BANK_PROFILES.find((b) => b.identifier === 'SANDBOX_FALCON_AE')!, 'f-late', snapshot, { profile: 'high_volume' }).accounts.flatMap(
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
