import { describe, expect, it, vi } from 'vitest';
import type { Poller } from '../../src/index.js';
import { useFakeClock } from '../support/clock.js';
import type { FakeNetwork, Respond } from '../support/fake-network.js';
import { fakePoller } from '../support/poller.js';

useFakeClock();

const A = 'http://a.test';

/**
 * A rationed server: `quota` requests answer 200; after that every request answers
 * 429 `Retry-After: 10` until 10 s after the first refusal, when the quota refills.
 * Answers at once, unless `delayOf(path)` gives a delay (a fake timer).
 */
function rationedServer(quota: number, delayOf: (path: string) => number = () => 0): Respond {
  let left = quota;
  let refillAt: number | null = null;
  return ({ path, at, sleep }) => {
    if (refillAt !== null && at >= refillAt) {
      left = quota;
      refillAt = null;
    }
    let response: Response;
    if (left > 0) {
      left--;
      response = Response.json({ path });
    } else {
      refillAt ??= at + 10_000;
      response = Response.json({ path }, { status: 429, headers: { 'retry-after': '10' } });
    }
    const delay = delayOf(path);
    return delay === 0 ? response : sleep(delay).then(() => response);
  };
}

/** Paths requested in [from, to) ms since T0. */
const pathsBetween = (net: FakeNetwork, from: number, to: number) =>
  net.calls.filter((c) => c.at >= from && c.at < to).map((c) => c.path);

/**
 * `count` polls on a.test/0 … a.test/(count-1); counts data per path. Each successful run
 * returns new data (onData fires only on change), so onData counts deliveries.
 */
function pollMany(poller: Poller, count: number, interval: number) {
  const dataCount = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const url = `${A}/${i}`;
    const path = `/${i}`;
    let delivered = 0;
    poller.poll(
      async ({ fetch }) => {
        const response = await fetch(url);
        if (!response.ok) throw new Error(`status ${response.status}`);
        return { path, delivery: ++delivered };
      },
      {
        url,
        interval,
        onData: () => dataCount.set(path, (dataCount.get(path) ?? 0) + 1),
        onError: () => {},
      },
    );
  }
  return {
    /** Data deliveries per path, /0 … /(count-1). */
    counts: () => Array.from({ length: count }, (_, i) => dataCount.get(`/${i}`) ?? 0),
  };
}

const p = (...ids: number[]) => ids.map((id) => `/${id}`);

describe('origin lane fairness under a quota', () => {
  it('serves the least recently refreshed polls first: no poll starves across cooldown cycles', async () => {
    // 10 polls, 6 slots, 4 requests per 10 s window. With a first-come lane, /0…/3 would take
    // the quota every window and /4…/9 would never get data.
    // Cooldown cycles without pacing: a learned budget would space the polls instead
    // (test/pacing/ has that, stalest first too).
    const { poller, net } = fakePoller({ pacing: false }, rationedServer(4));
    const polls = pollMany(poller, 10, 1000);

    await vi.advanceTimersByTimeAsync(0);
    // Sweep 1 (t=0): subscription order; /4 and /5 get 429, the cooldown drains /6…/9.
    expect(pathsBetween(net, 0, 1)).toEqual(p(0, 1, 2, 3, 4, 5));
    expect(polls.counts()).toEqual([1, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
    expect(poller.stats().skipped.cooldown).toBe(4);
    expect(poller.cooldownUntil(`${A}/`)).toBe(Date.now() + 10_000);

    await vi.advanceTimersByTimeAsync(9999);
    expect(net.calls).toHaveLength(6); // nothing during the cooldown
    await vi.advanceTimersByTimeAsync(1); // t = 10000
    // Sweep 2: the polls that never got data first (/4 /5 failed, /6…/9 were drained), in
    // subscription order; /0…/3 (data at t=0) were queued behind them and are drained.
    expect(pathsBetween(net, 10_000, 10_001)).toEqual(p(4, 5, 6, 7, 8, 9));
    expect(polls.counts()).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 0, 0]);

    await vi.advanceTimersByTimeAsync(10_000); // t = 20000
    // Sweep 3: /8 /9 (no data yet), then the stalest: /0…/3 (data at t=0).
    expect(pathsBetween(net, 20_000, 20_001)).toEqual(p(8, 9, 0, 1, 2, 3));
    expect(polls.counts()).toEqual([2, 2, 1, 1, 1, 1, 1, 1, 1, 1]);

    await vi.advanceTimersByTimeAsync(10_000); // t = 30000
    // Sweep 4: /2 /3 (data at t=0), then /4…/7 (t=10000).
    expect(pathsBetween(net, 30_000, 30_001)).toEqual(p(2, 3, 4, 5, 6, 7));
    await vi.advanceTimersByTimeAsync(10_000); // t = 40000
    // Sweep 5: /6 /7 (t=10000), then the t=20000 group in subscription order: /0 /1 /8 /9.
    expect(pathsBetween(net, 40_000, 40_001)).toEqual(p(6, 7, 0, 1, 8, 9));
    expect(polls.counts()).toEqual([3, 3, 2, 2, 2, 2, 2, 2, 1, 1]);

    await vi.advanceTimersByTimeAsync(10_000); // t = 50000: /8 /9 are the stalest now
    expect(pathsBetween(net, 50_000, 50_001)).toEqual(p(8, 9, 2, 3, 4, 5));
    expect(polls.counts()).toEqual([3, 3, 3, 3, 2, 2, 2, 2, 2, 2]);
    expect(net.calls).toHaveLength(36); // 6 per sweep, never more
    expect(poller.stats().succeeded).toBe(24);
    expect(poller.stats().rateLimited).toBe(12);
  });

  it('orders a sweep by time of last data, not by subscription', async () => {
    // Later polls answer faster, so they hold the older data: /5 at t=10 … /0 at t=60.
    const { poller, net } = fakePoller(
      {},
      rationedServer(Number.POSITIVE_INFINITY, (path) => 70 - 10 * Number(path.slice(1))),
    );
    const polls = pollMany(poller, 6, 1000);
    await vi.advanceTimersByTimeAsync(0);
    expect(pathsBetween(net, 0, 1)).toEqual(p(0, 1, 2, 3, 4, 5));
    await vi.advanceTimersByTimeAsync(1000);
    expect(polls.counts()).toEqual([1, 1, 1, 1, 1, 1]);
    // Sweep 2 (t=1000): stalest data first.
    expect(pathsBetween(net, 1000, 1001)).toEqual(p(5, 4, 3, 2, 1, 0));
  });

  it('with one slot, each start picks the stalest poll', async () => {
    // Quota 3 per window, one request at a time, 10 ms per answer.
    const { poller, net } = fakePoller(
      { maxConcurrent: 1 },
      rationedServer(3, () => 10),
    );
    const polls = pollMany(poller, 5, 1000);
    await vi.advanceTimersByTimeAsync(100);
    // /0 /1 /2 get data at 10, 20, 30; /3 is refused (429 at 40): cooldown until 10 040.
    expect(net.calls.map((s) => [s.path, s.at])).toEqual([
      ['/0', 0],
      ['/1', 10],
      ['/2', 20],
      ['/3', 30],
    ]);
    await vi.advanceTimersByTimeAsync(9940); // t = 10040
    expect(net.calls).toHaveLength(5);
    await vi.advanceTimersByTimeAsync(100);
    // /3 /4 never got data; then /0 /1 /2 by age. The quota refilled at 10 030.
    expect(net.calls.slice(4).map((s) => [s.path, s.at])).toEqual([
      ['/3', 10_040],
      ['/4', 10_050],
      ['/0', 10_060],
      ['/1', 10_070],
    ]);
    expect(polls.counts()).toEqual([2, 1, 1, 1, 1]);
  });
});
