import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { sql } from 'kysely';
import { openStore, type Store } from '../../src/store/database.ts';
import { moveEntityStatus, readEntity } from '../../src/store/entities.ts';
import { describeDialects } from '../helpers/dialects.ts';
import { eventually } from '../helpers/eventually.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

// An API process caches entity rows and hears other processes' changes on a LISTEN connection.
// When that connection drops, a change committed meanwhile is never announced to it. PostgreSQL
// only: a SQLite deployment is one process.
describeDialects('entity changes from other processes', { dialects: ['postgres'] }, (dialect) => {
  let s: TestServer;
  let other: Store;
  let appId: string;
  let entityId: string;
  const cached = () => s.server.ctx.store.entities.get(entityId);
  const listening = async () =>
    (await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where datname = current_database() and application_name = 'openlean-entity-changes'`.execute(other.db)).rows[0]!.n === 1;

  before(async () => {
    s = await startTestServer({ dialect });
    other = openStore(s.server.ctx.config.databaseUrl);
    const token = await s.token();
    const entity = await s.createSandboxEntity(token, { customer_id: await s.createCustomer(token), login: 'cache' });
    appId = s.app.app_id;
    entityId = entity.id;
    await eventually('the listener is up', listening);
  });
  after(async () => {
    await other.close();
    await s.close();
  });

  const change = (from: 'ACTIVE' | 'RECONNECT_REQUIRED', to: 'ACTIVE' | 'RECONNECT_REQUIRED') =>
    moveEntityStatus(other.db, entityId, [from], to, new Date().toISOString()).then((moved) => assert.ok(moved));

  it('are heard: a cached row is dropped when another process commits a change', async () => {
    assert.equal((await readEntity(s.server.ctx.store, appId, entityId))!.status, 'ACTIVE');
    assert.ok(cached(), 'cached after a read');
    await change('ACTIVE', 'RECONNECT_REQUIRED');
    await eventually('the change is heard', () => cached() === undefined);
    assert.equal((await readEntity(s.server.ctx.store, appId, entityId))!.status, 'RECONNECT_REQUIRED');
    await change('RECONNECT_REQUIRED', 'ACTIVE');
    await eventually('the change back is heard', () => cached() === undefined);
  });

  it('made while the listening connection was down leave no stale row behind, and caching resumes', async () => {
    assert.equal((await readEntity(s.server.ctx.store, appId, entityId))!.status, 'ACTIVE');
    assert.ok(cached());
    // Cut the listener and commit a change at once, before it can reconnect (its first retry waits 100 ms).
    await sql`select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and application_name = 'openlean-entity-changes'`.execute(other.db);
    await change('ACTIVE', 'RECONNECT_REQUIRED');
    await eventually('the listener is back', listening);
    await eventually('the cache has resumed and forgotten what it held', async () => {
      const row = await readEntity(s.server.ctx.store, appId, entityId);
      return row?.status === 'RECONNECT_REQUIRED' && cached() !== undefined;
    });
    assert.equal(cached()!.status, 'RECONNECT_REQUIRED');

    const res = await s.request(`/customers/v1/${cached()!.customer_id}/entities/${entityId}`, { token: await s.token() });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.status, 'RECONNECT_REQUIRED');

    await change('RECONNECT_REQUIRED', 'ACTIVE');
    await eventually('changes are heard again', () => cached() === undefined);
  });
});
