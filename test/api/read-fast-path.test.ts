import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { ResponseCache } from '../../src/api/data/response-cache.ts';
import { describeDialects } from '../helpers/dialects.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

/** Headers that differ from one request to the next whatever path answers: the rest must match. */
const PER_REQUEST = new Set(['x-request-id', 'date', 'ratelimit-remaining', 'ratelimit-reset', 'connection', 'keep-alive']);

/**
 * A data read whose entity row and finished response are cached is answered by a synchronous
 * fast path (docs/decisions/003); every other read renders through the general one. Both must
 * send the same bytes, and the fast path must still honour a consent that ended in between.
 */
describeDialects('the cached fast path of data reads', (dialect) => {
  let s: TestServer;
  let token: string;
  let customerId: string;

  before(async () => {
    s = await startTestServer({ dialect });
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
    // A page beyond the first too: the key includes the query.
    paths.push(`/data/v2/accounts/${accountId}/transactions?size=3&page=1`);
    return paths;
  }

  const dataVersion = async (entityId: string) =>
    (await s.server.ctx.store.db.selectFrom('entities').select('data_version').where('id', '=', entityId).executeTakeFirstOrThrow()).data_version;

  const lasting = (headers: Headers) => [...headers].filter(([name]) => !PER_REQUEST.has(name));

  it('sends every read byte for byte alike, headers included, rendered or from the cache', async () => {
    const entity = await s.createSandboxEntity(token, { customer_id: customerId, bank_identifier: 'SANDBOX_FALCON_AE', login: 'fast-path' });
    const paths = await readPaths(entity.id);
    assert.ok(paths.length >= 10, paths.join(', '));
    const version = await dataVersion(entity.id);
    for (const p of paths) {
      const key = ResponseCache.key(entity.id, version, p);
      const rendered = await s.request(p, { token, headers: { entity_id: entity.id } });
      assert.equal(rendered.status, 200, `${p}: ${rendered.text}`);
      // The first read rendered and cached the answer: the second is the fast path's.
      assert.ok(s.server.ctx.responses.get(key), `${p} was not cached`);
      const cached = await s.request(p, { token, headers: { entity_id: entity.id } });
      assert.equal(cached.status, 200, p);
      assert.equal(cached.text, rendered.text, p);
      assert.deepEqual(lasting(cached.headers), lasting(rendered.headers), p);
      assert.ok(cached.headers.get('etag'), p);
      const notModified = await s.request(p, { token, headers: { entity_id: entity.id, 'if-none-match': cached.headers.get('etag')! } });
      assert.equal(notModified.status, 304, p);
    }
  });

  it('honours a consent revoked or expired between two reads of a cached answer', async () => {
    const revoked = await s.createSandboxEntity(token, { customer_id: customerId, bank_identifier: 'SANDBOX_FALCON_AE', login: 'fast-path-revoked' });
    const expiring = await s.createSandboxEntity(token, {
      customer_id: customerId,
      bank_identifier: 'SANDBOX_FALCON_AE',
      login: 'fast-path-expiring',
      consent_expires_at: new Date(Date.now() + 2 * 86_400_000).toISOString(),
    });
    const revokedPaths = await readPaths(revoked.id);
    const expiringPaths = await readPaths(expiring.id);
    for (const [entity, paths] of [
      [revoked, revokedPaths],
      [expiring, expiringPaths],
    ] as const) {
      for (const p of paths) assert.equal((await s.request(p, { token, headers: { entity_id: entity.id } })).status, 200, p);
      for (const p of paths) assert.equal((await s.request(p, { token, headers: { entity_id: entity.id } })).status, 200, p);
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
});
