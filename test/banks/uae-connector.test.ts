import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import type { BankDefinition } from '../../src/banks/bank.ts';
import { createConnectors } from '../../src/banks/connectors.ts';
import { consentDetail } from '../../src/banks/uae/connector.ts';
import { uaePermissions } from '../../src/banks/uae/permissions.ts';
import { BankTransports } from '../../src/banks/security/bank-transport.ts';
import { createFapiClient } from '../../src/banks/security/fapi-client.ts';
import { DATA_RESOURCES, PERMISSIONS } from '../../src/domain/permissions.ts';
import { toMinor } from '../../src/domain/money.ts';
import { authorizeAtSandboxBank } from '../../src/sandbox-bank/automate-consent.ts';
import { generateCustomer } from '../../src/sandbox-bank/generator/index.ts';
import { SANDBOX_BANK_PROFILES } from '../../src/sandbox-bank/profiles.ts';
import { bankSource } from '../../src/sandbox-connections.ts';
import { callbackParams, mtlsFetch, startFapiSandbox, type FapiSandbox } from '../helpers/sandbox-fapi.ts';

const REDIRECT_URI = 'https://tpp.example/callback';
const spec = (file: string) => parse(fs.readFileSync(path.join(import.meta.dirname, '../../spec/vendor', file), 'utf8'));

/** Validates against one schema of a vendored UAE spec (OpenAPI 3.0; its own keywords are ignored). */
function schemaValidator(file: string, id: string) {
  const ajv = new Ajv({ strict: false, allErrors: true });
  (addFormats as unknown as (a: Ajv) => void)(ajv);
  ajv.addSchema({ $id: id, components: spec(file).components });
  return (schema: string, value: unknown) => {
    const validate = ajv.compile({ $ref: `${id}#/components/schemas/${schema}` });
    assert.ok(validate(value), `${schema}: ${JSON.stringify(validate.errors?.slice(0, 3))}`);
  };
}
const authSpec = schemaValidator('uae-authorization-endpoints-openapi-v2.1-errata2.yaml', 'urn:uae:auth');
const aisSpec = schemaValidator('uae-account-information-openapi-v2.1-errata2.yaml', 'urn:uae:ais');

describe('UAE v2.1 connector against the UAE sandbox bank (FAPI 2.0, RAR in PAR)', () => {
  let sandbox: FapiSandbox;
  let dataDir: string;
  let SAQR: BankDefinition;
  const transports = new BankTransports();
  let clockMs = Math.floor(Date.now() / 60_000) * 60_000;
  const now = () => new Date(clockMs);
  const connector = () => createConnectors({ fapi: createFapiClient({ transports, timeout_ms: 2000 }), transports, timeout_ms: 1000, now });

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'openlean-uae-'));
    sandbox = await startFapiSandbox({ dataDir, now });
    SAQR = bankSource([], () => ({ http: sandbox.url, tls: sandbox.tlsUrl }), sandbox.pki)().find((b) => b.identifier === 'SANDBOX_SAQR_AE')!;
  });
  after(async () => {
    await transports.close();
    await sandbox.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('is configured as a uae-2.1 bank with its API under /open-finance/account-information/v2.1', () => {
    assert.equal(SAQR.standard, 'uae-2.1');
    assert.equal(SAQR.security_profile, 'fapi2');
    assert.ok(SAQR.api_base_url.endsWith('/SANDBOX_SAQR_AE/open-finance/account-information/v2.1'));
  });

  it('sends a RAR object that validates against the authorization-endpoints spec', () => {
    const detail = consentDetail({ consent_id: 'c0ffee00-0000-4000-8000-000000000001', permissions: uaePermissions(PERMISSIONS), expires_at: '2030-01-02T03:04:05.678Z' });
    authSpec('AEBankDataSharingRichAuthorizationRequestsV21.AEBankDataSharingAuthorizationDetailsProperties', detail);
    assert.equal(detail.consent.ExpirationDateTime, '2030-01-02T03:04:05+00:00');
  });

  it('consents through PAR, fetches accounts, balances and transactions as the bank holds them, and revokes with PATCH', async () => {
    const c = connector();
    const login = 'uae-user-1';
    const started = await c.startConsent({ bank: SAQR, permissions: PERMISSIONS, expires_at: new Date(clockMs + 90 * 86_400_000).toISOString(), redirect_uri: REDIRECT_URI });
    assert.match(started.consent_id, /^[0-9a-f-]{36}$/, 'openlean chooses the ConsentId');
    assert.ok(new URL(started.authorize_url).searchParams.has('request_uri'), 'pushed');
    const params = callbackParams(await authorizeAtSandboxBank(started.authorize_url, { login }));
    const credentials = await c.exchangeCode({ bank: SAQR, consent_id: started.consent_id, params, state: started.state, nonce: started.nonce, code_verifier: started.code_verifier, redirect_uri: REDIRECT_URI });

    // What the bank answers, straight from its API, validates against the vendored spec.
    const call = mtlsFetch(sandbox.pki);
    const get = async (p: string) => {
      const res = await call(`${SAQR.api_base_url}${p}`, { headers: { authorization: `Bearer ${credentials.access_token}`, 'x-fapi-interaction-id': 'c0ffee00-0000-4000-8000-0000000000aa' } });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('x-fapi-interaction-id'), 'c0ffee00-0000-4000-8000-0000000000aa');
      return res.json() as Promise<any>;
    };
    const accounts = await get('/accounts');
    aisSpec('AEReadAccount', accounts);

    const { snapshot } = await c.fetchData({ bank: SAQR, credentials, resources: DATA_RESOURCES, transactions_from: null });
    const generated = generateCustomer(SANDBOX_BANK_PROFILES.find((p) => p.identifier === 'SANDBOX_SAQR_AE')!, login, now());
    assert.equal(snapshot.accounts.length, accounts.Data.Account.length);
    assert.ok(snapshot.accounts.length > 0);
    for (const fetched of snapshot.accounts) {
      const wire = accounts.Data.Account.find((a: any) => a.AccountId === fetched.bank_account_id);
      assert.equal(fetched.account.iban, wire.AccountIdentifiers.find((x: any) => x.SchemeName === 'IBAN').Identification);
      assert.equal(fetched.account.currency, 'AED');
      const balances = await get(`/accounts/${fetched.bank_account_id}/balances`);
      aisSpec('AEReadBalance', balances);
      assert.deepEqual(
        fetched.balances!.map((b) => [b.amount.amount, b.amount.currency]),
        balances.Data.Balance.map((b: any) => [toMinor(b.Amount.Amount, b.Amount.Currency) / 100, b.Amount.Currency]),
      );
      const transactions = await get(`/accounts/${fetched.bank_account_id}/transactions`);
      aisSpec('AEReadTransaction', transactions);
      const booked = transactions.Data.Transaction;
      assert.equal(fetched.transactions!.items.length, booked.length);
      for (const t of fetched.transactions!.items) {
        const w = booked.find((x: any) => x.TransactionId === t.bank_transaction_id);
        assert.equal(t.amount_minor, toMinor(w.Amount.Amount, w.Amount.Currency));
        assert.equal(t.status, w.Status === 'Booked' ? 'BOOKED' : 'PENDING');
        assert.equal(t.merchant_name, w.MerchantDetails?.MerchantName ?? null);
        assert.equal(t.description, w.TransactionInformation);
      }
    }
    assert.equal(snapshot.accounts.length, generated.accounts.length);

    await c.revokeConsent({ bank: SAQR, consent_id: started.consent_id });
    await assert.rejects(c.fetchData({ bank: SAQR, credentials: { ...credentials, refresh_token: null }, resources: ['accounts'], transactions_from: null }), (err: any) => err.kind === 'reconnect_required');
  });
});
