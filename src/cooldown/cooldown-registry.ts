import { evict } from '../core/evict.js';
import { parseRetryAfter } from './retry-after.js';

export interface CooldownSettings {
  /** Cooldown for a 429/503 without a readable Retry-After; doubles per consecutive strike. */
  defaultMs: number;
  /** Longest cooldown, whatever the server asks for. */
  maxMs: number;
  /** Fraction of the delay added at random (never subtracted), within `maxMs`. */
  jitter: number;
}

/** A cooldown that a response started or extended. */
export interface CooldownStart {
  origin: string;
  /** Epoch ms before which nothing is sent to the origin. */
  until: number;
  /** The delay the response asked for (or the default), before jitter. */
  delayMs: number;
  status: number;
  source: 'retry-after' | 'default';
  /** Consecutive rate-limit answers from this origin, this one included. */
  strikes: number;
}

interface OriginState {
  until: number;
  strikes: number;
}

interface HeaderReader {
  get(name: string): string | null;
}

/**
 * Per-origin 429/503 cooldowns, shared by every poll, wrapped fetch and batch of one poller.
 * Keyed by origin (scheme, host, port), so a response can only ever cool down its own origin.
 */
export class CooldownRegistry {
  readonly #origins = new Map<string, OriginState>();

  constructor(
    private readonly settings: CooldownSettings,
    private readonly random: () => number,
    private readonly maxOrigins: number,
  ) {}

  /** Epoch ms until which `origin` cools down; 0 when it never did. */
  until(origin: string): number {
    return this.#origins.get(origin)?.until ?? 0;
  }

  /** Feeds one response; returns the cooldown it started or extended, if any. */
  record(origin: string, status: number, headers: HeaderReader, now: number): CooldownStart | null {
    if (status === 429 || status === 503) return this.#strike(origin, status, headers, now);
    if (status >= 200 && status < 400) {
      const state = this.#origins.get(origin);
      if (state === undefined) return null;
      state.strikes = 0;
      if (state.until <= now) this.#origins.delete(origin);
    }
    return null;
  }

  #strike(origin: string, status: number, headers: HeaderReader, now: number): CooldownStart {
    const { defaultMs, maxMs, jitter } = this.settings;
    const state = this.#origins.get(origin) ?? { until: 0, strikes: 0 };
    // Answers to requests sent together arrive together: a 429 while the origin already cools
    // down is the same burst, not a new strike (5 parallel 429s must not mean 16x the wait).
    const strikes = state.until > now ? Math.max(state.strikes, 1) : state.strikes + 1;
    const fromHeader = parseRetryAfter(safeGet(headers, 'retry-after'), {
      now,
      date: safeGet(headers, 'date'),
      maxMs,
    });
    const delayMs = fromHeader ?? Math.min(maxMs, defaultMs * 2 ** Math.min(strikes - 1, 52));
    // Whole milliseconds, rounded up: a retry time the app can show, and never earlier. Jitter
    // spreads the retries of many tabs, but within maxMs: no cooldown outlasts the cap. It is
    // drawn once per episode: the other answers of one burst must not each draw and the longest
    // win (every window would start late).
    const spread = state.until > now ? 0 : this.random() * jitter * delayMs;
    const jittered = Math.ceil(now + delayMs + spread);
    const until = Math.min(jittered, Math.floor(now + maxMs));
    // Start or extend, never shorten: an earlier, longer cooldown still stands.
    state.until = Math.max(state.until, until);
    state.strikes = strikes;
    this.#origins.delete(origin);
    this.#origins.set(origin, state);
    this.#evict(now);
    const source = fromHeader === null ? 'default' : 'retry-after';
    return { origin, until: state.until, delayMs, status, source, strikes };
  }

  /** Keeps the map bounded: drops idle origins first, then the least recently struck. */
  #evict(now: number): void {
    evict(
      this.#origins,
      this.maxOrigins,
      (state) => state.until <= now,
      () => true,
    );
  }

  get size(): number {
    return this.#origins.size;
  }

  clear(): void {
    this.#origins.clear();
  }
}

// Headers#get throws on names it considers invalid in some polyfills; a header is data, not control.
function safeGet(headers: HeaderReader, name: string): string | null {
  try {
    return headers.get(name);
  } catch {
    return null;
  }
}
