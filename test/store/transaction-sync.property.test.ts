import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { similarDescriptions } from '../../src/domain/reconcile-transactions.ts';
import type { EntitySnapshot, FetchedTransaction } from '../../src/domain/snapshot.ts';
import { transactionKeys } from '../../src/domain/transaction-key.ts';
import { FIRST_SYNC, type SyncCursor } from '../../src/domain/transactions-sync.ts';
import { transactionsFrom } from '../../src/refresh/run-refresh.ts';
import { applySnapshot, oldestPendingAt } from '../../src/store/bank-data.ts';
import type { Store } from '../../src/store/database.ts';
import type { TransactionRow } from '../../src/store/schema.ts';
import { decodeTransaction } from '../../src/store/transaction-rows.ts';
import { syncTransactions } from '../../src/store/transaction-sync.ts';
import { openTestStore } from '../helpers/database.ts';
import { describeDialects } from '../helpers/dialects.ts';

const DAY = 86_400_000;
const MINUTE = 60_000;
const OVERLAP_DAYS = 7;
const START = Date.parse('2026-01-10T00:00:00.000Z');

/** mulberry32: a small seeded generator, so a failing sequence is replayed by its seed. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)), pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]! };
}

/** One real transaction at the bank: `uid` is the truth the bank never shows. */
interface Entry {
  uid: number;
  id: string;
  status: 'BOOKED' | 'PENDING';
  at: number;
  amount: number;
  credit: boolean;
  text: string;
}

const MERCHANTS = [
  'CINEMA CLUB', 'EXAMPLE STORE', 'RESTAURANT EXAMPLE', 'FUEL STATION 12', 'COFFEE HOUSE', 'PHARMACY ONE', 'BOOK CORNER',
  'TAXI RIDE', 'GYM MONTHLY', 'SHOE GALLERY', 'PET SUPPLIES', 'FLOWER MARKET',
];
const AMOUNTS = [1500, 2350, 6000, 9900, 30000];

const prefixed = (e: Entry) => /^\d\d\.\d\d /.test(e.text);
const withPrefix = (e: Entry) => `${new Date(e.at).toISOString().slice(8, 10)}.${new Date(e.at).toISOString().slice(5, 7)} ${e.text}`;

function fetchedOf(entries: readonly Entry[]): FetchedTransaction[] {
  const items = entries.map((e) => ({
    key: '',
    bank_transaction_id: e.id,
    status: e.status,
    booking_at: new Date(e.at).toISOString(),
    value_at: null,
    amount_minor: e.amount,
    currency: 'AED',
    credit_debit: e.credit ? ('CREDIT' as const) : ('DEBIT' as const),
    description: e.text,
    reference: null,
    merchant_name: null,
    merchant_category_code: null,
    bank_transaction_code: null,
  }));
  const keys = transactionKeys(items);
  return items.map((t, i) => ({ ...t, key: keys[i]! }));
}

/** Whether `all` holds another entry openlean could not tell from `e` (same direction, similar text, near). */
function ambiguous(e: Entry, all: readonly Entry[]): boolean {
  return all.some((o) => o.uid !== e.uid && o.credit === e.credit && Math.abs(o.at - e.at) <= 10 * DAY && similarDescriptions(o.text, e.text));
}

describeDialects('property: random bank-side changes leave exactly the bank\'s transactions, one row each, and a sync feed whose replay equals them', (dialect) => {
  let db: Awaited<ReturnType<typeof openTestStore>>;
  let store: Store;
  before(async () => {
    db = await openTestStore('sync-property', dialect);
    store = db.store;
    const at = new Date(START).toISOString();
    await store.db.insertInto('applications').values({ id: 'app', name: 'p', client_id: 'c', client_secret_hash: 'h', created_at: at }).execute();
    await store.db.insertInto('customers').values({ id: 'cus', app_id: 'app', app_user_id: 'u', created_at: at }).execute();
  });
  after(() => db.close());

  /** Every change after `cursor`, page by page (`count` at a time), run between pages: the client's copy afterwards. */
  async function sync(accountId: string, copy: Map<string, TransactionRow>, cursor: SyncCursor, count: number, between?: () => Promise<void>) {
    let pages = 0;
    for (;;) {
      const result = await syncTransactions(store, cursor, count);
      assert.ok('page' in result, JSON.stringify(result));
      const { page } = result;
      assert.ok(page.added.length + page.modified.length + page.removed.length <= count);
      for (const t of page.added) {
        assert.ok(!copy.has(t.id), `added ${t.id}, which the client holds`);
        copy.set(t.id, t);
      }
      for (const t of page.modified) {
        assert.ok(copy.has(t.id), `modified ${t.id}, which the client never got`);
        copy.set(t.id, t);
      }
      for (const id of page.removed) copy.delete(id);
      cursor = page.next;
      if (!page.has_more) return cursor;
      if (pages++ === 0 && between) await between();
    }
  }

  const rowsOf = async (accountId: string) =>
    new Map((await store.db.selectFrom('transactions').selectAll().where('account_id', '=', accountId).execute()).map((r) => [r.id, decodeTransaction(r)]));
  const sameRows = (a: Map<string, TransactionRow>, b: Map<string, TransactionRow>) =>
    assert.deepEqual([...a.values()].map((r) => JSON.stringify(r)).sort(), [...b.values()].map((r) => JSON.stringify(r)).sort());

  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]) {
    it(`seed ${seed}`, async () => {
      const r = rng(seed);
      const entityId = `ent-${seed}`;
      const at = new Date(START).toISOString();
      await store.db
        .insertInto('entities')
        .values({ id: entityId, app_id: 'app', customer_id: 'cus', bank_identifier: 'B', permissions: '["transactions"]', status: 'ACTIVE', consent_expires_at: '2099-01-01T00:00:00.000Z', created_at: at, updated_at: at })
        .execute();

      let now = START;
      let uid = 0;
      let ids = 0;
      const newId = () => `T${seed}-${++ids}`;
      const bank: Entry[] = [];
      const add = (status: Entry['status'], base?: Entry) => {
        const e: Entry = base
          ? { ...base, uid: ++uid, id: newId() }
          : { uid: ++uid, id: newId(), status, at: now - r.int(0, 2 * 24 * 60) * MINUTE, amount: r.pick(AMOUNTS), credit: r.next() < 0.15, text: r.pick(MERCHANTS) };
        bank.push(e);
      };
      for (let i = 0; i < 12; i++) add(r.next() < 0.3 ? 'PENDING' : 'BOOKED');

      /** One step of the bank's life: things happen to recent entries only, as banks change what they recently posted. */
      const change = () => {
        const recent = (status: Entry['status']) => bank.filter((e) => e.status === status && e.at > now - 3 * DAY);
        const op = r.pick(['add', 'add', 'book', 'reissue', 'reissue', 'withdraw', 'release', 'twin', 'time'] as const);
        if (op === 'add') add(r.next() < 0.4 ? 'PENDING' : 'BOOKED');
        else if (op === 'book' && recent('PENDING').length > 0) {
          const e = r.pick(recent('PENDING'));
          e.status = 'BOOKED';
          if (r.next() < 0.5) e.id = newId();
          if (r.next() < 0.3) e.amount = Math.round(e.amount * 1.2);
          e.at += r.int(0, 36 * 60) * MINUTE;
        } else if (op === 'reissue' && recent('BOOKED').length > 0) {
          const e = r.pick(recent('BOOKED'));
          e.id = newId();
          if (r.next() < 0.6) e.text = prefixed(e) ? e.text.slice(6) : withPrefix(e);
          if (r.next() < 0.5) e.at += r.int(1, 9) * MINUTE;
        } else if ((op === 'withdraw' || op === 'release') && recent(op === 'withdraw' ? 'BOOKED' : 'PENDING').length > 0) {
          const e = r.pick(recent(op === 'withdraw' ? 'BOOKED' : 'PENDING'));
          bank.splice(bank.indexOf(e), 1);
        } else if (op === 'twin' && recent('BOOKED').length > 0) {
          add('BOOKED', r.pick(recent('BOOKED')));
        } else if (op === 'time') {
          now += r.int(1, 3) * DAY;
        }
      };

      let accountId = '';
      let synced: string | null = null;
      /** Which row each real transaction is in, to check rows keep their ids. */
      let rowOfUid = new Map<number, string>();
      const cursors: { cursor: SyncCursor; copy: Map<string, TransactionRow> }[] = [];
      let live: { cursor: SyncCursor; copy: Map<string, TransactionRow> } | null = null;

      const refresh = async () => {
        const oldest = synced === null ? null : await oldestPendingAt(store.db, entityId);
        const from = transactionsFrom({ trigger: synced === null ? 'INITIAL' : 'MANUAL' }, { synced_at: synced }, OVERLAP_DAYS, oldest);
        const shown = bank.filter((e) => from === null || new Date(e.at).toISOString() >= from);
        const snapshot: EntitySnapshot = {
          fetched_at: new Date(now).toISOString(),
          accounts: [{ bank_account_id: 'ACC', account: {} as never, transactions: { from, items: fetchedOf(shown) } }],
        };
        await applySnapshot(store, entityId, snapshot);
        synced = snapshot.fetched_at;
        if (!accountId) accountId = (await store.db.selectFrom('accounts').select('id').where('entity_id', '=', entityId).executeTakeFirstOrThrow()).id;
      };

      let identities = 0;
      /** The bank as the previous refresh saw it. */
      let seen: Entry[] = [];
      const check = async (before: Map<number, string>, wasPending: Map<number, boolean>) => {
        const rows = await rowsOf(accountId);
        // Exactly the bank's transactions, one row each.
        const shapeOf = (t: { status: string; booking_at: string; amount_minor: number; description: string; bank_transaction_id: string | null }) =>
          `${t.status}|${t.booking_at}|${t.amount_minor}|${t.description}|${t.bank_transaction_id}`;
        assert.deepEqual(
          [...rows.values()].map(shapeOf).sort(),
          fetchedOf(bank).map(shapeOf).sort(),
          'the stored rows are the bank\'s transactions',
        );
        const byBankId = new Map([...rows.values()].map((row) => [row.bank_transaction_id, row]));
        const next = new Map<number, string>();
        for (const e of bank) {
          const row = byBankId.get(e.id)!;
          next.set(e.uid, row.id);
          const was = before.get(e.uid);
          // Twins and look-alikes are interchangeable: which row each keeps is not observable.
          if (was === undefined || ambiguous(e, bank) || ambiguous(e, seen)) continue;
          identities++;
          if (wasPending.get(e.uid) && e.status === 'BOOKED') {
            assert.equal(row.pending_transaction_id, was, `transaction ${e.uid} booked: its row names the pending one`);
          } else {
            assert.equal(row.id, was, `transaction ${e.uid} is still row ${was}`);
          }
        }
        rowOfUid = next;
        seen = bank.map((e) => ({ ...e }));
      };

      await refresh();
      await check(new Map(), new Map());
      const first = new Map<string, TransactionRow>();
      cursors.push({ cursor: await sync(accountId, first, { account_id: accountId, ...FIRST_SYNC }, r.int(1, 7)), copy: first });
      sameRows(first, await rowsOf(accountId));

      for (let step = 0; step < 30; step++) {
        const changes = r.int(1, 3);
        for (let c = 0; c < changes; c++) change();
        const pendingBefore = new Map<number, boolean>();
        const beforeRows = rowOfUid;
        // The pending state each transaction had at the previous refresh.
        for (const [u] of beforeRows) pendingBefore.set(u, false);
        const statuses = await store.db.selectFrom('transactions').select(['id', 'status']).where('account_id', '=', accountId).execute();
        const pendingRows = new Set(statuses.filter((s) => s.status === 'PENDING').map((s) => s.id));
        for (const [u, id] of beforeRows) pendingBefore.set(u, pendingRows.has(id));

        if (live && r.next() < 0.5) {
          // A client paging while this refresh commits: it must end with exactly what is stored.
          const client = live;
          let refreshed = false;
          client.cursor = await sync(accountId, client.copy, client.cursor, r.int(1, 3), async () => {
            await refresh();
            refreshed = true;
          });
          if (refreshed) sameRows(client.copy, await rowsOf(accountId));
          else await refresh();
          await check(beforeRows, pendingBefore);
        } else {
          await refresh();
          await check(beforeRows, pendingBefore);
        }
        const copy = new Map(cursors.at(-1)!.copy);
        const cursor = await sync(accountId, copy, cursors.at(-1)!.cursor, r.int(1, 7));
        sameRows(copy, await rowsOf(accountId));
        cursors.push({ cursor, copy: new Map(copy) });
        if (!live || r.next() < 0.2) live = { cursor, copy: new Map(copy) };
      }

      assert.ok(identities > 100, `${identities} transactions followed from refresh to refresh`);

      // Replaying from no cursor, and from every cursor handed out, gives what is stored.
      const stored = await rowsOf(accountId);
      const fresh = new Map<string, TransactionRow>();
      await sync(accountId, fresh, { account_id: accountId, ...FIRST_SYNC }, r.int(1, 7));
      sameRows(fresh, stored);
      for (const { cursor, copy } of cursors) {
        const replayed = new Map(copy);
        await sync(accountId, replayed, cursor, r.int(1, 7));
        sameRows(replayed, stored);
      }
    });
  }
});
