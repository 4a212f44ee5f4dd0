/**
 * How the simulated server counts a client's requests:
 * - `rolling`: the last `windowMs` before each request (a slot frees when its request ages out);
 * - `fixed`: windows [k·W, (k+1)·W) of virtual time; the whole budget returns at each boundary.
 */
export type WindowMode = 'rolling' | 'fixed';

/** The limiter's answer to one request. */
export interface Admission {
  accepted: boolean;
  /** Requests still allowed in the window after this one (0 when refused). */
  remaining: number;
  /**
   * Whole seconds, rounded up, until the budget frees: the window end (fixed), or until the
   * oldest counted request leaves (rolling). At least 1.
   */
  resetSeconds: number;
  /**
   * Virtual time the budget frees: the fixed window's end, or when the oldest counted request
   * leaves the rolling window.
   */
  resetAt: number;
}

export interface RateLimiterOptions {
  limit: number;
  windowMs: number;
  mode: WindowMode;
}

/** Accepted request times of one client: a queue, oldest first, from `head` on (rolling). */
interface RollingState {
  times: number[];
  head: number;
}

/** The current fixed window of one client and what it admitted in it. */
interface FixedState {
  index: number;
  count: number;
}

/**
 * Per-client request budget. Refused requests do not use it up. Time only moves forward: each
 * call's `now` is at least the previous one's.
 */
export class RateLimiter {
  readonly #rolling = new Map<string, RollingState>();
  readonly #fixed = new Map<string, FixedState>();

  constructor(readonly options: RateLimiterOptions) {}

  /** Decides one request arriving at `now`, and charges it when accepted. */
  admit(client: string, now: number): Admission {
    return this.options.mode === 'fixed'
      ? this.#admitFixed(client, now)
      : this.#admitRolling(client, now);
  }

  /** Whole seconds until a request would be accepted (at least 1), or 0 when one would be now. */
  retryAfterSeconds(client: string, now: number): number {
    const { limit, windowMs, mode } = this.options;
    if (mode === 'fixed') {
      const state = this.#fixedState(client, now);
      return state.count < limit ? 0 : wholeSeconds((state.index + 1) * windowMs - now);
    }
    const state = this.#rollingState(client, now);
    if (state.times.length - state.head < limit) return 0;
    return wholeSeconds(state.times[state.head]! + windowMs - now);
  }

  #admitFixed(client: string, now: number): Admission {
    const { limit, windowMs } = this.options;
    const state = this.#fixedState(client, now);
    const resetAt = (state.index + 1) * windowMs;
    const accepted = state.count < limit;
    if (accepted) state.count++;
    return {
      accepted,
      remaining: limit - state.count,
      resetSeconds: wholeSeconds(resetAt - now),
      resetAt,
    };
  }

  #admitRolling(client: string, now: number): Admission {
    const { limit, windowMs } = this.options;
    const state = this.#rollingState(client, now);
    const accepted = state.times.length - state.head < limit;
    if (accepted) state.times.push(now);
    // With nothing counted (a limit of 0), the window is a full one from now.
    const resetAt = (state.times[state.head] ?? now) + windowMs;
    const used = state.times.length - state.head;
    return {
      accepted,
      remaining: limit - used,
      resetSeconds: wholeSeconds(resetAt - now),
      resetAt,
    };
  }

  #fixedState(client: string, now: number): FixedState {
    const index = Math.floor(now / this.options.windowMs);
    let state = this.#fixed.get(client);
    if (state === undefined) {
      state = { index, count: 0 };
      this.#fixed.set(client, state);
    } else if (state.index !== index) {
      state.index = index;
      state.count = 0;
    }
    return state;
  }

  /** The client's accepted requests still inside the rolling window ending at `now`. */
  #rollingState(client: string, now: number): RollingState {
    let state = this.#rolling.get(client);
    if (state === undefined) {
      state = { times: [], head: 0 };
      this.#rolling.set(client, state);
    }
    const { times } = state;
    const { windowMs } = this.options;
    while (state.head < times.length && times[state.head]! + windowMs <= now) state.head++;
    if (state.head > 1024 && state.head * 2 > times.length) {
      times.splice(0, state.head);
      state.head = 0;
    }
    return state;
  }
}

/** Milliseconds as whole seconds, rounded up, at least 1 (what Retry-After and `t` carry). */
function wholeSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}
