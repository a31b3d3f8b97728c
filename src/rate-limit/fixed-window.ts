/** What one request learns about its key's window. */
export interface RateDecision {
  allowed: boolean;
  limit: number;
  /** Requests still allowed in this window after this one. */
  remaining: number;
  /** Milliseconds until the window ends and the count starts again. */
  resetMs: number;
}

/** A key's hits in one window: this process's to share, or everyone's as the shared store counts them. */
export interface WindowHits {
  key: string;
  /** Start of the window, ms since the epoch. */
  window: number;
  hits: number;
}

interface KeyState {
  window: number;
  /** Every process's hits, as of the last exchange with the shared store. */
  shared: number;
  /** This process's hits on their way to the shared store. */
  inflight: number;
  /** This process's hits since the last exchange began. */
  pending: number;
}

/**
 * Fixed-window request counting per key, windows aligned to the epoch so that every process
 * agrees where one ends. Decisions are local and synchronous; `drain` and `settle` trade this
 * process's hits for everyone's with a shared store, so across processes a key can overshoot its
 * limit by what the others admitted since their last exchange, never by more. Refused requests
 * do not count: a client that slows down gets through again when the window ends.
 */
export class FixedWindowCounter {
  readonly #keys = new Map<string, KeyState>();
  readonly limit: number;
  readonly windowMs: number;

  constructor(limit: number, windowMs: number) {
    this.limit = limit;
    this.windowMs = windowMs;
  }

  windowOf(nowMs: number): number {
    return nowMs - (nowMs % this.windowMs);
  }

  hit(key: string, nowMs: number): RateDecision {
    const state = this.#current(key, this.windowOf(nowMs));
    const used = state.shared + state.inflight + state.pending;
    // A clock stepped back leaves the key in a window that has not begun: its end is still at most a window away.
    const resetMs = Math.min(this.windowMs, state.window + this.windowMs - nowMs);
    if (used >= this.limit) return { allowed: false, limit: this.limit, remaining: 0, resetMs };
    state.pending++;
    return { allowed: true, limit: this.limit, remaining: this.limit - used - 1, resetMs };
  }

  /** Takes the hits not yet shared, of the window `nowMs` is in, and forgets keys of past windows. */
  drain(nowMs: number): WindowHits[] {
    const window = this.windowOf(nowMs);
    const out: WindowHits[] = [];
    for (const [key, state] of this.#keys) {
      if (state.window < window) this.#keys.delete(key);
      else if (state.pending > 0) {
        out.push({ key, window, hits: state.pending });
        state.inflight += state.pending;
        state.pending = 0;
      }
    }
    return out;
  }

  /**
   * The shared store's counts for a window, the drained hits included; keys this process has not
   * seen yet in the window start from them.
   */
  settle(counts: readonly WindowHits[]): void {
    for (const c of counts) {
      const state = this.#current(c.key, c.window);
      if (state.window !== c.window) continue;
      state.shared = Math.max(state.shared, c.hits);
      state.inflight = 0;
    }
  }

  /** Puts back drained hits whose exchange failed, so the next one carries them. */
  restore(drained: readonly WindowHits[]): void {
    for (const d of drained) {
      const state = this.#keys.get(d.key);
      if (state && state.window === d.window) {
        state.pending += state.inflight;
        state.inflight = 0;
      }
    }
  }

  /** The key's state in `window`, fresh if it had none or an older one's; a newer one is returned as is. */
  #current(key: string, window: number): KeyState {
    let state = this.#keys.get(key);
    if (!state || state.window < window) {
      state = { window, shared: 0, inflight: 0, pending: 0 };
      this.#keys.set(key, state);
    }
    return state;
  }
}
