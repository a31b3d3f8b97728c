import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { EntitySnapshot, FetchedTransaction } from '../../src/domain/snapshot.ts';
import { applySnapshot } from '../../src/store/bank-data.ts';
import { describeDialects } from '../helpers/dialects.ts';
import { expectedSnapshot } from '../helpers/expected.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const nextLink = (link: string | null) => (link ? /^<([^>]+)>; rel="next"$/.exec(link)![1]! : null);

/** Local calendar date of an instant in a fixed-offset zone (the Gulf has no DST). */
const localDate = (iso: string, offsetHours: number) => new Date(Date.parse(iso) + offsetHours * 3600_000).toISOString().slice(0, 10);

describeDialects('transactions: filters and pagination', (dialect) => {
  let s: TestServer;
  let token: string;
  let customerId: string;

  const get = (path: string, entityId: string) => s.request(path, { token, headers: { entity_id: entityId } });

  async function setup(bank: string, login: string) {
    const entity = await s.createSandboxEntity(token, { customer_id: customerId, bank_identifier: bank, login });
    const expected = expectedSnapshot(entity, login);
    const accounts = (await get('/data/v2/accounts', entity.id)).body;
    return { entity, expected, accountId: accounts[0].account_id as string, items: expected.accounts[0]!.transactions!.items };
  }

  async function walk(first: string, entityId: string, between?: (page: number) => Promise<void>) {
    const seen: any[] = [];
    let url: string | null = first;
    let pages = 0;
    while (url) {
      const res = await get(url, entityId);
      assert.equal(res.status, 200, res.text);
      seen.push(...res.body);
      url = nextLink(res.headers.get('link'));
      pages++;
      if (between && url) await between(pages);
    }
    return { seen, pages };
  }

  before(async () => {
    s = await startTestServer({ dialect });
    token = await s.token();
    customerId = await s.createCustomer(token);
  });
  after(() => s.close());

  it('filters on the booking date in the bank\'s time zone, both ends inclusive', async () => {
    for (const [bank, offset] of [['SANDBOX_FALCON_AE', 4], ['SANDBOX_NAKHEEL_SA', 3]] as const) {
      const { entity, accountId, items } = await setup(bank, `filter-${bank}`);
      const dates = [...new Set(items.map((t) => localDate(t.booking_at, offset)))].sort();
      const start = dates[Math.floor(dates.length / 3)]!;
      const end = dates[Math.floor(dates.length / 2)]!;
      const want = items.filter((t) => { const d = localDate(t.booking_at, offset); return d >= start && d <= end; });
      const res = await get(`/data/v2/accounts/${accountId}/transactions?start_date=${start}&end_date=${end}&size=1000`, entity.id);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('x-total-count'), String(want.length), bank);
      assert.deepEqual(res.body.map((t: any) => t.timestamp).sort(), want.map((t) => t.booking_at).sort());
      for (const t of res.body) {
        const d = localDate(t.timestamp, offset);
        assert.ok(d >= start && d <= end, `${t.timestamp} is on ${d} locally`);
      }

      const single = dates.find((d) => items.some((t) => localDate(t.booking_at, offset) === d && new Date(t.booking_at).getUTCDate() !== Number(d.slice(8))));
      if (single) {
        const day = await get(`/data/v2/accounts/${accountId}/transactions?start_date=${single}&end_date=${single}&size=1000`, entity.id);
        assert.equal(Number(day.headers.get('x-total-count')), items.filter((t) => localDate(t.booking_at, offset) === single).length);
      }

      const onlyStart = await get(`/data/v2/accounts/${accountId}/transactions?start_date=${end}&size=1`, entity.id);
      assert.equal(Number(onlyStart.headers.get('x-total-count')), items.filter((t) => localDate(t.booking_at, offset) >= end).length);
    }
  });

  it('walks every transaction exactly once, in order, by page and by cursor', async () => {
    const { entity, accountId, items } = await setup('SANDBOX_FALCON_AE', 'walker');
    assert.ok(items.length > 120, `enough transactions to page through (${items.length})`);
    const all = (await s.allTransactions(token, entity.id, accountId)).map((t: any) => t.id);
    assert.equal(new Set(all).size, items.length);

    const byPage: string[] = [];
    for (let page = 0; ; page++) {
      const res = await get(`/data/v2/accounts/${accountId}/transactions?size=37&page=${page}`, entity.id);
      assert.equal(res.headers.get('x-total-count'), String(items.length));
      if (res.body.length === 0) break;
      byPage.push(...res.body.map((t: any) => t.id));
    }
    assert.deepEqual(byPage, all);

    const { seen, pages } = await walk(`/data/v2/accounts/${accountId}/transactions?size=37`, entity.id);
    assert.deepEqual(seen.map((t) => t.id), all);
    assert.equal(pages, Math.ceil(items.length / 37));
  });

  it('keeps a cursor walk exact while new transactions are written between pages', async () => {
    const { entity, expected, accountId, items } = await setup('SANDBOX_FALCON_AE', 'busy-walker');
    const original = await s.allTransactions(token, entity.id, accountId);
    const newest = items.reduce((m, t) => (t.booking_at > m ? t.booking_at : m), '');
    let added = 0;
    const fresh: FetchedTransaction[] = [];
    // Written through the store's one write path as a refresh would, with a window that starts
    // after everything stored, so only the new transactions are touched.
    const writeMore = async () => {
      for (let k = 0; k < 3; k++) {
        added++;
        fresh.push({
          ...items[0]!,
          key: `late-${added}`,
          bank_transaction_id: `late-${added}`,
          status: 'BOOKED',
          booking_at: new Date(Date.parse(newest) + added * 60_000).toISOString(),
          description: `Arrived during the walk ${added}`,
        });
      }
      const snapshot: EntitySnapshot = {
        fetched_at: new Date().toISOString(),
        accounts: expected.accounts.map((a, i) => ({
          bank_account_id: a.bank_account_id,
          account: a.account,
          ...(i === 0 ? { transactions: { from: new Date(Date.parse(newest) + 1).toISOString(), items: [...fresh] } } : {}),
        })),
      };
      await applySnapshot(s.server.ctx.store, entity.id, snapshot);
    };

    const { seen } = await walk(`/data/v2/accounts/${accountId}/transactions?size=25`, entity.id, writeMore);
    assert.ok(added > 0);
    const ids = seen.map((t) => t.id);
    assert.equal(new Set(ids).size, ids.length, 'no transaction twice');
    assert.deepEqual(ids.filter((id) => original.some((o: any) => o.id === id)), original.map((o: any) => o.id), 'every original once, in order');
    for (let k = 1; k < seen.length; k++) assert.ok(seen[k - 1].timestamp >= seen[k].timestamp);

    const latest = await get(`/data/v2/accounts/${accountId}/transactions?size=1`, entity.id);
    assert.equal(latest.headers.get('x-total-count'), String(items.length + added));
    assert.equal(latest.body[0].description, `Arrived during the walk ${added}`);
  });

  it('refuses malformed paging and filters with 400 naming the parameter', async () => {
    const { entity, accountId } = await setup('SANDBOX_FALCON_AE', 'strict');
    const cases: Array<[string, string]> = [
      ['size=0', 'size'],
      ['size=1001', 'size'],
      ['size=ten', 'size'],
      ['page=-1', 'page'],
      ['page=1.5', 'page'],
      ['start_date=2026-13-01', 'start_date'],
      ['start_date=2026-02-30', 'start_date'],
      ['end_date=yesterday', 'end_date'],
      ['start_date=2026-03-02&end_date=2026-03-01', 'start_date'],
      ['cursor=garbage', 'cursor'],
      [`cursor=${'A'.repeat(201)}`, 'cursor'],
      ['sort=asc', 'sort'],
    ];
    for (const [query, param] of cases) {
      const res = await get(`/data/v2/accounts/${accountId}/transactions?${query}`, entity.id);
      assert.equal(res.status, 400, `${query}: ${res.text}`);
      assert.equal(res.body.param, param, query);
    }
    const first = await get(`/data/v2/accounts/${accountId}/transactions?size=5`, entity.id);
    const cursor = new URLSearchParams(nextLink(first.headers.get('link'))!.split('?')[1]).get('cursor');
    const both = await get(`/data/v2/accounts/${accountId}/transactions?page=2&cursor=${cursor}`, entity.id);
    assert.equal(both.status, 400);
    assert.equal(both.body.param, 'cursor');
  });
});
