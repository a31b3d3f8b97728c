import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import {
  createOpenleanClient,
  verifyLeanSignature,
  verifyStandardWebhook,
  ProblemError,
  WebhookVerificationError,
  type OpenleanClient,
  type WebhookEventType,
} from '../../clients/typescript/src/index.ts';
import { WEBHOOK_EVENT_TYPES } from '../../src/webhooks/events.ts';
import { describeDialects } from '../helpers/dialects.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { startReceiver, type Received, type Receiver } from '../helpers/webhook-receiver.ts';

/**
 * The client's webhook operations and verification helpers against real deliveries: what the
 * server signs verifies with both schemes, anything altered or stale does not, and during a
 * secret rotation the old secret and the new one both verify.
 */
describeDialects('TypeScript client: webhooks', (dialect) => {
  let s: TestServer;
  let client: OpenleanClient;
  let receiver: Receiver;
  let secret: string;
  let customerId: string;

  before(async () => {
    s = await startTestServer({ dialect, env: { WEBHOOK_SECRET_GRACE_HOURS: '1' } });
    receiver = await startReceiver();
    client = createOpenleanClient({ baseUrl: s.url, clientId: s.app.client_id, clientSecret: s.app.client_secret });
    customerId = (await client.createCustomer('webhook-user')).customer_id;
  });
  after(async () => {
    await s.close();
    await receiver.close();
  });

  const now = () => s.server.ctx.now().getTime();
  const verifyBoth = (r: Pick<Received, 'headers' | 'body'>, key: string) => {
    const standard = verifyStandardWebhook({ secret: key, headers: r.headers, body: r.body, now });
    const lean = verifyLeanSignature({ secret: key, headers: r.headers, body: r.body });
    assert.deepEqual(standard, lean);
    return standard;
  };

  it('the client names exactly the event types the server sends', () => {
    // Both ways at compile time: each server type is a client one, and each client one a server one.
    const types: readonly WebhookEventType[] = WEBHOOK_EVENT_TYPES;
    const back: readonly (typeof WEBHOOK_EVENT_TYPES)[number][] = [...types] as WebhookEventType[];
    assert.deepEqual(back, WEBHOOK_EVENT_TYPES);
  });

  it('sets the endpoint, and real deliveries verify with both schemes', async () => {
    const endpoint = await client.setWebhookEndpoint(receiver.url);
    assert.equal(endpoint.url, receiver.url);
    secret = endpoint.secret!;
    assert.deepEqual({ ...(await client.getWebhookEndpoint()), secret: undefined }, { ...endpoint, secret: undefined });
    const entity = await client.createSandboxEntity({ customer_id: customerId });
    await receiver.waitFor((got) => got.some((r) => r.event.type === 'entity.data.refresh.updated' && r.event.payload.entity_id === entity.id && r.event.payload.status === 'FINISHED'));
    for (const r of receiver.received) {
      const event = verifyBoth(r, secret);
      assert.deepEqual(event, JSON.parse(r.body));
      assert.equal(event.event_id, r.headers['webhook-id']);
    }
    // A Fetch Headers object and a Uint8Array body verify the same.
    const r = receiver.received[0]!;
    const headers = new Headers(Object.entries(r.headers).map(([k, v]) => [k, String(v)]));
    assert.equal(verifyStandardWebhook({ secret, headers, body: new TextEncoder().encode(r.body), now }).event_id, r.event.event_id);
  });

  it('refuses an altered body, a wrong secret, a stale timestamp and missing headers', () => {
    const r = receiver.received[0]!;
    const refused = (f: () => unknown, why: RegExp) => assert.throws(f, (err: unknown) => err instanceof WebhookVerificationError && why.test(err.message));
    const altered = r.body.replace('"entity.', '"entity.x');
    refused(() => verifyStandardWebhook({ secret, headers: r.headers, body: altered, now }), /no webhook-signature matches/);
    refused(() => verifyLeanSignature({ secret, headers: r.headers, body: altered }), /does not match/);
    const other = `whsec_${Buffer.alloc(32, 1).toString('base64')}`;
    refused(() => verifyStandardWebhook({ secret: other, headers: r.headers, body: r.body, now }), /no webhook-signature matches/);
    refused(() => verifyLeanSignature({ secret: other, headers: r.headers, body: r.body }), /does not match/);
    refused(() => verifyStandardWebhook({ secret, headers: r.headers, body: r.body, now: () => now() + 301_000 }), /away from now/);
    refused(() => verifyStandardWebhook({ secret, headers: { ...r.headers, 'webhook-timestamp': undefined }, body: r.body, now }), /missing/);
    refused(() => verifyLeanSignature({ secret, headers: { ...r.headers, 'lean-signature': undefined }, body: r.body }), /missing/);
  });

  it('after a rotation the old and the new secret both verify; deliveries list and redeliver', async () => {
    const rotated = await client.rotateWebhookSecret();
    assert.notEqual(rotated.secret, secret);
    assert.ok(rotated.previous_secret_expires_at);
    const first = (await client.listWebhookDeliveries({ size: 1 })).items[0]!;
    const { event_id } = await client.redeliverWebhook(first.delivery_id);
    assert.equal(event_id, first.event_id);
    const count = receiver.received.length;
    await receiver.waitFor((got) => got.length > count && got.at(-1)!.event.event_id === event_id);
    const again = receiver.received.at(-1)!;
    assert.equal(verifyStandardWebhook({ secret: rotated.secret!, headers: again.headers, body: again.body, now }).event_id, event_id);
    assert.equal(verifyStandardWebhook({ secret, headers: again.headers, body: again.body, now }).event_id, event_id, 'the old secret, within its grace period');
    // Lean's header carries the current secret only.
    assert.equal(verifyLeanSignature({ secret: rotated.secret!, headers: again.headers, body: again.body }).event_id, event_id);
    const attempts = await client.listWebhookDeliveries({ event_id });
    assert.ok(attempts.items.every((d) => d.event_id === event_id));
    assert.equal(attempts.total, attempts.items.length);
  });

  it('deletes the endpoint', async () => {
    await client.deleteWebhookEndpoint();
    await assert.rejects(client.getWebhookEndpoint(), (err: any) => err instanceof ProblemError && err.code === 'NOT_FOUND');
  });
});
