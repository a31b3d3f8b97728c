import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, it } from 'node:test';
import { ResponseCache } from '../../src/api/data/response-cache.ts';
import { auditRecords } from '../helpers/audit-records.ts';
import { describeDialects } from '../helpers/dialects.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

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
