import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { promisify } from 'node:util';
import { formatMinor, toMinor } from '../../src/domain/money.ts';
import { describeDialects } from '../helpers/dialects.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const SKILL = path.resolve(import.meta.dirname, '../../skills/openlean-bank-data');
const SCRIPT = path.join(SKILL, 'scripts/openlean.mjs');
const HOUR = 3_600_000;

/** What SKILL.md promises each command prints: the `{a, b}` after "openlean.mjs <command> … prints". */
function promisedKeys(skill: string): Map<string, string[]> {
  const promises = new Map<string, string[]>();
  for (const m of skill.matchAll(/openlean\.mjs ([a-z-]+)[^`]*`[^`]*?prints\s+`\{([^}]*)\}`/g)) promises.set(m[1]!, m[2]!.split(',').map((k) => k.trim()));
  return promises;
}

/** Exact sums per currency, as decimal strings, computed with openlean's own money functions. */
function sums(items: { amount: { amount: number; currency: string }; sign: number }[]): Record<string, string> {
  const minor: Record<string, number> = {};
  for (const { amount, sign } of items) minor[amount.currency] = (minor[amount.currency] ?? 0) + sign * toMinor(String(amount.amount), amount.currency);
  return Object.fromEntries(Object.entries(minor).map(([c, m]) => [c, formatMinor(m, c)]));
}

describeDialects('the openlean-bank-data skill', (dialect) => {
  let s: TestServer;
  let token: string;
  let customerId: string;
  let entity: any;
  const appUserId = `skill-user-${process.pid}`;
  const skill = fs.readFileSync(path.join(SKILL, 'SKILL.md'), 'utf8');
  const promises = promisedKeys(skill);

  const run = async (...args: string[]): Promise<{ code: number; json: any; stderr: string }> => {
    const env = { PATH: process.env.PATH ?? '', OPENLEAN_URL: s.url, OPENLEAN_CLIENT_ID: s.app.client_id, OPENLEAN_CLIENT_SECRET: s.app.client_secret };
    try {
      const { stdout, stderr } = await promisify(execFile)(process.execPath, [SCRIPT, ...args], { env });
      return { code: 0, json: JSON.parse(stdout), stderr };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, json: e.stdout ? JSON.parse(e.stdout) : null, stderr: e.stderr };
    }
  };
  /** Runs a command that must succeed and checks it printed the keys SKILL.md promises. */
  const ok = async (command: string, ...args: string[]) => {
    const result = await run(command, ...args);
    assert.equal(result.code, 0, `${command} failed: ${result.stderr}`);
    if (promises.has(command)) assert.deepEqual(Object.keys(result.json), promises.get(command), `${command} prints what SKILL.md promises`);
    return result.json;
  };
  const rest = async (p: string) => (await s.request(p, { token, headers: { entity_id: entity.id } })).body;

  before(async () => {
    s = await startTestServer({ dialect, env: { REFRESH_MANUAL_DAILY_LIMIT: '1' } });
    token = await s.token();
    customerId = await s.createCustomer(token, appUserId);
    // The entity's data was fetched two days ago: stale for a 24-hour limit.
    s.advanceClock(-48 * HOUR);
    entity = await s.createSandboxEntity(await s.token(), { customer_id: customerId, bank_identifier: 'SANDBOX_FALCON_AE', login: 'skill-reader' });
    s.advanceClock(48 * HOUR);
    token = await s.token();
  });

  after(() => s?.close());

  it('has the Agent Skills front matter: its folder name, and a description', () => {
    const front = /^---\n([\s\S]*?)\n---\n/.exec(skill)?.[1] ?? '';
    assert.match(front, /^name: openlean-bank-data$/m);
    const description = /^description: (.+)$/m.exec(front)?.[1] ?? '';
    assert.ok(description.length > 50 && description.length <= 1024, description);
    assert.deepEqual([...promises.keys()].sort(), ['accounts', 'find-customer', 'freshness', 'refresh', 'transactions']);
  });

  it('finds the customer and its entities', async () => {
    const found = await ok('find-customer', appUserId);
    assert.equal(found.customer.customer_id, customerId);
    assert.deepEqual(found.entities, (await s.request(`/customers/v1/${customerId}/entities`, { token })).body);
  });

  it('says the data is stale, refreshes it, then says it is fresh', async () => {
    const before = await ok('freshness', entity.id);
    assert.equal(before.stale, true);
    assert.ok(before.age_hours >= 47.9, String(before.age_hours));
    assert.equal(before.running_refresh_id, null);
    assert.equal(before.latest_refresh.trigger, 'INITIAL');
    assert.equal(before.last_synced_at, before.latest_refresh.finished_at);
    assert.equal((await ok('freshness', entity.id, '--max-age-hours', '72')).stale, false);

    const { refresh } = await ok('refresh', entity.id);
    assert.equal(refresh.status, 'FINISHED');
    assert.equal(refresh.trigger, 'MANUAL');
    assert.deepEqual(refresh, await rest(`/data/v2/refreshes/${refresh.refresh_id}`));

    const after = await ok('freshness', entity.id);
    assert.equal(after.stale, false);
    assert.equal(after.latest_refresh.refresh_id, refresh.refresh_id);
    assert.ok(after.age_hours < 1);

    // The day's one manual refresh is used: the script says so with openlean's code, and exits 1.
    const refused = await run('refresh', entity.id);
    assert.equal(refused.code, 1);
    assert.equal(JSON.parse(refused.stderr.trim().split('\n').at(-1)!).code, 'REFRESH_LIMIT_REACHED');
  });

  it('reads accounts with their balances and the exact available total', async () => {
    const { accounts, available_total } = await ok('accounts', entity.id);
    const restAccounts = await rest('/data/v2/accounts');
    assert.equal(accounts.length, restAccounts.length);
    const available = [];
    for (const [i, account] of accounts.entries()) {
      const balances = await rest(`/data/v2/accounts/${account.account_id}/balances`);
      assert.deepEqual(account, { ...restAccounts[i], balances });
      const b = ['INTERIM_AVAILABLE', 'CLOSING_AVAILABLE', 'OPENING_AVAILABLE', 'FORWARD_AVAILABLE'].map((t) => balances.find((x: { type: string }) => x.type === t)).find(Boolean);
      if (b) available.push({ amount: b.amount, sign: b.credit_debit_indicator === 'DEBIT' ? -1 : 1 });
    }
    assert.ok(available.length > 0);
    assert.deepEqual(available_total, sums(available));
  });

  it('reads every transaction of a date range, and exact flows in and out', async () => {
    const [account] = await rest('/data/v2/accounts');
    const all = await s.allTransactions(token, entity.id, account.account_id);
    const to = all[0].timestamp.slice(0, 10);
    const from = all[Math.min(all.length - 1, 150)].timestamp.slice(0, 10);
    const printed = await ok('transactions', entity.id, account.account_id, '--from', from, '--to', to);
    const expected: any[] = [];
    for (let next: string | undefined = `/data/v2/accounts/${account.account_id}/transactions?size=50&start_date=${from}&end_date=${to}`; next; ) {
      const page: { body: any[]; headers: Headers } = await s.request(next, { token, headers: { entity_id: entity.id } });
      expected.push(...page.body);
      next = /<([^>]*)>;\s*rel="next"/.exec(page.headers.get('link') ?? '')?.[1];
    }
    assert.ok(expected.length > 100, 'more than one page of the script\'s');
    assert.deepEqual(printed.transactions, expected);
    assert.equal(printed.total, expected.length);
    assert.equal(printed.count, expected.length);
    const credits = sums(expected.filter((t) => t.credit_debit_indicator === 'CREDIT').map((t) => ({ amount: t.amount, sign: 1 })));
    const debits = sums(expected.filter((t) => t.credit_debit_indicator === 'DEBIT').map((t) => ({ amount: t.amount, sign: 1 })));
    for (const currency of Object.keys(printed.flows)) {
      assert.deepEqual(printed.flows[currency], { in: credits[currency] ?? formatMinor(0, currency), out: debits[currency] ?? formatMinor(0, currency) });
    }

    const firstThree = await ok('transactions', entity.id, account.account_id, '--limit', '3');
    assert.deepEqual(firstThree.transactions, all.slice(0, 3));
    assert.equal(firstThree.total, all.length);
  });

  it('reads the identity, and fails with openlean\'s code for an entity it cannot see', async () => {
    assert.deepEqual((await run('identity', entity.id)).json, await rest('/data/v2/identity'));
    const missing = await run('identity', '00000000-0000-4000-8000-000000000000');
    assert.equal(missing.code, 1);
    assert.equal(JSON.parse(missing.stderr).code, 'NOT_FOUND');
    assert.equal((await run('nonsense', 'x')).code, 2);
  });
});
