import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { parse } from 'yaml';
import { describeDialects } from '../helpers/dialects.ts';
import { CLIENT_ID } from '../helpers/sandbox-fapi.ts';
import { uaeSession } from '../helpers/uae-client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const BANK = 'SANDBOX_SAQR_AE';
const aisSpec = parse(fs.readFileSync(path.join(import.meta.dirname, '../../spec/vendor/uae-account-information-openapi-v2.1-errata2.yaml'), 'utf8'));
const ajv = new Ajv({ strict: false, allErrors: true });
(addFormats as unknown as (a: Ajv) => void)(ajv);
ajv.addSchema({ $id: 'urn:uae:ais', components: aisSpec.components });
const valid = (schema: string, value: unknown) => {
  const validate = ajv.compile({ $ref: `urn:uae:ais#/components/schemas/${schema}` });
  assert.ok(validate(value), `${schema}: ${JSON.stringify(validate.errors?.slice(0, 3))}`);
};

/**
 * UAE signed responses (`application/jwt`) over real HTTP: the UAE sandbox bank signs a read when
 * asked, with the key its JWKS publishes; openlean's entry for it says `signed_responses: true`, so
 * every refresh reads signed answers and uses them only once verified. A response signed by another
 * key, for another client, or expired (the bank's faults) fails the refresh with a reason that
 * says which check failed, and the data of the last good refresh stays.
 */
describeDialects('UAE signed responses: verified before use', (dialect) => {
  let s: TestServer;
  let token: string;
  let customerId: string;

  before(async () => {
    // One attempt: a signature that fails does not heal on its own within a refresh.
    s = await startTestServer({ dialect, env: { REFRESH_MAX_ATTEMPTS: '1' } });
    token = await s.token();
    customerId = await s.createCustomer(token);
  });
  after(() => s.close());

  const setFaults = async (login: string, faults: string[]) => {
    const res = await fetch(`${s.url}/sandbox-banks/${BANK}/control/users/${encodeURIComponent(login)}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ faults }),
    });
    assert.ok(res.ok, `control API: ${res.status} ${await res.text()}`);
  };

  it('the bank answers a read that accepts application/jwt with a JWT its JWKS verifies, whose message is the JSON answer', async () => {
    const bank = await uaeSession(s, BANK, 'signed-reader');
    const [account] = await bank.all('/accounts', 'Account');
    const path = `/accounts/${account.AccountId}/transactions`;
    const json = await bank.get(path);
    const signed = await bank.call(path, { headers: { authorization: `Bearer ${bank.accessToken}`, accept: 'application/jwt' } });
    assert.equal(signed.status, 200);
    assert.match(signed.headers.get('content-type') ?? '', /^application\/jwt/);
    const issuer = `${s.url}/sandbox-banks/${BANK}`;
    const discovery = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as { jwks_uri: string };
    const { payload } = await jwtVerify(signed.text, createRemoteJWKSet(new URL(discovery.jwks_uri)), { issuer, audience: CLIENT_ID });
    assert.deepEqual(payload.message, json);
    valid('Jwt', payload);
    valid('AEReadTransaction', payload.message);
    assert.ok(['PS256', 'ES256'].includes(decodeProtectedHeader(signed.text).alg!));
    assert.ok(payload.exp! > payload.nbf! && payload.nbf! <= payload.iat! + 1);
  });

  it('openlean asks for and verifies signed answers: the entity is filled from them', async () => {
    const entity = await s.createSandboxEntity(token, { customer_id: customerId, bank_identifier: BANK, login: 'signed-ok', profile: 'thin' });
    assert.equal(entity.status, 'ACTIVE');
    const accounts = await s.request('/data/v2/accounts', { token, headers: { entity_id: entity.id } });
    assert.equal(accounts.status, 200);
    assert.ok(accounts.body.length > 0);
    assert.ok((await s.allTransactions(token, entity.id, accounts.body[0].account_id)).length > 0);
  });

  for (const [fault, reason] of [
    ['signed_response_wrong_key', /signed response failed verification: signature verification failed/],
    ['signed_response_wrong_audience', /signed response failed verification: .*\(claim aud\)/],
    ['signed_response_expired', /signed response failed verification: .*\(claim exp\)/],
  ] as const) {
    it(`${fault}: the refresh FAILS saying why, and serves the last good data`, async () => {
      const login = `signed-${fault}`;
      const entity = await s.createSandboxEntity(token, { customer_id: customerId, bank_identifier: BANK, login, profile: 'thin' });
      const read = (p: string) => s.request(p, { token, headers: { entity_id: entity.id } });
      const before = (await read('/data/v2/accounts')).body;
      await setFaults(login, [fault]);
      const started = await s.request('/data/v2/refreshes', { method: 'POST', token, headers: { entity_id: entity.id } });
      assert.equal(started.status, 202, started.text);
      const refresh = await s.waitForRefresh(token, entity.id, started.body.refresh_id);
      assert.equal(refresh.status, 'FAILED');
      assert.equal(refresh.error.code, 'BANK_RESPONSE_INVALID');
      assert.match(refresh.error.detail, reason);
      assert.deepEqual((await read('/data/v2/accounts')).body, before);
      await setFaults(login, []);
    });
  }
});
