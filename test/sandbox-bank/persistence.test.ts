import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import SQLite from 'better-sqlite3';
import * as client from 'openid-client';
import { ensureTestPki } from '../../src/pki/test-pki.ts';
import { authorizeAtSandboxBank } from '../../src/sandbox-bank/automate-consent.ts';
import { openState } from '../../src/sandbox-bank/state.ts';
import { tempDir } from '../helpers/sandbox-bank.ts';
import { authorizationRequest, bankClient, createConsent, mtlsCall, putJson, startFapiSandbox, type FapiSandbox, type TestPki } from '../helpers/sandbox-fapi.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/openlean.js');
const BANK = 'SANDBOX_NAKHEEL_SA';

/** `openlean sandbox-bank` in its own process; resolves once it says where it listens (HTTP and mutual TLS). */
async function cli(dataDir: string) {
  const child = spawn(process.execPath, [BIN, 'sandbox-bank', '--port', '0', '--tls-port', '0', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  after(() => child.kill('SIGKILL'));
  let out = '';
  const urls = await new Promise<{ url: string; tlsUrl: string }>((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const http = /listening at (\S+)/.exec(out);
      const tls = /mutual TLS at (\S+)/.exec(out);
      if (http && tls) resolve({ url: http[1]!, tlsUrl: tls[1]! });
    });
    child.stderr.on('data', (chunk) => (out += chunk));
    child.on('exit', (code) => reject(new Error(`sandbox-bank exited with ${code}: ${out}`)));
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return { ...urls, kill: async () => (child.kill('SIGKILL'), exited) };
}

test('state is shared by two processes on one file and survives a SIGKILL', async () => {
  const dataDir = tempDir();
  after(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const a = await cli(dataDir);
  // The CLI made the PKI in $DATA_DIR/sandbox-pki; this process loads the same one.
  const pki = (await ensureTestPki(path.join(dataDir, 'sandbox-pki'))) as TestPki;
  const b = await startFapiSandbox({ dataDir, pki });
  after(() => b.close());
  const atA: FapiSandbox = { url: a.url, tlsUrl: a.tlsUrl, pki, close: async () => undefined };
  const clientA = await bankClient(atA, BANK);
  const clientB = await bankClient(b, BANK);

  // Settings made through one process apply in the other.
  await putJson(`${b.url}/${BANK}/control/users/shared`, { profile: 'thin' });
  assert.equal((await mtlsCall(null, `${a.url}/${BANK}/control/users/shared`)).body.profile, 'thin');

  // A consent created at A, pushed and authorised at B, exchanged at A, read at B.
  const consentId = (await createConsent(clientA)).body.Data.ConsentId;
  const request = await authorizationRequest(clientB, consentId);
  const back = new URL(await authorizeAtSandboxBank(request.url.toString(), { login: 'shared' }));
  // B's issuer is not A's: A checks the ID token's iss, so the callback is read as B's client.
  const tokens = await client.authorizationCodeGrant(clientB.config, back, { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce });
  const bearer = { authorization: `Bearer ${tokens.access_token}` };
  const accounts = await mtlsCall(clientB, `${clientB.ais}/accounts`, { headers: bearer });
  assert.equal(accounts.status, 200, accounts.text);
  const atAaccounts = await mtlsCall(clientA, `${clientA.ais}/accounts`, { headers: bearer });
  assert.equal(atAaccounts.status, 200, 'a token issued by one process is good at the other');

  await a.kill();
  const restarted = await cli(dataDir);
  const again = await bankClient({ url: restarted.url, tlsUrl: restarted.tlsUrl, pki, close: async () => undefined }, BANK);
  const afterRestart = await mtlsCall(again, `${again.ais}/accounts`, { headers: bearer });
  assert.equal(afterRestart.status, 200, 'the access token outlives the process');
  assert.deepEqual(afterRestart.body.Data, accounts.body.Data);
  const refreshed = await client.refreshTokenGrant(clientB.config, tokens.refresh_token!);
  assert.ok(refreshed.access_token);
  assert.equal((await mtlsCall(null, `${restarted.url}/${BANK}/control/users/shared`)).body.profile, 'thin');
  for (const c of [clientA, clientB, again]) await c.fetch.close();
  await restarted.kill();
});

/** The schema the state file had before it was migrated, as that version wrote it. */
const UNMIGRATED_SCHEMA = `
CREATE TABLE consents (
  id TEXT PRIMARY KEY, bank TEXT NOT NULL, status TEXT NOT NULL, permissions TEXT NOT NULL,
  created_at TEXT NOT NULL, status_updated_at TEXT NOT NULL, expires_at TEXT, transactions_from TEXT,
  transactions_to TEXT, login TEXT, account_ids TEXT
);
CREATE TABLE journeys (
  uid TEXT NOT NULL, bank TEXT NOT NULL, step TEXT NOT NULL, login TEXT, otp_failures INTEGER NOT NULL, expires_at INTEGER NOT NULL,
  PRIMARY KEY (bank, uid)
);
CREATE TABLE oidc_models (
  bank TEXT NOT NULL, model TEXT NOT NULL, id TEXT NOT NULL, payload TEXT NOT NULL, grant_id TEXT, uid TEXT, user_code TEXT,
  expires_at INTEGER, PRIMARY KEY (bank, model, id)
);
CREATE INDEX oidc_models_grant ON oidc_models (bank, grant_id);
CREATE INDEX oidc_models_uid ON oidc_models (bank, model, uid);
CREATE TABLE bank_keys (bank TEXT PRIMARY KEY, jwks TEXT NOT NULL, id_token_alg TEXT NOT NULL, cookie_secret TEXT NOT NULL, version INTEGER NOT NULL);
CREATE TABLE users (
  bank TEXT NOT NULL, login TEXT NOT NULL, profile TEXT NOT NULL, faults TEXT NOT NULL, PRIMARY KEY (bank, login)
);
CREATE TABLE bank_faults (bank TEXT PRIMARY KEY, faults TEXT NOT NULL);
`;

test('a state file written before the state was migrated opens with its data, and keeps it through a second open', async () => {
  const dataDir = tempDir();
  after(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const file = new SQLite(path.join(dataDir, 'sandbox-banks.db'));
  file.exec(UNMIGRATED_SCHEMA);
  file
    .prepare(`INSERT INTO consents (id, bank, status, permissions, created_at, status_updated_at, login, account_ids) VALUES (?, ?, 'Authorised', ?, ?, ?, ?, ?)`)
    .run('consent-1', BANK, '["ReadAccountsBasic"]', '2026-01-05T10:00:00.000Z', '2026-01-05T10:01:00.000Z', 'user1', '["acc-1"]');
  file.prepare('INSERT INTO users (bank, login, profile, faults) VALUES (?, ?, ?, ?)').run(BANK, 'user1', 'thin', '{"timeouts":1767607200000}');
  file.prepare('INSERT INTO oidc_models (bank, model, id, payload, grant_id) VALUES (?, ?, ?, ?, ?)').run(BANK, 'Grant', 'grant-1', '{"grantId":"grant-1"}', 'grant-1');
  file.close();

  for (let open = 1; open <= 2; open++) {
    const state = await openState(dataDir);
    try {
      assert.deepEqual(state.consent(BANK, 'consent-1'), {
        id: 'consent-1',
        bank: BANK,
        status: 'Authorised',
        permissions: ['ReadAccountsBasic'],
        createdAt: '2026-01-05T10:00:00.000Z',
        statusUpdatedAt: '2026-01-05T10:01:00.000Z',
        expiresAt: null,
        transactionsFrom: null,
        transactionsTo: null,
        login: 'user1',
        accountIds: ['acc-1'],
      });
      assert.deepEqual(state.user(BANK, 'user1'), { profile: 'thin', faults: { timeouts: 1767607200000 } });
      assert.deepEqual(state.oidc.find(BANK, 'Grant', 'id', 'grant-1', Date.now()), { grantId: 'grant-1' });
    } finally {
      state.close();
    }
  }
});
