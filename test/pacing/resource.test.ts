// Pacing of resource sweeps (src/resource/sweeper.ts): a sweep the budget holds stops and
// resumes when the budget allows, stalest key first; and no lane or resume timer outlives its
// poller or its subscribers.
import { describe, expect, it, vi } from 'vitest';
import { DEFAULTS, type Poller } from '../../src/index.js';
import { createResource } from '../../src/resource/index.js';
import { advance, useFakeClock } from '../support/clock.js';
import type { FakeNetwork } from '../support/fake-network.js';
import { fakePoller, held, NOTHING_HELD } from '../support/poller.js';
import { fixedWindow } from './fixed-window.js';

useFakeClock();

const A = 'http://a.test';
const B = 'http://b.test';
const { reserve } = DEFAULTS.pacing;
const KEYS = 20;

/** A resource of KEYS keys on A's item endpoint (no batch route), every `interval` ms. */
function subscribeKeys(poller: Poller, interval: number) {
  const items = createResource<string, unknown>(poller, {
    item: { url: (id) => `${A}/item/${id}` },
    interval,
  });
  const reads = new Map<string, number>();
  const subscriptions = [...Array(KEYS).keys()].map((i) =>
    items.subscribe(String(i), (snapshot) => {
      if (snapshot.data !== undefined) reads.set(String(i), (reads.get(String(i)) ?? 0) + 1);
    }),
  );
  return { reads, subscriptions };
}

/** 10 requests per 10 s window on every origin, announced in draft-11 headers on every answer. */
function pacedSetup() {
  const server = fixedWindow({ limit: 10, windowMs: 10_000, announce: 'draft-11' });
  const { poller, net } = fakePoller({ pacing: { ...DEFAULTS.pacing } }, server.respond);
  return { server, poller, net };
}

const itemPaths = (net: FakeNetwork) => net.paths(`${A}/item/`);

describe('a resource sweep paced by its origin budget', () => {
  it('held after its first request, it resumes when the budget allows: every key in the first interval, stalest first, no 429', async () => {
    const { server, poller, net } = pacedSetup();
    const { reads } = subscribeKeys(poller, 30_000);
    await advance(29_999);
    // One sweep at 0 for 20 keys; the budget lets one go, then the sweep resumes on its own
    // timer, key after key, well before the next tick (30 s).
    expect(itemPaths(net)).toEqual([...Array(KEYS).keys()].map((i) => `/item/${i}`));
    expect(reads.size).toBe(KEYS);
    const times = net.times(`${A}/item/`);
    expect(times[0]).toBe(0);
    expect(new Set(times).size).toBeGreaterThanOrEqual(10);
    expect(times.filter((t) => t % 30_000 === 0)).toEqual([0]);
    for (let window = 0; window < 3; window++) {
      expect(server.window(window).refused).toBe(0);
      expect(server.window(window).accepted).toBeLessThanOrEqual(10 - reserve);
    }
  });

  it('keys always due (interval 1 s): over 2 minutes every key is read as often as any other (±1), stalest first, no 429', async () => {
    const { server, poller, net } = pacedSetup();
    const { reads } = subscribeKeys(poller, 1000);
    await advance(120_000);
    expect(server.refused).toBe(0);
    for (let window = 0; window < 12; window++) {
      expect(server.window(window).accepted).toBeLessThanOrEqual(10 - reserve);
    }
    const counts = [...reads.values()];
    expect(counts).toHaveLength(KEYS);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    // Each read goes to a key read no later than any other (answers come at once).
    const lastRead = new Map<string, number>();
    for (const { path, at } of net.calls) {
      const stalest = Math.min(
        ...[...Array(KEYS).keys()].map(
          (i) => lastRead.get(`/item/${i}`) ?? Number.NEGATIVE_INFINITY,
        ),
      );
      expect(lastRead.get(path) ?? Number.NEGATIVE_INFINITY, `${path} at ${at}`).toBe(stalest);
      lastRead.set(path, at);
    }
  });

  // Keys a resumed sweep reads belong to the tick it carries on: stamped with the resumed
  // sweep's own time, only /item/0 and /1 were due at the 30 s tick and the other 18 waited for
  // 60 s with the budget idle (a paced sweep made its keys' period two intervals).
  it('a budget of 27 per interval for 20 keys: every key is read at least twice by 60 s', async () => {
    const { poller } = pacedSetup();
    const { reads } = subscribeKeys(poller, 30_000);
    await advance(60_000);
    const counts = [...reads.values()];
    expect(counts).toHaveLength(KEYS);
    for (const count of counts) expect(count).toBeGreaterThanOrEqual(2);
  });
});

describe('no pacing timer outlives its owner', () => {
  it('dispose() with a sweep waiting on its resume timer and polls waiting on their lane timer: 0 timers', async () => {
    const { poller } = pacedSetup();
    subscribeKeys(poller, 30_000);
    for (let i = 0; i < 20; i++) poller.poll(`${B}/${i}`, { interval: 1000 });
    await advance(5000);
    // The lane of B waits on its timer; the sweep's resume timer is not the scheduler's.
    expect(poller.inspect().paced).toBeGreaterThan(0);
    expect(vi.getTimerCount()).toBeGreaterThan(poller.inspect().timers);
    poller.dispose();
    expect(held(poller)).toEqual(NOTHING_HELD);
    expect(poller.inspect().timers).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('unsubscribing every key clears the resume timer; unsubscribing every poll clears the lane timer', async () => {
    const { poller, net } = pacedSetup();
    const { subscriptions } = subscribeKeys(poller, 30_000);
    await advance(5000);
    expect(vi.getTimerCount()).toBeGreaterThan(poller.inspect().timers);
    for (const subscription of subscriptions) subscription.unsubscribe();
    expect(vi.getTimerCount()).toBe(0);

    const polls = [...Array(20).keys()].map((i) => poller.poll(`${B}/${i}`, { interval: 1000 }));
    await advance(5000);
    expect(poller.inspect().paced).toBeGreaterThan(0);
    for (const poll of polls) poll.unsubscribe();
    expect(held(poller)).toEqual(NOTHING_HELD);
    expect(vi.getTimerCount()).toBe(0);
    const sent = net.count();
    await advance(60_000);
    expect(net.count()).toBe(sent);
  });
});
