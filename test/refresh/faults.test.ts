import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { describeDialects } from '../helpers/dialects.ts';
import { eventually } from '../helpers/eventually.ts';
import { startFapiSandbox } from '../helpers/sandbox-fapi.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const BANK = 'SANDBOX_FALCON_AE';
/** The OBIE bank, and the UAE v2.1 one: the same faults bite on both standards' routes. */
const FAULTY_BANKS = [BANK, 'SANDBOX_SAQR_AE'];

/**
 * Each fault profile of the sandbox bank against a real refresh: transient faults are retried until
 * the refresh finishes; a dead consent ends it FAILED with a reason and the entity RECONNECT_REQUIRED.
 * Either way the data of the previous successful refresh stays readable, and no read answers 5xx.
 */
describeDialects('refreshes under bank faults', (dialect) => {
  let s: TestServer;
  let token: string;
  let customerId: string;

  before(async () => {
    s = await startTestServer({ dialect });
    token = await s.token();
    customerId = await s.createCustomer(token);
  });
  after(() => s.close());

  const setFaults = async (login: string, faults: string[], bankId = BANK) => {
    const res = await fetch(`${s.url}/sandbox-banks/${bankId}/control/users/${encodeURIComponent(login)}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ faults }),
    });
    assert.ok(res.ok, `control API: ${res.status} ${await res.text()}`);
  };

  /** Everything the entity serves, to compare before and after. */
  const readAll = async (entityId: string) => {
    const get = (path: string) => s.request(path, { token, headers: { entity_id: entityId } });
    const accounts = await get('/data/v2/accounts');
    assert.equal(accounts.status, 200);
    const out: Record<string, unknown> = { accounts: accounts.body, identity: (await get('/data/v2/identity')).body };
    for (const a of accounts.body) {
      out[`${a.account_id}/transactions`] = await s.allTransactions(token, entityId, a.account_id);
      // Balances are stamped with the minute the bank answered at, which a refresh may cross.
      out[`${a.account_id}/balances`] = (await get(`/data/v2/accounts/${a.account_id}/balances`)).body.map((b: any) => ({ ...b, timestamp: undefined }));
    }
    return out;
  };

  /** Polls reads while the refresh runs; any 5xx fails the test. */
  const refreshWatchingReads = async (entityId: string) => {
    const started = await s.request('/data/v2/refreshes', { method: 'POST', token, headers: { entity_id: entityId } });
    assert.equal(started.status, 202, started.text);
    let done = false;
    const statuses = new Set<number>();
    const watcher = eventually('the refresh ended', async () => {
      statuses.add((await s.request('/data/v2/accounts', { token, headers: { entity_id: entityId } })).status);
      return done;
    }, 120_000);
    const refresh = await s.waitForRefresh(token, entityId, started.body.refresh_id);
    done = true;
    await watcher;
    assert.ok([...statuses].every((st) => st < 500), `reads answered ${[...statuses]}`);
    return refresh;
  };

  for (const bankId of FAULTY_BANKS) {
    for (const fault of ['latency', 'server_errors', 'timeouts', 'rate_limited', 'malformed_json']) {
      it(`${bankId} ${fault}: retried until the refresh finishes, data intact`, async () => {
        const login = `fault-${bankId}-${fault}`;
        const entity = await s.createSandboxEntity(token, { customer_id: customerId, bank_identifier: bankId, login, profile: 'thin' });
        const before = await readAll(entity.id);
        await setFaults(login, [fault], bankId);
        const refresh = await refreshWatchingReads(entity.id);
        assert.equal(refresh.status, 'FINISHED', JSON.stringify(refresh.error));
        assert.deepEqual(await readAll(entity.id), before);
        await setFaults(login, [], bankId);
      });
    }

    for (const fault of ['consent_expired', 'consent_revoked']) {
      it(`${bankId} ${fault}: FAILED with RECONNECT_REQUIRED, the entity needs reconnecting, the last data stays`, async () => {
        const login = `fault-${bankId}-${fault}`;
        const entity = await s.createSandboxEntity(token, { customer_id: customerId, bank_identifier: bankId, login, profile: 'thin' });
        const before = await readAll(entity.id);
        await setFaults(login, [fault], bankId);
        const refresh = await refreshWatchingReads(entity.id);
        assert.equal(refresh.status, 'FAILED');
        assert.equal(refresh.error.code, 'RECONNECT_REQUIRED');
        assert.ok(refresh.error.detail.length > 0);
        assert.ok(refresh.resources.every((r: any) => r.status === 'FAILED'));
        const view = await s.request(`/customers/v1/${customerId}/entities/${entity.id}`, { token });
        assert.equal(view.body.status, 'RECONNECT_REQUIRED');
        assert.deepEqual(await readAll(entity.id), before);
        const again = await s.request('/data/v2/refreshes', { method: 'POST', token, headers: { entity_id: entity.id } });
        assert.equal(again.status, 409);
        assert.equal(again.body.code, 'RECONNECT_REQUIRED');
      });
    }
  }

  it('a bank that is down ends the refresh FAILED with BANK_UNAVAILABLE after the configured attempts', async () => {
    const bankDir = fs.mkdtempSync(path.join(os.tmpdir(), 'openlean-bank-'));
    const bank = await startFapiSandbox({ dataDir: bankDir });
    const other = await startTestServer({ dialect, env: { SANDBOX_BANKS: 'off', SANDBOX_BANK_URL: bank.url, SANDBOX_BANK_TLS_URL: bank.tlsUrl, REFRESH_MAX_ATTEMPTS: '2' } });
    try {
      const tok = await other.token();
      const customer = await other.createCustomer(tok);
      const entity = await other.createSandboxEntity(tok, { customer_id: customer, bank_identifier: BANK, login: 'bank-goes-down', profile: 'thin' });
      const before = await other.request('/data/v2/accounts', { token: tok, headers: { entity_id: entity.id } });
      assert.equal(before.status, 200);
      await bank.close();
      const started = await other.request('/data/v2/refreshes', { method: 'POST', token: tok, headers: { entity_id: entity.id } });
      const refresh = await other.waitForRefresh(tok, entity.id, started.body.refresh_id);
      assert.equal(refresh.status, 'FAILED');
      assert.equal(refresh.error.code, 'BANK_UNAVAILABLE');
      assert.match(refresh.error.detail, /after 2 attempts/);
      const after = await other.request('/data/v2/accounts', { token: tok, headers: { entity_id: entity.id } });
      assert.deepEqual(after.body, before.body);
    } finally {
      await other.close();
      await bank.close().catch(() => {});
      fs.rmSync(bankDir, { recursive: true, force: true });
    }
  });
});
