import { describe, expect, it, vi } from 'vitest';
import { MAX_TIMER_MS } from '../../src/defaults.js';
import type { Clock, PollerOptions } from '../../src/index.js';
import { advance, useFakeClock } from '../support/clock.js';
import { type Respond, status } from '../support/fake-network.js';
import { fakePoller } from '../support/poller.js';

useFakeClock();

// Timers take at most 2^31-1 ms: a longer delay fires at once (browsers and Node alike; vitest's
// fake timers too). Long intervals, cooldowns and open breakers must chain, not storm.

const A = 'http://a.test';
const DAY = 86_400_000;

/** The default clock on the fake timers, recording the delay of every timer it arms. */
function countingClock() {
  const delays: number[] = [];
  const clock: Clock = {
    now: () => Date.now(),
    setTimeout: (callback, ms) => {
      delays.push(ms);
      return setTimeout(callback, ms);
    },
    clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  };
  return { clock, delays };
}

/** A poller on the counting clock (no request deadlines: only the scheduler arms timers). */
function setup(options: PollerOptions, respond?: Respond) {
  const { clock, delays } = countingClock();
  const env = fakePoller({ clock, timeout: false, ...options }, respond);
  return { ...env, delays };
}

describe('delays above 2^31-1 ms chain instead of firing at once', () => {
  it('documents the limit', () => {
    expect(MAX_TIMER_MS).toBe(2_147_483_647);
  });

  it('interval 3e9: nothing in the first 300 ms, one timer armed, the first poll at 3e9 exactly', async () => {
    const { poller, net, delays } = setup({});
    poller.poll(`${A}/x`, { interval: 3e9, immediate: false });
    await advance(300);
    expect(net.count()).toBe(0);
    expect(delays).toEqual([MAX_TIMER_MS]);
    await advance(3e9 - 300 - 1);
    expect(net.count()).toBe(0);
    await advance(1);
    expect(net.times()).toEqual([3e9]);
    // One wake at the limit, one for the rest, then the next period's first link.
    expect(delays).toEqual([MAX_TIMER_MS, 3e9 - MAX_TIMER_MS, MAX_TIMER_MS]);
  });

  it('a host policy interval of 3e9 after an immediate first poll: the second comes 3e9 later', async () => {
    const { poller, net, delays } = setup({ hosts: [{ match: 'a.test', interval: 3e9 }] });
    poller.poll(`${A}/x`);
    await advance(300);
    expect(net.times()).toEqual([0]);
    expect(delays).toHaveLength(2); // the immediate tick, then the first link of the wait
    await advance(3e9 - 300);
    expect(net.times()).toEqual([0, 3e9]);
  });

  it('a hidden interval of 3e9 while hidden: no storm, the hidden poll at 3e9', async () => {
    const { poller, net, delays, visibility } = setup({});
    visibility.set(false);
    poller.poll(`${A}/x`, { interval: 1000, hiddenInterval: 3e9, immediate: false });
    await advance(300);
    expect(delays).toEqual([MAX_TIMER_MS]);
    await advance(3e9 - 300);
    expect(net.times()).toEqual([3e9]);
  });

  it('a 30-day Retry-After under a 60-day maxMs: no storm, the next request 30 days later', async () => {
    const respond: Respond = ({ n }) =>
      n === 1 ? status(429, { 'retry-after': String((30 * DAY) / 1000) }) : Response.json({ n });
    const { poller, net, delays } = setup({ cooldown: { maxMs: 60 * DAY, jitter: 0 } }, respond);
    poller.poll(`${A}/x`, { interval: 1000 });
    await advance(300);
    expect(net.times()).toEqual([0]);
    // The tick after the 429, due at 1000, finds the origin cooling and waits in links.
    expect(delays).toEqual([0, 1000]);
    expect(poller.cooldownUntil(`${A}/x`)).toBe(Date.now() - 300 + 30 * DAY);
    await advance(30 * DAY - 300 - 1);
    expect(net.times()).toEqual([0]);
    await advance(1);
    expect(net.times()).toEqual([0, 30 * DAY]);
    expect(delays).toEqual([0, 1000, MAX_TIMER_MS, 30 * DAY - 1000 - MAX_TIMER_MS, 1000]);
  });

  it('a breaker open for 3e9 ms: no storm, the probe at 3e9 after it opened', async () => {
    const { poller, net, delays } = setup({ breaker: { openMs: 3e9 } }, () => status(500));
    poller.poll(`${A}/x`, { interval: 1000 });
    await advance(4300); // opens at the 5th failure, at 4000
    expect(net.times()).toEqual([0, 1000, 2000, 3000, 4000]);
    // Re-armed when the failure settled and when the breaker opened: each the first link.
    expect(delays).toEqual([0, 1000, 1000, 1000, 1000, 1000, MAX_TIMER_MS, MAX_TIMER_MS]);
    await advance(1000);
    expect(delays).toHaveLength(8);
    await advance(3e9 - 1300 - 1);
    expect(net.count()).toBe(5);
    await advance(1);
    expect(net.times().at(-1)).toBe(4000 + 3e9);
    expect(vi.getTimerCount()).toBe(1);
  });
});
