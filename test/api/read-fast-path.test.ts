import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, it } from 'node:test';
import pg from 'pg';
import { ResponseCache } from '../../src/api/data/response-cache.ts';
import { GENERIC_PLAN_SESSIONS } from '../../src/store/database.ts';
import { auditRecords } from '../helpers/audit-records.ts';
import { describeDialects } from '../helpers/dialects.ts';
import { eventually } from '../helpers/eventually.ts';
import { startTestServer, type ApiResponse, type TestServer } from '../helpers/server.ts';

/** A response as it came off the wire: status line, headers in order with their case, body bytes. */
interface RawResponse {
  status: number;
  statusMessage: string;
  /** `[name, value]` in the order sent, without `Date` (a clock's second) and `ratelimit-remaining` (one less per read). */
  headers: [string, string][];
  remaining: number | null;
  body: string;
}

/** GET `path` over a plain `node:http` request, keeping the raw header list (fetch merges and lower-cases it). */
function rawGet(base: string, path: string, headers: Record<string, string>): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.get(base + path, { headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const pairs: [string, string][] = [];
        for (let i = 0; i < res.rawHeaders.length; i += 2) pairs.push([res.rawHeaders[i]!, res.rawHeaders[i + 1]!]);
        const remaining = pairs.find(([n]) => n === 'ratelimit-remaining')?.[1];
        resolve({
          status: res.statusCode!,
          statusMessage: res.statusMessage!,
          headers: pairs.filter(([n]) => n !== 'Date' && n !== 'ratelimit-remaining'),
          remaining: remaining === undefined ? null : Number(remaining),
          body: Buffer.concat(chunks).toString('latin1'),
        });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

/**
 * A data read whose token, entity row and finished answer are cached is answered by a fast path
 * in front of the router (src/api/data/cached-read.ts, issue 12); every other read renders
 * through the general one. Both must send the same bytes and write the same audit record, and the
 * fast path must still honour a consent that ended in between. The clock is frozen, so the
 * RateLimit-Reset of two reads is the same second.
 */
describeDialects('the cached fast path of data reads', (dialect) => {
  let s: TestServer;
  let token: string;
  let customerId: string;

  before(async () => {
    s = await startTestServer({ dialect, frozenClock: true });
    token = await s.token();
    customerId = await s.createCustomer(token);
  });
  after(() => s.close());

  /** Every GET data read of the published document, for one of the entity's accounts. */
  async function readPaths(entityId: string): Promise<string[]> {
    const accounts = await s.request('/data/v2/accounts', { token, headers: { entity_id: entityId } });
    const accountId = accounts.body[0].account_id as string;
    const doc = (await s.request('/openapi.json', { unchecked: true })).body;
    const paths = Object.entries<any>(doc.paths)
      .filter(([p, item]) => p.startsWith('/data/v2/') && item.get?.responses?.['200']?.headers?.etag)
      .map(([p]) => p.replace('{account_id}', accountId));
    // A page beyond the first too (the key includes the query), and the entity named in the query as Lean's guides do.
    paths.push(`/data/v2/accounts/${accountId}/transactions?size=3&page=1`, `/data/v2/accounts?entity_id=${entityId}`);
    return paths;
  }

  const served = () => s.server.app!.cachedReads.served;

  it('honours a consent revoked or expired between two reads of a cached answer', async () => {
    const revoked = await s.createSandboxEntity(token, { customer_id: customerId, bank_identifier: 'SANDBOX_FALCON_AE', login: 'fast-path-revoked' });
    const expiring = await s.createSandboxEntity(token, {
      customer_id: customerId,
      bank_identifier: 'SANDBOX_FALCON_AE',
      login: 'fast-path-expiring',
      consent_expires_at: new Date(s.server.ctx.now().getTime() + 2 * 86_400_000).toISOString(),
    });
    const revokedPaths = await readPaths(revoked.id);
    const expiringPaths = await readPaths(expiring.id);
    for (const [entity, paths] of [
      [revoked, revokedPaths],
      [expiring, expiringPaths],
    ] as const) {
      for (const p of paths) assert.equal((await s.request(p, { token, headers: { entity_id: entity.id } })).status, 200, p);
      const before = served();
      for (const p of paths) assert.equal((await s.request(p, { token, headers: { entity_id: entity.id } })).status, 200, p);
      assert.equal(served() - before, paths.length, 'the second read of each path took the fast path');
    }

    const deleted = await s.request(`/customers/v1/${customerId}/entities/${revoked.id}`, { token, method: 'DELETE' });
    assert.equal(deleted.status, 200);
    for (const p of revokedPaths) {
      const res = await s.request(p, { token, headers: { entity_id: revoked.id } });
      assert.deepEqual([res.status, res.body.code], [403, 'CONSENT_REVOKED'], p);
    }

    s.advanceClock(3 * 86_400_000);
    token = await s.token();
    for (const p of expiringPaths) {
      const res = await s.request(p, { token, headers: { entity_id: expiring.id } });
      assert.deepEqual([res.status, res.body.code], [403, 'CONSENT_EXPIRED'], p);
    }
  });

  it('leaves to the general path what it cannot answer: another application, a missing permission, an unknown or malformed token', async () => {
    const entity = await s.createSandboxEntity(token, { customer_id: customerId, bank_identifier: 'SANDBOX_FALCON_AE', login: 'fast-path-refusals', permissions: ['accounts', 'identity'] });
    const accounts = await s.request('/data/v2/accounts', { token, headers: { entity_id: entity.id } });
    assert.equal(accounts.status, 200);
    const other = await s.token(await s.newApp('other'));
    const before = served();
    const foreign = await s.request('/data/v2/accounts', { token: other, headers: { entity_id: entity.id } });
    assert.deepEqual([foreign.status, foreign.body.code], [404, 'NOT_FOUND']);
    const balances = await s.request(`/data/v2/accounts/${accounts.body[0].account_id}/balances`, { token, headers: { entity_id: entity.id } });
    assert.deepEqual([balances.status, balances.body.code], [403, 'PERMISSION_NOT_GRANTED']);
    const forged = await s.request('/data/v2/accounts', { token: `${token.slice(0, -4)}AAAA`, headers: { entity_id: entity.id } });
    assert.deepEqual([forged.status, forged.body.code], [401, 'INVALID_TOKEN']);
    // A token with a space in its signature is no token, in either header: the JWS library would
    // overlook the space, and the verified-token cache must not hold what Authorization's syntax refuses.
    const spaced = `${token.slice(0, -30)} ${token.slice(-30)}`;
    const asLean = await s.request('/data/v2/accounts', { headers: { 'lean-app-token': spaced, entity_id: entity.id } });
    assert.deepEqual([asLean.status, asLean.body.code], [401, 'INVALID_TOKEN']);
    const asBearer = await s.request('/data/v2/accounts', { headers: { authorization: `Bearer ${spaced}`, entity_id: entity.id } });
    assert.deepEqual([asBearer.status, asBearer.body.code], [401, 'INVALID_TOKEN']);
    assert.equal(served(), before, 'none of them was answered by the fast path');
  });

  it('sends every read byte for byte alike, headers in order included, and writes the same audit record', async () => {
    const entity = await s.createSandboxEntity(token, { customer_id: customerId, bank_identifier: 'SANDBOX_FALCON_AE', login: 'fast-path' });
    const paths = await readPaths(entity.id);
    assert.ok(paths.length >= 11, paths.join(', '));
    const version = (await s.server.ctx.store.db.selectFrom('entities').select('data_version').where('id', '=', entity.id).executeTakeFirstOrThrow()).data_version;
    const etag = `"${entity.id}.${version}"`;
    const headers = (i: number, more: Record<string, string> = {}) => ({
      authorization: `Bearer ${token}`,
      'x-request-id': `fast-path-${dialect}-${i}`,
      ...(paths[i]!.includes('entity_id=') ? {} : { entity_id: entity.id }),
      ...more,
    });

    // The fast path's answers: each read's first request renders it, the next two are the fast path's (200, then 304).
    const fast: { ok: RawResponse; notModified: RawResponse }[] = [];
    for (const [i, p] of paths.entries()) {
      const rendered = await rawGet(s.url, p, headers(i));
      assert.equal(rendered.status, 200, `${p}: ${rendered.body}`);
      assert.ok(s.server.ctx.responses.get(ResponseCache.key(entity.id, version, p)), `${p} was not cached`);
      const before = served();
      const ok = await rawGet(s.url, p, headers(i));
      const notModified = await rawGet(s.url, p, headers(i, { 'if-none-match': etag }));
      assert.equal(served() - before, 2, `${p} was answered by the fast path`);
      assert.equal(ok.remaining, rendered.remaining! - 1, `${p}: the fast path counts against the rate limit`);
      assert.deepEqual(ok, { ...rendered, remaining: ok.remaining }, `${p}: the same answer as rendered`);
      fast.push({ ok, notModified });
    }

    // The general path's answers to the same requests, from the same cache.
    s.server.app!.cachedReads.stop();
    const before = served();
    for (const [i, p] of paths.entries()) {
      const ok = await rawGet(s.url, p, headers(i));
      const notModified = await rawGet(s.url, p, headers(i, { 'if-none-match': etag }));
      assert.deepEqual({ ...ok, remaining: null }, { ...fast[i]!.ok, remaining: null }, `${p}: 200 alike`);
      assert.deepEqual({ ...notModified, remaining: null }, { ...fast[i]!.notModified, remaining: null }, `${p}: 304 alike`);
      assert.equal(notModified.status, 304, p);
      assert.equal(notModified.body, '', p);
      assert.ok(ok.headers.some(([n, v]) => n === 'etag' && v === etag), p);
    }
    assert.equal(served(), before, 'a stopped fast path answers nothing');

    // Five records per read (rendered, fast 200 and 304, general 200 and 304), alike but for their ids and times.
    // Their order is not the requests' order: the general path records after its answer has gone
    // (onResponse), so the client, in this same process, may have sent the next request first.
    await s.server.ctx.audit.flush();
    const records = await auditRecords(s.server.ctx.store.db, (r) => r.request_id?.startsWith(`fast-path-${dialect}-`) ?? false);
    for (const [i, p] of paths.entries()) {
      const mine = records
        .filter((r) => r.request_id === `fast-path-${dialect}-${i}`)
        .map(({ id: _id, at: _at, ...rest }) => rest);
      assert.deepEqual(mine.map((r) => r.status).sort(), [200, 200, 200, 304, 304], p);
      const alike = mine.map((r) => ({ ...r, status: 0 }));
      for (const r of alike) assert.deepEqual(r, alike[0], p);
      assert.deepEqual([mine[0]!.kind, mine[0]!.entity_id, mine[0]!.outcome], ['data.read', entity.id, 'OK'], p);
    }
  });
});

/**
 * A first read of a transactions page (the response cache off, as after every refresh) is built on
 * the fast path from the account's chunks (decision 024), read synchronously on SQLite and
 * asynchronously on PostgreSQL: it must send what the general path renders, byte for byte, for
 * every kind of page, and honour a consent ended between two reads.
 */
describeDialects('the fast path of a first read of a transactions page', (dialect) => {
  let s: TestServer;
  let token: string;
  let customerId: string;

  before(async () => {
    s = await startTestServer({ dialect, frozenClock: true, env: { RESPONSE_CACHE_MB: '0' } });
    token = await s.token();
    customerId = await s.createCustomer(token);
  });
  after(() => s.close());

  const served = () => s.server.app!.cachedReads.served;

  /** Pages of every kind the fast path answers: default, by number (past the end too), by cursor (followed from `Link`), the largest. */
  async function pagePaths(entityId: string, accountId: string): Promise<string[]> {
    const base = `/data/v2/accounts/${accountId}/transactions`;
    const paths = [base, `${base}?size=100`, `${base}?size=3&page=1`, `${base}?page=2&size=40`, `${base}?size=1000`, `${base}?page=999`, `${base}?size=7`];
    let next: string | null = `${base}?size=60`;
    for (let i = 0; next && i < 4; i++) {
      paths.push(next);
      const res: ApiResponse = await s.request(next, { token, headers: { entity_id: entityId } });
      next = /^<([^>]+)>; rel="next"$/.exec(res.headers.get('link') ?? '')?.[1] ?? null;
    }
    return paths;
  }

  it('sends what the general path renders, headers in order included, and writes the same audit record', async () => {
    const entity = await s.createSandboxEntity(token, { customer_id: customerId, bank_identifier: 'SANDBOX_FALCON_AE', login: 'cold-page', profile: 'high_volume' });
    const accountId = (await s.request('/data/v2/accounts', { token, headers: { entity_id: entity.id } })).body[0].account_id as string;
    const paths = await pagePaths(entity.id, accountId);
    assert.ok(paths.some((p) => p.includes('cursor=')), 'a page by cursor');
    const version = (await s.server.ctx.store.db.selectFrom('entities').select('data_version').where('id', '=', entity.id).executeTakeFirstOrThrow()).data_version;
    const etag = `"${entity.id}.${version}"`;
    const headers = (i: number, more: Record<string, string> = {}) => ({ authorization: `Bearer ${token}`, 'x-request-id': `cold-page-${dialect}-${i}`, entity_id: entity.id, ...more });

    const fast: RawResponse[][] = [];
    let before = served();
    for (const [i, p] of paths.entries()) fast.push([await rawGet(s.url, p, headers(i)), await rawGet(s.url, p, headers(i, { 'if-none-match': etag }))]);
    assert.equal(served() - before, paths.length * 2, 'the fast path answered every read');

    s.server.app!.cachedReads.stop();
    before = served();
    for (const [i, p] of paths.entries()) {
      const ok = await rawGet(s.url, p, headers(i));
      const notModified = await rawGet(s.url, p, headers(i, { 'if-none-match': etag }));
      assert.equal(ok.status, 200, `${p}: ${ok.body}`);
      assert.equal(notModified.status, 304, p);
      assert.deepEqual({ ...ok, remaining: null }, { ...fast[i]![0]!, remaining: null }, `${p}: 200 alike`);
      assert.deepEqual({ ...notModified, remaining: null }, { ...fast[i]![1]!, remaining: null }, `${p}: 304 alike`);
    }
    assert.equal(served(), before);

    await s.server.ctx.audit.flush();
    const records = await auditRecords(s.server.ctx.store.db, (r) => r.request_id?.startsWith(`cold-page-${dialect}-`) ?? false);
    for (const [i, p] of paths.entries()) {
      const mine = records.filter((r) => r.request_id === `cold-page-${dialect}-${i}`).map(({ id: _id, at: _at, ...rest }) => rest);
      assert.deepEqual(mine.map((r) => r.status).sort(), [200, 200, 304, 304], p);
      const alike = mine.map((r) => ({ ...r, status: 0 }));
      for (const r of alike) assert.deepEqual(r, alike[0], p);
      assert.deepEqual([mine[0]!.kind, mine[0]!.resource, mine[0]!.account_id], ['data.read', 'transactions', accountId], p);
    }
  });

  it('leaves to the general path what it does not take as it is, and honours a consent revoked between two reads', async () => {
    s.server.app!.cachedReads.stop();
    await s.restart();
    token = await s.token();
    const entity = await s.createSandboxEntity(token, { customer_id: customerId, bank_identifier: 'SANDBOX_FALCON_AE', login: 'cold-page-refusals' });
    const accountId = (await s.request('/data/v2/accounts', { token, headers: { entity_id: entity.id } })).body[0].account_id as string;
    const base = `/data/v2/accounts/${accountId}/transactions`;
    const read = (p: string) => s.request(p, { token, headers: { entity_id: entity.id } });
    const before = served();
    for (const [p, status] of [
      [`${base}?start_date=2020-01-01`, 200],
      [`${base}?size=0100`, 200],
      [`${base}?size=1001`, 400],
      [`${base}?page=1&cursor=abc`, 400],
      [`${base}?cursor=not-ours`, 400],
      [`${base}?size=5&size=6`, 400],
      [`${base}?verbose=true`, 200],
      [`/data/v2/accounts/unknown-account/transactions`, 404],
    ] as const) {
      assert.equal((await read(p)).status, status, p);
    }
    assert.equal(served(), before, 'none of them took the fast path');

    assert.equal((await read(base)).status, 200);
    assert.equal(served() - before, 1);
    assert.equal((await s.request(`/customers/v1/${customerId}/entities/${entity.id}`, { token, method: 'DELETE' })).status, 200);
    const revoked = await read(base);
    assert.deepEqual([revoked.status, revoked.body.code], [403, 'CONSENT_REVOKED']);
  });

  // On PostgreSQL the page's chunks are read asynchronously: the consent may end meanwhile. Another
  // connection holds a lock on the chunks until the read is seen waiting for it; the clock then
  // passes the consent's end, and the read must go to the general path, which refuses it.
  it('hands a first read to the general path when the consent ended while its page was read', { skip: dialect !== 'postgres' && 'chunks are read synchronously on SQLite' }, async () => {
    const entity = await s.createSandboxEntity(token, {
      customer_id: customerId,
      bank_identifier: 'SANDBOX_FALCON_AE',
      login: 'cold-page-mid-read',
      consent_expires_at: new Date(s.server.ctx.now().getTime() + 10 * 60_000).toISOString(),
    });
    const accountId = (await s.request('/data/v2/accounts', { token, headers: { entity_id: entity.id } })).body[0].account_id as string;
    const path = `/data/v2/accounts/${accountId}/transactions?size=5`;
    const other = new pg.Client({ connectionString: s.server.ctx.config.databaseUrl, application_name: 'openlean-fast-path-lock' });
    await other.connect();
    try {
      await other.query('begin');
      // A first page is read from the account's head, a later one from its chunks: both wait.
      await other.query('lock table transaction_chunks, transaction_heads in access exclusive mode');
      const before = served();
      const pending = s.request(path, { token, headers: { entity_id: entity.id } });
      await eventually('the page read waits for the lock', async () => {
        // A session's statistics stay as its transaction first saw them, unless cleared. Only the
        // page read's session counts: the worker's JSON backfill may wait for the lock too.
        await other.query('select pg_stat_clear_snapshot()');
        const { rows } = await other.query(
          `select 1 from pg_locks l join pg_class c on c.oid = l.relation join pg_stat_activity a on a.pid = l.pid
           where a.datname = current_database() and a.application_name = $1 and c.relname in ('transaction_chunks', 'transaction_heads') and not l.granted`,
          [GENERIC_PLAN_SESSIONS],
        );
        return rows.length === 1;
      });
      // Past the consent's end (10 minutes), well within the token's hour.
      s.advanceClock(20 * 60_000);
      await other.query('commit');
      const res = await pending;
      assert.deepEqual([res.status, res.body.code], [403, 'CONSENT_EXPIRED']);
      assert.equal(served(), before, 'the fast path did not answer it');
    } finally {
      await other.end();
    }
  });
});
