import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import YAML from 'yaml';
import type { BankDefinition } from '../../src/banks/bank.ts';
import type { ObieEvent } from '../../src/banks/obie/connector.ts';
import { createKsaConnector } from '../../src/banks/ksa/connector.ts';
import { BankTransports } from '../../src/banks/security/bank-transport.ts';
import { createFapiClient } from '../../src/banks/security/fapi-client.ts';
import { PERMISSIONS } from '../../src/domain/permissions.ts';
import { authorizeAtSandboxBank } from '../../src/sandbox-bank/automate-consent.ts';
import { generateCustomer } from '../../src/sandbox-bank/generator/index.ts';
import { SANDBOX_BANK_PROFILES } from '../../src/sandbox-bank/profiles.ts';
import { bankSource } from '../../src/sandbox-connections.ts';
import { callbackParams, mtlsFetch, startFapiSandbox, type FapiSandbox } from '../helpers/sandbox-fapi.ts';

const REDIRECT_URI = 'https://tpp.example/callback';

/** The KSA connector against the KSA sandbox bank over mutual TLS: PAR, hybrid flow, scope-bound consent, data, quirks, revocation; every bank answer validated against the KSA document. */
describe('KSA connector against the KSA sandbox bank', () => {
  let sandbox: FapiSandbox;
  let dataDir: string;
  let RIYADH: BankDefinition;
  const transports = new BankTransports();
  const clockMs = Math.floor(Date.now() / 60_000) * 60_000;
  const now = () => new Date(clockMs);
  let logins = 0;
  const spec = YAML.parse(fs.readFileSync(new URL('../../spec/ksa-2022.11/account-information.yaml', import.meta.url), 'utf8'));
  const ajv = new (Ajv as unknown as typeof Ajv.default)({ strict: false, allErrors: true });
  (addFormats as unknown as typeof addFormats.default)(ajv);
  ajv.addSchema(spec, 'ksa');
  const conforms = (schema: string, body: unknown) => {
    const validate = ajv.getSchema(`ksa#/components/schemas/${schema}`)!;
    assert.ok(validate(body), `${schema}: ${ajv.errorsText(validate.errors)}`);
  };

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'openlean-ksa-'));
    sandbox = await startFapiSandbox({ dataDir, now });
    RIYADH = bankSource([], () => ({ http: sandbox.url, tls: sandbox.tlsUrl }), sandbox.pki)().find((b) => b.identifier === 'SANDBOX_RIYADH_SA')!;
  });
  after(async () => {
    await transports.close();
    await sandbox.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const connector = () => {
    const events: ObieEvent[] = [];
    const c = createKsaConnector({ fapi: createFapiClient({ transports, timeout_ms: 2000 }), transports, timeout_ms: 2000, now, onEvent: (e) => events.push(e) });
    return Object.assign(c, { events });
  };

  const setUser = async (login: string, settings: { faults?: string[] }) => {
    const res = await fetch(`${sandbox.url}/${RIYADH.identifier}/control/users/${encodeURIComponent(login)}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(settings) });
    assert.equal(res.status, 200, await res.text());
  };

  const consent = async (c: ReturnType<typeof connector>, faults: string[] = []) => {
    const login = `ksa-user-${++logins}`;
    if (faults.length) await setUser(login, { faults });
    const started = await c.startConsent({ bank: RIYADH, permissions: PERMISSIONS, expires_at: new Date(clockMs + 90 * 86_400_000).toISOString(), redirect_uri: REDIRECT_URI });
    assert.ok(new URL(started.authorize_url).searchParams.has('request_uri'), 'pushed through PAR');
    const params = callbackParams(await authorizeAtSandboxBank(started.authorize_url, { login }));
    assert.ok(params.id_token, 'hybrid flow: an ID token in the fragment');
    const credentials = await c.exchangeCode({ bank: RIYADH, consent_id: started.consent_id, params, state: started.state, nonce: started.nonce, code_verifier: started.code_verifier, redirect_uri: REDIRECT_URI });
    return { login, credentials };
  };

  /** What the bank itself answers, over the connector's own certificate and token. */
  const bankGet = async (pathname: string, token: string) => {
    const res = await mtlsFetch(sandbox.pki)(`${RIYADH.api_base_url}${pathname}`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200);
    return res.json() as Promise<any>;
  };

  it('lists the bank with its standard and a KSA API base', () => {
    assert.equal(RIYADH.standard, 'ksa-2022.11');
    assert.match(RIYADH.api_base_url, /\/open-banking\/account-information\/2022\.11\.01-final-errata2$/);
    assert.equal(RIYADH.response_type, 'code id_token');
    assert.equal(RIYADH.par, true);
  });

  it('consents through the accounts:<ConsentId> scope and fetches accounts, balances, transactions and the party as the bank says', async () => {
    const c = connector();
    const { login, credentials } = await consent(c);
    const { snapshot } = await c.fetchData({ bank: RIYADH, credentials, resources: ['accounts', 'balances', 'transactions', 'identity'], transactions_from: null });
    const customer = generateCustomer(SANDBOX_BANK_PROFILES.find((p) => p.identifier === RIYADH.identifier)!, login, now());
    assert.equal(snapshot.accounts.length, customer.accounts.length);

    const accounts = await bankGet('/accounts', credentials.access_token);
    conforms('OBReadAccount', accounts);
    for (const [i, wire] of accounts.Data.Account.entries()) {
      const got = snapshot.accounts.find((a) => a.bank_account_id === wire.AccountId)!;
      assert.equal(got.account.currency, 'SAR');
      assert.equal(got.account.iban, wire.AccountIdentifiers.find((x: any) => x.IdentificationType === 'KSAOB.IBAN').Identification);
      assert.equal(got.account.status, 'ENABLED');
      const balances = await bankGet(`/accounts/${wire.AccountId}/balances`, credentials.access_token);
      conforms('OBReadBalance', balances);
      assert.equal(got.balances!.length, balances.Data.Balance.length);
      got.balances!.forEach((b, j) => assert.equal(String(b.amount.amount), String(Number(balances.Data.Balance[j].Amount.Amount))));
      const transactions = await bankGet(`/accounts/${wire.AccountId}/transactions`, credentials.access_token);
      conforms('OBReadTransaction', transactions);
      const wireTx = transactions.Data.Transaction.filter((t: any) => t.Status !== 'KSAOB.Rejected');
      assert.equal(got.transactions!.items.length, wireTx.length, `account ${i}`);
      const byId = new Map(got.transactions!.items.map((t) => [t.bank_transaction_id, t]));
      for (const t of wireTx) {
        const mapped = byId.get(t.TransactionId)!;
        assert.equal(mapped.credit_debit, t.CreditDebitIndicator === 'KSAOB.Credit' ? 'CREDIT' : 'DEBIT');
        assert.equal(mapped.status, t.Status === 'KSAOB.Booked' ? 'BOOKED' : 'PENDING');
        assert.equal(mapped.booking_at, new Date(t.BookingDateTime).toISOString());
        assert.equal(mapped.currency, 'SAR');
      }
    }
    const party = await bankGet('/parties', credentials.access_token);
    conforms('OBReadParty2', party);
    assert.equal(snapshot.identity?.party_id, party.Data.Party.PartyId);
    assert.deepEqual(c.events.filter((e) => e.type === 'notes'), []);
  });

  it('reads a quirky KSA bank (Flags [null], MerchantId 0, unprefixed Status, padded text, "32", shared TransactionId) without dropping or merging', async () => {
    const c = connector();
    const { credentials } = await consent(c, ['ksa_quirks']);
    const { snapshot } = await c.fetchData({ bank: RIYADH, credentials, resources: ['accounts', 'transactions'], transactions_from: null });
    for (const account of snapshot.accounts) {
      const wire = await bankGet(`/accounts/${account.bank_account_id}/transactions`, credentials.access_token);
      assert.equal(account.transactions!.items.length, wire.Data.Transaction.length, 'every transaction the bank sent is one row');
      assert.equal(new Set(account.transactions!.items.map((t) => t.key)).size, account.transactions!.items.length, 'no two merged');
      for (const t of account.transactions!.items) {
        assert.doesNotMatch(t.description, /\s{2,}|^\s|\s$/);
        if (t.merchant_name !== null) assert.notEqual(t.merchant_name, '');
      }
    }
    assert.deepEqual(c.events.filter((e) => e.type === 'notes'), []);
  });

  it('revokes the consent at the bank with PATCH Status Revoked', async () => {
    const c = connector();
    const { credentials } = await consent(c);
    await c.revokeConsent({ bank: RIYADH, consent_id: credentials.consent_id });
    await assert.rejects(c.fetchData({ bank: RIYADH, credentials, resources: ['accounts'], transactions_from: null }), (err: any) => err.kind === 'reconnect_required');
  });
});
