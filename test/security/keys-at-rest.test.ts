import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, it } from 'node:test';
import SQLite from 'better-sqlite3';
import { decodeProtectedHeader } from 'jose';
import { ensureSandboxApp } from '../../src/applications/sandbox-app.ts';
import { rotateEncryption, SEALED_COLUMNS } from '../../src/auth/rotate-encryption.ts';
import { keyId, keyRing, open, type KeyRing } from '../../src/auth/secret-box.ts';
import { rotateSigningKey, signingKeyAad } from '../../src/auth/signing-keys.ts';
import { SIGNING_KEYS_RELOAD_MS } from '../../src/auth/tokens.ts';
import { sqliteFile } from '../../src/store/database-url.ts';
import { ensureTestPki } from '../../src/pki/test-pki.ts';
import { withClient } from '../helpers/database.ts';
import { describeDialects } from '../helpers/dialects.ts';
import { TEST_PKI_DIR } from '../helpers/sandbox-fapi.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { startReceiver, type Receiver } from '../helpers/webhook-receiver.ts';

const BANK = 'SANDBOX_FALCON_AE';
const K1 = randomBytes(32);
const K2 = randomBytes(32);

/**
 * Every cell of every table of a copy of the database, as text: on SQLite an online backup of the
 * live file (whose raw bytes, free pages included, are returned too); on PostgreSQL every table of
 * every non-system schema, read over a connection of its own, as a dump would.
 */
async function copyOfDatabase(s: TestServer): Promise<{ cells: { where: string; text: string }[]; raw: Buffer | null }> {
  const url = s.server.ctx.config.databaseUrl;
  const cells: { where: string; text: string }[] = [];
  const add = (table: string, row: Record<string, unknown>) => {
    for (const [column, value] of Object.entries(row)) {
      if (value === null || value === undefined) continue;
      cells.push({ where: `${table}.${column}`, text: Buffer.isBuffer(value) ? value.toString('latin1') : typeof value === 'object' ? JSON.stringify(value) : String(value) });
    }
  };
  if (s.server.ctx.store.dialect === 'sqlite') {
    const copy = path.join(s.dataDir, 'copy.db');
    const live = new SQLite(sqliteFile(url), { readonly: true });
    await live.backup(copy);
    live.close();
    const db = new SQLite(copy, { readonly: true });
    for (const { name } of db.prepare("select name from sqlite_master where type = 'table'").all() as { name: string }[]) {
      for (const row of db.prepare(`select * from "${name}"`).all() as Record<string, unknown>[]) add(name, row);
    }
    db.close();
    return { cells, raw: fs.readFileSync(copy) };
  }
  await withClient(url, async (client) => {
    const tables = await client.query<{ s: string; t: string }>(
      "select table_schema as s, table_name as t from information_schema.tables where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema')",
    );
    for (const { s: schema, t } of tables.rows) for (const row of (await client.query(`select * from "${schema}"."${t}"`)).rows) add(`${schema}.${t}`, row);
  });
  return { cells, raw: null };
}

/** Every sealed value, by `table.column:key`. */
async function sealedValues(s: TestServer): Promise<Map<string, string>> {
  const db = s.server.ctx.store.db as any;
  const values = new Map<string, string>();
  for (const c of SEALED_COLUMNS) {
    for (const row of await db.selectFrom(c.table).select([`${c.key} as key`, `${c.column} as value`]).execute()) {
      if (row.value !== null) values.set(`${c.table}.${c.column}:${row.key}`, row.value);
    }
  }
  return values;
}

function opened(ring: KeyRing, where: string, value: string): string {
  const [place, key] = where.split(':') as [string, string];
  const c = SEALED_COLUMNS.find((x) => `${x.table}.${x.column}` === place)!;
  return open(ring, value, c.aad(key));
}

describeDialects('keys at rest', (dialect) => {
  let s: TestServer;
  let receiver: Receiver;
  let token: string;
  let entities: string[];
  const known = new Map<string, string>();

  before(async () => {
    s = await startTestServer({ dialect, env: { ENCRYPTION_KEY: K1.toString('base64'), WEBHOOK_SECRET_GRACE_HOURS: '48' } });
    receiver = await startReceiver();
    token = await s.token();
    const customer = await s.createCustomer(token);
    entities = [];
    for (const login of ['keys-a', 'keys-b']) entities.push((await s.createSandboxEntity(token, { customer_id: customer, bank_identifier: BANK, login })).id);
    const first = await s.request('/webhooks/v1/endpoint', { method: 'PUT', token, json: { url: receiver.url } });
    assert.equal(first.status, 200, first.text);
    const rotated = await s.request('/webhooks/v1/endpoint/rotate-secret', { method: 'POST', token });
    assert.equal(rotated.status, 200, rotated.text);
    const sandbox = await ensureSandboxApp(s.server.ctx.store.db, s.server.ctx.encryptionKey, s.dataDir);
    const other = await s.newApp('another');

    known.set('client secret', s.app.client_secret);
    known.set('another client secret', other.client_secret);
    known.set('sandbox client secret', sandbox.credentials.client_secret);
    known.set('webhook secret (rotated out)', first.body.secret.slice('whsec_'.length));
    known.set('webhook secret', rotated.body.secret.slice('whsec_'.length));
    known.set('access token', token);
    known.set('encryption key (base64)', K1.toString('base64'));
    known.set('encryption key (hex)', K1.toString('hex'));
    known.set('encryption key (base64url)', K1.toString('base64url'));
    for (const [where, value] of await sealedValues(s)) {
      const text = opened(s.server.ctx.encryptionKey, where, value);
      if (where.startsWith('entity_connections')) {
        const credentials = JSON.parse(text);
        known.set(`bank access token of ${where}`, credentials.access_token);
        if (credentials.refresh_token) known.set(`bank refresh token of ${where}`, credentials.refresh_token);
      }
      if (where.startsWith('signing_keys')) known.set(`signing key ${where}`, JSON.parse(text).d);
    }
    const pki = await ensureTestPki(TEST_PKI_DIR);
    // A line from the middle of each private key PEM of the sandbox PKI: those live in files, never in the database.
    for (const [name, pem] of [['ca', pki.ca.key_pem], ['server', pki.server.key_pem]] as const) known.set(`sandbox PKI ${name} key`, pem.split('\n')[2]!);
  });
  after(async () => {
    await s.close();
    await receiver.close();
  });

  it('a copy of the database taken from the running server holds no private key material and no known secret in clear', async () => {
    assert.ok(known.size >= 14, `${known.size} secrets known`);
    const { cells, raw } = await copyOfDatabase(s);
    // The scan sees what is there: the public half of the signing key is in the copy.
    const publicX = JSON.parse((await s.server.ctx.store.db.selectFrom('signing_keys').select('public_jwk').executeTakeFirstOrThrow()).public_jwk).x;
    assert.ok(cells.some((c) => c.text.includes(publicX)), 'the public signing key is found by the scan');
    assert.ok(raw === null || raw.includes(publicX), 'and in the raw file');
    for (const c of cells) {
      assert.doesNotMatch(c.text, /-----BEGIN|PRIVATE KEY/, `PEM in ${c.where}`);
      assert.doesNotMatch(c.text, /"d"\s*:/, `a private JWK in ${c.where}`);
      for (const [name, secret] of known) assert.ok(!c.text.includes(secret), `${name} in clear in ${c.where}`);
    }
    if (raw) {
      assert.ok(!raw.includes('PRIVATE KEY') && !raw.includes('"d":'), 'no private key material anywhere in the file');
      for (const [name, secret] of known) assert.ok(!raw.includes(secret), `${name} in clear in the file`);
    }
  });

  it('rotates the encryption key while reads and a refresh run: each secret re-sealed once, an interrupted rotation resumes', async () => {
    const before = await sealedValues(s);
    assert.ok(before.size >= 6, `${before.size} sealed values`);
    for (const value of before.values()) assert.ok(value.startsWith(`v2.${keyId(K1)}.`));

    await s.restart({ ENCRYPTION_KEY: K2.toString('base64'), ENCRYPTION_KEYS_OLD: K1.toString('base64') });
    const ring = s.server.ctx.encryptionKey;
    assert.equal(ring.current.id, keyId(K2));
    token = await s.token();
    const read = async () => {
      for (const entity of entities) {
        const res = await s.request('/data/v2/accounts', { token, headers: { entity_id: entity } });
        assert.equal(res.status, 200, res.text);
      }
    };
    await read();

    // Interrupted after its first batch.
    const stop = new AbortController();
    const first = await rotateEncryption(s.server.ctx.store.db, ring, { batchSize: 1, signal: stop.signal, onBatch: () => stop.abort() });
    assert.equal(first.interrupted, true);
    assert.equal(first.resealed, 1);
    assert.equal(Object.values(first.remaining).reduce((a, b) => a + b, 0), before.size - 1);

    // Resumed, while the API reads and a worker refreshes (opening the entity's credentials, whichever key sealed them).
    const refresh = await s.request('/data/v2/refreshes', { method: 'POST', token, headers: { entity_id: entities[0]! } });
    assert.equal(refresh.status, 202, refresh.text);
    const batches: string[] = [];
    const [second] = await Promise.all([
      rotateEncryption(s.server.ctx.store.db, ring, { batchSize: 1, onBatch: (b) => batches.push(b.column) }),
      (async () => {
        for (let i = 0; i < 10; i++) await read();
      })(),
      (async () => assert.equal((await s.waitForRefresh(token, entities[0]!, refresh.body.refresh_id)).status, 'FINISHED'))(),
    ]);
    assert.equal(second.interrupted, false);
    assert.deepEqual(second.remaining, {});
    assert.equal(second.unopenable, 0);

    const afterwards = await sealedValues(s);
    assert.deepEqual([...afterwards.keys()].sort(), [...before.keys()].sort());
    // Values the server itself rewrote meanwhile (the refreshed entity's credentials, if the bank's token was refreshed).
    const rewritten = [...before].filter(([where, old]) => opened(ring, where, afterwards.get(where)!) !== opened(ring, where, old)).map(([w]) => w);
    assert.ok(rewritten.every((w) => w === `entity_connections.credentials:${entities[0]}`), `rewritten: ${rewritten.join(', ')}`);
    for (const [where, value] of afterwards) {
      assert.ok(value.startsWith(`v2.${keyId(K2)}.`), `${where} sealed with the new key`);
      assert.notEqual(value, before.get(where), `${where} re-sealed`);
    }
    // Exactly once: every value was re-sealed by one run, and no value twice (the batches name each column once per row).
    const total = first.resealed + second.resealed;
    if (rewritten.length === 0) {
      assert.equal(total, before.size);
      assert.equal(second.changed, 0);
    } else {
      assert.ok(total + second.changed >= before.size - 1 && total + second.changed <= before.size, `${total} re-sealed, ${second.changed} changed`);
    }
    assert.equal(batches.length, second.resealed + second.changed);
    const third = await rotateEncryption(s.server.ctx.store.db, ring, { batchSize: 100 });
    assert.deepEqual({ resealed: third.resealed, changed: third.changed, remaining: third.remaining }, { resealed: 0, changed: 0, remaining: {} });

    // Without the old key now: everything still opens, the server starts and serves.
    await s.restart({ ENCRYPTION_KEYS_OLD: '' });
    token = await s.token();
    await read();
    const webhook = await s.request('/webhooks/v1/endpoint/rotate-secret', { method: 'POST', token });
    assert.equal(webhook.status, 200, webhook.text);
    for (const [where, value] of await sealedValues(s)) assert.doesNotThrow(() => opened(keyRing(K2), where, value), where);
  });

  it('rotates the token-signing key: the new key is published at once and signs after the overlap; old tokens verify until they expire', async () => {
    const ctx = () => s.server.ctx;
    const kidOf = (t: string) => decodeProtectedHeader(t).kid!;
    const jwksKids = async () => ((await s.request('/.well-known/jwks.json')).body.keys as { kid: string }[]).map((k) => k.kid).sort();
    const works = async (t: string) => (await s.request('/customers/v1', { token: t, json: { app_user_id: `u-${randomBytes(4).toString('hex')}` } })).status;

    const oldToken = await s.token();
    const oldKid = kidOf(oldToken);
    assert.deepEqual(await jwksKids(), [oldKid]);
    const overlapMs = 600_000;
    const { added } = await rotateSigningKey(ctx().store.db, ctx().encryptionKey, { now: ctx().now(), overlapSeconds: overlapMs / 1000, ttlSeconds: ctx().config.tokenTtlSeconds });
    const sealedRow = await ctx().store.db.selectFrom('signing_keys').selectAll().where('kid', '=', added.kid).executeTakeFirstOrThrow();
    assert.doesNotThrow(() => open(ctx().encryptionKey, sealedRow.private_jwk_sealed, signingKeyAad(added.kid)));

    // Each process re-reads the keys within SIGNING_KEYS_RELOAD_MS: published, not yet signing.
    s.advanceClock(SIGNING_KEYS_RELOAD_MS);
    assert.deepEqual(await jwksKids(), [oldKid, added.kid].sort());
    assert.equal(kidOf(await s.token()), oldKid);

    // Just before the overlap ends: still the old key. This token lives one TTL from now.
    s.advanceClock(overlapMs - SIGNING_KEYS_RELOAD_MS - 1000);
    const lastOldToken = await s.token();
    assert.equal(kidOf(lastOldToken), oldKid);
    s.advanceClock(1000);
    const newToken = await s.token();
    assert.equal(kidOf(newToken), added.kid);
    assert.equal(await works(newToken), 201);
    assert.equal(await works(lastOldToken), 201, 'a token of the old key verifies after the switch');
    assert.deepEqual(await jwksKids(), [oldKid, added.kid].sort());

    // One token lifetime after the switch, the old key's last token has expired and the key leaves JWKS.
    // `exp` is in whole seconds (rounded down), so the token may expire up to a second before one TTL
    // after it was issued: the check before its expiry keeps more than that second in hand.
    s.advanceClock(ctx().config.tokenTtlSeconds * 1000 - 3000);
    assert.equal(await works(lastOldToken), 201, 'until it expires');
    assert.deepEqual(await jwksKids(), [oldKid, added.kid].sort());
    s.advanceClock(3000);
    assert.deepEqual(await jwksKids(), [added.kid]);
    assert.equal(await works(lastOldToken), 401);
    assert.equal(await works(await s.token()), 201);

    // The next rotation deletes the expired key from the database.
    const next = await rotateSigningKey(ctx().store.db, ctx().encryptionKey, { now: ctx().now(), overlapSeconds: 600, ttlSeconds: ctx().config.tokenTtlSeconds });
    assert.deepEqual(next.deleted, [oldKid]);
  });
});
