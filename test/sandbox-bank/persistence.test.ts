import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import * as client from 'openid-client';
import { ensureTestPki } from '../../src/pki/test-pki.ts';
import { authorizeAtSandboxBank } from '../../src/sandbox-bank/automate-consent.ts';
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
