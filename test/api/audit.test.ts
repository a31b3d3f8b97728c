import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, it } from 'node:test';
import { auditRecords } from '../helpers/audit-records.ts';
import { runOpenlean } from '../helpers/cli.ts';
import { describeDialects } from '../helpers/dialects.ts';
import { eventually } from '../helpers/eventually.ts';
import { assertSecured } from '../helpers/security.ts';
import { startTestServer, type Credentials, type TestServer } from '../helpers/server.ts';

/** What each data read is a read of: written out here, not derived from the routes under test. */
const RESOURCE_OF: Record<string, string> = {
  getAccounts: 'accounts',
  getTransactions: 'transactions',
  syncTransactions: 'transactions',
  getBalances: 'balances',
  getBeneficiaries: 'beneficiaries',
  getDirectDebits: 'direct_debits',
  getScheduledPayments: 'scheduled_payments',
  getStandingOrders: 'standing_orders',
  getAccountIdentities: 'account_identities',
  getIdentity: 'identity',
};


describeDialects('audit trail of data access', (dialect) => {
  let s: TestServer;
  let token: string;
  let customerId: string;
  let entity: any;
  let accountId: string;
  let other: Credentials;
  let otherToken: string;
  const createdRequestId = `create-${randomUUID()}`;

  /** The audit records of one request, once the server's buffer has been written. */
  const recordsOf = (requestId: string, count = 1) =>
    eventually(`${count} audit record(s) of request ${requestId}`, async () => {
      await s.server.ctx.audit.flush();
      const rows = await auditRecords(s.server.ctx.store.db, (r) => r.request_id === requestId);
      return rows.length >= count && rows;
    });

  const read = (p: string, options: { method?: string; tok?: string; entityId?: string; requestId?: string } = {}) => {
    const requestId = options.requestId ?? randomUUID();
    return s
      .request(p, {
        token: options.tok ?? token,
        headers: { entity_id: options.entityId ?? entity.id, 'x-request-id': requestId },
        ...(options.method === 'POST' ? { json: {} } : {}),
      })
      .then((res) => ({ res, requestId }));
  };

  before(async () => {
    s = await startTestServer({ dialect });
    token = await s.token();
    customerId = await s.createCustomer(token);
    const created = await s.request('/sandbox/v1/entities', {
      token,
      headers: { 'x-request-id': createdRequestId },
      json: { customer_id: customerId, bank_identifier: 'SANDBOX_FALCON_AE', login: 'auditor' },
    });
    assert.equal(created.status, 201);
    entity = created.body;
    assert.equal((await s.waitForRefresh(token, entity.id, entity.refresh_id)).status, 'FINISHED');
    accountId = (await read('/data/v2/accounts')).res.body[0].account_id;
    other = await s.newApp('other');
    otherToken = await s.token(other);
  });
  after(() => s.close());

  it('records every data read, in both forms, exactly once, with who read what', async () => {
    const doc = (await s.request('/openapi.json', { unchecked: true })).body;
    const reads: Array<{ method: string; path: string; operationId: string }> = [];
    for (const [p, item] of Object.entries<any>(doc.paths)) {
      if (!p.startsWith('/data/v2/') || p.startsWith('/data/v2/refreshes') || p.startsWith('/data/v2/results')) continue;
      for (const method of ['get', 'post'] as const) {
        if (item[method]) reads.push({ method: method.toUpperCase(), path: p.replace('{account_id}', accountId), operationId: item[method].operationId });
      }
    }
    // Every read in RESOURCE_OF has its GET form; every one but the sync feed its POST form.
    assert.equal(reads.length, Object.keys(RESOURCE_OF).length * 2 - 1);
    for (const r of reads) {
      const { res, requestId } = await read(r.path, { method: r.method });
      assert.equal(res.status, 200, `${r.method} ${r.path}: ${res.text}`);
      const rows = await recordsOf(requestId);
      assert.equal(rows.length, 1, `${r.method} ${r.path}`);
      const { id, at, ...rest } = rows[0]!;
      assert.match(id, /^[0-9a-f-]{36}$/);
      assert.ok(Date.parse(at) <= Date.now() && Date.parse(at) > Date.now() - 60_000);
      assert.deepEqual(rest, {
        app_id: s.app.app_id,
        customer_id: customerId,
        entity_id: entity.id,
        kind: 'data.read',
        operation: r.operationId,
        resource: RESOURCE_OF[r.operationId.replace(/Lean$/, '')],
        account_id: r.path.includes(accountId) ? accountId : null,
        subject: s.app.client_id,
        request_id: requestId,
        status: 200,
        outcome: 'OK',
        error_code: null,
        detail: null,
      });
    }
    // A read answered from the response cache is a read too; a 304 as well.
    const again = await read('/data/v2/accounts');
    const etag = again.res.headers.get('etag')!;
    const cached = await read('/data/v2/accounts');
    assert.equal((await recordsOf(cached.requestId)).length, 1);
    const requestId = randomUUID();
    const notModified = await s.request('/data/v2/accounts', { token, headers: { entity_id: entity.id, 'if-none-match': etag, 'x-request-id': requestId } });
    assert.equal(notModified.status, 304);
    assert.deepEqual(
      (await recordsOf(requestId)).map((r) => [r.status, r.outcome]),
      [[304, 'OK']],
    );
  });

  it('records results fetches as reads of the resource they replay', async () => {
    const pending = await read('/data/v2/accounts?async=true');
    assert.equal(pending.res.status, 202);
    const resultsId = pending.res.body.results_id;
    const fetched = await read(`/data/v2/results/${resultsId}`);
    assert.equal(fetched.res.status, 200);
    const [row] = await recordsOf(fetched.requestId);
    assert.deepEqual(
      { operation: row!.operation, resource: row!.resource, entity_id: row!.entity_id, customer_id: row!.customer_id, status: row!.status, outcome: row!.outcome },
      { operation: 'getResults', resource: 'accounts', entity_id: entity.id, customer_id: customerId, status: 200, outcome: 'OK' },
    );
    // Another application's results id is not found, and that is recorded as its own refused read.
    const refused = await read(`/data/v2/results/${resultsId}`, { tok: otherToken });
    assert.equal(refused.res.status, 404);
    const [r] = await recordsOf(refused.requestId);
    assert.deepEqual(
      { app_id: r!.app_id, entity_id: r!.entity_id, customer_id: r!.customer_id, outcome: r!.outcome, status: r!.status },
      { app_id: other.app_id, entity_id: null, customer_id: null, outcome: 'REFUSED', status: 404 },
    );
  });

  it('records a read of another application\'s entity as refused, under the reader, without the customer', async () => {
    for (const method of ['GET', 'POST']) {
      const { res, requestId } = await read(`/data/v2/accounts/${accountId}/balances`, { tok: otherToken, method });
      assert.equal(res.status, 404);
      const [row] = await recordsOf(requestId);
      assert.deepEqual(
        { app_id: row!.app_id, customer_id: row!.customer_id, entity_id: row!.entity_id, account_id: row!.account_id, subject: row!.subject, status: row!.status, outcome: row!.outcome, error_code: row!.error_code },
        { app_id: other.app_id, customer_id: null, entity_id: entity.id, account_id: accountId, subject: other.client_id, status: 404, outcome: 'REFUSED', error_code: 'NOT_FOUND' },
      );
    }
  });

  it('lists an application\'s own records only, filtered and cursor-paged', async () => {
    const mine = await s.request(`/audit/v1/events?entity_id=${entity.id}&size=1000`, { token });
    assert.equal(mine.status, 200);
    assert.ok(mine.body.length > 10);
    assert.ok(mine.body.every((e: any) => e.app_id === s.app.app_id && e.entity_id === entity.id && e.customer_id === customerId));
    // Newest first.
    const times = mine.body.map((e: any) => e.at);
    assert.deepEqual(times, [...times].sort().reverse());
    assert.equal(Number(mine.headers.get('x-total-count')), mine.body.length);

    // The other application sees its refused reads of this entity, and nothing of the owner's.
    const theirs = await s.request(`/audit/v1/events?entity_id=${entity.id}`, { token: otherToken });
    assert.equal(theirs.status, 200);
    assert.equal(theirs.body.length, 2);
    assert.ok(theirs.body.every((e: any) => e.app_id === other.app_id && e.outcome === 'REFUSED' && e.customer_id === null));
    const byCustomer = await s.request(`/audit/v1/events?customer_id=${customerId}`, { token: otherToken });
    assert.deepEqual(byCustomer.body, []);

    // Paged by cursor: every record once, in order.
    const seen: string[] = [];
    let next: string | null = `/audit/v1/events?customer_id=${customerId}&size=7`;
    while (next) {
      const page: any = await s.request(next, { token });
      assert.equal(page.status, 200);
      seen.push(...page.body.map((e: any) => e.event_id));
      next = /^<([^>]+)>; rel="next"$/.exec(page.headers.get('link') ?? '')?.[1] ?? null;
      if (next) assert.match(next, /cursor=/);
    }
    const all = await s.request(`/audit/v1/events?customer_id=${customerId}&size=1000`, { token });
    assert.deepEqual(seen, all.body.map((e: any) => e.event_id));

    // By kind and time.
    const consent = await s.request('/audit/v1/events?kind=consent.created', { token });
    assert.deepEqual(consent.body.map((e: any) => e.entity_id), [entity.id]);
    const future = await s.request(`/audit/v1/events?from=${encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString())}`, { token });
    assert.deepEqual(future.body, []);
    const past = await s.request(`/audit/v1/events?to=${encodeURIComponent('2020-01-01T00:00:00+04:00')}`, { token });
    assert.deepEqual(past.body, []);
    const bad = await s.request('/audit/v1/events?kind=data.write', { token });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.code, 'INVALID_PARAMETER');
  });

  it('records consent changes: created and refreshed, with who asked', async () => {
    const res = await s.request(`/audit/v1/events?entity_id=${entity.id}&size=1000`, { token });
    const created = res.body.filter((e: any) => e.kind === 'consent.created');
    assert.equal(created.length, 1);
    assert.deepEqual(
      { customer_id: created[0].customer_id, subject: created[0].subject, request_id: created[0].request_id, outcome: created[0].outcome, status: created[0].status },
      { customer_id: customerId, subject: s.app.client_id, request_id: createdRequestId, outcome: 'OK', status: null },
    );
    const refreshed = res.body.filter((e: any) => e.kind === 'consent.refreshed');
    assert.equal(refreshed.length, 1);
    assert.equal(refreshed[0].outcome, 'OK');
    assert.equal(refreshed[0].detail, `INITIAL refresh ${entity.refresh_id} FINISHED`);
    assert.equal(refreshed[0].subject, null);
  });

  it('cannot be altered: no route writes records, and the database refuses updates', async () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      const res = await s.request('/audit/v1/events', { token, method, unchecked: true, ...(method === 'DELETE' ? {} : { json: {} }) });
      assert.ok([404, 405].includes(res.status), `${method}: ${res.status}`);
    }
    await assert.rejects(s.server.ctx.store.db.updateTable('audit_segments').set({ records: '{}' }).where('app_id', '=', s.app.app_id).execute(), /audit records cannot be altered/);
    await assert.rejects(s.server.ctx.store.db.updateTable('audit_segment_keys').set({ customer_id: null }).where('app_id', '=', s.app.app_id).execute(), /audit records cannot be altered/);
  });

  it('is secured like every route', async () => {
    await assertSecured(s, (authorization) => s.request('/audit/v1/events', { headers: authorization ? { authorization } : {} }), { apiOnly: true, customerId });
  });

  it('openlean audit export prints the records of a time range as JSON Lines', async () => {
    const { requestId } = await read('/data/v2/accounts');
    await recordsOf(requestId);
    const from = new Date(Date.now() - 3_600_000).toISOString();
    const to = new Date(Date.now() + 3_600_000).toISOString();
    const out = await runOpenlean(['audit', 'export', '--from', from, '--to', to, '--customer-id', customerId], {
      DATABASE_URL: s.server.ctx.config.databaseUrl,
      DATA_DIR: s.dataDir,
      LOG_LEVEL: 'silent',
    });
    assert.equal(out.status, 0, out.stderr);
    const lines = out.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    const listed = await s.request(`/audit/v1/events?customer_id=${customerId}&size=1000`, { token });
    // Oldest first; the same records the API lists newest first.
    assert.deepEqual(lines, [...listed.body].reverse());
    assert.ok(lines.some((e) => e.request_id === requestId));
    const none = await runOpenlean(['audit', 'export', '--from', '2020-01-01', '--to', '2020-01-02'], { DATABASE_URL: s.server.ctx.config.databaseUrl, DATA_DIR: s.dataDir });
    assert.equal(none.status, 0, none.stderr);
    assert.equal(none.stdout, '');
    const wrong = await runOpenlean(['audit', 'export', '--from', 'yesterday', '--to', '2020-01-02'], { DATABASE_URL: s.server.ctx.config.databaseUrl, DATA_DIR: s.dataDir });
    assert.equal(wrong.status, 2);
    assert.match(wrong.stderr, /--from must be an ISO 8601 date/);
  });

  it('records refused reads of a deleted entity (403 CONSENT_REVOKED) and the deletion', async () => {
    const doomed = await s.createSandboxEntity(token, { customer_id: customerId, bank_identifier: 'SANDBOX_FALCON_AE', login: 'auditor-2' });
    const deleteId = randomUUID();
    const deleted = await s.request(`/customers/v1/${customerId}/entities/${doomed.id}`, { token, method: 'DELETE', headers: { 'x-request-id': deleteId } });
    assert.equal(deleted.status, 200);
    const [deletion] = await recordsOf(deleteId);
    assert.deepEqual(
      { kind: deletion!.kind, entity_id: deletion!.entity_id, customer_id: deletion!.customer_id, subject: deletion!.subject, outcome: deletion!.outcome },
      { kind: 'consent.deleted', entity_id: doomed.id, customer_id: customerId, subject: s.app.client_id, outcome: 'OK' },
    );
    for (const method of ['GET', 'POST']) {
      const { res, requestId } = await read('/data/v2/accounts', { entityId: doomed.id, method });
      assert.equal(res.status, 403);
      const [row] = await recordsOf(requestId);
      assert.deepEqual(
        { customer_id: row!.customer_id, entity_id: row!.entity_id, status: row!.status, outcome: row!.outcome, error_code: row!.error_code },
        { customer_id: customerId, entity_id: doomed.id, status: 403, outcome: 'REFUSED', error_code: 'CONSENT_REVOKED' },
      );
    }
  });

  it('records refused reads of an expired consent (403 CONSENT_EXPIRED)', async () => {
    const expiring = await s.createSandboxEntity(token, {
      customer_id: customerId,
      bank_identifier: 'SANDBOX_FALCON_AE',
      login: 'auditor-3',
      consent_expires_at: new Date(Date.now() + 2 * 86_400_000).toISOString(),
    });
    s.advanceClock(3 * 86_400_000);
    token = await s.token();
    const { res, requestId } = await read('/data/v2/accounts', { entityId: expiring.id });
    assert.equal(res.status, 403);
    const [row] = await recordsOf(requestId);
    assert.deepEqual(
      { customer_id: row!.customer_id, entity_id: row!.entity_id, status: row!.status, outcome: row!.outcome, error_code: row!.error_code },
      { customer_id: customerId, entity_id: expiring.id, status: 403, outcome: 'REFUSED', error_code: 'CONSENT_EXPIRED' },
    );
  });

  it('prunes records older than AUDIT_RETENTION_DAYS, and records no reads with AUDIT=off', async () => {
    // The clock is 3 days ahead now: with a retention of 2 days, everything recorded before is due.
    const dayAhead = new Date(Date.now() + 86_400_000).toISOString();
    const before = await auditRecords(s.server.ctx.store.db, (r) => r.at < dayAhead);
    assert.ok(before.length > 0);
    await s.restart({ AUDIT_RETENTION_DAYS: '2', AUDIT: 'off' });
    await eventually('old audit records pruned', async () => {
      const left = await auditRecords(s.server.ctx.store.db, (r) => r.at < dayAhead);
      return left.length === 0;
    });
    token = await s.token();
    const { res, requestId } = await read('/data/v2/accounts');
    assert.equal(res.status, 200);
    // Closing a server writes whatever its buffer holds: after a restart, nothing can still be on its way.
    await s.restart();
    const rows = await auditRecords(s.server.ctx.store.db, (r) => r.request_id === requestId);
    assert.deepEqual(rows, []);
  });
});
