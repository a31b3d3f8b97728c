import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { loadConfig } from '../../src/config.ts';
import { ConfigError } from '../../src/errors/config-error.ts';
import { timeOrderedId } from '../../src/domain/ids.ts';
import { blockedAddressReason } from '../../src/webhooks/address-policy.ts';
import { nextAttemptAt } from '../../src/webhooks/deliver.ts';
import { leanSignature, newSigningSecret, signatureHeaders, standardSignature } from '../../src/webhooks/signature.ts';
import { staticUrlProblem } from '../../src/webhooks/url-policy.ts';

describe('webhook signatures', () => {
  it('match the Standard Webhooks specification\'s example', () => {
    const signature = standardSignature('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}');
    assert.equal(signature, 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('verify with the standardwebhooks library under the current secret and, during a rotation, the previous one', () => {
    const [current, previous, stranger] = [newSigningSecret(), newSigningSecret(), newSigningSecret()];
    const body = JSON.stringify({ type: 'entity.created', payload: { entity_id: 'e' } });
    const headers = signatureHeaders({ id: 'evt-1', at: new Date(), body, secrets: [current, previous] });
    assert.equal(headers['webhook-signature']!.split(' ').length, 2);
    assert.deepEqual(new Webhook(current).verify(body, headers), JSON.parse(body));
    assert.deepEqual(new Webhook(previous).verify(body, headers), JSON.parse(body));
    assert.throws(() => new Webhook(stranger).verify(body, headers), /No matching signature/);
    assert.throws(() => new Webhook(current).verify(body.replace('"e"', '"f"'), headers), /No matching signature/);
    assert.throws(() => new Webhook(current).verify(body, { ...headers, 'webhook-id': 'evt-2' }), /No matching signature/);

    const alone = signatureHeaders({ id: 'evt-1', at: new Date(), body, secrets: [current] });
    assert.throws(() => new Webhook(previous).verify(body, alone), /No matching signature/);
  });

  it('put the attempt\'s unix seconds in webhook-timestamp', () => {
    const headers = signatureHeaders({ id: 'evt', at: new Date('2026-01-02T03:04:05.678Z'), body: '{}', secrets: [newSigningSecret()] });
    assert.equal(headers['webhook-timestamp'], String(Date.UTC(2026, 0, 2, 3, 4, 5) / 1000));
    assert.equal(headers['webhook-id'], 'evt');
  });

  it('lean-signature is sha512= and the base64 HMAC-SHA512 of the raw body keyed with the secret string, by the current secret', () => {
    const [current, previous] = [newSigningSecret(), newSigningSecret()];
    const body = '{"a":1}';
    const expected = `sha512=${createHmac('sha512', Buffer.from(current, 'utf8')).update(Buffer.from(body, 'utf8')).digest('base64')}`;
    assert.equal(leanSignature(current, body), expected);
    assert.equal(signatureHeaders({ id: 'x', at: new Date(), body, secrets: [current, previous] })['lean-signature'], expected);
  });

  it('secrets are whsec_ and 32 random bytes', () => {
    const a = newSigningSecret();
    assert.match(a, /^whsec_[A-Za-z0-9+/]{43}=$/);
    assert.equal(Buffer.from(a.slice(6), 'base64').length, 32);
    assert.notEqual(a, newSigningSecret());
  });
});

describe('webhook address policy', () => {
  it('names why an address may not be reached', () => {
    const cases: Array<[string, string | null]> = [
      ['127.0.0.1', 'loopback'],
      ['127.255.0.9', 'loopback'],
      ['10.0.0.1', 'private'],
      ['172.16.0.1', 'private'],
      ['172.31.255.255', 'private'],
      ['192.168.0.10', 'private'],
      ['169.254.169.254', 'link-local'],
      ['100.64.0.1', 'shared (CGNAT)'],
      ['100.127.255.255', 'shared (CGNAT)'],
      ['0.0.0.0', 'unspecified'],
      ['224.0.0.1', 'multicast'],
      ['255.255.255.255', 'reserved'],
      ['::', 'unspecified'],
      ['::1', 'loopback'],
      ['fc00::1', 'private'],
      ['fd12:3456::1', 'private'],
      ['fe80::1', 'link-local'],
      ['ff02::1', 'multicast'],
      ['::ffff:127.0.0.1', 'loopback'],
      ['::ffff:7f00:1', 'loopback'],
      ['::ffff:10.0.0.1', 'private'],
      ['::ffff:169.254.169.254', 'link-local'],
      ['::7f00:1', 'reserved'],
      ['8.8.8.8', null],
      ['172.32.0.1', null],
      ['100.128.0.1', null],
      ['93.184.215.14', null],
      ['::ffff:8.8.8.8', null],
      ['2001:4860:4860::8888', null],
    ];
    for (const [address, reason] of cases) assert.equal(blockedAddressReason(address), reason, address);
  });

  it('wants https and no credentials in production; sandbox allows plain http to localhost', () => {
    const problem = (url: string, mode: 'sandbox' | 'production') => staticUrlProblem(new URL(url), mode);
    assert.equal(problem('http://localhost:3000/hook', 'sandbox'), null);
    assert.equal(problem('http://127.0.0.1/hook', 'sandbox'), null);
    assert.match(problem('ftp://example.com/', 'sandbox')!, /http/);
    assert.match(problem('http://u:p@example.com/', 'sandbox')!, /credentials/);
    assert.match(problem('http://example.com/', 'production')!, /https/);
    assert.match(problem('https://[::ffff:10.1.1.1]/', 'production')!, /private/);
    assert.match(problem('https://0x7f.1/', 'production')!, /loopback/);
    assert.equal(problem('https://example.com/hook', 'production'), null, 'names are checked by resolving them');
  });
});

describe('webhook retries', () => {
  const schedule = [60_000, 120_000, 300_000];
  const t0 = new Date('2026-01-01T00:00:00Z');
  const at = (ms: number) => new Date(t0.getTime() + ms);

  it('come the schedule\'s offsets after the first attempt, then stop', () => {
    assert.deepEqual(nextAttemptAt(schedule, 1, t0, at(200)), at(60_000));
    assert.deepEqual(nextAttemptAt(schedule, 2, at(60_000), at(60_100)), at(120_000));
    assert.deepEqual(nextAttemptAt(schedule, 3, at(120_000), at(120_100)), at(300_000));
    assert.equal(nextAttemptAt(schedule, 4, at(300_000), at(300_100)), null);
  });

  it('never come before the attempt that failed has ended, and a late attempt delays the rest', () => {
    assert.deepEqual(nextAttemptAt([1], 1, t0, at(10_000)), at(10_000));
    assert.deepEqual(nextAttemptAt(schedule, 2, at(70_000), at(70_100)), at(130_000));
  });

  it('are configured as increasing offsets', () => {
    assert.deepEqual(loadConfig({}).webhooks, { timeoutMs: 10_000, retryScheduleMs: [60_000, 120_000, 300_000, 600_000, 3_600_000, 10_800_000], secretGraceHours: 24, retentionDays: 30 });
    assert.deepEqual(loadConfig({ WEBHOOK_RETRY_SCHEDULE_MS: '10, 20,30' }).webhooks.retryScheduleMs, [10, 20, 30]);
    for (const bad of ['20,10', '10,10', 'x', '0', '-5', '1.5']) {
      assert.throws(() => loadConfig({ WEBHOOK_RETRY_SCHEDULE_MS: bad }), ConfigError, bad);
    }
    assert.throws(() => loadConfig({ WEBHOOK_TIMEOUT_MS: '5' }), /WEBHOOK_TIMEOUT_MS/);
    assert.throws(() => loadConfig({ WEBHOOK_SECRET_GRACE_HOURS: '-1' }), /WEBHOOK_SECRET_GRACE_HOURS/);
  });

  it('keep events WEBHOOK_RETENTION_DAYS, which must outlast the retry schedule', () => {
    assert.equal(loadConfig({ WEBHOOK_RETENTION_DAYS: '1' }).webhooks.retentionDays, 1);
    assert.throws(() => loadConfig({ WEBHOOK_RETENTION_DAYS: '0' }), /WEBHOOK_RETENTION_DAYS must be an integer between 1 and 3650/);
    assert.throws(() => loadConfig({ WEBHOOK_RETENTION_DAYS: '2', WEBHOOK_RETRY_SCHEDULE_MS: '60000,172800000' }), /must outlast the last retry/);
    assert.equal(loadConfig({ WEBHOOK_RETENTION_DAYS: '3', WEBHOOK_RETRY_SCHEDULE_MS: '60000,172800000' }).webhooks.retentionDays, 3);
  });
});

describe('time-ordered ids', () => {
  it('are UUID version 7 and strictly increasing, within one millisecond and when the clock steps back', () => {
    const now = new Date('2026-03-04T05:06:07.890Z');
    const ids = [...Array.from({ length: 5000 }, () => timeOrderedId(now)), timeOrderedId(new Date(now.getTime() - 60_000))];
    for (const id of ids) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    for (let i = 1; i < ids.length; i++) assert.ok(ids[i - 1]! < ids[i]!, `${ids[i - 1]} < ${ids[i]}`);
    assert.equal(parseInt(ids[0]!.replace(/-/g, '').slice(0, 12), 16), now.getTime());
  });
});
