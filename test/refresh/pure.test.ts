import assert from 'node:assert/strict';
import { createCipheriv, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { keyId, keyRing, open, parseKey, seal, sealedWithCurrent } from '../../src/auth/secret-box.ts';
import { retryDelay } from '../../src/jobs/backoff.ts';
import { canMove, failedResources, finishedResources, isTerminal, pendingResources } from '../../src/refresh/refresh-state.ts';

describe('retryDelay', () => {
  it('doubles per attempt between half and all of the exponential, capped', () => {
    assert.equal(retryDelay(1, 1000, 60_000, () => 0), 500);
    assert.equal(retryDelay(1, 1000, 60_000, () => 1), 1000);
    assert.equal(retryDelay(3, 1000, 60_000, () => 1), 4000);
    assert.equal(retryDelay(3, 1000, 60_000, () => 0), 2000);
    assert.equal(retryDelay(20, 1000, 60_000, () => 1), 60_000);
    for (let i = 0; i < 100; i++) {
      const d = retryDelay(2, 100);
      assert.ok(d >= 100 && d <= 200, String(d));
    }
  });
});

describe('refresh state', () => {
  it('moves forward only and never out of FINISHED or FAILED', () => {
    assert.ok(canMove('PENDING', 'IN_PROGRESS'));
    assert.ok(canMove('IN_PROGRESS', 'FINISHED'));
    assert.ok(canMove('IN_PROGRESS', 'FAILED'));
    assert.ok(!canMove('FINISHED', 'IN_PROGRESS'));
    assert.ok(!canMove('FAILED', 'FINISHED'));
    assert.ok(!canMove('IN_PROGRESS', 'PENDING'));
    assert.ok(isTerminal('FINISHED') && isTerminal('FAILED') && !isTerminal('PENDING'));
  });

  it('reports records per resource when finished and none when failed', () => {
    const p = pendingResources(['accounts', 'transactions', 'identity']);
    assert.deepEqual(p.map((r) => [r.status, r.records]), [['PENDING', null], ['PENDING', null], ['PENDING', null]]);
    assert.deepEqual(finishedResources(p, { accounts: 2, transactions: 150 }, {}).map((r) => r.records), [2, 150, 0]);
    assert.ok(failedResources(p).every((r) => r.status === 'FAILED' && r.records === null));
  });
});

describe('secret box', () => {
  it('round-trips, and refuses another key, other associated data and tampering', () => {
    const key = keyRing(randomBytes(32));
    const sealed = seal(key, '{"access_token":"abc"}', 'entity-1');
    assert.doesNotMatch(sealed, /abc/);
    assert.equal(open(key, sealed, 'entity-1'), '{"access_token":"abc"}');
    assert.notEqual(seal(key, 'same', 'x'), seal(key, 'same', 'x'), 'a fresh IV every time');
    assert.throws(() => open(keyRing(randomBytes(32)), sealed, 'entity-1'), /unknown key/);
    assert.throws(() => open(key, sealed, 'entity-2'));
    const parts = sealed.split('.');
    parts[4] = Buffer.from('tampered').toString('base64url');
    assert.throws(() => open(key, parts.join('.'), 'entity-1'));
    assert.throws(() => open(key, 'garbage', 'entity-1'));
  });

  it('names the sealing key, so a ring with retired keys still opens what they sealed', () => {
    const [k1, k2, k3] = [randomBytes(32), randomBytes(32), randomBytes(32)];
    const sealedBy1 = seal(keyRing(k1), 'secret', 'aad');
    assert.equal(sealedBy1.split('.')[1], keyId(k1));
    assert.doesNotMatch(keyId(k1), new RegExp(k1.toString('base64url').slice(0, 8)));
    const ring = keyRing(k2, [k3, k1]);
    assert.equal(open(ring, sealedBy1, 'aad'), 'secret');
    assert.equal(sealedWithCurrent(ring, sealedBy1), false);
    const resealed = seal(ring, 'secret', 'aad');
    assert.equal(sealedWithCurrent(ring, resealed), true);
    assert.equal(resealed.split('.')[1], keyId(k2));
    assert.throws(() => open(keyRing(k2), sealedBy1, 'aad'), /unknown key/);
  });

  it('opens values sealed before keys had ids (v1) with any key of the ring', () => {
    const [k1, k2] = [randomBytes(32), randomBytes(32)];
    // The v1 format exactly as it was written: v1.<iv>.<tag>.<body>.
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', k1, iv);
    cipher.setAAD(Buffer.from('entity-1'));
    const body = Buffer.concat([cipher.update('old', 'utf8'), cipher.final()]);
    const v1 = ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
    assert.equal(open(keyRing(k2, [k1]), v1, 'entity-1'), 'old');
    assert.equal(sealedWithCurrent(keyRing(k1), v1), false, 'a v1 value is re-sealed by a rotation');
    assert.throws(() => open(keyRing(k2), v1, 'entity-1'), /no key of the ring/);
  });

  it('takes keys as base64 or hex, 32 bytes only', () => {
    const raw = randomBytes(32);
    assert.deepEqual(parseKey(raw.toString('base64')), raw);
    assert.deepEqual(parseKey(raw.toString('hex')), raw);
    assert.throws(() => parseKey(randomBytes(16).toString('base64')), /32 bytes/);
  });
});
