import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { describeDialects } from '../helpers/dialects.ts';
import { eventually } from '../helpers/eventually.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { startReceiver, type Receiver } from '../helpers/webhook-receiver.ts';
import { generateCustomer } from '../../src/sandbox-bank/generator/index.ts';
import type { GeneratedCustomer } from '../../src/sandbox-bank/generator/model.ts';
import { SANDBOX_BANK_PROFILES } from '../../src/sandbox-bank/profiles.ts';

/** The OBIE v3.1 bank, the UAE v2.1 one and the KSA one: each kind of bank behaviour is read the same by all three connectors. */
const BANKS = { obie: 'SANDBOX_FALCON_AE', uae: 'SANDBOX_SAQR_AE', ksa: 'SANDBOX_RIYADH_SA' } as const;
const QUOTA_S = 85_092;

/**
 * Issue 11 §2–§4 end to end over HTTP, through the sandbox banks' fault profiles: partial data
 * rather than none, quirks read rather than refused, and a refresh that says what it waits for.
 */
describeDialects('partial data, bank quirks and visible waiting', (dialect) => {
  let s: TestServer;
  let token: string;
  let customerId: string;
  let receiver: Receiver;

  before(async () => {
    s = await startTestServer({ dialect });
    token = await s.token();
    customerId = await s.createCustomer(token);
    receiver = await startReceiver();
    const endpoint = await s.request('/webhooks/v1/endpoint', { method: 'PUT', token, json: { url: receiver.url } });
    assert.equal(endpoint.status, 200, endpoint.text);
  });
  after(async () => {
    await s.close();
    await receiver.close();
  });

  let logins = 0;
  /** A login of its own at the bank, with `faults` on from the start; `wanted` picks one whose generated data has what the test needs. */
  const login = async (bank: string, faults: string[] = [], wanted?: (customer: GeneratedCustomer) => boolean) => {
    const profile = SANDBOX_BANK_PROFILES.find((p) => p.identifier === bank)!;
    let name: string;
    do name = `partial-${bank}-${++logins}`;
    while (wanted && !wanted(generateCustomer(profile, name, s.server.ctx.now(), { profile: 'default' })));
    await setFaults(bank, name, faults);
    return name;
  };
  /** A credit card owing money: a debit balance (the `default` profile has cards; `thin` has none). */
  const owing = (customer: GeneratedCustomer) => customer.accounts.some((a) => a.balances.some((b) => b.creditDebitIndicator === 'Debit'));
  const setFaults = async (bank: string, name: string, faults: string[]) => {
    const res = await fetch(`${s.url}/sandbox-banks/${bank}/control/users/${encodeURIComponent(name)}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ faults }),
    });
    assert.ok(res.ok, `control API: ${res.status} ${await res.text()}`);
  };
  const get = (entityId: string, path: string) => s.request(path, { token, headers: { entity_id: entityId } });
  const refreshNow = async (entityId: string) => {
    const started = await s.request('/data/v2/refreshes', { method: 'POST', token, headers: { entity_id: entityId } });
    assert.equal(started.status, 202, started.text);
    return s.waitForRefresh(token, entityId, started.body.refresh_id);
  };
  const resource = (refresh: any, name: string) => refresh.resources.find((r: any) => r.resource === name);
  /** Everything the entity serves about its accounts: balances without their stamp (the minute the bank answered), and every transaction. */
  const readAll = async (entityId: string) => {
    const accounts = await get(entityId, '/data/v2/accounts');
    assert.equal(accounts.status, 200, accounts.text);
    const out: Record<string, unknown> = { accounts: accounts.body };
    for (const a of accounts.body) {
      out[`${a.account_id}/balances`] = (await get(entityId, `/data/v2/accounts/${a.account_id}/balances`)).body.map((b: any) => ({ ...b, timestamp: undefined }));
      out[`${a.account_id}/transactions`] = await s.allTransactions(token, entityId, a.account_id);
    }
    return out;
  };

  describe('§2 signed amounts and §3 letter case, in every connector', () => {
    for (const [standard, bank] of Object.entries(BANKS)) {
      for (const fault of ['signed_amounts', 'code_case']) {
        it(`${standard} ${fault}: read as the bank means them, nothing skipped, the same values as without the fault`, async () => {
          const signed = fault === 'signed_amounts';
          const name = await login(bank, [], signed ? owing : undefined);
          const entity = await s.createSandboxEntity(token, { customer_id: customerId, bank_identifier: bank, login: name, profile: signed ? 'default' : 'thin' });
          const clean = await readAll(entity.id);
          const balances = Object.entries(clean).filter(([k]) => k.endsWith('/balances')).flatMap(([, v]) => v as any[]);
          const debits = Object.entries(clean).filter(([k]) => k.endsWith('/transactions')).flatMap(([, v]) => v as any[]).filter((t) => t.credit_debit_indicator === 'DEBIT');
          assert.ok(debits.length > 0, 'the login has debits for the fault to change');
          if (fault === 'signed_amounts') assert.ok(balances.some((b) => b.credit_debit_indicator === 'DEBIT'), 'the login has a debit balance for the fault to sign');

          await setFaults(bank, name, [fault]);
          const refresh = await refreshNow(entity.id);
          assert.equal(refresh.status, 'FINISHED', JSON.stringify(refresh.error));
          for (const r of refresh.resources) {
            assert.equal(r.status, 'FINISHED', `${r.resource}: ${r.issues.join('; ')}`);
            assert.equal(r.records_skipped, 0, r.resource);
            assert.deepEqual(r.issues, [], r.resource);
          }
          // A debit balance the bank now sends as "-396.50" with Debit reads 396.50 DEBIT, as before.
          assert.deepEqual(await readAll(entity.id), clean);
        });
      }
    }
  });

  describe('§2 one malformed record skips that record', () => {
    for (const [standard, bank] of Object.entries(BANKS)) {
      it(`${standard} malformed_record before the INITIAL refresh: FINISHED, each list PARTIAL with its skipped record counted, the rest stored`, async () => {
        const name = await login(bank, ['malformed_record']);
        const entity = await s.createSandboxEntity(token, { customer_id: customerId, bank_identifier: bank, login: name, profile: 'thin' });
        const refresh = (await s.request(`/data/v2/refreshes/${entity.refresh_id}`, { token, headers: { entity_id: entity.id } })).body;
        assert.equal(refresh.status, 'FINISHED');
        assert.equal(refresh.error, null);
        const accounts = (await get(entity.id, '/data/v2/accounts')).body;
        assert.equal(resource(refresh, 'accounts').status, 'FINISHED');
        assert.equal(resource(refresh, 'accounts').records, accounts.length);
        for (const name of ['balances', 'transactions']) {
          const r = resource(refresh, name);
          assert.equal(r.status, 'PARTIAL', name);
          assert.equal(r.records_skipped, accounts.length, `${name}: the first record of each account's list`);
          assert.equal(r.error, null);
          assert.ok(r.issues.length > 0 && r.issues.every((i: string) => /record skipped/.test(i)), r.issues.join('; '));
        }
        let stored = 0;
        for (const a of accounts) stored += (await s.allTransactions(token, entity.id, a.account_id)).length;
        assert.equal(stored, resource(refresh, 'transactions').records);
      });
    }
  });

  describe('§2 one malformed resource fails that resource only', () => {
    for (const [standard, bank] of Object.entries(BANKS)) {
      it(`${standard} transactions answer 200 with an empty body at the INITIAL refresh: FINISHED, accounts and balances served, transactions FAILED and said so, not retried`, async () => {
        const name = await login(bank, ['empty_transactions_body']);
        const entity = await s.createSandboxEntity(token, { customer_id: customerId, bank_identifier: bank, login: name, profile: 'thin' });
        const refresh = (await s.request(`/data/v2/refreshes/${entity.refresh_id}`, { token, headers: { entity_id: entity.id } })).body;
        assert.equal(refresh.status, 'FINISHED');
        assert.equal(refresh.attempts, 1);
        const accounts = await get(entity.id, '/data/v2/accounts');
        assert.equal(accounts.status, 200);
        assert.ok(accounts.body.length > 0);
        assert.equal(resource(refresh, 'accounts').status, 'FINISHED');
        assert.equal(resource(refresh, 'balances').status, 'FINISHED');
        const transactions = resource(refresh, 'transactions');
        assert.equal(transactions.status, 'FAILED');
        assert.equal(transactions.records, 0);
        assert.equal(transactions.error.code, 'BANK_RESPONSE_INVALID');
        assert.match(transactions.error.detail, new RegExp(`^${accounts.body.length} of ${accounts.body.length} malformed; account 1 of`));

        const account = accounts.body[0].account_id;
        const balances = await get(entity.id, `/data/v2/accounts/${account}/balances`);
        assert.equal(balances.status, 200);
        assert.ok(balances.body.length > 0);
        const read = await get(entity.id, `/data/v2/accounts/${account}/transactions`);
        assert.equal(read.status, 409);
        assert.equal(read.body.code, 'RESOURCE_NOT_AVAILABLE');
        assert.match(read.body.detail, new RegExp(`refresh ${entity.refresh_id}`));

        // Once the bank answers again, the next refresh reads the whole history the first one missed.
        await setFaults(bank, name, []);
        const again = await refreshNow(entity.id);
        assert.equal(resource(again, 'transactions').status, 'FINISHED');
        const all = await s.allTransactions(token, entity.id, account);
        assert.ok(all.length > 0);
        assert.ok(all.some((t) => Date.parse(t.timestamp) < Date.now() - 30 * 86_400_000), 'history older than the incremental window');
      });
    }

    it('obie: after a good refresh, a malformed transactions answer keeps the stored transactions and serves them', async () => {
      const bank = BANKS.obie;
      const name = await login(bank);
      const entity = await s.createSandboxEntity(token, { customer_id: customerId, bank_identifier: bank, login: name, profile: 'thin' });
      const clean = await readAll(entity.id);
      await setFaults(bank, name, ['empty_transactions_body']);
      const refresh = await refreshNow(entity.id);
      assert.equal(refresh.status, 'FINISHED');
      assert.equal(resource(refresh, 'transactions').status, 'FAILED');
      assert.equal(resource(refresh, 'balances').status, 'FINISHED');
      assert.deepEqual(await readAll(entity.id), clean);
    });
  });

  describe('§3 a bank that refuses the date filter', () => {
    for (const [standard, bank] of Object.entries(BANKS)) {
      it(`${standard} no_date_filter: the refresh falls back to an unfiltered fetch, finishes, and later refreshes skip the filter`, async () => {
        const name = await login(bank);
        const entity = await s.createSandboxEntity(token, { customer_id: customerId, bank_identifier: bank, login: name, profile: 'thin' });
        const clean = await readAll(entity.id);
        await setFaults(bank, name, ['no_date_filter']);

        const first = await refreshNow(entity.id);
        assert.equal(first.status, 'FINISHED', JSON.stringify(first.error));
        assert.equal(resource(first, 'transactions').status, 'FINISHED');
        assert.equal(resource(first, 'transactions').records_skipped, 0);
        assert.match(resource(first, 'transactions').issues.join('\n'), /refused fromBookingDateTime/);
        assert.deepEqual(await readAll(entity.id), clean);

        const row = await s.server.ctx.store.db.selectFrom('bank_quirks').selectAll().where('bank_identifier', '=', bank).executeTakeFirstOrThrow();
        assert.deepEqual(JSON.parse(row.quirks), { no_transaction_date_filter: true });
        const second = await refreshNow(entity.id);
        assert.equal(second.status, 'FINISHED');
        assert.deepEqual(resource(second, 'transactions').issues, [], 'no refusal: the filter is not sent any more');
        assert.deepEqual(await readAll(entity.id), clean);
      });
    }
  });

  describe('§4 a refresh waiting for a daily quota says so', () => {
    for (const [standard, bank] of Object.entries(BANKS)) {
      it(`${standard} daily_quota before the INITIAL refresh: why and until when, on the refresh, the reads and one webhook; the wait costs no attempt`, async () => {
        const name = await login(bank, ['daily_quota']);
        const before = s.server.ctx.now().getTime();
        const entity = await s.createSandboxEntity(token, { customer_id: customerId, bank_identifier: bank, login: name, profile: 'thin' }, { wait: false });
        const waiting = await eventually('the refresh waits', async () => {
          const r = (await s.request(`/data/v2/refreshes/${entity.refresh_id}`, { token, headers: { entity_id: entity.id } })).body;
          return r.next_attempt_at !== null && r;
        });
        const afterWait = s.server.ctx.now().getTime();
        assert.equal(waiting.status, 'IN_PROGRESS');
        assert.equal(waiting.attempts, 1);
        assert.equal(waiting.error.code, 'BANK_RATE_LIMITED');
        assert.match(waiting.error.detail, /rate limiting \(429\)/);
        assert.match(waiting.error.detail, new RegExp(`next attempt at ${waiting.next_attempt_at}`));
        const next = Date.parse(waiting.next_attempt_at);
        assert.ok(next >= before + QUOTA_S * 1000 && next <= afterWait + QUOTA_S * 1000, `${waiting.next_attempt_at} is the clock + ${QUOTA_S} s`);

        const list = await s.request('/data/v2/refreshes', { token, headers: { entity_id: entity.id } });
        assert.deepEqual(list.body.find((r: any) => r.refresh_id === entity.refresh_id), waiting);

        const readAt = s.server.ctx.now().getTime();
        const read = await get(entity.id, '/data/v2/accounts');
        assert.equal(read.status, 202);
        assert.deepEqual(read.body, { status: 'PENDING', refresh_id: entity.refresh_id });
        assert.equal(Number(read.headers.get('retry-after')), Math.ceil((next - readAt) / 1000));

        await receiver.waitFor((got) => got.some((r) => r.event.payload.refresh_id === entity.refresh_id && r.event.payload.error?.code === 'BANK_RATE_LIMITED'));
        const events = (await s.server.ctx.store.db.selectFrom('webhook_events').select('body').where('type', '=', 'entity.data.refresh.updated').execute())
          .map((e) => JSON.parse(e.body).payload)
          .filter((p) => p.refresh_id === entity.refresh_id && p.error !== null);
        assert.equal(events.length, 1, 'the wait is announced once');
        assert.equal(events[0].next_attempt_at, waiting.next_attempt_at);
        assert.equal(events[0].status, 'IN_PROGRESS');

        if (dialect === 'postgres') {
          // pg-boss schedules by the database's clock, which the test's clock does not move: the
          // next run is queued for the bank's time, and the wait gave its attempt back.
          const { rows } = await sql<{ data: { payload: { refresh_id: string }; prior_attempts: number }; wait_s: number }>`
            select data, extract(epoch from start_after - now())::float8 as wait_s from pgboss.job where name = 'refresh' and state = 'created'`.execute(s.server.ctx.store.db);
          const job = rows.find((r) => r.data.payload.refresh_id === entity.refresh_id);
          assert.ok(job, 'the next attempt is queued');
          assert.equal(job.data.prior_attempts, 0);
          assert.ok(job.wait_s > QUOTA_S - 60 && job.wait_s <= QUOTA_S, `queued ${job.wait_s} s ahead`);
          return;
        }

        // The quota resets: the refresh runs again at its time, on the same attempt number.
        await setFaults(bank, name, []);
        s.advanceClock(QUOTA_S * 1000);
        token = await s.token();
        const done = await s.waitForRefresh(token, entity.id, entity.refresh_id);
        assert.equal(done.status, 'FINISHED', JSON.stringify(done.error));
        assert.equal(done.attempts, 1);
        assert.equal(done.next_attempt_at, null);
        assert.equal(done.error, null);
        assert.equal((await get(entity.id, '/data/v2/accounts')).status, 200);
      });
    }
  });
});
