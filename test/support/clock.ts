// The one clock of the tests: `T0`, vitest's fake timers for pollers on the default clock, and a
// manual clock for pollers that cross a real wire (the clock is injected, real I/O runs).
import { afterEach, beforeEach, expect, vi } from 'vitest';
import type { Clock } from '../../src/index.js';
import { runCleanups } from './cleanup.js';

/** The virtual epoch of every test: a whole second, so HTTP-dates built from it are exact. */
export const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

/** Ms since T0 on the fake clock. */
export const elapsed = () => Date.now() - T0;

/** Moves the fake clock forward, running due timers and the promise chains they start. */
export const advance = (ms: number) => vi.advanceTimersByTimeAsync(ms);

/**
 * Fake timers at T0 for every test of the file. After each test the cleanups run (pollers are
 * disposed, servers closed), and then no timer may be left behind.
 */
export function useFakeClock(): void {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(T0);
  });
  afterEach(async () => {
    await runCleanups();
    // Aborted requests settle in microtasks; their timers are cleared when they do.
    for (let i = 0; i < 20; i++) await Promise.resolve();
    expect(vi.getTimerCount(), 'timers left after the test').toBe(0);
    vi.useRealTimers();
  });
}

/** The real timers, captured at import so a test that fakes the globals cannot break waiting. */
const realSetTimeout = globalThis.setTimeout;
const realSetImmediate = globalThis.setImmediate;

/** One real macrotask: lets sockets, undici, body reads and promise chains make progress. */
export const realTick = () => new Promise<void>((resolve) => realSetImmediate(resolve));

/**
 * Polls `condition` on real time until it holds; rejects after `timeoutMs` with `what` in the
 * message. The only way tests in virtual time wait for real I/O.
 */
export async function waitFor(
  condition: () => boolean,
  what = 'condition',
  timeoutMs = 2000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`waitFor timed out after ${timeoutMs} ms: ${what}`);
    await new Promise<void>((resolve) => realSetTimeout(resolve, 2));
  }
}

interface Timer {
  id: number;
  at: number;
  callback: () => void;
}

export interface ManualClock extends Clock {
  /** Timers armed and not yet fired or cleared. */
  readonly pending: number;
  /** Due times (virtual epoch ms) of the pending timers, earliest first. */
  readonly dueTimes: number[];
  /** Virtual ms since the clock's start. */
  elapsed(): number;
  /**
   * Moves virtual time forward by `ms`, firing due timers in order (time, then arming order).
   * After each fired timer it awaits `settle` (real I/O started by the callback), so a timer
   * armed by a response is seen before later timers fire.
   */
  advance(ms: number): Promise<void>;
}

/**
 * A controllable clock for tests that cross a real wire: virtual `now()` from T0, timers that
 * fire only on `advance()`. `settle` is awaited after each fired timer and at the end of
 * `advance`; it defaults to a few real macrotasks, and tests pass a waitFor-style condition
 * (e.g. "every run started has settled") when real requests must finish before time moves on.
 */
export function manualClock(
  options: { start?: number; settle?: () => Promise<void> } = {},
): ManualClock {
  const start = options.start ?? T0;
  const settle =
    options.settle ??
    (async () => {
      for (let i = 0; i < 5; i++) await realTick();
    });
  let now = start;
  let nextId = 1;
  const timers = new Map<number, Timer>();

  const next = (limit: number): Timer | undefined => {
    let best: Timer | undefined;
    for (const timer of timers.values()) {
      if (timer.at > limit) continue;
      if (best === undefined || timer.at < best.at || (timer.at === best.at && timer.id < best.id))
        best = timer;
    }
    return best;
  };

  return {
    now: () => now,
    setTimeout(callback, ms) {
      const id = nextId++;
      const delay = Number.isFinite(ms) && ms > 0 ? ms : 0;
      timers.set(id, { id, at: now + delay, callback });
      return id;
    },
    clearTimeout(handle) {
      timers.delete(handle as number);
    },
    get pending() {
      return timers.size;
    },
    get dueTimes() {
      return [...timers.values()].map((t) => t.at).sort((a, b) => a - b);
    },
    elapsed: () => now - start,
    async advance(ms) {
      const target = now + ms;
      for (let timer = next(target); timer !== undefined; timer = next(target)) {
        timers.delete(timer.id);
        now = Math.max(now, timer.at);
        timer.callback();
        await settle();
      }
      now = target;
      await settle();
    },
  };
}

/** Differences between consecutive times. */
export function gaps(times: readonly number[]): number[] {
  return times.slice(1).map((t, i) => t - (times[i] as number));
}
