import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { BankDefinition } from '../../src/banks/bank.ts';
import { BankError, type ConsentStart } from '../../src/banks/connector.ts';
import { createObieConnector } from '../../src/banks/obie/connector.ts';
import { BankTransports } from '../../src/banks/security/bank-transport.ts';
import { createFapiClient } from '../../src/banks/security/fapi-client.ts';
import { PERMISSIONS } from '../../src/domain/permissions.ts';
import { createUntrustedClientCertificate } from '../../src/pki/test-pki.ts';
import { authorizeAtSandboxBank } from '../../src/sandbox-bank/automate-consent.ts';
import { bankSource } from '../../src/sandbox-connections.ts';
import { callbackParams, putJson, startFapiSandbox, type FapiSandbox } from '../helpers/sandbox-fapi.ts';

const REDIRECT_URI = 'https://tpp.example/callback';

/**
 * openlean's FAPI client (src/banks/security/) against the sandbox banks' authorization servers
 * when something is wrong: ID tokens that must be refused, each with its own reason; a state that
 * does not match; a transport certificate the bank does not trust; and a bank that changes its
 * ID-token algorithm and keys between two journeys, which must keep working.
 */
describe('FAPI security layer', () => {
  let sandbox: FapiSandbox;
  let dataDir: string;
  let banks: Record<string, BankDefinition>;
  const transports = new BankTransports();
  const connector = createObieConnector({ fapi: createFapiClient({ transports, timeout_ms: 5000 }), transports, timeout_ms: 5000 });
  let logins = 0;

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'openlean-fapi-'));
    sandbox = await startFapiSandbox({ dataDir });
    banks = Object.fromEntries(bankSource([], () => ({ http: sandbox.url, tls: sandbox.tlsUrl }), sandbox.pki)().map((b) => [b.identifier, b]));
  });
  after(async () => {
    await transports.close();
    await sandbox.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const setFaults = async (bank: BankDefinition, login: string, faults: string[]) => {
    const res = await putJson(`${sandbox.url}/${bank.identifier}/control/users/${login}`, { faults });
    assert.equal(res.status, 200, res.text);
  };

  /** A consent started, authorised by a fresh login (with `faults` switched on for it), and what the bank sent back. */
  const authorised = async (bank: BankDefinition, faults: string[] = [], c = connector) => {
    const login = `fapi-user-${++logins}`;
    if (faults.length > 0) await setFaults(bank, login, faults);
    const started = await c.startConsent({ bank, permissions: PERMISSIONS, expires_at: new Date(Date.now() + 86_400_000).toISOString(), redirect_uri: REDIRECT_URI });
    const params = callbackParams(await authorizeAtSandboxBank(started.authorize_url, { login }));
    return { login, started, params };
  };

  const exchange = (bank: BankDefinition, started: ConsentStart & { consent_id: string }, params: Record<string, string>, c = connector) =>
    c.exchangeCode({ bank, consent_id: started.consent_id, params, state: started.state, nonce: started.nonce, code_verifier: started.code_verifier, redirect_uri: REDIRECT_URI });

  const refused = (pattern: RegExp) => (err: unknown) => {
    assert.ok(err instanceof BankError, String(err));
    assert.equal(err.kind, 'rejected', err.message);
    assert.match(err.message, pattern);
    return true;
  };

  const ID_TOKEN_FAULTS = [
    ['id_token_alg_none', /unexpected JWT "alg" header parameter/],
    ['id_token_wrong_issuer', /unexpected JWT claim value encountered.*\(claim iss\)/],
    ['id_token_wrong_audience', /unexpected JWT claim value encountered.*\(claim aud\)/],
    ['id_token_wrong_nonce', /unexpected JWT claim value encountered.*\(claim nonce\)/],
    ['id_token_expired', /JWT timestamp claim value failed validation.*\(claim exp\)/],
  ] as const;

  for (const identifier of ['SANDBOX_FALCON_AE', 'SANDBOX_NAKHEEL_SA']) {
    describe(`refuses a bad ID token from ${identifier}`, () => {
      for (const [fault, reason] of ID_TOKEN_FAULTS) {
        it(fault, async () => {
          const bank = banks[identifier]!;
          const { started, params } = await authorised(bank, [fault]);
          await assert.rejects(exchange(bank, started, params), refused(reason));
        });
      }
    });
  }

  it('refuses an answer whose state is not the one sent, before spending the code', async () => {
    for (const bank of [banks.SANDBOX_FALCON_AE!, banks.SANDBOX_NAKHEEL_SA!]) {
      const { started, params } = await authorised(bank);
      await assert.rejects(exchange(bank, started, { ...params, state: 'forged-state' }), refused(/state/));
      // The code was not spent on the forged answer: the genuine one still goes through.
      const credentials = await exchange(bank, started, params);
      assert.ok(credentials.access_token);
    }
  });

  it('keeps working when the bank switches its ID-token algorithm and keys between two journeys', async () => {
    for (const [identifier, algs] of [
      ['SANDBOX_FALCON_AE', ['ES256', 'PS256']],
      ['SANDBOX_NAKHEEL_SA', ['ES256', 'PS256']],
    ] as const) {
      const bank = banks[identifier]!;
      const first = await authorised(bank);
      assert.ok((await exchange(bank, first.started, first.params)).access_token);
      for (const alg of algs) {
        const rotated = await putJson(`${sandbox.url}/${identifier}/control/id-token-signing`, { alg });
        assert.equal(rotated.status, 200, rotated.text);
        const next = await authorised(bank);
        const credentials = await exchange(bank, next.started, next.params);
        const { snapshot } = await connector.fetchData({ bank, credentials, resources: ['accounts'], transactions_from: null });
        assert.ok(snapshot.accounts.length > 0, `${identifier} after switching to ${alg}`);
      }
    }
  });

  it('cannot reach a bank that does not trust its transport certificate, and says which call failed', async () => {
    const untrusted = await createUntrustedClientCertificate('CN=openlean sandbox TPP,O=openlean,C=AE');
    const bank: BankDefinition = { ...banks.SANDBOX_OASIS_AE!, identifier: 'UNTRUSTED_OASIS', transport: { cert_pem: untrusted.cert_pem, key_pem: untrusted.key_pem } };
    const other = new BankTransports();
    try {
      const c = createObieConnector({ fapi: createFapiClient({ transports: other, timeout_ms: 5000 }), transports: other, timeout_ms: 5000 });
      await assert.rejects(
        c.startConsent({ bank, permissions: PERMISSIONS, expires_at: new Date(Date.now() + 86_400_000).toISOString(), redirect_uri: REDIRECT_URI }),
        (err: unknown) => {
          assert.ok(err instanceof BankError, String(err));
          assert.equal(err.kind, 'unavailable');
          assert.match(err.message, /^client credentials token: no answer from the bank/);
          return true;
        },
      );
    } finally {
      await other.close();
    }
  });
});
