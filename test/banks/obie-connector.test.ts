import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BankError, type BankCredentials, type ConsentStart, type FetchDataInput } from '../../src/banks/connector.ts';
import { createObieConnector, type ObieConnectorOptions, type ObieEvent } from '../../src/banks/obie/connector.ts';
import type { BankDefinition } from '../../src/banks/bank.ts';
import { BankTransports } from '../../src/banks/security/bank-transport.ts';
import { createFapiClient } from '../../src/banks/security/fapi-client.ts';
import { DATA_RESOURCES, PERMISSIONS, type Permission } from '../../src/domain/permissions.ts';
import { authorizeAtSandboxBank, type AuthorizeOptions } from '../../src/sandbox-bank/automate-consent.ts';
import { toEntitySnapshot } from '../helpers/direct-snapshot.ts';
import { generateCustomer } from '../../src/sandbox-bank/generator/index.ts';
import { SANDBOX_BANK_PROFILES } from '../../src/sandbox-bank/profiles.ts';
import { bankSource } from '../../src/sandbox-connections.ts';
import { onRequestSent } from '../helpers/requests-sent.ts';
import { callbackParams, startFapiSandbox, type FapiSandbox } from '../helpers/sandbox-fapi.ts';
import { assertTransactionKeys, withoutObieGaps } from './obie-expected.ts';

const profileOf = (bank: BankDefinition) => SANDBOX_BANK_PROFILES.find((p) => p.identifier === bank.identifier)!;
const REDIRECT_URI = 'https://tpp.example/callback';
const TOKEN_TTL_S = 3600;

/**
 * The connector against the real sandbox banks over HTTP and mutual TLS, each configured as a
 * BANKS_FILE entry with the test PKI: the FAPI consent journey of each profile, every resource
 * mapped to what the bank's own records say, token refresh, and each fault the bank can be
 * switched into. The bank's clock is the test's, so the data is known and tokens can expire.
 */
describe('OBIE connector against the sandbox banks', () => {
  let sandbox: FapiSandbox;
  let bankUrl: string;
  let dataDir: string;
  let FALCON: BankDefinition;
  let OASIS: BankDefinition;
  let NAKHEEL: BankDefinition;
  let PEARL: BankDefinition;
  const transports = new BankTransports();
  // A whole minute: the sandbox serves the data as of the minute.
  let clockMs = Math.floor(Date.now() / 60_000) * 60_000;
  const now = () => new Date(clockMs);
  let logins = 0;

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'openlean-obie-'));
    // A request the `timeouts` fault holds stays held for the hour, unless the client lets it go.
    sandbox = await startFapiSandbox({ dataDir, now, accessTokenTtlSeconds: TOKEN_TTL_S, hangMs: 3_600_000 });
    bankUrl = sandbox.url;
    [FALCON, OASIS, NAKHEEL, PEARL] = bankSource([], () => ({ http: sandbox.url, tls: sandbox.tlsUrl }), sandbox.pki)() as BankDefinition[] as [BankDefinition, BankDefinition, BankDefinition, BankDefinition];
  });
  after(async () => {
    await transports.close();
    await sandbox.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const connector = (options: Partial<ObieConnectorOptions> = {}) => {
    const events: ObieEvent[] = [];
    const c = createObieConnector({
      fapi: createFapiClient({ transports, timeout_ms: 5000 }),
      transports,
      // Generous: a first call makes the bank's data and TLS sessions, and test machines are shared.
      timeout_ms: 3000,
      now,
      onEvent: (e) => events.push(e),
      ...options,
    });
    return Object.assign(c, { events });
  };

  const setUser = async (bank: BankDefinition, login: string, settings: { faults?: string[]; profile?: string }) => {
    const res = await fetch(`${bankUrl}/${bank.identifier}/control/users/${encodeURIComponent(login)}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(settings),
    });
    assert.equal(res.status, 200, await res.text());
  };

  const start = (c: ReturnType<typeof connector>, bank: BankDefinition, permissions: readonly Permission[] = PERMISSIONS) =>
    c.startConsent({ bank, permissions, expires_at: new Date(clockMs + 90 * 86_400_000).toISOString(), redirect_uri: REDIRECT_URI });

  /** The code exchange of a consent started with `start`, for what the bank sent back. */
  const exchange = (c: ReturnType<typeof connector>, bank: BankDefinition, started: ConsentStart & { consent_id: string }, params: Record<string, string>) =>
    c.exchangeCode({ bank, consent_id: started.consent_id, params, state: started.state, nonce: started.nonce, code_verifier: started.code_verifier, redirect_uri: REDIRECT_URI });

  /** A fresh sandbox user with an authorised consent: the whole FAPI journey, the user's step through the bank's control API. */
  const consent = async (c: ReturnType<typeof connector>, bank: BankDefinition, permissions: readonly Permission[] = PERMISSIONS, authorize: Partial<AuthorizeOptions> = {}) => {
    const login = `obie-user-${++logins}`;
    const started = await start(c, bank, permissions);
    const authorizeUrl = new URL(started.authorize_url);
    // Everything the bank needs is inside the signed request object: pushed (PAR), or by value.
    assert.equal(authorizeUrl.searchParams.has(bank.par ? 'request_uri' : 'request'), true);
    assert.equal(authorizeUrl.searchParams.has('code_challenge'), false, 'no parameter outside the request object');
    const params = callbackParams(await authorizeAtSandboxBank(started.authorize_url, { login, ...authorize }));
    assert.equal(params.state, started.state);
    if (bank.response_type === 'code id_token') assert.ok(params.id_token, 'the hybrid flow answers with an ID token in the fragment');
    const credentials = await exchange(c, bank, started, params);
    return { login, credentials, started, params };
  };

  const fetchAll = (c: ReturnType<typeof connector>, bank: BankDefinition, credentials: BankCredentials, extra: Partial<FetchDataInput> = {}) =>
    c.fetchData({ bank, credentials, resources: DATA_RESOURCES, transactions_from: null, ...extra });

  const isBankError = (kind: BankError['kind']) => (err: unknown) => {
    assert.ok(err instanceof BankError, String(err));
    assert.equal(err.kind, kind, err.message);
    return true;
  };

  for (const identifier of SANDBOX_BANK_PROFILES.filter((p) => p.standard === 'obie-3.1').map((p) => p.identifier)) {
    it(`fetches everything from ${identifier} (${SANDBOX_BANK_PROFILES.find((p) => p.identifier === identifier)!.security_profile}) as the bank's own records say`, async () => {
      const bank = [FALCON, OASIS, NAKHEEL, PEARL].find((b) => b.identifier === identifier)!;
      const c = connector();
      const { login, credentials } = await consent(c, bank);
      assert.equal(credentials.access_token_expires_at, new Date(clockMs + TOKEN_TTL_S * 1000).toISOString());
      assert.ok(credentials.refresh_token);
      const result = await fetchAll(c, bank, credentials);
      assert.deepEqual(result.credentials, credentials, 'no refresh was needed');
      const expected = toEntitySnapshot(generateCustomer(profileOf(bank), login, now()), bank, PERMISSIONS, now());
      assert.deepEqual(withoutObieGaps(result.snapshot), withoutObieGaps(expected));
      assertTransactionKeys(result.snapshot);
      assert.deepEqual(c.events, []);
    });
  }

  it('fetches only what it is asked for, transactions from a given time', async () => {
    const c = connector();
    const { credentials } = await consent(c, FALCON);
    const from = new Date(clockMs - 10 * 86_400_000).toISOString();
    const { snapshot } = await c.fetchData({ bank: FALCON, credentials, resources: ['accounts', 'transactions'], transactions_from: from });
    assert.equal(snapshot.identity, undefined);
    for (const a of snapshot.accounts) {
      assert.deepEqual(Object.keys(a).sort(), ['account', 'bank_account_id', 'transactions']);
      assert.equal(a.transactions!.from, from);
      assert.ok(a.transactions!.items.every((t) => t.booking_at >= from));
    }
    const all = await c.fetchData({ bank: FALCON, credentials, resources: ['transactions'], transactions_from: null });
    const count = (s: typeof snapshot) => s.accounts.reduce((n, a) => n + a.transactions!.items.length, 0);
    assert.ok(count(snapshot) > 0 && count(snapshot) < count(all.snapshot));
  });

  it('refreshes an expired access token once, and hands over the rotated tokens at once', async () => {
    const c = connector();
    const { credentials } = await consent(c, FALCON);
    clockMs += (TOKEN_TTL_S + 60) * 1000;
    const handed: BankCredentials[] = [];
    const result = await c.fetchData({ bank: FALCON, credentials, resources: ['balances'], transactions_from: null, onCredentials: (x) => void handed.push(x) });
    assert.notEqual(result.credentials.access_token, credentials.access_token);
    assert.notEqual(result.credentials.refresh_token, credentials.refresh_token);
    assert.equal(result.credentials.consent_id, credentials.consent_id);
    assert.equal(result.credentials.access_token_expires_at, new Date(clockMs + TOKEN_TTL_S * 1000).toISOString());
    assert.deepEqual(handed, [result.credentials]);
    assert.deepEqual(c.events, [{ type: 'token_refreshed', bank: FALCON.identifier }]);

    // The bank rotated the refresh token: the old one is spent, and the consent cannot go on without the user.
    clockMs += (TOKEN_TTL_S + 60) * 1000;
    await assert.rejects(c.fetchData({ bank: FALCON, credentials, resources: ['balances'], transactions_from: null }), isBankError('reconnect_required'));
    // Reusing a spent refresh token revokes the whole grant (refresh token reuse detection, OAuth
    // 2.0 Security BCP RFC 9700 §4.14.2): the new one is dead too.
    await assert.rejects(c.fetchData({ bank: FALCON, credentials: result.credentials, resources: ['balances'], transactions_from: null }), isBankError('reconnect_required'));
  });

  it('refreshes the token when the bank answers 401 though the token looked valid', async () => {
    const c = connector();
    const { credentials } = await consent(c, FALCON);
    clockMs += (TOKEN_TTL_S + 60) * 1000;
    const result = await c.fetchData({ bank: FALCON, credentials: { ...credentials, access_token_expires_at: null }, resources: ['balances', 'identity'], transactions_from: null });
    assert.notEqual(result.credentials.access_token, credentials.access_token);
    assert.equal(c.events.filter((e) => e.type === 'token_refreshed').length, 1, 'one refresh for the whole fetch');
  });

  it('says reconnect_required when the consent was revoked or expired at the bank', async () => {
    for (const fault of ['consent_revoked', 'consent_expired']) {
      const c = connector();
      const { login, credentials } = await consent(c, FALCON);
      await setUser(FALCON, login, { faults: [fault] });
      await assert.rejects(fetchAll(c, FALCON, credentials), isBankError('reconnect_required'));
    }
  });

  it('revokes the consent; revoking it again, or one the bank does not know, is no error', async () => {
    const c = connector();
    const { credentials } = await consent(c, PEARL);
    await c.revokeConsent({ bank: PEARL, consent_id: credentials.consent_id });
    await assert.rejects(fetchAll(c, PEARL, credentials), isBankError('reconnect_required'));
    await c.revokeConsent({ bank: PEARL, consent_id: credentials.consent_id });
    await c.revokeConsent({ bank: PEARL, consent_id: 'aac-unknown' });
  });

  describe('transient faults are retried until the fetch succeeds', () => {
    for (const fault of ['server_errors', 'timeouts', 'rate_limited', 'malformed_json', 'latency']) {
      it(fault, async () => {
        const { login, credentials } = await consent(connector(), FALCON);
        const resources = ['accounts', 'balances', 'identity'] as const;
        const clean = await connector().fetchData({ bank: FALCON, credentials, resources, transactions_from: null });
        await setUser(FALCON, login, { faults: [fault] });
        // A held request is given up after the attempt's timeout: a short one keeps the test short.
        const c = connector(fault === 'timeouts' ? { timeout_ms: 500 } : {});
        const faulty = await c.fetchData({ bank: FALCON, credentials, resources, transactions_from: null });
        assert.deepEqual(faulty.snapshot, clean.snapshot);
        const retries = c.events.filter((e) => e.type === 'retry');
        if (fault === 'latency') assert.equal(retries.length, 0, 'latency under the timeout is no failure');
        else assert.ok(retries.length >= 3, `${fault}: ${retries.length} retries`);
      });
    }
  });

  it('fails a call as rate_limited when the bank wants a longer wait than allowed', async () => {
    const c = connector({ max_retry_after_ms: 500 });
    const { login, credentials } = await consent(c, FALCON);
    await setUser(FALCON, login, { faults: ['rate_limited'] });
    await assert.rejects(fetchAll(c, FALCON, credentials), (err: unknown) => {
      isBankError('rate_limited')(err);
      assert.equal((err as BankError).retry_after_ms, 1000);
      assert.equal((err as BankError).resource, 'accounts');
      return true;
    });
  });

  it('keys transactions stably when the bank drops or changes their ids', async () => {
    const c = connector();
    const { login, credentials } = await consent(c, FALCON);
    const keysOf = async () => {
      const { snapshot } = await c.fetchData({ bank: FALCON, credentials, resources: ['transactions'], transactions_from: null });
      assertTransactionKeys(snapshot);
      return snapshot.accounts.map((a) => a.transactions!.items.filter((t) => t.status === 'BOOKED').map((t) => t.key));
    };
    const clean = await keysOf();
    await setUser(FALCON, login, { faults: ['unstable_ids'] });
    assert.deepEqual(await keysOf(), clean);
    assert.deepEqual(await keysOf(), clean);
    await setUser(FALCON, login, { faults: ['missing_transaction_id'] });
    assert.deepEqual(await keysOf(), clean);
  });

  it('opens the circuit after repeated failures and closes it once the bank answers again', async (t) => {
    const c = connector({ max_attempts: 1, circuit_threshold: 2, circuit_half_open_after_ms: 300 });
    const { login, credentials } = await consent(c, FALCON);
    // cockatiel's breaker reads Date.now(): the test moves it past the half-open delay instead of waiting.
    t.mock.timers.enable({ apis: ['Date'], now: Date.now() });
    await setUser(FALCON, login, { faults: ['server_errors'] });
    // The bank fails each path twice; with one attempt per call, two calls fail.
    for (let i = 0; i < 2; i++) await assert.rejects(fetchAll(c, FALCON, credentials), (err: unknown) => isBankError('unavailable')(err) && (err as BankError).status === 503);
    // The bank would answer now, but the circuit does not ask it.
    let sent = 0;
    const stopCounting = onRequestSent(() => sent++);
    try {
      await assert.rejects(fetchAll(c, FALCON, credentials), (err: unknown) => isBankError('unavailable')(err) && /circuit open/.test((err as BankError).message));
    } finally {
      stopCounting();
    }
    assert.equal(sent, 0, 'no request while the circuit is open');
    t.mock.timers.tick(300);
    await c.fetchData({ bank: FALCON, credentials, resources: ['accounts'], transactions_from: null });
    assert.deepEqual(
      c.events.filter((e) => e.type === 'circuit').map((e) => e.type === 'circuit' && e.state),
      ['open', 'half_open', 'closed'],
    );
  });

  // Only the abort can end the call: the bank holds its first request for an hour, as long as the
  // connector would wait. The timeout makes a call that ignores the abort a failure, not a hang.
  it('stops when the caller aborts', { timeout: 120_000 }, async () => {
    const c = connector({ timeout_ms: 3_600_000 });
    const { login, credentials } = await consent(c, FALCON);
    await setUser(FALCON, login, { faults: ['timeouts'] });
    const controller = new AbortController();
    const stopWatching = onRequestSent(() => controller.abort(new Error('worker stopping')));
    try {
      await assert.rejects(fetchAll(c, FALCON, credentials, { signal: controller.signal }), /worker stopping/);
    } finally {
      stopWatching();
    }
  });

  it('refuses a consent the user denied at the bank', async () => {
    const c = connector();
    const started = await start(c, FALCON, ['accounts']);
    const params = callbackParams(await authorizeAtSandboxBank(started.authorize_url, { login: `obie-user-${++logins}`, deny: true }));
    assert.equal(params.error, 'access_denied');
    await assert.rejects(exchange(c, FALCON, started, { code: 'not-a-code', state: started.state, iss: FALCON.issuer }), isBankError('reconnect_required'));
  });
});
