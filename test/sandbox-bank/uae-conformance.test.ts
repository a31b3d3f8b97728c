import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { describeDialects } from '../helpers/dialects.ts';
import { uaeSession } from '../helpers/uae-client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const BANK = 'SANDBOX_SAQR_AE';

/**
 * The vendored UAE v2.1 account-information spec as a response checker: the schema of
 * `responses[status]` of the path template's operation, for `application/json`. OpenAPI 3.0's own
 * keywords (discriminator, example) are ignored; everything JSON Schema says is enforced.
 */
class UaeSpec {
  readonly #doc = parse(fs.readFileSync(path.join(import.meta.dirname, '../../spec/vendor/uae-account-information-openapi-v2.1-errata2.yaml'), 'utf8'));
  readonly #ajv = new Ajv({ strict: false, allErrors: true });
  readonly checked = new Set<string>();

  constructor() {
    (addFormats as unknown as (a: Ajv) => void)(this.#ajv);
    this.#ajv.addSchema({ $id: 'urn:uae:ais', components: this.#doc.components });
  }

  check(method: string, template: string, res: { status: number; body: unknown; headers: Headers }) {
    const op = this.#doc.paths[template]?.[method.toLowerCase()];
    assert.ok(op, `${method} ${template} is in the spec`);
    let response = op.responses[String(res.status)];
    assert.ok(response, `${method} ${template} may answer ${res.status}`);
    if (response.$ref) response = this.#doc.components.responses[response.$ref.split('/').pop()];
    this.checked.add(`${method} ${template} ${res.status}`);
    if (!response.content) return assert.equal(res.body, undefined, `${res.status} has no body`);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    const schema = response.content['application/json']?.schema ?? response.content['application/json; charset=utf-8']?.schema;
    const validate = this.#ajv.compile(schema.$ref ? { $ref: `urn:uae:ais${schema.$ref}` } : { ...schema, $id: `urn:inline:${this.checked.size}` });
    assert.ok(validate(res.body), `${method} ${template} ${res.status}: ${JSON.stringify(validate.errors?.slice(0, 3))}\n${JSON.stringify(res.body).slice(0, 400)}`);
  }
}

describeDialects('UAE sandbox bank conformance: every response validates against the vendored v2.1 spec', (dialect) => {
  const spec = new UaeSpec();
  let s: TestServer;
  let bank: Awaited<ReturnType<typeof uaeSession>>;
  let accountIds: string[];

  const setFaults = async (login: string, faults: string[]) => {
    const res = await fetch(`${s.url}/sandbox-banks/${BANK}/control/users/${encodeURIComponent(login)}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ faults }),
    });
    assert.ok(res.ok, `control API: ${res.status}`);
  };
  const get = (p: string, token = bank.accessToken) => bank.call(p, { headers: { authorization: `Bearer ${token}` } });

  before(async () => {
    s = await startTestServer({ dialect });
    bank = await uaeSession(s, BANK, 'conformance-user');
    const accounts = await get('/accounts');
    spec.check('GET', '/accounts', accounts);
    accountIds = accounts.body.Data.Account.map((a: any) => a.AccountId);
  });
  after(() => s.close());

  it('every account resource, for every account', async () => {
    assert.ok(accountIds.length > 0);
    for (const id of accountIds) {
      for (const resource of ['balances', 'transactions', 'beneficiaries', 'direct-debits', 'standing-orders', 'scheduled-payments', 'parties']) {
        const res = await get(`/accounts/${id}/${resource}`);
        assert.equal(res.status, 200, res.text);
        spec.check('GET', `/accounts/{AccountId}/${resource}`, res);
      }
    }
    const party = await get('/parties');
    assert.equal(party.status, 200);
    spec.check('GET', '/parties', party);
  });

  it('the Basic permissions: accounts without identifiers, transactions without narratives, instructions without creditors', async () => {
    const basic = await uaeSession(s, BANK, 'conformance-user', [
      'ReadAccountsBasic',
      'ReadBalances',
      'ReadTransactionsBasic',
      'ReadBeneficiariesBasic',
      'ReadStandingOrdersBasic',
      'ReadScheduledPaymentsBasic',
      'ReadPartyUser',
    ]);
    const call = (p: string) => basic.call(p, { headers: { authorization: `Bearer ${basic.accessToken}` } });
    const accounts = await call('/accounts');
    spec.check('GET', '/accounts', accounts);
    assert.ok(accounts.body.Data.Account.every((a: any) => a.AccountIdentifiers === undefined));
    for (const resource of ['transactions', 'beneficiaries', 'standing-orders', 'scheduled-payments']) {
      const res = await call(`/accounts/${accountIds[0]}/${resource}`);
      assert.equal(res.status, 200, res.text);
      spec.check('GET', `/accounts/{AccountId}/${resource}`, res);
    }
    const refused = await call(`/accounts/${accountIds[0]}/parties`);
    assert.equal(refused.status, 403);
    spec.check('GET', '/accounts/{AccountId}/parties', refused);
  });

  it('consent GET and PATCH, and the errors around them', async () => {
    const other = await uaeSession(s, BANK, 'conformance-revoked');
    const read = await bank.consent(other.consentId);
    assert.equal(read.status, 200);
    spec.check('GET', '/account-access-consents/{ConsentId}', read);
    assert.equal(read.body.Data.Status, 'Authorized');

    const cc = await bank.clientToken();
    const patch = (body: unknown) =>
      bank.call(`/account-access-consents/${other.consentId}`, { method: 'PATCH', headers: { authorization: `Bearer ${cc}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const wrong = await patch({ Data: { Status: 'Authorized' } });
    assert.equal(wrong.status, 400);
    spec.check('PATCH', '/account-access-consents/{ConsentId}', wrong);
    const revoked = await patch({ Data: { Status: 'Revoked', RevokedBy: 'TPP.InitiatedByUser' } });
    assert.equal(revoked.status, 204);
    spec.check('PATCH', '/account-access-consents/{ConsentId}', revoked);
    const after = await bank.consent(other.consentId);
    spec.check('GET', '/account-access-consents/{ConsentId}', after);
    assert.equal(after.body.Data.Status, 'Revoked');

    const refused = await other.call('/accounts', { headers: { authorization: `Bearer ${other.accessToken}` } });
    assert.equal(refused.status, 403);
    spec.check('GET', '/accounts', refused);
    const userToken = await get(`/account-access-consents/${other.consentId}`);
    assert.equal(userToken.status, 403, 'consents are read with a client-credentials token');
    spec.check('GET', '/account-access-consents/{ConsentId}', userToken);
  });

  it('errors: bad token, unknown account', async () => {
    const unauthorised = await get('/accounts', 'not-a-token');
    assert.equal(unauthorised.status, 401);
    spec.check('GET', '/accounts', unauthorised);
    const unknown = await get('/accounts/nope/direct-debits');
    assert.equal(unknown.status, 404);
    spec.check('GET', '/accounts/{AccountId}/direct-debits', unknown);
  });

  it('errors the faults cause: rate limited, server errors, expired consent', async () => {
    const login = 'conformance-faulty';
    const faulty = await uaeSession(s, BANK, login);
    const call = (p: string) => faulty.call(p, { headers: { authorization: `Bearer ${faulty.accessToken}` } });
    await setFaults(login, ['rate_limited']);
    const limited = await call('/accounts');
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '1');
    spec.check('GET', '/accounts', limited);
    await setFaults(login, ['server_errors']);
    const failed = await call('/parties');
    assert.ok(failed.status >= 500, failed.text);
    spec.check('GET', '/parties', failed);
    await setFaults(login, ['consent_expired']);
    const expired = await call('/accounts');
    assert.equal(expired.status, 403);
    spec.check('GET', '/accounts', expired);
    const status = await bank.consent(faulty.consentId);
    spec.check('GET', '/account-access-consents/{ConsentId}', status);
    assert.equal(status.body.Data.Status, 'Expired');
    await setFaults(login, []);
  });
});
