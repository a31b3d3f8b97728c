import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { sql } from 'kysely';
import { recordEvent, WEBHOOK_JOB, type DeliveryJob } from '../../src/webhooks/events.ts';
import { pruneWebhookHistory } from '../../src/webhooks/retention.ts';
import { describeDialects } from '../helpers/dialects.ts';
import { eventually } from '../helpers/eventually.ts';
import { queuedJobs } from '../helpers/queued-jobs.ts';
import { assertSecured } from '../helpers/security.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { startReceiver, verifyDelivery, type Received, type Receiver } from '../helpers/webhook-receiver.ts';

const SCHEDULE = [100, 200, 300, 400, 500, 600];
const ENVELOPE = ['app_id', 'event_id', 'message', 'payload', 'timestamp', 'type'];

/**
 * Webhooks against a real receiver: every delivery is verified with the Standard Webhooks library
 * and a recomputed `lean-signature`; retries follow the configured schedule (scaled down here).
 */
describeDialects('webhooks', (dialect) => {
  let s: TestServer;
  let receiver: Receiver;
  let token: string;
  let secret: string;
  let customerId: string;

  /** The outbox, in the order events were recorded. */
  const events = async (appId?: string) => {
    let q = s.server.ctx.store.db.selectFrom('webhook_events').selectAll().orderBy('id');
    if (appId) q = q.where('app_id', '=', appId);
    return (await q.execute()).map((e) => ({ ...e, parsed: JSON.parse(e.body) }));
  };
  const forEntity = (entityId: string) => (r: Received) => r.event.payload.entity_id === entityId;
  const deliveries = async (query = '') => {
    const res = await s.request(`/webhooks/v1/deliveries${query}`, { token });
    assert.equal(res.status, 200, res.text);
    return res.body as any[];
  };
  /** An event's attempts, newest first, once `count` are recorded: a worker records an attempt after the receiver has answered. */
  const attemptsOf = async (eventId: string, count: number) => {
    const attempts = await eventually(`${count} attempts recorded for ${eventId}`, async () => {
      const recorded = await deliveries(`?event_id=${eventId}`);
      return recorded.length >= count && recorded;
    }, 5000);
    assert.equal(attempts.length, count, `attempts recorded for ${eventId}`);
    return attempts;
  };

  before(async () => {
    s = await startTestServer({ dialect, env: { WEBHOOK_RETRY_SCHEDULE_MS: SCHEDULE.join(','), WEBHOOK_SECRET_GRACE_HOURS: '1', WEBHOOK_TIMEOUT_MS: '1000' } });
    receiver = await startReceiver();
    token = await s.token();
    customerId = await s.createCustomer(token);
  });
  after(async () => {
    await s.close();
    await receiver.close();
  });

  it('PUT sets the endpoint and answers its secret; setting it again keeps the secret; GET never shows it', async () => {
    const first = await s.request('/webhooks/v1/endpoint', { method: 'PUT', token, json: { url: `${receiver.url}?first` } });
    assert.equal(first.status, 200, first.text);
    assert.match(first.body.secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
    assert.equal(Buffer.from(first.body.secret.slice(6), 'base64').length, 32);
    assert.equal(first.body.previous_secret_expires_at, null);
    const again = await s.request('/webhooks/v1/endpoint', { method: 'PUT', token, json: { url: receiver.url } });
    assert.equal(again.status, 200);
    assert.equal(again.body.secret, first.body.secret);
    assert.equal(again.body.url, receiver.url);
    assert.equal(again.body.created_at, first.body.created_at);
    secret = again.body.secret;

    const got = await s.request('/webhooks/v1/endpoint', { token });
    assert.equal(got.status, 200);
    assert.equal(got.body.url, receiver.url);
    assert.equal(got.body.secret, undefined);
    const stored = await s.server.ctx.store.db.selectFrom('webhook_endpoints').selectAll().executeTakeFirstOrThrow();
    assert.ok(!stored.secret.includes(secret.slice(6)), 'the secret is sealed at rest');

    for (const [json, code] of [
      [{ url: 'ftp://example.com/hook' }, 'WEBHOOK_URL_REFUSED'],
      [{ url: 'https://user:pw@example.com/hook' }, 'WEBHOOK_URL_REFUSED'],
      [{ url: 'not a url' }, 'INVALID_PARAMETER'],
      [{}, 'INVALID_PARAMETER'],
      [{ url: receiver.url, events: ['x'] }, 'UNKNOWN_PARAMETER'],
    ] as const) {
      const res = await s.request('/webhooks/v1/endpoint', { method: 'PUT', token, json });
      assert.equal(res.status, 400, JSON.stringify(json));
      assert.equal(res.body.code, code, JSON.stringify(json));
    }
    assert.equal((await s.request('/webhooks/v1/endpoint', { token })).body.url, receiver.url, 'refused URLs change nothing');
  });

  it('announces a sandbox entity\'s life in order: entity.created, then its refresh IN_PROGRESS and FINISHED, each signed', async () => {
    const entity = await s.createSandboxEntity(token, { customer_id: customerId, login: 'hooked', profile: 'thin' });
    await receiver.waitFor((all) => all.filter(forEntity(entity.id)).length === 3);
    const got = receiver.received.filter(forEntity(entity.id)).sort((a, b) => a.event.event_id.localeCompare(b.event.event_id));
    for (const r of got) {
      verifyDelivery(r, secret);
      assert.deepEqual(Object.keys(r.event).sort(), ENVELOPE);
      assert.equal(r.headers['webhook-id'], r.event.event_id);
      assert.equal(r.headers['content-type'], 'application/json');
      assert.ok(Math.abs(Number(r.headers['webhook-timestamp']) - Date.now() / 1000) < 60);
      assert.equal(r.event.app_id, s.app.app_id);
    }
    assert.deepEqual(
      got.map((r) => [r.event.type, r.event.payload.status]),
      [['entity.created', 'ACTIVE'], ['entity.data.refresh.updated', 'IN_PROGRESS'], ['entity.data.refresh.updated', 'FINISHED']],
    );
    for (let i = 1; i < got.length; i++) assert.ok(got[i - 1]!.event.timestamp <= got[i]!.event.timestamp);
    assert.deepEqual(got[0]!.event.payload, {
      entity_id: entity.id,
      customer_id: customerId,
      bank_identifier: entity.bank_identifier,
      status: 'ACTIVE',
      permissions: entity.permissions,
    });
    const refresh = await s.request(`/data/v2/refreshes/${entity.refresh_id}`, { token, headers: { entity_id: entity.id } });
    assert.deepEqual(got[2]!.event.payload, {
      refresh_id: entity.refresh_id,
      entity_id: entity.id,
      customer_id: customerId,
      status: 'FINISHED',
      trigger: 'INITIAL',
      resources: refresh.body.resources,
      attempts: 1,
      next_attempt_at: null,
      error: null,
    });
  });

  it('a receiver failing the first 3 attempts gets each event exactly once after de-duplication, on the schedule', async () => {
    receiver.failFirst(3);
    try {
      const entity = await s.createSandboxEntity(token, { customer_id: customerId, login: 'flaky-receiver', profile: 'thin' });
      const mine = forEntity(entity.id);
      await receiver.waitFor((all) => all.filter((r) => mine(r) && r.status === 200).length === 3);
      const got = receiver.received.filter(mine);
      const accepted = new Map<string, Received>();
      for (const r of got) {
        verifyDelivery(r, secret);
        if (r.status === 200) {
          assert.ok(!accepted.has(r.event.event_id), 'accepted once per webhook-id');
          accepted.set(r.event.event_id, r);
        }
      }
      assert.deepEqual([...accepted.values()].map((r) => `${r.event.type} ${r.event.payload.status}`).sort(), [
        'entity.created ACTIVE',
        'entity.data.refresh.updated FINISHED',
        'entity.data.refresh.updated IN_PROGRESS',
      ]);
      for (const id of accepted.keys()) {
        const tries = got.filter((r) => r.event.event_id === id);
        assert.deepEqual(tries.map((r) => r.status), [503, 503, 503, 200]);
        assert.ok(tries.every((r) => r.body === tries[0]!.body), 'every attempt sends the same body');

        const attempts = (await attemptsOf(id, 4)).reverse();
        for (let i = 1; i < attempts.length; i++) {
          const since = Date.parse(attempts[i].attempted_at) - Date.parse(attempts[0].attempted_at);
          assert.ok(since >= SCHEDULE[i - 1]!, `retry ${i} began ${since} ms after the first attempt, before ${SCHEDULE[i - 1]} ms`);
          const due = Date.parse(attempts[i - 1].next_attempt_at);
          assert.ok(due >= Date.parse(attempts[i - 1].attempted_at) + SCHEDULE[i - 1]! - (SCHEDULE[i - 2] ?? 0));
          assert.ok(Date.parse(attempts[i].attempted_at) >= due, 'no attempt before it is due');
        }
        assert.deepEqual(attempts.map((a) => [a.attempt, a.status, a.response_status]), [[1, 'FAILED', 503], [2, 'FAILED', 503], [3, 'FAILED', 503], [4, 'SUCCEEDED', 200]]);
        for (const a of attempts) {
          assert.equal(a.event_id, id);
          assert.equal(a.url, receiver.url);
          assert.ok(Number.isInteger(a.latency_ms) && a.latency_ms >= 0, String(a.latency_ms));
        }
        assert.deepEqual(attempts.map((a) => a.next_attempt_at === null), [false, false, false, true]);
        assert.equal(attempts[0]!.error, 'The endpoint answered 503');
        assert.equal(attempts[3]!.error, null);
      }
    } finally {
      receiver.failFirst(0);
    }
  });

  it('gives a delivery up after the last retry of the schedule', async () => {
    receiver.failFirst(100);
    try {
      const eventId = await s.server.ctx.store.db.transaction().execute((trx) =>
        recordEvent(trx, s.server.ctx.jobs, { app_id: s.app.app_id, type: 'entity.deleted', payload: { entity_id: 'given-up' } }, s.server.ctx.now()),
      );
      s.server.ctx.refreshes.wake();
      await receiver.waitFor((all) => all.filter((r) => r.event.event_id === eventId).length === SCHEDULE.length + 1);
      const attempts = await attemptsOf(eventId, SCHEDULE.length + 1);
      assert.ok(attempts.every((a) => a.status === 'FAILED'));
      assert.equal(attempts[0].attempt, SCHEDULE.length + 1);
      assert.equal(attempts[0].next_attempt_at, null, 'given up');
      // The last attempt's job ends a moment after recording it; with it gone, nothing can follow.
      await eventually('no delivery job left for the event', async () => !(await queuedJobs(s.server.ctx.store, WEBHOOK_JOB)).some((job) => (job as DeliveryJob).event_id === eventId));
      assert.equal(receiver.received.filter((r) => r.event.event_id === eventId).length, SCHEDULE.length + 1, 'nothing after giving up');
    } finally {
      receiver.failFirst(0);
    }
  });

  it('gives up on an attempt the endpoint does not answer within WEBHOOK_TIMEOUT_MS, and retries it', async () => {
    receiver.failFirst(1, 'stall');
    try {
      const eventId = await s.server.ctx.store.db.transaction().execute((trx) =>
        recordEvent(trx, s.server.ctx.jobs, { app_id: s.app.app_id, type: 'entity.deleted', payload: { entity_id: 'stalled' } }, s.server.ctx.now()),
      );
      s.server.ctx.refreshes.wake();
      await receiver.waitFor((all) => all.some((r) => r.event.event_id === eventId && r.status === 200));
      const attempts = (await attemptsOf(eventId, 2)).reverse();
      assert.deepEqual(attempts.map((a) => [a.status, a.response_status]), [['FAILED', null], ['SUCCEEDED', 200]]);
      assert.equal(attempts[0].error, 'No response within 1000 ms');
      // It waited out the timeout; how much longer a loaded machine took is not the test's to say.
      assert.ok(attempts[0].latency_ms >= 990, String(attempts[0].latency_ms));
    } finally {
      receiver.failFirst(0);
    }
  });

  it('lists attempts newest first, by page, filtered by event', async () => {
    const all = await deliveries('?size=1000');
    const total = all.length;
    assert.ok(total >= 10);
    for (let i = 1; i < all.length; i++) assert.ok(all[i - 1].attempted_at >= all[i].attempted_at);
    const first = await s.request('/webhooks/v1/deliveries?size=2', { token });
    assert.equal(first.headers.get('x-total-count'), String(total));
    assert.equal(first.headers.get('link'), '</webhooks/v1/deliveries?size=2&page=1>; rel="next"');
    const second = await s.request('/webhooks/v1/deliveries?size=2&page=1', { token });
    assert.deepEqual([...first.body, ...second.body].map((d: any) => d.delivery_id), all.slice(0, 4).map((d) => d.delivery_id));
    assert.equal(second.headers.get('x-total-count'), String(total));
    // Past the last page: no attempts, and still their count.
    const past = await s.request(`/webhooks/v1/deliveries?size=2&page=${Math.ceil(total / 2) + 3}`, { token });
    assert.deepEqual([past.status, past.body, past.headers.get('x-total-count')], [200, [], String(total)]);
    for (const [query, param] of [['size=0', 'size'], ['event_id=nope', 'event_id'], ['status=FAILED', 'status']]) {
      const res = await s.request(`/webhooks/v1/deliveries?${query}`, { token });
      assert.equal(res.status, 400, query);
      assert.equal(res.body.param, param);
    }
  });

  it('redelivers an attempt\'s event: same webhook-id and body, freshly signed, listed as a new delivery', async () => {
    const delivered = (await deliveries()).find((d) => d.status === 'SUCCEEDED')!;
    const before = receiver.received.filter((r) => r.event.event_id === delivered.event_id);
    const recorded = (await deliveries(`?event_id=${delivered.event_id}`)).length;
    const res = await s.request(`/webhooks/v1/deliveries/${delivered.delivery_id}/redeliver`, { method: 'POST', token });
    assert.equal(res.status, 202, res.text);
    assert.deepEqual(res.body, { event_id: delivered.event_id });
    await receiver.waitFor((all) => all.filter((r) => r.event.event_id === delivered.event_id).length === before.length + 1);
    const again = receiver.received.filter((r) => r.event.event_id === delivered.event_id).at(-1)!;
    verifyDelivery(again, secret);
    assert.equal(again.body, before[0]!.body);
    const attempts = await attemptsOf(delivered.event_id, recorded + 1);
    assert.equal(attempts[0].attempt, 1, 'a redelivery counts its attempts afresh');
    assert.equal(attempts[0].status, 'SUCCEEDED');

    assert.equal((await s.request('/webhooks/v1/deliveries/00000000-0000-4000-8000-000000000000/redeliver', { method: 'POST', token })).status, 404);
    assert.equal((await s.request('/webhooks/v1/deliveries/nope/redeliver', { method: 'POST', token })).status, 400);
  });

  it('forgets events older than WEBHOOK_RETENTION_DAYS with their attempts, and nothing younger', async () => {
    const { store, jobs, now } = s.server.ctx;
    const record = (daysAgo: number, entityId: string) =>
      store.db.transaction().execute((trx) =>
        recordEvent(trx, jobs, { app_id: s.app.app_id, type: 'entity.deleted', payload: { entity_id: entityId } }, new Date(now().getTime() - daysAgo * 86_400_000)),
      );
    const old = await record(31, 'pruned');
    const young = await record(29, 'kept');
    s.server.ctx.refreshes.wake();
    const [oldAttempt] = await attemptsOf(old, 1);
    await attemptsOf(young, 1);
    const total = (await deliveries('?size=1000')).length;

    assert.equal(await pruneWebhookHistory(store, 30, now()), 1);
    assert.deepEqual(await deliveries(`?event_id=${old}`), []);
    assert.equal((await deliveries('?size=1000')).length, total - 1);
    assert.equal((await s.request(`/webhooks/v1/deliveries/${oldAttempt.delivery_id}/redeliver`, { method: 'POST', token })).status, 404);
    assert.equal((await events()).filter((e) => e.id === old).length, 0);
    assert.equal((await attemptsOf(young, 1))[0].status, 'SUCCEEDED');
    assert.equal(await pruneWebhookHistory(store, 30, now()), 0, 'nothing left to prune');
  });

  it('rotation: both signatures during the grace period, then only the new secret\'s', async () => {
    const rotated = await s.request('/webhooks/v1/endpoint/rotate-secret', { method: 'POST', token });
    assert.equal(rotated.status, 200, rotated.text);
    const fresh: string = rotated.body.secret;
    assert.notEqual(fresh, secret);
    assert.match(fresh, /^whsec_/);
    const graceEnds = Date.parse(rotated.body.previous_secret_expires_at);
    assert.ok(Math.abs(graceEnds - (Date.now() + 3_600_000)) < 60_000, rotated.body.previous_secret_expires_at);
    assert.equal((await s.request('/webhooks/v1/endpoint', { token })).body.previous_secret_expires_at, rotated.body.previous_secret_expires_at);

    const doomed = await s.createSandboxEntity(token, { customer_id: customerId, login: 'rotated', profile: 'thin' });
    await receiver.waitFor((all) => all.filter(forEntity(doomed.id)).length === 3);
    for (const r of receiver.received.filter(forEntity(doomed.id))) {
      assert.equal(String(r.headers['webhook-signature']).split(' ').length, 2, 'one v1 signature per secret');
      verifyDelivery(r, fresh);
      new Webhook(secret).verify(r.body, r.headers as Record<string, string>);
    }

    s.advanceClock(3_600_000 + 60_000);
    try {
      token = await s.token();
      assert.equal((await s.request('/webhooks/v1/endpoint', { token })).body.previous_secret_expires_at, null);
      const del = await s.request(`/customers/v1/${customerId}/entities/${doomed.id}`, { method: 'DELETE', token });
      assert.equal(del.status, 200);
      await receiver.waitFor((all) => all.some((r) => forEntity(doomed.id)(r) && r.event.type === 'entity.deleted'));
      const deleted = receiver.received.find((r) => forEntity(doomed.id)(r) && r.event.type === 'entity.deleted')!;
      const serverNow = s.server.ctx.now().getTime();
      assert.equal(String(deleted.headers['webhook-signature']).split(' ').length, 1);
      verifyDelivery(deleted, fresh, serverNow);
      assert.throws(() => verifyDelivery(deleted, secret, serverNow), /No matching signature/);
      assert.equal(deleted.event.payload.status, 'REVOKED');
    } finally {
      s.advanceClock(-(3_600_000 + 60_000));
      token = await s.token();
    }
    secret = fresh;
  });

  it('an event exists if and only if its change committed', async () => {
    const db = s.server.ctx.store.db;
    const entity = await s.createSandboxEntity(token, { customer_id: customerId, login: 'counted', profile: 'thin' });
    const path = `/customers/v1/${customerId}/entities/${entity.id}`;
    const [a, b] = await Promise.all([s.request(path, { method: 'DELETE', token }), s.request(path, { method: 'DELETE', token })]);
    assert.deepEqual([a.status, b.status], [200, 200]);
    assert.equal((await s.request(path, { method: 'DELETE', token })).status, 200);
    const ofEntity = (await events(s.app.app_id)).filter((e) => e.parsed.payload.entity_id === entity.id);
    assert.deepEqual(ofEntity.map((e) => [e.type, e.parsed.payload.status]), [
      ['entity.created', 'ACTIVE'],
      ['entity.data.refresh.updated', 'IN_PROGRESS'],
      ['entity.data.refresh.updated', 'FINISHED'],
      ['entity.deleted', 'REVOKED'],
    ]);

    // A dead consent: the refresh fails, the entity needs reconnecting; one event each.
    const dead = await s.createSandboxEntity(token, { customer_id: customerId, login: 'dead-consent', profile: 'thin' });
    const fault = await fetch(`${s.url}/sandbox-banks/${dead.bank_identifier}/control/users/dead-consent`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ faults: ['consent_revoked'] }),
    });
    assert.ok(fault.ok);
    const started = await s.request('/data/v2/refreshes', { method: 'POST', token, headers: { entity_id: dead.id } });
    assert.equal((await s.waitForRefresh(token, dead.id, started.body.refresh_id)).status, 'FAILED');
    const ofDead = (await events(s.app.app_id)).filter((e) => e.parsed.payload.entity_id === dead.id).slice(3);
    assert.deepEqual(ofDead.map((e) => [e.type, e.parsed.payload.status]), [
      ['entity.data.refresh.updated', 'IN_PROGRESS'],
      ['entity.reconnect_required', 'RECONNECT_REQUIRED'],
      ['entity.data.refresh.updated', 'FAILED'],
    ]);
    assert.equal(ofDead[2]!.parsed.payload.error.code, 'RECONNECT_REQUIRED');
    await receiver.waitFor((all) => all.filter(forEntity(dead.id)).length === 6);

    // A transaction that rolls back leaves neither the event nor its delivery job.
    const before = (await events()).length;
    let eventId = '';
    await assert.rejects(
      db.transaction().execute(async (trx) => {
        eventId = await recordEvent(trx, s.server.ctx.jobs, { app_id: s.app.app_id, type: 'entity.created', payload: {} }, new Date());
        throw new Error('the change failed');
      }),
      /the change failed/,
    );
    assert.equal((await events()).length, before);
    // Jobs are rows of the store's own table on SQLite and of pg-boss's on PostgreSQL.
    const queued =
      s.server.ctx.store.dialect === 'postgres'
        ? (await sql<{ data: unknown }>`select data from pgboss.job`.execute(db)).rows.map((r) => JSON.stringify(r.data))
        : (await db.selectFrom('jobs').select('payload').execute()).map((j) => j.payload);
    assert.ok(!queued.some((payload) => payload.includes(eventId)));
  });

  it('records the events of an application without endpoint, and sends them nowhere', async () => {
    const other = await s.newApp('quiet');
    const otherToken = await s.token(other);
    const entity = await s.createSandboxEntity(otherToken, { customer_id: await s.createCustomer(otherToken), login: 'quiet', profile: 'thin' });
    const recorded = await events(other.app_id);
    assert.deepEqual(recorded.map((e) => e.parsed.payload.status), ['ACTIVE', 'IN_PROGRESS', 'FINISHED']);
    assert.ok(!receiver.received.some(forEntity(entity.id)));
    assert.deepEqual((await s.request('/webhooks/v1/deliveries', { token: otherToken })).body, []);
  });

  it('keeps applications apart', async () => {
    const intruder = await s.token(await s.newApp('intruder'));
    assert.equal((await s.request('/webhooks/v1/endpoint', { token: intruder })).status, 404);
    assert.equal((await s.request('/webhooks/v1/endpoint/rotate-secret', { method: 'POST', token: intruder })).status, 404);
    assert.equal((await s.request('/webhooks/v1/endpoint', { method: 'DELETE', token: intruder })).status, 404);
    assert.deepEqual((await s.request('/webhooks/v1/deliveries', { token: intruder })).body, []);
    const ours = (await deliveries())[0];
    const res = await s.request(`/webhooks/v1/deliveries/${ours.delivery_id}/redeliver`, { method: 'POST', token: intruder });
    assert.equal(res.status, 404);
    assert.equal(res.body.code, 'NOT_FOUND');
    const theirs = await s.request('/webhooks/v1/endpoint', { method: 'PUT', token: intruder, json: { url: 'http://127.0.0.1:9/elsewhere' } });
    assert.notEqual(theirs.body.secret, secret);
    assert.equal((await s.request('/webhooks/v1/endpoint', { token })).body.url, receiver.url);
  });

  it('is secured', async () => {
    for (const [method, path] of [
      ['PUT', '/webhooks/v1/endpoint'],
      ['GET', '/webhooks/v1/endpoint'],
      ['DELETE', '/webhooks/v1/endpoint'],
      ['POST', '/webhooks/v1/endpoint/rotate-secret'],
      ['GET', '/webhooks/v1/deliveries'],
      ['POST', '/webhooks/v1/deliveries/00000000-0000-4000-8000-000000000000/redeliver'],
    ] as const) {
      await assertSecured(
        s,
        (authorization) => s.request(path, { method, ...(method === 'PUT' ? { json: { url: receiver.url } } : {}), headers: authorization ? { authorization } : {} }),
        { apiOnly: true, customerId },
      );
    }
  });

  it('DELETE stops deliveries; redelivering then answers 409', async () => {
    const attempt = (await deliveries())[0];
    const del = await s.request('/webhooks/v1/endpoint', { method: 'DELETE', token });
    assert.equal(del.status, 204);
    assert.equal((await s.request('/webhooks/v1/endpoint', { token })).status, 404);
    assert.equal((await s.request('/webhooks/v1/endpoint', { method: 'DELETE', token })).status, 404);
    const res = await s.request(`/webhooks/v1/deliveries/${attempt.delivery_id}/redeliver`, { method: 'POST', token });
    assert.equal(res.status, 409);
    assert.equal(res.body.code, 'WEBHOOK_ENDPOINT_NOT_SET');
  });
});
