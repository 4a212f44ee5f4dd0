import { describe, expect, it, vi } from 'vitest';
import { useFakeClock } from '../support/clock.js';
import { fakePoller } from '../support/poller.js';

useFakeClock();

const URL_A = 'http://a.test/x';

function pollA(env: ReturnType<typeof fakePoller>, interval = 1000) {
  return env.poller.poll(({ fetch }) => fetch(URL_A), { url: URL_A, interval });
}

describe('online / offline', () => {
  it('offline parks polling (0 requests); online runs the overdue poll at once', async () => {
    const env = fakePoller();
    const { poller, online, net } = env;
    const seen: unknown[] = [];
    poller.on('online', (e) => seen.push(e));
    pollA(env);
    await vi.advanceTimersByTimeAsync(100);
    online.set(false);
    await vi.advanceTimersByTimeAsync(9900); // t = 10000
    expect(net.times()).toEqual([0]);
    // The armed tick at 1000 found the network offline, counted the due poll, and parked.
    expect(poller.stats().skipped.offline).toBe(1);
    expect(vi.getTimerCount()).toBe(0);

    online.set(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(net.times()).toEqual([0, 10_000]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(net.times()).toEqual([0, 10_000, 11_000]);
    expect(seen).toEqual([{ online: false }, { online: true }]);
  });

  it('a poll created while offline sends nothing until online', async () => {
    const env = fakePoller();
    env.online.set(false);
    pollA(env);
    await vi.advanceTimersByTimeAsync(5000);
    expect(env.net.count()).toBe(0);
    env.online.set(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(env.net.times()).toEqual([5000]);
  });

  it('coming back online before the next due time keeps the schedule', async () => {
    const env = fakePoller();
    pollA(env, 10_000);
    await vi.advanceTimersByTimeAsync(1000);
    env.online.set(false);
    await vi.advanceTimersByTimeAsync(1000);
    env.online.set(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(env.net.times()).toEqual([0]);
    await vi.advanceTimersByTimeAsync(8000);
    expect(env.net.times()).toEqual([0, 10_000]);
  });
});

describe('pause / resume', () => {
  it('pause sends nothing and clears timers; resume runs overdue polls at once', async () => {
    const env = fakePoller();
    const { poller, net } = env;
    pollA(env);
    await vi.advanceTimersByTimeAsync(100);
    expect(poller.paused).toBe(false);
    poller.pause();
    expect(poller.paused).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(net.times()).toEqual([0]);

    poller.resume();
    expect(poller.paused).toBe(false);
    await vi.advanceTimersByTimeAsync(0);
    expect(net.times()).toEqual([0, 10_100]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(net.times()).toEqual([0, 10_100, 11_100]);
  });

  it('resume before the next due time keeps the schedule', async () => {
    const env = fakePoller();
    pollA(env);
    await vi.advanceTimersByTimeAsync(100);
    env.poller.pause();
    await vi.advanceTimersByTimeAsync(400);
    env.poller.resume();
    await vi.advanceTimersByTimeAsync(0);
    expect(env.net.times()).toEqual([0]);
    await vi.advanceTimersByTimeAsync(499);
    expect(env.net.times()).toEqual([0]);
    await vi.advanceTimersByTimeAsync(1);
    expect(env.net.times()).toEqual([0, 1000]);
  });

  it('polls added while paused wait for resume; becoming visible does not unpause', async () => {
    const env = fakePoller();
    env.poller.pause();
    pollA(env);
    env.visibility.set(false);
    env.visibility.set(true);
    env.online.set(false);
    env.online.set(true);
    expect(vi.getTimerCount()).toBe(0); // nothing armed while paused
    await vi.advanceTimersByTimeAsync(3000);
    expect(env.net.count()).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    env.poller.resume();
    await vi.advanceTimersByTimeAsync(0);
    expect(env.net.times()).toEqual([3000]);
  });
});
