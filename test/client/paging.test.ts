import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { createOpenleanClient, type OpenleanClient, type SyncPage, type Transaction } from '../../clients/typescript/src/index.ts';
import { describeDialects } from '../helpers/dialects.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const DAY = 86_400_000;

/**
 * The client's paging while the refresh engine stores new transactions between two pages: the
 * sandbox bank's data follows the server's clock, so moving the clock on and refreshing makes
 * the days in between appear (as in test/refresh/transaction-identity.test.ts).
 */
describeDialects('TypeScript client: paging while new transactions arrive', (dialect) => {
  let s: TestServer;
  let client: OpenleanClient;
  let token: string;
  let entityId: string;
  let accountId: string;
  /** The client's clock follows the server's, so its tokens are renewed as the server's expire. */
  let offset = 0;

  before(async () => {
    s = await startTestServer({ dialect });
    token = await s.token();
    client = createOpenleanClient({ baseUrl: s.url, clientId: s.app.client_id, clientSecret: s.app.client_secret, now: () => Date.now() + offset });
    const customerId = await s.createCustomer(token);
    entityId = (await s.createSandboxEntity(token, { customer_id: customerId, bank_identifier: 'SANDBOX_FALCON_AE', profile: 'high_volume' })).id;
    accountId = (await client.accounts(entityId))[0]!.account_id;
  });
  after(() => s.close());

  /** Days pass at the bank and a MANUAL refresh stores what they brought; answers how many rows were added. */
  async function daysPass(days: number): Promise<number> {
    const before = (await s.allTransactions(token, entityId, accountId)).length;
    s.advanceClock(days * DAY);
    offset += days * DAY;
    token = await s.token();
    const refresh = await client.refresh(entityId);
    assert.equal((await client.waitForRefresh(entityId, refresh.refresh_id, { intervalMs: 20 })).status, 'FINISHED');
    return (await s.allTransactions(token, entityId, accountId)).length - before;
  }

  /** A client's copy after applying one sync page, refusing an added id it holds or a modified one it lacks. */
  function apply(copy: Map<string, Transaction>, p: SyncPage): void {
    for (const t of p.added) {
      assert.ok(!copy.has(t.id), `added ${t.id} twice`);
      copy.set(t.id, t);
    }
    for (const t of p.modified) {
      assert.ok(copy.has(t.id), `modified ${t.id}, never added`);
      copy.set(t.id, t);
    }
    for (const r of p.removed) copy.delete(r.transaction_id);
  }

  it('Link pages by cursor: each transaction once, none shifted in by the ones that arrived', async () => {
    const stored = await s.allTransactions(token, entityId, accountId);
    const pages = client.transactionPages(entityId, accountId, { size: 9 });
    const first = await pages.next();
    assert.ok(!first.done);
    const seen = [...first.value.items];

    assert.ok((await daysPass(3)) > 0, 'new transactions were stored between the pages');
    for await (const p of pages) seen.push(...p.items);

    const ids = seen.map((t) => t.id);
    assert.equal(new Set(ids).size, ids.length, 'no transaction repeated');
    const after = new Map((await s.allTransactions(token, entityId, accountId)).map((t) => [t.id, t]));
    // Every transaction that was there before and still is, at the same place in the order, was read.
    const kept = stored.filter((t) => after.get(t.id)?.timestamp === t.timestamp).map((t) => t.id);
    assert.deepEqual(kept.filter((id) => !ids.includes(id)), [], 'none lost');
    // Newer arrivals sort before the first page, so the later pages hold none of them, except a
    // pending card payment that booked meanwhile: at this bank it books under a new id, at the
    // pending one's time, naming it (the sync feed says: added, and the pending one removed).
    const pending = new Set(stored.filter((t) => t.booking_status === 'PENDING').map((t) => t.id));
    const fresh = seen.filter((t) => !stored.some((x) => x.id === t.id));
    assert.deepEqual(fresh.filter((t) => t.booking_status !== 'BOOKED' || !pending.has(t.pending_transaction_id ?? '')), [], 'no new transaction in the later pages but a booked pending one');
  });

  it('the sync feed: refreshes between its pages lose and repeat nothing; the copy is what is stored', async () => {
    const copy = new Map<string, Transaction>();
    let cursor: string | undefined;
    for await (const p of client.syncPages(entityId, accountId, { count: 50 })) {
      apply(copy, p);
      cursor = p.next_cursor;
    }
    assert.equal(copy.size, (await s.allTransactions(token, entityId, accountId)).length);

    // Days pass, then more while the changes they brought are being read, three at a time.
    assert.ok((await daysPass(2)) > 0);
    let pagesRead = 0;
    for await (const p of client.syncPages(entityId, accountId, { cursor: cursor!, count: 3 })) {
      apply(copy, p);
      cursor = p.next_cursor;
      if (++pagesRead === 1) assert.ok((await daysPass(2)) > 0, 'more arrived between two pages');
    }
    assert.ok(pagesRead > 1);
    // What arrived after the pages began comes in them or in the next call, once.
    for await (const p of client.syncPages(entityId, accountId, { cursor: cursor!, count: 3 })) {
      apply(copy, p);
      cursor = p.next_cursor;
    }
    const stored = await s.allTransactions(token, entityId, accountId);
    assert.deepEqual([...copy.values()].map((t) => JSON.stringify(t)).sort(), stored.map((t) => JSON.stringify(t)).sort());
    const again = await client.sync(entityId, accountId, { cursor: cursor! });
    assert.deepEqual([again.added, again.modified, again.removed, again.has_more], [[], [], [], false], 'nothing after the last cursor');
  });
});
