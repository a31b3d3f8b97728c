import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mock } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { eventually } from './eventually.ts';

export interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
  /** What the receiver answered; 0 when it did not. */
  status: number;
  /** Real time it arrived (ms). */
  at: number;
  /** The parsed body. */
  event: { event_id: string; type: string; message: string; timestamp: string; app_id: string; payload: Record<string, any> };
}

export interface Receiver {
  url: string;
  received: Received[];
  /** From now on, fails the first `n` requests of each webhook-id it has not seen yet: with 503, or by never answering. */
  failFirst(n: number, how?: 503 | 'stall'): void;
  /** Resolves once `done` holds for what was received; fails after `timeoutMs`. */
  waitFor(done: (received: Received[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** A webhook endpoint on 127.0.0.1 that records every request it gets. */
export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  const seen = new Map<string, number>();
  let failures = 0;
  let failure: 503 | 'stall' = 503;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const id = String(req.headers['webhook-id']);
      const count = (seen.get(id) ?? 0) + 1;
      seen.set(id, count);
      const status = count > failures ? 200 : failure === 503 ? 503 : 0;
      received.push({ headers: req.headers, body, status, at: Date.now(), event: JSON.parse(body) });
      if (status) res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    failFirst(n, how = 503) {
      failures = n;
      failure = how;
    },
    async waitFor(done, timeoutMs = 15_000) {
      await eventually('the receiver got what was expected', () => done(received), timeoutMs).catch((err: Error) => {
        throw new Error(`${err.message}; got ${received.map((r) => `${r.event.type}/${r.status}`).join(', ')}`);
      });
    },
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

/**
 * Verifies a delivery as a receiver would: with the Standard Webhooks library (its timestamp
 * tolerance judged at `nowMs`, the server's clock) and with a recomputed `lean-signature`.
 * Throws when either fails.
 */
export function verifyDelivery(r: Pick<Received, 'headers' | 'body'>, secret: string, nowMs = Date.now()): void {
  const headers = {
    'webhook-id': String(r.headers['webhook-id']),
    'webhook-timestamp': String(r.headers['webhook-timestamp']),
    'webhook-signature': String(r.headers['webhook-signature']),
  };
  mock.timers.enable({ apis: ['Date'], now: nowMs });
  try {
    new Webhook(secret).verify(r.body, headers);
  } finally {
    mock.timers.reset();
  }
  const lean = `sha512=${createHmac('sha512', secret).update(r.body).digest('base64')}`;
  if (r.headers['lean-signature'] !== lean) throw new Error(`lean-signature ${r.headers['lean-signature']} is not ${lean}`);
}
