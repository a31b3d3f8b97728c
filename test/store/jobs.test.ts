import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Store } from '../../src/store/database.ts';
import { claimJob, enqueueJob } from '../../src/jobs/embedded-jobs.ts';
import { openTestStore } from '../helpers/database.ts';

// SQLite only: the embedded queue serves SQLite deployments; on PostgreSQL jobs run on pg-boss.
describe('embedded job claims', () => {
  let store: Store;
  let close: () => Promise<void>;
  before(async () => {
    ({ store, close } = await openTestStore('openlean-jobs', 'sqlite'));
  });
  after(() => close());

  it('give each due job to exactly one of many concurrent workers', async () => {
    const now = new Date();
    const ids = await Promise.all(Array.from({ length: 3 }, () => enqueueJob(store.db, { kind: 'test', payload: {}, runAt: now, maxAttempts: 1 })));
    const claims = await Promise.all(Array.from({ length: 8 }, (_, i) => claimJob(store.db, `worker-${i}`, now, 60_000)));
    const claimed = claims.filter((c) => c !== undefined);
    assert.deepEqual(claimed.map((c) => c.id).sort(), ids.sort());
    assert.equal(new Set(claimed.map((c) => c.locked_by)).size, 3);
    assert.ok(claimed.every((c) => c.attempts === 1));
  });
});
