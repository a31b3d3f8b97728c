import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { BankDefinition } from '../../src/banks/bank.ts';
import { createBankRegistry } from '../../src/banks/registry.ts';
import type { TestPki } from '../../src/pki/test-pki.ts';
import { bankSource, type SandboxLocation } from '../../src/sandbox-connections.ts';
import { testPki } from '../helpers/sandbox-fapi.ts';

describe('bank registry', () => {
  let pki: TestPki;
  let falcon: BankDefinition;
  let configured: BankDefinition;
  const at: SandboxLocation = { http: 'http://127.0.0.1:3000/sandbox-banks', tls: 'https://127.0.0.1:3443/sandbox-banks' };

  before(async () => {
    pki = await testPki();
    falcon = bankSource([], () => at, pki)().find((b) => b.identifier === 'SANDBOX_FALCON_AE')!;
    configured = { ...falcon, identifier: 'MY_BANK', name: 'My Bank', sandbox: false, issuer: 'https://auth.mybank.example' };
  });

  it('configures the sandbox banks as BANKS_FILE entries with the test PKI', () => {
    assert.equal(falcon.sandbox, true);
    assert.equal(falcon.issuer, 'http://127.0.0.1:3000/sandbox-banks/SANDBOX_FALCON_AE');
    assert.equal(falcon.api_base_url, 'https://127.0.0.1:3443/sandbox-banks/SANDBOX_FALCON_AE/open-banking/v3.1/aisp');
    assert.equal(falcon.security_profile, 'fapi2');
    assert.equal(falcon.par, true);
    assert.equal(falcon.transport.cert_pem, pki.transport.cert_pem);
    assert.equal(falcon.ca_pem, pki.ca.cert_pem);
    assert.equal(falcon.signing.kid, pki.signing.PS256.kid);
  });

  it('lists configured and sandbox banks in sandbox mode', () => {
    const registry = createBankRegistry(() => [configured, falcon], { mode: 'sandbox' });
    assert.deepEqual(registry.list().map((b) => b.identifier), ['MY_BANK', 'SANDBOX_FALCON_AE']);
    assert.equal(registry.get('SANDBOX_FALCON_AE'), falcon);
  });

  it('neither lists nor finds a sandbox bank in production mode', () => {
    const registry = createBankRegistry(() => [configured, falcon], { mode: 'production' });
    assert.deepEqual(registry.list(), [configured]);
    assert.equal(registry.get('SANDBOX_FALCON_AE'), undefined);
    assert.equal(registry.get('MY_BANK'), configured);
  });

  it("follows its source: the sandbox banks' issuer holds the port, known once the server listens", () => {
    let location: SandboxLocation | null = null;
    const source = bankSource([configured], () => location, pki);
    const registry = createBankRegistry(source, { mode: 'sandbox' });
    assert.equal(registry.get('SANDBOX_PEARL_BH'), undefined, 'no sandbox bank before the server listens');
    location = { http: 'http://127.0.0.1:4321/sandbox-banks', tls: 'https://127.0.0.1:4443/sandbox-banks' };
    assert.equal(source(), source(), 'the same array while the location stays');
    assert.equal(registry.get('SANDBOX_PEARL_BH')!.issuer, 'http://127.0.0.1:4321/sandbox-banks/SANDBOX_PEARL_BH');
    assert.equal(registry.get('SANDBOX_PEARL_BH')!.api_base_url, 'https://127.0.0.1:4443/sandbox-banks/SANDBOX_PEARL_BH/open-banking/v3.1/aisp');
    assert.equal(registry.list()[0], configured);
  });
});
