import { describe, expect, it, vi } from 'vitest';
import { gaps, useFakeClock } from '../support/clock.js';
import { fakePoller } from '../support/poller.js';

useFakeClock();

describe('one timer per (origin, interval) group', () => {
  it('1,000 polls on one group keep at most 1 pending timer; one tick sends exactly 1,000 requests', async () => {
    const { poller, net } = fakePoller();
    for (let i = 0; i < 1000; i++) {
      const url = `http://a.test/item/${i}`;
      poller.poll(({ fetch }) => fetch(url), { url, interval: 1000 });
      expect(vi.getTimerCount()).toBeLessThanOrEqual(1);
    }
    expect(net.count()).toBe(0);

    await vi.advanceTimersByTimeAsync(0);
    expect(net.count()).toBe(1000);
    expect(new Set(net.calls.map((c) => c.url)).size).toBe(1000);
    expect(vi.getTimerCount()).toBeLessThanOrEqual(1);

    await vi.advanceTimersByTimeAsync(999);
    expect(net.count()).toBe(1000);
    await vi.advanceTimersByTimeAsync(1);
    expect(net.count()).toBe(2000);
    expect(vi.getTimerCount()).toBeLessThanOrEqual(1);
    expect(poller.stats().runs).toBe(2000);
  });

  it('with jitter, 1,000 settling polls do not re-arm the group timer once each (O(n) per tick)', async () => {
    const { poller, net } = fakePoller({ jitter: 0.1, random: () => 0.5, timeout: false });
    for (let i = 0; i < 1000; i++) {
      const url = `http://a.test/item/${i}`;
      poller.poll(({ fetch }) => fetch(url), { url, interval: 1000 });
    }
    await vi.advanceTimersByTimeAsync(0);
    const arm = vi.spyOn(globalThis, 'setTimeout');
    await vi.advanceTimersByTimeAsync(1050);
    expect(net.count()).toBe(2000);
    // One tick: the group timer is armed again once (a couple at most), not once per poll.
    expect(arm.mock.calls.length).toBeLessThanOrEqual(2);
  });

  it('separate origins or intervals get separate timers', async () => {
    const { poller } = fakePoller();
    const add = (url: string, interval: number) =>
      poller.poll(({ fetch }) => fetch(url), { url, interval });
    add('http://a.test/1', 1000);
    add('http://a.test/2', 1000);
    add('http://a.test/3', 2000);
    add('http://b.test/1', 1000);
    await vi.advanceTimersByTimeAsync(0);
    expect(vi.getTimerCount()).toBe(3);
  });
});

describe('interval jitter', () => {
  it('with jitter 0.1 and random 0.5, a 1000 ms poll ticks every 1050 ms exactly', async () => {
    const { poller, net } = fakePoller({ jitter: 0.1, random: () => 0.5, timeout: false });
    poller.poll(({ fetch }) => fetch('http://a.test/x'), {
      url: 'http://a.test/x',
      interval: 1000,
    });
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(5 * 1050);
    expect(net.times()).toEqual([0, 1050, 2100, 3150, 4200, 5250]);
    expect(gaps(net.times())).toEqual([1050, 1050, 1050, 1050, 1050]);
  });

  it('never ticks earlier than the interval, and at most interval·(1 + jitter) late', async () => {
    const values = [0, 0.999, 0.3, 0, 0.7, 0.01];
    let i = 0;
    const random = () => values[i++ % values.length] as number;
    const { poller, net } = fakePoller({ jitter: 0.2, random });
    poller.poll(({ fetch }) => fetch('http://a.test/x'), {
      url: 'http://a.test/x',
      interval: 1000,
    });
    await vi.advanceTimersByTimeAsync(20_000);
    const steps = gaps(net.times());
    expect(steps.length).toBeGreaterThanOrEqual(15);
    for (const step of steps) {
      expect(step).toBeGreaterThanOrEqual(1000);
      expect(step).toBeLessThanOrEqual(1200);
    }
    // The random values are really applied: on-time and late ticks both occur.
    expect(steps).toContain(1000);
    expect(steps.some((s) => s > 1000)).toBe(true);
  });

  it('draws the random lateness once per tick: gaps follow the random values in order', async () => {
    const values = [0, 0.5, 0.25, 0.75];
    let i = 0;
    const { poller, net } = fakePoller({
      jitter: 0.2,
      random: () => values[i++ % values.length] as number,
    });
    poller.poll(({ fetch }) => fetch('http://a.test/x'), {
      url: 'http://a.test/x',
      interval: 1000,
    });
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(1000 + 1100 + 1050 + 1150);
    expect(gaps(net.times())).toEqual([1000, 1100, 1050, 1150]);
  });

  it('with jitter 0 the ticks are exact whatever random returns', async () => {
    const { poller, net } = fakePoller({ jitter: 0, random: () => 0.9 });
    poller.poll(({ fetch }) => fetch('http://a.test/x'), { url: 'http://a.test/x', interval: 700 });
    await vi.advanceTimersByTimeAsync(2800);
    expect(net.times()).toEqual([0, 700, 1400, 2100, 2800]);
  });
});
