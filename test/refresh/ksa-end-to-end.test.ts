import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { BankDefinition } from '../../src/banks/bank.ts';
import { createKsaConnector } from '../../src/banks/ksa/connector.ts';
import { BankTransports } from '../../src/banks/security/bank-transport.ts';
import { createFapiClient } from '../../src/banks/security/fapi-client.ts';
import { PERMISSIONS } from '../../src/domain/permissions.ts';
import { authorizeAtSandboxBank } from '../../src/sandbox-bank/automate-consent.ts';
import { bankSource } from '../../src/sandbox-connections.ts';
import { callbackParams, mtlsFetch, testPki, type TestPki } from '../helpers/sandbox-fapi.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const BANK = 'SANDBOX_RIYADH_SA';
const REDIRECT_URI = 'https://tpp.example/callback';
const screaming = (camel: string) => camel.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
const bare = (code: string) => code.replace(/^KSAOB\./, '');
const collapse = (text: string | undefined) => (text ?? '').replace(/\s+/g, ' ').trim() || null;

/**
 * The KSA twin of end-to-end.test.ts: a sandbox entity at the KSA sandbox bank, its INITIAL
 * refresh through the KSA connector, and the Lean reads compared field by field with the bank's
 * raw KSA answers, read with a consent of the test's own (the connector only obtains the token;
 * the comparison is with the bank's JSON). DELETE of the entity revokes the consent at the bank.
 */
describe('end to end: KSA sandbox bank → KSA connector → refresh → reads', () => {
  let s: TestServer;
  let token: string;
  let customerId: string;
  let entity: any;
  let pki: TestPki;
  let bank: BankDefinition;
  let bankToken: string;
  const transports = new BankTransports();
  const fapi = createFapiClient({ transports, timeout_ms: 5000 });
  const read = (path: string) => s.request(path, { token, headers: { entity_id: entity.id } });
  const bankGet = async (pathname: string, tok = bankToken) => {
    const res = await mtlsFetch(pki)(pathname.startsWith('https:') ? pathname : `${bank.api_base_url}${pathname}`, { headers: { authorization: `Bearer ${tok}` } });
    assert.equal(res.status, 200, `${pathname}: ${res.status}`);
    return res.json() as Promise<any>;
  };
  /** Every item of `Data[key]` over all pages. */
  const all = async (pathname: string, key: string) => {
    const items: any[] = [];
    let next: string | undefined = pathname;
    while (next) {
      const page = await bankGet(next);
      items.push(...(page.Data[key] ?? []));
      next = page.Links?.Next;
    }
    return items;
  };

  before(async () => {
    s = await startTestServer();
    token = await s.token();
    customerId = await s.createCustomer(token);
    entity = await s.createSandboxEntity(token, { customer_id: customerId, bank_identifier: BANK, login: 'e2e-ksa-user' });
    pki = await testPki();
    bank = bankSource([], () => ({ http: `${s.url}/sandbox-banks`, tls: s.server.ctx.sandboxBanks!.tlsBaseUrl() }), pki)().find((b) => b.identifier === BANK)!;
    const c = createKsaConnector({ fapi, transports, timeout_ms: 5000 });
    const started = await c.startConsent({ bank, permissions: PERMISSIONS, expires_at: new Date(Date.now() + 30 * 86_400_000).toISOString(), redirect_uri: REDIRECT_URI });
    const params = callbackParams(await authorizeAtSandboxBank(started.authorize_url, { login: 'e2e-ksa-user' }));
    const credentials = await c.exchangeCode({ bank, consent_id: started.consent_id, params, state: started.state, nonce: started.nonce, code_verifier: started.code_verifier, redirect_uri: REDIRECT_URI });
    bankToken = credentials.access_token;
  });
  after(async () => {
    await transports.close();
    await s.close();
  });

  it('the bank speaks KSA 2022.11', () => {
    assert.equal(bank.standard, 'ksa-2022.11');
  });

  it("accounts match the bank's, in its order", async () => {
    const ksa = await all('/accounts', 'Account');
    const ours = (await read('/data/v2/accounts')).body;
    assert.equal(ours.length, ksa.length);
    ksa.forEach((a, i) => {
      const mine = ours[i];
      assert.equal(mine.currency, a.Currency);
      assert.equal(mine.nickname, collapse(a.Nickname));
      assert.equal(mine.status, a.Status === 'Active' ? 'ENABLED' : 'DISABLED');
      assert.equal(mine.iban, a.AccountIdentifiers.find((x: any) => x.IdentificationType === 'KSAOB.IBAN').Identification);
      assert.equal(mine.holder_name, a.AccountHolderName ?? null);
      assert.equal(mine.type, { CurrentAccount: 'CURRENT', Savings: 'SAVINGS', CreditCard: 'CREDIT_CARD', ChargeCard: 'CREDIT_CARD' }[a.AccountSubType as string] ?? 'CURRENT');
    });
  });

  it('every transaction of every account, field by field', async () => {
    const ksaAccounts = await all('/accounts', 'Account');
    const ours = (await read('/data/v2/accounts')).body;
    for (const [i, a] of ksaAccounts.entries()) {
      const ksa = (await all(`/accounts/${a.AccountId}/transactions`, 'Transaction')).filter((t) => t.Status !== 'KSAOB.Rejected');
      const mine = await s.allTransactions(token, entity.id, ours[i].account_id);
      assert.equal(mine.length, ksa.length, `account ${i}`);
      const byKey = new Map(mine.map((t: any) => [`${t.timestamp}|${t.description}|${t.amount.amount}|${t.credit_debit_indicator}`, t]));
      for (const t of ksa) {
        const key = `${new Date(t.BookingDateTime).toISOString()}|${collapse(t.TransactionInformation)}|${Number(t.Amount.Amount)}|${bare(t.CreditDebitIndicator).toUpperCase()}`;
        const m = byKey.get(key);
        assert.ok(m, `bank transaction ${key} is served`);
        assert.equal(m.amount.currency, t.Amount.Currency);
        assert.equal(m.booking_status, bare(t.Status).toUpperCase());
        assert.equal(m.value_timestamp, t.ValueDateTime ? new Date(t.ValueDateTime).toISOString() : null);
        assert.equal(m.reference, t.TransactionReference ?? null);
        assert.equal(m.merchant?.name ?? null, t.MerchantDetails?.MerchantName ?? null);
        assert.equal(m.merchant?.category_code ?? null, t.MerchantDetails?.MerchantCategoryCode ?? null);
      }
    }
  });

  it('balances and the identity', async () => {
    const ksaAccounts = await all('/accounts', 'Account');
    const ours = (await read('/data/v2/accounts')).body;
    for (const [i, a] of ksaAccounts.entries()) {
      const balances = (await read(`/data/v2/accounts/${ours[i].account_id}/balances`)).body;
      const ksa = await all(`/accounts/${a.AccountId}/balances`, 'Balance');
      assert.equal(balances.length, ksa.length);
      for (const b of ksa) {
        const m = balances.find((x: any) => x.type === screaming(bare(b.Type)));
        assert.ok(m, b.Type);
        assert.equal(m.amount.amount, Number(b.Amount.Amount));
        assert.equal(m.amount.currency, b.Amount.Currency);
        assert.equal(m.credit_debit_indicator, bare(b.CreditDebitIndicator).toUpperCase());
      }
    }
    const party = (await bankGet('/parties')).Data.Party;
    const identity = (await read('/data/v2/identity')).body;
    assert.equal(identity.party_id, party.PartyId);
    assert.equal(identity.full_name, party.Name ?? null);
    assert.equal(identity.email_address, party.EmailAddress ?? null);
  });

  it('DELETE of the entity revokes the consent at the bank', async () => {
    const db = s.server.ctx.store.db;
    const { consent_id } = await db.selectFrom('entity_connections').select('consent_id').where('entity_id', '=', entity.id).executeTakeFirstOrThrow();
    const clientToken = await fapi.clientCredentials(bank, 'accounts');
    assert.equal((await bankGet(`/account-access-consents/${consent_id}`, clientToken)).Data.Status, 'Authorized');
    const res = await s.request(`/customers/v1/${customerId}/entities/${entity.id}`, { method: 'DELETE', token });
    assert.equal(res.status, 200);
    assert.equal(res.body.status, 'REVOKED');
    assert.equal((await bankGet(`/account-access-consents/${consent_id}`, clientToken)).Data.Status, 'Revoked');
  });
});
