import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { describeDialects } from '../helpers/dialects.ts';
import { obieSession } from '../helpers/obie-client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const BANK = 'SANDBOX_FALCON_AE';
const DAY = 86_400_000;

/** What identifies a transaction's content, to compare openlean's rows with the bank's entries. */
const shape = (t: { booking_status: string; timestamp: string; amount: { amount: number }; description: string }) =>
  `${t.booking_status}|${t.timestamp}|${t.amount.amount}|${t.description}`;
const bankShape = (t: any) => `${t.Status.toUpperCase()}|${t.BookingDateTime}|${Number(t.Amount.Amount)}|${t.TransactionInformation}`;
const sorted = (xs: string[]) => [...xs].sort();

/**
 * Issue 11 §1 end to end: an entity's INITIAL refresh runs clean, its bank login then gets a fault
 * that changes what the bank shows (sandbox control API), and a MANUAL refresh over the API must
 * leave exactly one row per transaction the bank now shows, with ids kept where the transaction is
 * the same; the sync feed from the cursor taken after the INITIAL refresh must say exactly what
 * changed, so a client applying it holds what `GET …/transactions` serves.
 */
describeDialects('a transaction is one row for its whole life', (dialect) => {
  let s: TestServer;
  let token: string;
  let customerId: string;
  before(async () => {
    // Frozen: the sandbox books holds as its clock passes their time; frozen, what phase one saw
    // pending is still pending when a fault is switched on, and each step sees the same data.
    s = await startTestServer({ dialect, frozenClock: true });
    token = await s.token();
    customerId = await s.createCustomer(token);
  });
  after(() => s.close());

  /** Every change since `cursor` (none: everything), page by page, and the cursor after them. */
  async function syncAll(entityId: string, accountId: string, cursor?: string, count = 50) {
    const out = { added: [] as any[], modified: [] as any[], removed: [] as any[], cursor: '' };
    for (;;) {
      const query = new URLSearchParams({ count: String(count), ...(cursor ? { cursor } : {}) });
      const res = await s.request(`/data/v2/accounts/${accountId}/transactions/sync?${query}`, { token, headers: { entity_id: entityId } });
      assert.equal(res.status, 200, res.text);
      out.added.push(...res.body.added);
      out.modified.push(...res.body.modified);
      out.removed.push(...res.body.removed);
      cursor = res.body.next_cursor;
      if (!res.body.has_more) break;
    }
    out.cursor = cursor!;
    return out;
  }

  /** A client's copy after applying a sync answer. */
  function apply(copy: Map<string, any>, changes: { added: any[]; modified: any[]; removed: any[] }) {
    for (const t of changes.added) {
      assert.ok(!copy.has(t.id), `added ${t.id}, which the client already holds`);
      copy.set(t.id, t);
    }
    for (const t of changes.modified) {
      assert.ok(copy.has(t.id), `modified ${t.id}, which the client never got`);
      copy.set(t.id, t);
    }
    for (const r of changes.removed) copy.delete(r.transaction_id);
    return copy;
  }

  interface Phase {
    entityId: string;
    accounts: string[];
    /** Each account's transactions after the INITIAL refresh. */
    rows: any[][];
    /** Each account's sync cursor after reading everything once. */
    cursors: string[];
    /** When phase one began (ISO 8601): what the bank booked since is new, whatever the fault. */
    startedAt: string;
  }

  /**
   * A high-volume customer, so each fault finds entries to act on whatever day the test runs on
   * (the sandbox's data follows the clock).
   */
  async function phaseOne(login: string, profile = 'high_volume'): Promise<Phase> {
    const startedAt = s.server.ctx.now().toISOString();
    const entity = await s.createSandboxEntity(token, { customer_id: customerId, bank_identifier: BANK, login, profile });
    const accounts = (await s.request('/data/v2/accounts', { token, headers: { entity_id: entity.id } })).body.map((a: any) => a.account_id);
    const rows: any[][] = [];
    const cursors: string[] = [];
    for (const account of accounts) {
      const stored = await s.allTransactions(token, entity.id, account);
      const sync = await syncAll(entity.id, account, undefined, 500);
      assert.deepEqual(sorted(sync.added.map((t) => t.id)), sorted(stored.map((t: any) => t.id)), 'no cursor: everything, as added');
      assert.deepEqual([sync.modified, sync.removed], [[], []]);
      assert.deepEqual(sync.added.find((t) => t.id === stored[0].id), stored[0], 'items have the transactions read\'s shape');
      rows.push(stored);
      cursors.push(sync.cursor);
    }
    return { entityId: entity.id, accounts, rows, cursors, startedAt };
  }

  async function switchOn(login: string, fault: string) {
    const res = await fetch(`${s.url}/sandbox-banks/${BANK}/control/users/${login}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ faults: [fault] }),
    });
    assert.ok(res.ok, await res.text());
  }

  async function manualRefresh(entityId: string) {
    const res = await s.request('/data/v2/refreshes', { method: 'POST', token, headers: { entity_id: entityId } });
    assert.equal(res.status, 202, res.text);
    const refresh = await s.waitForRefresh(token, entityId, res.body.refresh_id);
    assert.equal(refresh.status, 'FINISHED', JSON.stringify(refresh.error));
  }

  /** The stored rows equal, one to one, what the bank shows now; returns them per account. */
  async function matchesBank(login: string, phase: Phase): Promise<any[][]> {
    const bank = await obieSession(s, BANK, login);
    const bankAccounts = await bank.all('/accounts', 'Account');
    const out: any[][] = [];
    for (const [i, a] of bankAccounts.entries()) {
      const shown = await bank.all(`/accounts/${a.AccountId}/transactions`, 'Transaction');
      const stored = await s.allTransactions(token, phase.entityId, phase.accounts[i]!);
      assert.deepEqual(sorted(stored.map(shape)), sorted(shown.map(bankShape)), `account ${i}: one row per transaction the bank shows`);
      assert.equal(new Set(stored.map((t: any) => t.id)).size, stored.length);
      out.push(stored);
    }
    return out;
  }

  /** Replaying the feed from the phase-one cursor over the phase-one rows gives the stored rows. */
  async function replay(phase: Phase, after: any[][]) {
    const changes = [];
    for (const [i, account] of phase.accounts.entries()) {
      const sync = await syncAll(phase.entityId, account, phase.cursors[i], 5);
      const copy = apply(new Map(phase.rows[i]!.map((t) => [t.id, t])), sync);
      assert.deepEqual(sorted([...copy.values()].map((t) => JSON.stringify(t))), sorted(after[i]!.map((t) => JSON.stringify(t))), `account ${i}: the replayed copy is what is stored`);
      for (const r of sync.removed) assert.equal(r.account_id, account);
      const again = await syncAll(phase.entityId, account, sync.cursor);
      assert.deepEqual([again.added, again.modified, again.removed], [[], [], []], 'nothing after the last cursor');
      changes.push(sync);
    }
    return changes;
  }

  it('reissued_transactions: a reissued transaction (new id, date-prefixed text, time moved) keeps its row and id; the feed says modified', async () => {
    const login = 'reissue';
    const phase = await phaseOne(login);
    await switchOn(login, 'reissued_transactions');
    await manualRefresh(phase.entityId);
    const now = await matchesBank(login, phase);
    const changes = await replay(phase, now);
    let reissued = 0;
    for (const [i, stored] of now.entries()) {
      assert.deepEqual(sorted(stored.map((t) => t.id)), sorted(phase.rows[i]!.map((t) => t.id)), `account ${i}: the same rows, by id`);
      const beforeById = new Map(phase.rows[i]!.map((t) => [t.id, t]));
      const changed = stored.filter((t) => t.description !== beforeById.get(t.id).description);
      for (const t of changed) {
        const was = beforeById.get(t.id);
        assert.equal(t.description, `${t.description.slice(0, 6)}${was.description}`);
        assert.match(t.description, /^\d\d\.\d\d /);
        assert.deepEqual([t.amount, t.credit_debit_indicator, t.booking_status], [was.amount, was.credit_debit_indicator, was.booking_status]);
        assert.ok(Math.abs(Date.parse(t.timestamp) - Date.parse(was.timestamp)) <= 9 * 60_000);
      }
      assert.deepEqual(sorted(changes[i]!.modified.map((t) => t.id)), sorted(changed.map((t) => t.id)));
      assert.deepEqual([changes[i]!.added, changes[i]!.removed], [[], []]);
      reissued += changed.length;
    }
    assert.ok(reissued > 0, 'the bank reissued some transactions');
  });

  it('withdrawn_transactions: what the bank withdrew inside the refreshed window is removed, and only that', async () => {
    const login = 'withdraw';
    const phase = await phaseOne(login);
    await switchOn(login, 'withdrawn_transactions');
    await manualRefresh(phase.entityId);
    const now = await matchesBank(login, phase);
    const changes = await replay(phase, now);
    let withdrawn = 0;
    for (const [i, stored] of now.entries()) {
      const left = new Set(stored.map((t) => t.id));
      const gone = phase.rows[i]!.filter((t) => !left.has(t.id));
      // The sandbox's data follows the clock: a transaction booked since phase one is new, and only such a one.
      const had = new Set(phase.rows[i]!.map((t) => t.id));
      const added = stored.filter((t) => !had.has(t.id));
      assert.ok(added.every((t) => t.timestamp >= phase.startedAt), 'no row added but what the bank booked since');
      assert.equal(stored.length - added.length + gone.length, phase.rows[i]!.length);
      assert.ok(gone.every((t) => t.booking_status === 'BOOKED'));
      assert.deepEqual(sorted(changes[i]!.removed.map((r) => r.transaction_id)), sorted(gone.map((t) => t.id)));
      assert.deepEqual(sorted(changes[i]!.added.map((t) => t.id)), sorted(added.map((t) => t.id)));
      assert.deepEqual(changes[i]!.modified, []);
      withdrawn += gone.length;
    }
    assert.ok(withdrawn > 0, 'the bank withdrew some transactions');
    const count = await s.server.ctx.store.db.selectFrom('transaction_tombstones').select((eb) => eb.fn.countAll().as('n')).where('entity_id', '=', phase.entityId).executeTakeFirstOrThrow();
    assert.equal(Number(count.n), withdrawn);
  });

  it('pending_vanish: released holds go, however long ago they were made, even beyond the refresh overlap', async () => {
    const login = 'vanish';
    const phase = await phaseOne(login);
    const held = phase.rows.flat().filter((t) => t.booking_status === 'PENDING');
    assert.ok(held.length > 0, 'the customer has pending card entries');
    await switchOn(login, 'pending_vanish');
    // Past the 7-day overlap: an incremental refresh that only looked that far back would never see them again.
    s.advanceClock(9 * DAY);
    token = await s.token();
    await manualRefresh(phase.entityId);
    const now = await matchesBank(login, phase);
    const ids = new Set(now.flat().map((t) => t.id));
    assert.deepEqual(held.filter((t) => ids.has(t.id)), [], 'no hold from before the switch is left');
    const changes = await replay(phase, now);
    const removed = new Set(changes.flatMap((c) => c.removed.map((r: any) => r.transaction_id)));
    assert.ok(held.every((t) => removed.has(t.id)), 'each one is in the feed\'s removed');
  });

  it('pending_tip: a pending card payment that books higher under a new id is one booked row naming the pending one', async () => {
    const login = 'tip';
    const phase = await phaseOne(login);
    const held = phase.rows.flat().filter((t) => t.booking_status === 'PENDING' && t.credit_debit_indicator === 'DEBIT');
    assert.ok(held.length > 0);
    await switchOn(login, 'pending_tip');
    s.advanceClock(3 * DAY);
    token = await s.token();
    await manualRefresh(phase.entityId);
    const now = await matchesBank(login, phase);
    const booked = now.flat().filter((t) => t.pending_transaction_id !== null);
    assert.deepEqual(sorted(booked.map((t) => t.pending_transaction_id)), sorted(held.map((t) => t.id)), 'each hold booked, once');
    for (const t of booked) {
      const hold = held.find((h) => h.id === t.pending_transaction_id);
      assert.equal(t.booking_status, 'BOOKED');
      assert.equal(t.description, hold.description);
      // The fault tips card payments only; another pending debit (a transfer) books as it was.
      const ratio = t.amount.amount / hold.amount.amount;
      if (String(hold.bank_transaction_code).startsWith('CustomerCardTransactions.')) assert.ok(ratio >= 1.09 && ratio <= 1.21, `${hold.amount.amount} booked as ${t.amount.amount}`);
      else assert.equal(ratio, 1, `${hold.bank_transaction_code} ${hold.amount.amount} booked as ${t.amount.amount}`);
    }
    assert.ok(held.some((h) => String(h.bank_transaction_code).startsWith('CustomerCardTransactions.')), 'a card payment was tipped');
    const changes = await replay(phase, now);
    const added = new Map(changes.flatMap((c) => c.added).map((t) => [t.id, t]));
    const removed = new Set(changes.flatMap((c) => c.removed.map((r: any) => r.transaction_id)));
    for (const t of booked) {
      assert.equal(added.get(t.id)?.pending_transaction_id, t.pending_transaction_id, 'the booked one comes as added, naming the hold');
      assert.ok(removed.has(t.pending_transaction_id), 'the hold comes as removed');
    }
  });

  it('twins: identical twins stay two rows across refreshes', async () => {
    const login = 'twins';
    const phase = await phaseOne(login);
    await switchOn(login, 'twins');
    s.advanceClock(4 * DAY);
    token = await s.token();
    await manualRefresh(phase.entityId);
    const first = await matchesBank(login, phase);
    await replay(phase, first);
    const pairs = (rows: any[]) => {
      const byShape = new Map<string, string[]>();
      for (const t of rows) byShape.set(shape(t), [...(byShape.get(shape(t)) ?? []), t.id]);
      return [...byShape.values()].filter((ids) => ids.length === 2).map((ids) => sorted(ids).join());
    };
    const twins = sorted(first.flatMap(pairs));
    assert.ok(twins.length > 0, 'some transactions have identical twins');

    s.advanceClock(DAY);
    token = await s.token();
    await manualRefresh(phase.entityId);
    const second = await matchesBank(login, phase);
    const booked = (ids: string) => ids.split(',').every((id) => second.flat().some((t) => t.id === id));
    assert.ok(twins.filter(booked).length > 0);
    for (const pair of sorted(second.flatMap(pairs))) assert.equal(pair.split(',').length, 2);
  });

  it('announces a refresh that changed transactions with entity.data.transactions.updated, naming the accounts', async () => {
    const login = 'announced';
    const phase = await phaseOne(login, 'default');
    const events = async () =>
      (await s.server.ctx.store.db.selectFrom('webhook_events').select('body').where('type', '=', 'entity.data.transactions.updated').execute())
        .map((e) => JSON.parse(e.body))
        .filter((e) => e.payload.entity_id === phase.entityId);
    assert.deepEqual(await events(), [], 'the first data is announced by the INITIAL refresh finishing');
    await manualRefresh(phase.entityId);
    assert.deepEqual(await events(), [], 'a refresh that changed nothing says nothing');
    s.advanceClock(2 * DAY);
    token = await s.token();
    await manualRefresh(phase.entityId);
    const [event, ...more] = await events();
    assert.equal(more.length, 0);
    const changed = [];
    for (const [i, account] of phase.accounts.entries()) {
      const sync = await syncAll(phase.entityId, account, phase.cursors[i]);
      if (sync.added.length + sync.modified.length + sync.removed.length > 0) changed.push(account);
    }
    assert.ok(changed.length > 0, 'two days brought new transactions');
    assert.deepEqual(event.payload, { entity_id: phase.entityId, customer_id: customerId, account_ids: changed });
  });
});
