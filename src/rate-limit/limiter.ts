import type { FastifyBaseLogger } from 'fastify';
import type { Store } from '../store/database.ts';
import { deleteWindowsBefore, exchangeHits } from '../store/rate-limits.ts';
import { runPeriodically } from '../jobs/periodic.ts';
import { FixedWindowCounter, type RateDecision } from './fixed-window.ts';

/** How often an API process on PostgreSQL trades its hits for everyone's. */
const EXCHANGE_MS = 250;
const WINDOW_MS = 60_000;

export interface RateLimiter {
  /** Counts a request of `key` and says whether it may proceed. Never waits. */
  hit(key: string): RateDecision;
  /** Trades this process's hits for the shared counts now rather than at the next tick. */
  exchange(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Requests per application per minute. In one process (SQLite) the counts are its own. On
 * PostgreSQL every API process decides locally and every 250 ms adds its hits to a shared row per
 * application and window and reads back every application's sum, so the limit holds for the
 * deployment, not per process: the overshoot is at most what the other processes admit within
 * one exchange (docs/decisions/009-rate-limits.md).
 */
export function createRateLimiter(options: { store: Store; perMinute: number; nowMs: () => number; log: FastifyBaseLogger }): RateLimiter {
  const counter = new FixedWindowCounter(options.perMinute, WINDOW_MS);
  let lastPrune = 0;

  const exchange = async () => {
    const now = options.nowMs();
    const window = counter.windowOf(now);
    const drained = counter.drain(now);
    let counts;
    try {
      counts = await exchangeHits(options.store.db, window, drained);
    } catch (err) {
      counter.restore(drained);
      options.log.warn({ err }, 'rate limit counts not shared this time');
      return;
    }
    counter.settle(counts);
    if (now - lastPrune > WINDOW_MS) {
      lastPrune = now;
      await deleteWindowsBefore(options.store.db, now - 2 * WINDOW_MS);
    }
  };
  // One process per SQLite file: its own counts are everyone's.
  const exchanges = options.store.dialect === 'postgres' ? runPeriodically(exchange, { everyMs: EXCHANGE_MS, onError: (err) => options.log.warn({ err }, 'rate limit exchange failed') }) : null;

  return {
    hit: (key) => counter.hit(key, options.nowMs()),
    async exchange() {
      await exchanges?.runNow();
    },
    async close() {
      await exchanges?.stop();
    },
  };
}
