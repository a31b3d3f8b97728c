import assert from 'node:assert/strict';
import fs from 'node:fs';
import https from 'node:https';
import { after, before, describe, test } from 'node:test';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import * as client from 'openid-client';
import { authorizeAtSandboxBank } from '../../src/sandbox-bank/automate-consent.ts';
import { ObieSpec, tempDir } from '../helpers/sandbox-bank.ts';
import {
  authorizationRequest,
  BANKS,
  bankClient,
  callbackParams,
  CLIENT_ID,
  clientToken,
  connect,
  createConsent,
  mtlsCall,
  putJson,
  REDIRECT_URI,
  startFapiSandbox,
  tokenRequest,
  type BankClient,
  type FapiSandbox,
  type Reply,
} from '../helpers/sandbox-fapi.ts';

/**
 * The sandbox banks' authorization servers where they misbehave on purpose: the token endpoint's
 * faults, spoilt ID tokens, a rotation of the ID-token signing key, and access tokens expiring on
 * the bank's clock. openid-client is the client (through test/helpers/sandbox-fapi.ts), over real
 * HTTP and mutual TLS; raw token requests only where the exact OAuth answer matters.
 */

const spec = new ObieSpec();

/** Short, so that moving the bank's clock past it is cheap; the rest of the file never moves the clock that far. */
const ACCESS_TOKEN_TTL_SECONDS = 120;
/** The bank's clock, stopped, so that a fault switched on again after moving it counts afresh. */
let clockMs = Date.now();
const now = () => new Date(clockMs);

async function later<T>(ms: number, run: () => Promise<T>): Promise<T> {
  clockMs += ms;
  try {
    return await run();
  } finally {
    clockMs -= ms;
  }
}

const CODE_FLOW = 'SANDBOX_FALCON_AE';
const HYBRID = 'SANDBOX_NAKHEEL_SA';

const dataDir = tempDir();
let sandbox: FapiSandbox;
let falcon: BankClient;
let nakheel: BankClient;
/** Every BankClient made here, so their connections are closed in `after`. */
const opened: BankClient[] = [];

async function openClient(bankId: string): Promise<BankClient> {
  const c = await bankClient(sandbox, bankId);
  opened.push(c);
  return c;
}

before(async () => {
  sandbox = await startFapiSandbox({ dataDir, now, accessTokenTtlSeconds: ACCESS_TOKEN_TTL_SECONDS });
  falcon = await openClient(CODE_FLOW);
  nakheel = await openClient(HYBRID);
});
after(async () => {
  for (const c of opened) await c.fetch.close();
  await sandbox.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** The error and each `cause` under it, outermost first. */
function chain(error: unknown): any[] {
  const out: any[] = [];
  for (let e: any = error; e && typeof e === 'object' && out.length < 10; e = e.cause) out.push(e);
  return out;
}

function assertOAuthError(res: Reply, status: number, error: string): void {
  assert.equal(res.status, status, res.text);
  assert.equal(res.body?.error, error, res.text);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
}

/**
 * openid-client's rejection of a 503 `temporarily_unavailable` from the token endpoint. oauth4webapi
 * reads an OAuth error body only from 4xx answers, so a 5xx is "not conform", with the response as
 * its cause.
 */
async function assertUnavailable(promise: Promise<unknown>): Promise<void> {
  const error = await promise.then(
    () => assert.fail('the token request should have failed'),
    (e: unknown) => e as { code?: string; cause?: { status?: number; json?: () => Promise<{ error?: string }> } },
  );
  assert.equal(error.code, 'OAUTH_RESPONSE_IS_NOT_CONFORM', String(error));
  assert.equal(error.cause?.status, 503);
  assert.equal((await error.cause!.json!()).error, 'temporarily_unavailable');
}

/** A consent of `c`'s bank authorised by `login`, up to the callback: what the redirect URI got and the request it answers. */
async function authorise(c: BankClient, login: string) {
  const created = await createConsent(c);
  assert.equal(created.status, 201, created.text);
  const request = await authorizationRequest(c, created.body.Data.ConsentId);
  const back = new URL(await authorizeAtSandboxBank(request.url.toString(), { login }));
  return { consentId: created.body.Data.ConsentId as string, request, back };
}

/** openid-client's code exchange (with the hybrid flow's front-channel validation first), as openlean does it. */
const exchange = (c: BankClient, journey: Awaited<ReturnType<typeof authorise>>) =>
  client.authorizationCodeGrant(c.config, journey.back, { pkceCodeVerifier: journey.request.verifier, expectedState: journey.request.state, expectedNonce: journey.request.nonce });

/** The bank's published JWKS (served on the HTTP port). */
async function jwksOf(c: BankClient): Promise<JSONWebKeySet> {
  const res = await mtlsCall(null, c.config.serverMetadata().jwks_uri!);
  assert.equal(res.status, 200, res.text);
  return res.body;
}

/**
 * A fetch over node:https that sends `Expect: 100-continue`: Node's server answers `100 Continue`
 * as it hands the request to its handler, so `reached` resolves once the bank holds the request,
 * without waiting for any time to pass. Aborting `signal` (as well as openid-client's own) drops it.
 */
function heldFetch(signal: AbortSignal) {
  let onReached!: () => void;
  const reached = new Promise<void>((resolve) => (onReached = resolve));
  const fetcher = (async (input: string | URL | Request, init: RequestInit = {}) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const body = init.body === undefined || init.body === null ? '' : String(init.body);
    const abort = init.signal ? AbortSignal.any([init.signal, signal]) : signal;
    const headers = { ...Object.fromEntries(new Headers(init.headers)), 'content-length': String(Buffer.byteLength(body)), expect: '100-continue' };
    const { cert_pem: cert, key_pem: key } = sandbox.pki.transport;
    return new Promise<Response>((resolve, reject) => {
      if (abort.aborted) return reject(abort.reason);
      const req = https.request(url, { method: init.method ?? 'GET', headers, ca: sandbox.pki.ca.cert_pem, cert, key, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve(new Response(Buffer.concat(chunks), { status: res.statusCode!, headers: res.headers as Record<string, string> })));
        res.on('error', reject);
      });
      abort.addEventListener('abort', () => {
        reject(abort.reason);
        req.destroy();
      }, { once: true });
      req.on('continue', () => {
        onReached();
        req.end(body);
      });
      req.on('error', (error) => reject(abort.aborted ? abort.reason : error));
      req.flushHeaders();
    });
  }) as typeof fetch;
  return { fetcher, reached };
}

describe('token endpoint faults', () => {
  test('token_server_errors (bank-wide): the token endpoint answers 503 twice, then works', async () => {
    const c = await openClient(CODE_FLOW);
    assert.equal((await putJson(`${c.issuer}/control/faults`, { faults: ['token_server_errors'] })).status, 200);
    try {
      const first = await tokenRequest(c, { grant_type: 'client_credentials', scope: 'accounts' });
      assertOAuthError(first, 503, 'temporarily_unavailable');
      assert.equal(first.headers.get('cache-control'), 'no-store');
      await assertUnavailable(clientToken(c));
      assert.ok(await clientToken(c), 'the third request is answered');
      assert.ok(await connect(c, 'tse-after'), 'so is every one after it: codes are exchanged');
    } finally {
      await putJson(`${c.issuer}/control/faults`, { faults: [] });
    }
  });

  test('token_server_errors switched on for a login only does nothing: the token request is judged before its user is known', async () => {
    const c = await openClient(CODE_FLOW);
    assert.equal((await putJson(`${c.issuer}/control/users/tse-login`, { faults: ['token_server_errors'] })).status, 200);
    const connection = await connect(c, 'tse-login');
    await connection.refresh();
    assert.equal((await connection.get('/accounts')).status, 200);
  });

  test('token_timeouts (bank-wide): the first token request gets no answer until the client gives up; the others are answered', async () => {
    const c = await openClient(CODE_FLOW);
    const giveUp = new AbortController();
    const held = heldFetch(giveUp.signal);
    const heldConfig = await client.discovery(new URL(c.issuer), CLIENT_ID, { use_mtls_endpoint_aliases: true, id_token_signed_response_alg: c.bank.signing_alg }, client.PrivateKeyJwt(c.signingKey), {
      execute: [client.allowInsecureRequests],
      [client.customFetch]: c.fetch as never,
    });
    // Discovery over the usual fetch; only the token request goes through the held one.
    heldConfig[client.customFetch] = held.fetcher as never;

    assert.equal((await putJson(`${c.issuer}/control/faults`, { faults: ['token_timeouts'] })).status, 200);
    try {
      let settled = false;
      const pending = client.clientCredentialsGrant(heldConfig, { scope: 'accounts' }).finally(() => (settled = true));
      await held.reached;
      // The bank holds that one; the next request (another connection) is answered at once.
      assert.ok(await clientToken(c));
      assert.equal(settled, false, 'no answer to the held request');
      giveUp.abort();
      await assert.rejects(pending, (error: { code?: string }) => {
        assert.equal(error.code, 'OAUTH_ABORT', String(error));
        return true;
      });
    } finally {
      await putJson(`${c.issuer}/control/faults`, { faults: [] });
    }
    // Switched off, the client that gave up gets its token.
    heldConfig[client.customFetch] = c.fetch as never;
    assert.ok((await client.clientCredentialsGrant(heldConfig, { scope: 'accounts' })).access_token);
    assert.ok(await connect(c, 'tt-after'));
  });

  test('token_lost_after_rotation (per login): the refresh answers 503, but the bank rotated: the old refresh token is spent', async () => {
    const c = await openClient(CODE_FLOW);
    const connection = await connect(c, 'lost');
    assert.equal((await putJson(`${c.issuer}/control/users/lost`, { faults: ['token_lost_after_rotation'] })).status, 200);
    const before = connection.refreshToken;
    await assertUnavailable(connection.refresh());
    assert.equal(connection.refreshToken, before, 'the client never saw the new refresh token');
    assert.equal((await connection.get('/accounts')).status, 200, 'its access token still works');
    const retried = await tokenRequest(c, { grant_type: 'refresh_token', refresh_token: before });
    assertOAuthError(retried, 400, 'invalid_grant');
    // Reuse detection: a spent refresh token presented again revokes its grant, access token included.
    assert.equal((await connection.get('/accounts')).status, 401);

    // Once per switch-on: a second consent of the same login refreshes normally.
    const second = await connect(c, 'lost');
    const rotated = second.refreshToken;
    await second.refresh();
    assert.notEqual(second.refreshToken, rotated);
    assert.equal((await second.get('/accounts')).status, 200);
    // Another login is not affected at all.
    const other = await connect(c, 'not-lost');
    await other.refresh();
    assert.equal((await other.get('/accounts')).status, 200);
  });

  test('token_lost_after_rotation bank-wide hits the first refresh of each login', async () => {
    const c = await openClient(CODE_FLOW);
    const [a, b] = [await connect(c, 'lost-bw-a'), await connect(c, 'lost-bw-b')];
    assert.equal((await putJson(`${c.issuer}/control/faults`, { faults: ['token_lost_after_rotation'] })).status, 200);
    try {
      for (const connection of [a, b]) {
        const refreshed = await tokenRequest(c, { grant_type: 'refresh_token', refresh_token: connection.refreshToken });
        assertOAuthError(refreshed, 503, 'temporarily_unavailable');
        assertOAuthError(await tokenRequest(c, { grant_type: 'refresh_token', refresh_token: connection.refreshToken }), 400, 'invalid_grant');
      }
      assert.ok(await clientToken(c), 'other grants are not affected');
    } finally {
      await putJson(`${c.issuer}/control/faults`, { faults: [] });
    }
  });
});

/** Each ID-token fault, what it changes in the token, and what openid-client answers. */
const ID_TOKEN_FAULTS: { fault: string; check(header: Record<string, unknown>, claims: Record<string, unknown>, issuer: string): void; rejection(error: unknown): void }[] = [
  {
    fault: 'id_token_alg_none',
    check: (header) => assert.equal(header.alg, 'none'),
    rejection(error) {
      const e = chain(error);
      assert.equal(e[0].code, 'OAUTH_INVALID_RESPONSE', String(error));
      const cause = e.find((x) => x.header);
      assert.match(String(e[1]?.message), /unexpected JWT "alg" header parameter/);
      assert.equal(cause?.header.alg, 'none');
    },
  },
  ...(['iss', 'aud', 'nonce'] as const).map((claim) => ({
    fault: { iss: 'id_token_wrong_issuer', aud: 'id_token_wrong_audience', nonce: 'id_token_wrong_nonce' }[claim],
    check(header: Record<string, unknown>, claims: Record<string, unknown>, issuer: string) {
      assert.notEqual(header.alg, 'none');
      const wrong = { iss: `${issuer}/not-the-issuer`, aud: 'someone-else', nonce: 'not-the-nonce' }[claim];
      assert.equal(claims[claim], wrong);
    },
    rejection(error: unknown) {
      const e = chain(error);
      assert.equal(e[0].code, 'OAUTH_JWT_CLAIM_COMPARISON_FAILED', String(error));
      assert.equal(e.find((x) => 'claim' in x)?.claim, claim);
    },
  })),
  {
    fault: 'id_token_expired',
    check: (_header, claims) => assert.ok((claims.exp as number) < Date.now() / 1000),
    rejection(error) {
      const e = chain(error);
      assert.equal(e[0].code, 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED', String(error));
      assert.equal(e.find((x) => 'claim' in x)?.claim, 'exp');
    },
  },
];

describe('ID-token faults (per login)', () => {
  for (const { fault, check, rejection } of ID_TOKEN_FAULTS) {
    test(`${fault} at ${CODE_FLOW} (code): authorizationCodeGrant rejects the token endpoint's ID token`, async () => {
      const login = `${fault}-code`;
      assert.equal((await putJson(`${falcon.issuer}/control/users/${login}`, { faults: [fault] })).status, 200);
      const journey = await authorise(falcon, login);
      assert.ok(journey.back.searchParams.get('code'));
      await assert.rejects(exchange(falcon, journey), (error) => (rejection(error), true));

      // Through a raw exchange of another code, the token itself: the fault and nothing else.
      const again = await authorise(falcon, login);
      const exchanged = await tokenRequest(falcon, {
        grant_type: 'authorization_code',
        code: again.back.searchParams.get('code')!,
        code_verifier: again.request.verifier,
        redirect_uri: REDIRECT_URI,
      });
      assert.equal(exchanged.status, 200, exchanged.text);
      const idToken: string = exchanged.body.id_token;
      check(decodeProtectedHeader(idToken), decodeJwt(idToken), falcon.issuer);
      assert.equal(decodeJwt(idToken).openbanking_intent_id, again.consentId, 'the rest of the token is as it was');

      // Another login at the same bank gets sound ID tokens.
      assert.ok((await connect(falcon, `${fault}-sound`)).idToken);
    });

    test(`${fault} at ${HYBRID} (code id_token): the fragment's ID token is spoilt too, and rejected before the code is exchanged`, async () => {
      const login = `${fault}-hybrid`;
      assert.equal((await putJson(`${nakheel.issuer}/control/users/${login}`, { faults: [fault] })).status, 200);
      const journey = await authorise(nakheel, login);
      const front = callbackParams(journey.back.toString());
      assert.ok(front.code && front.id_token, journey.back.toString());
      check(decodeProtectedHeader(front.id_token!), decodeJwt(front.id_token!), nakheel.issuer);
      await assert.rejects(exchange(nakheel, journey), (error) => (rejection(error), true));

      // The code was not spent by openid-client: the token endpoint's ID token has the fault as well.
      const exchanged = await tokenRequest(nakheel, { grant_type: 'authorization_code', code: front.code!, code_verifier: journey.request.verifier, redirect_uri: REDIRECT_URI });
      assert.equal(exchanged.status, 200, exchanged.text);
      check(decodeProtectedHeader(exchanged.body.id_token), decodeJwt(exchanged.body.id_token), nakheel.issuer);
    });
  }

  test('switched off, the same login gets sound ID tokens again', async () => {
    const login = 'id_token_wrong_issuer-hybrid';
    assert.equal((await putJson(`${nakheel.issuer}/control/users/${login}`, { faults: [] })).status, 200);
    const connection = await connect(nakheel, login);
    assert.equal(decodeJwt(connection.idToken!).iss, nakheel.issuer);
  });
});

describe('PUT control/id-token-signing', () => {
  /** openid-client as openlean at `bankId`, expecting ID tokens signed with `alg` (and a fresh JWKS cache). */
  async function expecting(bankId: string, alg: string): Promise<BankClient> {
    const c = await openClient(bankId);
    const config = await client.discovery(new URL(c.issuer), CLIENT_ID, { use_mtls_endpoint_aliases: true, id_token_signed_response_alg: alg }, client.PrivateKeyJwt(c.signingKey), {
      execute: [client.allowInsecureRequests],
      [client.customFetch]: c.fetch as never,
    });
    if (c.bank.response_type === 'code id_token') client.useCodeIdTokenResponseType(config);
    return { ...c, config };
  }

  for (const [bankId, alg] of [
    [CODE_FLOW, 'ES256'],
    [HYBRID, 'ES256'],
    [HYBRID, 'RS256'],
  ] as const) {
    test(`${bankId} → ${alg}: new kids in the JWKS, the old ones gone, the next ID token signed with ${alg} and the new kid`, async () => {
      const profileAlg = BANKS.find((b) => b.identifier === bankId)!.signing_alg;
      const c = await openClient(bankId);
      // A journey first, so the bank's keys exist before the rotation.
      assert.equal(decodeProtectedHeader((await connect(c, `rotate-${alg}-before`)).idToken!).alg, profileAlg);
      const before = await jwksOf(c);
      const oldKids = before.keys.map((k) => k.kid);
      try {
        const rotated = await putJson(`${c.issuer}/control/id-token-signing`, { alg });
        assert.equal(rotated.status, 200, rotated.text);
        assert.equal(rotated.body.bank_identifier, bankId);
        assert.equal(rotated.body.alg, alg);
        const kid: string = rotated.body.kid;

        const after = await jwksOf(c);
        assert.equal(after.keys.length, before.keys.length);
        for (const old of oldKids) assert.ok(!after.keys.some((k) => k.kid === old), `old kid ${old} is gone`);
        assert.ok(after.keys.some((k) => k.kid === kid), 'the new kid is published');
        for (const k of after.keys) assert.equal((k as { d?: string }).d, undefined, 'public keys only');

        const fresh = await expecting(bankId, alg);
        const connection = await connect(fresh, `rotate-${alg}-after`);
        const header = decodeProtectedHeader(connection.idToken!);
        assert.equal(header.alg, alg);
        assert.equal(header.kid, kid);
        const { payload } = await jwtVerify(connection.idToken!, createLocalJWKSet(after), { issuer: c.issuer, audience: CLIENT_ID, algorithms: [alg] });
        assert.equal(payload.openbanking_intent_id, connection.consentId);

        // A client still expecting the old algorithm refuses the new tokens.
        const stale = await authorise(c, `rotate-${alg}-stale`);
        await assert.rejects(exchange(c, stale), (error) => {
          const e = chain(error);
          assert.match(String(e[1]?.message), /unexpected JWT "alg" header parameter/, String(error));
          return true;
        });
      } finally {
        assert.equal((await putJson(`${c.issuer}/control/id-token-signing`, { alg: profileAlg })).status, 200);
      }
      assert.equal(decodeProtectedHeader((await connect(await openClient(bankId), `rotate-${alg}-back`)).idToken!).alg, profileAlg);
    });
  }

  test('an algorithm the bank cannot sign with is refused (400)', async () => {
    const res = await putJson(`${falcon.issuer}/control/id-token-signing`, { alg: 'HS256' });
    assert.equal(res.status, 400, res.text);
    spec.check('OBErrorResponse1', res.body);
  });
});

describe("access tokens on the bank's clock", () => {
  test(`with accessTokenTtlSeconds ${ACCESS_TOKEN_TTL_SECONDS}: valid until then, 401 from the OBIE API once expired, a refresh gets a new one`, async () => {
    const connection = await connect(falcon, 'short-lived');
    const refreshed = await tokenRequest(falcon, { grant_type: 'refresh_token', refresh_token: connection.refreshToken });
    assert.equal(refreshed.status, 200, refreshed.text);
    assert.equal(refreshed.body.expires_in, ACCESS_TOKEN_TTL_SECONDS);
    const token: string = refreshed.body.access_token;
    const accounts = (bearer: string) => mtlsCall(falcon, `${falcon.ais}/accounts`, { headers: { authorization: `Bearer ${bearer}` } });
    assert.equal((await accounts(token)).status, 200);

    await later((ACCESS_TOKEN_TTL_SECONDS - 1) * 1000, async () => assert.equal((await accounts(token)).status, 200, 'a second before it expires'));
    await later(ACCESS_TOKEN_TTL_SECONDS * 1000, async () => {
      const expired = await accounts(token);
      assert.equal(expired.status, 401, expired.text);
      spec.check('OBErrorResponse1', expired.body);
      assert.equal(expired.body.Errors[0].ErrorCode, 'UK.OBIE.Header.Invalid');
      assert.match(expired.headers.get('www-authenticate') ?? '', /^Bearer /);

      const renewed = await tokenRequest(falcon, { grant_type: 'refresh_token', refresh_token: refreshed.body.refresh_token });
      assert.equal(renewed.status, 200, renewed.text);
      assert.equal((await accounts(renewed.body.access_token)).status, 200, 'issued on the moved clock, it lives from there');
    });
  });

  test('client credentials tokens expire on the same clock', async () => {
    const cc = await clientToken(falcon);
    const consents = () => mtlsCall(falcon, `${falcon.ais}/account-access-consents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${cc}`, 'content-type': 'application/json' },
      body: JSON.stringify({ Data: { Permissions: ['ReadAccountsBasic'] }, Risk: {} }),
    });
    assert.equal((await consents()).status, 201);
    await later(ACCESS_TOKEN_TTL_SECONDS * 1000, async () => {
      const expired = await consents();
      assert.equal(expired.status, 401, expired.text);
      assert.equal(expired.body.Errors[0].ErrorCode, 'UK.OBIE.Header.Invalid');
    });
  });
});
