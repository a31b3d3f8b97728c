import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { describeDialects } from '../helpers/dialects.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const BANK = 'SANDBOX_FALCON_AE';

/**
 * The bank's token endpoint failing under a real refresh. A refresh grant is never retried
 * blindly: a lost answer has usually rotated the refresh token, so the next attempt's
 * `invalid_grant` is explained, not blamed on the user, and the refresh ends after two grants
 * instead of hammering the bank.
 */
describeDialects('refreshes when the token endpoint fails', (dialect) => {
  let s: TestServer;
  let token: string;
  let customerId: string;

  before(async () => {
    s = await startTestServer({ dialect, env: { BANK_TIMEOUT_MS: '2000' } });
    token = await s.token();
    customerId = await s.createCustomer(token);
  });
  after(() => s.close());

  const setFaults = async (path: string, faults: string[]) => {
    const res = await fetch(`${s.url}/sandbox-banks/${BANK}/control/${path}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ faults }) });
    assert.ok(res.ok, `control API: ${res.status} ${await res.text()}`);
  };

  /** A manual refresh, waited for; with a fresh API token, since the tests move the clock hours on. */
  const refresh = async (entityId: string) => {
    token = await s.token();
    const started = await s.request('/data/v2/refreshes', { method: 'POST', token, headers: { entity_id: entityId } });
    assert.equal(started.status, 202, started.text);
    return s.waitForRefresh(token, entityId, started.body.refresh_id);
  };

  it('a refresh answer lost after the bank rotated the token: RECONNECT_REQUIRED, saying why, and the last data stays', async () => {
    const entity = await s.createSandboxEntity(token, { customer_id: customerId, bank_identifier: BANK, login: 'lost-answer', profile: 'thin' });
    const before = await s.request('/data/v2/accounts', { token, headers: { entity_id: entity.id } });
    assert.equal(before.status, 200);
    await setFaults('users/lost-answer', ['token_lost_after_rotation']);
    // Past the access token's hour: the connector refreshes it before fetching.
    s.advanceClock(2 * 3600_000);
    try {
      const failed = await refresh(entity.id);
      assert.equal(failed.status, 'FAILED');
      assert.equal(failed.error.code, 'RECONNECT_REQUIRED');
      assert.match(failed.error.detail, /^token refresh: the bank no longer honours the grant \(400, invalid_grant[^)]*\)/);
      assert.match(failed.error.detail, /the bank's answer to an earlier token refresh \([0-9T:.-]+Z\) was lost after it had rotated the refresh token/);
      const view = await s.request(`/customers/v1/${customerId}/entities/${entity.id}`, { token });
      assert.equal(view.body.status, 'RECONNECT_REQUIRED');
      const after = await s.request('/data/v2/accounts', { token, headers: { entity_id: entity.id } });
      assert.equal(after.status, 200);
      assert.deepEqual(after.body, before.body, 'the data last fetched is still served');
    } finally {
      s.advanceClock(-2 * 3600_000);
      token = await s.token();
    }
  });

  it('a token endpoint that fails for a while: the attempt fails, a later one finishes', async () => {
    const entity = await s.createSandboxEntity(token, { customer_id: customerId, bank_identifier: BANK, login: 'token-5xx', profile: 'thin' });
    await setFaults('faults', ['token_server_errors']);
    s.advanceClock(2 * 3600_000);
    try {
      const done = await refresh(entity.id);
      assert.equal(done.status, 'FINISHED', JSON.stringify(done.error));
      const view = await s.request(`/customers/v1/${customerId}/entities/${entity.id}`, { token });
      assert.equal(view.body.status, 'ACTIVE');
    } finally {
      s.advanceClock(-2 * 3600_000);
      token = await s.token();
      await setFaults('faults', []);
    }
  });
});
