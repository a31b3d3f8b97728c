import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { createApplication } from '../../src/applications/create-application.ts';
import { ensureSandboxApp, SANDBOX_APP_FILE } from '../../src/applications/sandbox-app.ts';
import { keyRing } from '../../src/auth/secret-box.ts';
import type { Store } from '../../src/store/database.ts';
import { openTestStore } from '../helpers/database.ts';
import { describeDialects } from '../helpers/dialects.ts';

describeDialects('the sandbox application', (dialect) => {
  let dir: string;
  let store: Store;
  let close: () => Promise<void>;
  const key = keyRing(randomBytes(32));
  const dataDir = (name: string) => path.join(dir, name);
  const sandboxApps = async () => (await store.db.selectFrom('applications').select('id').where('name', '=', 'Sandbox application').execute()).length;

  before(async () => {
    ({ store, dir, close } = await openTestStore('openlean-sandbox-app', dialect));
  });
  after(() => close());

  it('adopts the credentials of an install from before the database kept them', async () => {
    const old = await createApplication(store.db, 'Sandbox application');
    fs.mkdirSync(dataDir('old'));
    fs.writeFileSync(path.join(dataDir('old'), SANDBOX_APP_FILE), JSON.stringify({ client_id: old.client_id, client_secret: old.client_secret }));
    const { credentials, created } = await ensureSandboxApp(store.db, key, dataDir('old'));
    assert.deepEqual(credentials, { client_id: old.client_id, client_secret: old.client_secret });
    assert.equal(created, false);
  });

  it('is one application for every process, whatever their data directories hold', async () => {
    fs.mkdirSync(dataDir('broken'));
    fs.writeFileSync(path.join(dataDir('broken'), SANDBOX_APP_FILE), '{not json');
    const results = await Promise.all(['a', 'b', 'c', 'broken'].map((name) => ensureSandboxApp(store.db, key, dataDir(name))));
    const first = results[0]!.credentials;
    for (const r of results) assert.deepEqual(r.credentials, first);
    assert.ok(results.every((r) => !r.created));
    for (const name of ['a', 'b', 'c', 'broken']) {
      assert.deepEqual(JSON.parse(fs.readFileSync(path.join(dataDir(name), SANDBOX_APP_FILE), 'utf8')), first);
      assert.equal(fs.statSync(path.join(dataDir(name), SANDBOX_APP_FILE)).mode & 0o777, 0o600);
    }
    assert.equal(await sandboxApps(), 1);
  });

  it('is replaced, once, when the encryption key changed and the old secret cannot be read', async () => {
    const before = (await ensureSandboxApp(store.db, key, dataDir('a'))).credentials;
    const otherKey = keyRing(randomBytes(32));
    fs.rmSync(path.join(dataDir('d')), { recursive: true, force: true });
    const replaced = await ensureSandboxApp(store.db, otherKey, dataDir('d'));
    assert.equal(replaced.created, true);
    assert.notEqual(replaced.credentials.client_id, before.client_id);
    assert.deepEqual((await ensureSandboxApp(store.db, otherKey, dataDir('e'))).credentials, replaced.credentials);
    assert.equal(await sandboxApps(), 2);
  });
});
