import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { approveConsent } from '../../src/sandbox-bank/automate-consent.ts';
import { startSandboxBank } from '../../src/sandbox-bank/server.ts';
import { authorizeUrl, call, createConsent, pkce, putJson, REDIRECT_URI, tempDir, token } from '../helpers/sandbox-bank.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/openlean.js');
const BANK = 'SANDBOX_NAKHEEL_SA';

/** `openlean sandbox-bank` in its own process; resolves once it says where it listens. */
async function cli(dataDir: string) {
  const child = spawn(process.execPath, [BIN, 'sandbox-bank', '--port', '0', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  after(() => child.kill('SIGKILL'));
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const m = /listening at (\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.stderr.on('data', (chunk) => (out += chunk));
    child.on('exit', (code) => reject(new Error(`sandbox-bank exited with ${code}: ${out}`)));
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return { url, kill: async () => (child.kill('SIGKILL'), exited) };
}

test('state is shared by two processes on one file and survives a SIGKILL', async () => {
  const dataDir = tempDir();
  after(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const a = await cli(dataDir);
  const b = await startSandboxBank({ port: 0, dataDir });
  after(() => b.close());
  const atA = `${a.url}/${BANK}`;
  const atB = `${b.url}/${BANK}`;

  // Settings made through one process apply in the other.
  await putJson(`${atB}/control/users/shared`, { profile: 'thin' });
  assert.equal((await call(`${atA}/control/users/shared`)).body.profile, 'thin');

  // A consent created at A, authorised through B's pages, exchanged at A, read at B.
  const consentId = (await createConsent(atA)).body.Data.ConsentId;
  const { verifier, challenge } = pkce();
  const back = new URL(await approveConsent(authorizeUrl(atB, { consent_id: consentId, code_challenge: challenge }), { login: 'shared' }));
  const exchanged = await token(atA, { grant_type: 'authorization_code', code: back.searchParams.get('code')!, code_verifier: verifier, redirect_uri: REDIRECT_URI });
  assert.equal(exchanged.status, 200, exchanged.text);
  const bearer = { authorization: `Bearer ${exchanged.body.access_token}` };
  const accounts = await call(`${atB}/open-banking/v3.1/aisp/accounts`, { headers: bearer });
  assert.equal(accounts.status, 200, accounts.text);

  await a.kill();
  const restarted = await cli(dataDir);
  const again = `${restarted.url}/${BANK}`;
  const afterRestart = await call(`${again}/open-banking/v3.1/aisp/accounts`, { headers: bearer });
  assert.equal(afterRestart.status, 200, 'the access token outlives the process');
  assert.deepEqual(afterRestart.body.Data, accounts.body.Data);
  const refreshed = await token(again, { grant_type: 'refresh_token', refresh_token: exchanged.body.refresh_token });
  assert.equal(refreshed.status, 200, refreshed.text);
  assert.equal((await call(`${again}/control/users/shared`)).body.profile, 'thin');
  await restarted.kill();
});
