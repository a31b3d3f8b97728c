import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { progress, signed } from '../src/cli/data-commands.ts';
import { runOpenlean } from './helpers/cli.ts';
import { describeDialects } from './helpers/dialects.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

/** `openlean data accounts|transactions` and `openlean refresh` against a running server. */
describeDialects('CLI read commands', (dialect) => {
  let s: TestServer;
  let token: string;
  let env: Record<string, string>;
  let entityId: string;

  before(async () => {
    s = await startTestServer({ dialect });
    token = await s.token();
    env = { OPENLEAN_URL: s.url, OPENLEAN_CLIENT_ID: s.app.client_id, OPENLEAN_CLIENT_SECRET: s.app.client_secret };
    entityId = (await s.createSandboxEntity(token, { customer_id: await s.createCustomer(token) })).id;
  });
  after(() => s.close());

  const rest = async (p: string) => (await s.request(p, { token, headers: { entity_id: entityId } })).body;

  it('data accounts: a table, and with --json the API\'s answer', async () => {
    const accounts = await rest('/data/v2/accounts');
    const asJson = await runOpenlean(['data', 'accounts', '--entity', entityId, '--json'], env);
    assert.equal(asJson.status, 0, asJson.stderr);
    assert.deepEqual(JSON.parse(asJson.stdout), accounts);

    const asTable = await runOpenlean(['data', 'accounts', '--entity', entityId], env);
    assert.equal(asTable.status, 0, asTable.stderr);
    const lines = asTable.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^ACCOUNT_ID\s+NAME\s+TYPE\s+CURRENCY\s+IBAN\s+STATUS$/);
    assert.equal(lines.length, accounts.length + 1);
    for (const [i, a] of accounts.entries()) {
      assert.deepEqual(lines[i + 1]!.split(/\s{2,}/), [a.account_id, a.nickname ?? a.name, a.type, a.currency, a.iban ?? a.account_number, a.status]);
    }
  });

  it('data transactions: every page in the date range, as a table or JSON', async () => {
    const [account] = await rest('/data/v2/accounts');
    const all = await s.allTransactions(token, entityId, account.account_id);
    const to = all[0].timestamp.slice(0, 10);
    const from = all[Math.min(all.length - 1, 40)].timestamp.slice(0, 10);
    const expected = await rest(`/data/v2/accounts/${account.account_id}/transactions?start_date=${from}&end_date=${to}&size=1000`);
    assert.ok(expected.length > 0);
    const args = ['data', 'transactions', '--entity', entityId, '--account', account.account_id, '--from', from, '--to', to];
    const asJson = await runOpenlean([...args, '--json'], env);
    assert.equal(asJson.status, 0, asJson.stderr);
    assert.deepEqual(JSON.parse(asJson.stdout), expected);

    const asTable = await runOpenlean(args, env);
    assert.equal(asTable.status, 0, asTable.stderr);
    const lines = asTable.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^DATE\s+STATUS\s+AMOUNT\s+CURRENCY\s+DESCRIPTION$/);
    assert.equal(lines.at(-1), `${expected.length} transaction${expected.length === 1 ? '' : 's'}`);
    const rows = lines.slice(1, -1).map((l) => l.split(/\s{2,}/));
    assert.deepEqual(
      rows,
      expected.map((t: any) => [t.timestamp.slice(0, 16).replace('T', ' '), t.booking_status, signed(t), t.amount.currency, t.description]),
    );
  });

  it('refresh --wait prints its progress on standard error and how it ended; --json the refresh', async () => {
    const waited = await runOpenlean(['refresh', '--entity', entityId, '--wait', '--poll-ms', '20'], env);
    assert.equal(waited.status, 0, waited.stderr);
    const [, id] = /^refresh (\S+) FINISHED$/.exec(waited.stdout.trim()) ?? [];
    assert.ok(id, waited.stdout);
    const finished = await rest(`/data/v2/refreshes/${id}`);
    const reported = waited.stderr.trimEnd().split('\n');
    assert.equal(reported.at(-1), progress(finished));
    assert.match(reported.at(-1)!, /^FINISHED: accounts FINISHED \d+, /);

    const asJson = await runOpenlean(['refresh', '--entity', entityId, '--json'], env);
    assert.equal(asJson.status, 0, asJson.stderr);
    const started = JSON.parse(asJson.stdout);
    assert.equal(started.trigger, 'MANUAL');
    assert.equal((await s.waitForRefresh(token, entityId, started.refresh_id)).status, 'FINISHED');
  });

  it('refresh --wait --timeout stops waiting for a refresh that waits longer, says so and exits 1; the refresh goes on', async () => {
    const login = 'cli-quota';
    const quota = await s.createSandboxEntity(token, { customer_id: await s.createCustomer(token), bank_identifier: 'SANDBOX_FALCON_AE', login });
    await s.setSandboxFaults('SANDBOX_FALCON_AE', login, ['daily_quota']);
    const waited = await runOpenlean(['refresh', '--entity', quota.id, '--wait', '--timeout', '0', '--poll-ms', '20'], env);
    assert.equal(waited.status, 1, waited.stderr);
    assert.equal(waited.stdout, '');
    const [, id] = /^openlean: refresh (\S+) still [A-Z_]+ after 0 s; it goes on/m.exec(waited.stderr) ?? [];
    assert.ok(id, waited.stderr);
    const refresh = (await s.request(`/data/v2/refreshes/${id}`, { token, headers: { entity_id: quota.id } })).body;
    assert.ok(!['FINISHED', 'FAILED'].includes(refresh.status), JSON.stringify(refresh));
    const wrong = await runOpenlean(['refresh', '--entity', quota.id, '--wait', '--timeout', 'soon'], env);
    assert.equal(wrong.status, 2);
    assert.match(wrong.stderr, /--timeout must be a whole number of seconds/);
  });

  it('a refusal is one line with its stable code and request id, exit 1; missing credentials exit 2', async () => {
    const missing = await runOpenlean(['data', 'accounts', '--entity', '00000000-0000-4000-8000-000000000000'], env);
    assert.equal(missing.status, 1);
    assert.equal(missing.stdout, '');
    assert.match(missing.stderr, /^openlean: NOT_FOUND: .+ \[request [\w-]+\]\n$/);

    const wrong = await runOpenlean(['data', 'accounts', '--entity', entityId], { ...env, OPENLEAN_CLIENT_SECRET: 'wrong' });
    assert.equal(wrong.status, 1);
    assert.match(wrong.stderr, /^openlean: the server refused OPENLEAN_CLIENT_ID\/OPENLEAN_CLIENT_SECRET: invalid_client/);

    const unset = await runOpenlean(['data', 'accounts', '--entity', entityId], { ...env, OPENLEAN_CLIENT_ID: '' });
    assert.equal(unset.status, 2);
    assert.match(unset.stderr, /^openlean: set OPENLEAN_CLIENT_ID and OPENLEAN_CLIENT_SECRET/);

    const badDate = await runOpenlean(['data', 'transactions', '--entity', entityId, '--account', 'a', '--from', '1 May'], env);
    assert.equal(badDate.status, 2);
    assert.match(badDate.stderr, /--from must be a date YYYY-MM-DD/);
  });
});

describe('CLI formatting', () => {
  it('signed: debits negative, the currency\'s minor digits, never rounded', () => {
    assert.equal(signed({ amount: { amount: 12.5, currency: 'AED' }, credit_debit_indicator: 'DEBIT' }), '-12.50');
    assert.equal(signed({ amount: { amount: 1234.567, currency: 'KWD' }, credit_debit_indicator: 'CREDIT' }), '1234.567');
    assert.equal(signed({ amount: { amount: 100, currency: 'JPY' }, credit_debit_indicator: 'CREDIT' }), '100');
    assert.equal(signed({ amount: { amount: 0.125, currency: 'AED' }, credit_debit_indicator: 'CREDIT' }), '0.125');
  });
});
