import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { decodeProtectedHeader, exportJWK, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import { randomBytes } from 'node:crypto';
import { isSealed, keyRing, open } from '../../src/auth/secret-box.ts';
import { loadSigningKeys, signingKeyAad, signingKeysAt, TOKEN_ALG } from '../../src/auth/signing-keys.ts';
import type { Kysely } from 'kysely';
import { Migrator } from 'kysely/migration';
import { migrate, openStore, type Store } from '../../src/store/database.ts';
import { MIGRATIONS } from '../../src/store/migrations/index.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { describeDialects } from '../helpers/dialects.ts';

// API processes of one deployment start together on an empty database; a token one of them signs
// must verify on every other at once, so they must all sign with one key.
const ring = keyRing(randomBytes(32));
const load = (store: Store) => loadSigningKeys(store.db, ring, 3600);

describeDialects('the first signing key', (dialect) => {
  let dir: string;
  let database: TestDatabase;
  const stores: Store[] = [];

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openlean-signing-keys-'));
    database = await createTestDatabase(dir, dialect);
    // On PostgreSQL each store is a pool of its own, as a process has; SQLite has one writer process.
    const count = dialect === 'postgres' ? 6 : 1;
    for (let i = 0; i < count; i++) stores.push(openStore(database.url));
    await migrate(stores[0]!);
  });
  after(async () => {
    for (const store of stores) await store.close();
    await database.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('is made once by starters racing on an empty database, and every one signs with it', async () => {
    const loaded = await Promise.all(Array.from({ length: 12 }, (_, i) => load(stores[i % stores.length]!)));
    const current = loaded.map((k) => k.signingKey(Date.now()));
    const kids = new Set(current.map((k) => k.kid));
    assert.equal(kids.size, 1, `signing with ${[...kids].join(', ')}`);
    const rows = await stores[0]!.db.selectFrom('signing_keys').select('kid').execute();
    assert.deepEqual(rows.map((r) => r.kid), [...kids]);

    const token = await new SignJWT({ sub: 'x' }).setProtectedHeader({ alg: TOKEN_ALG, kid: current[0]!.kid }).sign(current[0]!.key);
    for (const keys of loaded) {
      const { protectedHeader } = await jwtVerify(token, keys.publicKey(decodeProtectedHeader(token).kid!, Date.now())!);
      assert.equal(protectedHeader.kid, current[0]!.kid);
      assert.deepEqual(keys.jwks(Date.now()).keys.map((k) => k.kid), [...kids]);
    }
  });

  it('is kept on the next start', async () => {
    const first = (await load(stores[0]!)).signingKey(Date.now()).kid;
    assert.equal((await load(stores.at(-1)!)).signingKey(Date.now()).kid, first);
    assert.equal((await stores[0]!.db.selectFrom('signing_keys').select('kid').execute()).length, 1);
  });
});

describe('which signing key does what, when', () => {
  const HOUR = 3_600_000;
  const at = (ms: number) => new Date(ms).toISOString();
  const rows = [
    { kid: 'a', activates_at: at(0) },
    { kid: 'b', activates_at: at(10 * HOUR) },
    { kid: 'c', activates_at: at(20 * HOUR) },
  ];
  const state = (nowMs: number) => {
    const s = signingKeysAt(rows, nowMs, 3600);
    return { current: s.current.kid, published: s.published.map((r) => r.kid), expired: s.expired.map((r) => r.kid) };
  };

  it('signs with the latest activated key and publishes the ones still to come', () => {
    assert.deepEqual(state(5 * HOUR), { current: 'a', published: ['c', 'b', 'a'], expired: [] });
    assert.deepEqual(state(10 * HOUR - 1), { current: 'a', published: ['c', 'b', 'a'], expired: [] });
    assert.deepEqual(state(10 * HOUR), { current: 'b', published: ['c', 'b', 'a'], expired: [] });
  });

  it('keeps a retired key published for one token lifetime after the next one activates', () => {
    assert.deepEqual(state(11 * HOUR - 1), { current: 'b', published: ['c', 'b', 'a'], expired: [] });
    assert.deepEqual(state(11 * HOUR), { current: 'b', published: ['c', 'b'], expired: ['a'] });
    assert.deepEqual(state(21 * HOUR), { current: 'c', published: ['c'], expired: ['a', 'b'] });
  });

  it('signs with the earliest key when none has activated yet, and breaks ties by kid', () => {
    assert.deepEqual(state(-1), { current: 'a', published: ['c', 'b', 'a'], expired: [] });
    const tied = signingKeysAt([{ kid: 'x', activates_at: at(0) }, { kid: 'y', activates_at: at(0) }], HOUR * 5, 3600);
    assert.equal(tied.current.kid, 'y');
    assert.deepEqual(tied.expired.map((r) => r.kid), ['x']);
  });
});

// Keys written before they were sealed (migration 013) are sealed at the next start, and keep their kid.
describeDialects('a signing key stored in clear before migration 013', (dialect) => {
  it('is sealed at the next start, keeping its kid, and still signs', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openlean-signing-keys-clear-'));
    const database = await createTestDatabase(dir, dialect);
    const store = openStore(database.url);
    try {
      const before013 = Object.keys(MIGRATIONS).filter((name) => name < '013');
      const { error } = await new Migrator({ db: store.db, provider: { getMigrations: async () => MIGRATIONS } }).migrateTo(before013.at(-1)!);
      assert.equal(error, undefined);
      const { privateKey, publicKey } = await generateKeyPair(TOKEN_ALG, { extractable: true });
      const privateJwk = JSON.stringify(await exportJWK(privateKey));
      const at = new Date().toISOString();
      // As a server before migration 013 wrote it: the private JWK in clear.
      await (store.db as Kysely<any>).insertInto('signing_keys').values({ kid: 'old', alg: TOKEN_ALG, private_jwk: privateJwk, public_jwk: JSON.stringify({ ...(await exportJWK(publicKey)), kid: 'old' }), created_at: at }).execute();
      await migrate(store);
      assert.equal((await store.db.selectFrom('signing_keys').select('activates_at').executeTakeFirstOrThrow()).activates_at, at, 'active since it was made');
      const keys = await loadSigningKeys(store.db, ring, 3600);
      const row = await store.db.selectFrom('signing_keys').selectAll().executeTakeFirstOrThrow();
      assert.equal(row.kid, 'old');
      assert.ok(isSealed(row.private_jwk_sealed));
      assert.ok(!row.private_jwk_sealed.includes(JSON.parse(privateJwk).d));
      assert.equal(open(ring, row.private_jwk_sealed, signingKeyAad('old')), privateJwk);
      const signing = keys.signingKey(Date.now());
      const token = await new SignJWT({ sub: 'x' }).setProtectedHeader({ alg: TOKEN_ALG, kid: signing.kid }).sign(signing.key);
      await jwtVerify(token, publicKey);
    } finally {
      await store.close();
      await database.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
