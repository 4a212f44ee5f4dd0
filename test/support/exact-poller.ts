import { afterEach, beforeEach, expect, vi } from 'vitest';
import type { Poller } from '../../src/index.js';

/** Poller options that make timing exact: no jitter anywhere, no visibility or online gating. */
export const EXACT_TIMING = {
  visibility: false,
  online: false,
  jitter: 0,
  random: () => 0,
  cooldown: { jitter: 0 },
} as const;

/**
 * Fake timers starting at `t0` for every test of the file. Pollers passed to the returned
 * `track()` are disposed after each test, which must then leave no timer behind.
 */
export function useFakeClockWithPollers(t0: number): (poller: Poller) => Poller {
  let active: Poller[] = [];
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(t0);
  });
  afterEach(async () => {
    for (const poller of active) poller.dispose();
    active = [];
    // Aborted requests settle in microtasks; ky clears its timeout timer when they do.
    for (let i = 0; i < 20; i++) await Promise.resolve();
    expect(vi.getTimerCount()).toBe(0);
    vi.useRealTimers();
  });
  return (poller) => {
    active.push(poller);
    return poller;
  };
}
