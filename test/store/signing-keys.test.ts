import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { decodeProtectedHeader, jwtVerify, SignJWT } from 'jose';
import { loadSigningKeys, TOKEN_ALG } from '../../src/auth/signing-keys.ts';
import { migrate, openStore, type Store } from '../../src/store/database.ts';
import { createTestDatabase, TEST_DIALECT, type TestDatabase } from '../helpers/database.ts';

// API processes of one deployment start together on an empty database; a token one of them signs
// must verify on every other at once, so they must all sign with one key.
describe('the first signing key', () => {
  let dir: string;
  let database: TestDatabase;
  const stores: Store[] = [];

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openlean-signing-keys-'));
    database = await createTestDatabase(dir);
    // On PostgreSQL each store is a pool of its own, as a process has; SQLite has one writer process.
    const count = TEST_DIALECT === 'postgres' ? 6 : 1;
    for (let i = 0; i < count; i++) stores.push(openStore(database.url));
    await migrate(stores[0]!);
  });
  after(async () => {
    for (const store of stores) await store.close();
    await database.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('is made once by starters racing on an empty database, and every one signs with it', async () => {
    const loaded = await Promise.all(Array.from({ length: 12 }, (_, i) => loadSigningKeys(stores[i % stores.length]!.db)));
    const kids = new Set(loaded.map((k) => k.current.kid));
    assert.equal(kids.size, 1, `signing with ${[...kids].join(', ')}`);
    const rows = await stores[0]!.db.selectFrom('signing_keys').select('kid').execute();
    assert.deepEqual(rows.map((r) => r.kid), [...kids]);

    const token = await new SignJWT({ sub: 'x' }).setProtectedHeader({ alg: TOKEN_ALG, kid: loaded[0]!.current.kid }).sign(loaded[0]!.current.key);
    for (const keys of loaded) {
      const { protectedHeader } = await jwtVerify(token, keys.publicKeys.get(decodeProtectedHeader(token).kid!)!);
      assert.equal(protectedHeader.kid, loaded[0]!.current.kid);
      assert.deepEqual(keys.jwks.keys.map((k) => k.kid), [...kids]);
    }
  });

  it('is kept on the next start', async () => {
    const first = (await loadSigningKeys(stores[0]!.db)).current.kid;
    assert.equal((await loadSigningKeys(stores.at(-1)!.db)).current.kid, first);
    assert.equal((await stores[0]!.db.selectFrom('signing_keys').select('kid').execute()).length, 1);
  });
});
