import { describe, expect, it, vi } from 'vitest';
import type { PollTask } from '../../src/index.js';
import { elapsed, useFakeClock } from '../support/clock.js';
import { fakePoller } from '../support/poller.js';

useFakeClock();

const get =
  (url: string): PollTask<Response> =>
  ({ fetch }) =>
    fetch(url);

describe('hidden tab (hiddenInterval: false)', () => {
  it('sends 0 requests during 10 minutes hidden and parks without timers', async () => {
    const { poller, visibility, net } = fakePoller();
    const skips: unknown[] = [];
    poller.on('skip', (event) => skips.push(event));
    poller.poll(get('http://a.test/x'), { url: 'http://a.test/x', interval: 1000 });
    poller.poll(get('http://b.test/y'), { url: 'http://b.test/y', interval: 3000 });
    await vi.advanceTimersByTimeAsync(0);
    expect(net.count()).toBe(2);

    visibility.set(false);
    await vi.advanceTimersByTimeAsync(10 * 60_000);

    expect(net.count()).toBe(2);
    // Each group's already-armed timer fires once, finds the tab hidden, counts it, and parks.
    expect(poller.stats().skipped.hidden).toBe(2);
    expect(skips).toEqual([
      { origin: 'http://a.test', reason: 'hidden', count: 1 },
      { origin: 'http://b.test', reason: 'hidden', count: 1 },
    ]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('runs overdue polls within one 0 ms tick of becoming visible; others keep their schedule', async () => {
    const { poller, visibility, net } = fakePoller();
    poller.poll(get('http://a.test/fast'), { url: 'http://a.test/fast', interval: 1000 });
    poller.poll(get('http://a.test/slow'), { url: 'http://a.test/slow', interval: 60_000 });
    await vi.advanceTimersByTimeAsync(0);
    expect(net.times()).toEqual([0, 0]);

    visibility.set(false);
    await vi.advanceTimersByTimeAsync(5000);
    expect(net.times()).toEqual([0, 0]);

    visibility.set(true);
    expect(net.times('/fast')).toEqual([0]); // not synchronously inside the event
    await vi.advanceTimersByTimeAsync(0);
    expect(net.times('/fast')).toEqual([0, 5000]);
    expect(net.times('/slow')).toEqual([0]);

    await vi.advanceTimersByTimeAsync(60_000 - 5000 - 1);
    expect(net.times('/slow')).toEqual([0]);
    await vi.advanceTimersByTimeAsync(1);
    expect(net.times('/slow')).toEqual([0, 60_000]);
    // The fast poll resumed its 1 s cadence from the visible run.
    expect(net.times('/fast').slice(0, 4)).toEqual([0, 5000, 6000, 7000]);
  });

  it('reads visibility when the timer fires: hidden and shown again before the tick changes nothing', async () => {
    const { poller, visibility, net } = fakePoller();
    poller.poll(get('http://a.test/x'), { url: 'http://a.test/x', interval: 1000 });
    await vi.advanceTimersByTimeAsync(500);
    visibility.set(false);
    visibility.set(true);
    await vi.advanceTimersByTimeAsync(2500);
    expect(net.times()).toEqual([0, 1000, 2000, 3000]);
    expect(poller.stats().skipped.hidden).toBe(0);
  });
});

describe('hiddenInterval background polling', () => {
  it('sends exactly one request per 5 s while hidden; a sibling without it sends 0', async () => {
    const { poller, visibility, net } = fakePoller();
    poller.poll(get('http://a.test/bg'), {
      url: 'http://a.test/bg',
      interval: 1000,
      hiddenInterval: 5000,
    });
    poller.poll(get('http://a.test/fg'), { url: 'http://a.test/fg', interval: 1000 });
    await vi.advanceTimersByTimeAsync(0);
    visibility.set(false);

    await vi.advanceTimersByTimeAsync(30_000);
    expect(net.times('/bg')).toEqual([0, 5000, 10_000, 15_000, 20_000, 25_000, 30_000]);
    expect(net.times('/fg')).toEqual([0]);
  });

  it('takes hiddenInterval from the poller default and the host policy', async () => {
    const { poller, visibility, net } = fakePoller({
      hiddenInterval: 4000,
      hosts: [{ match: 'b.test', hiddenInterval: false }],
    });
    poller.poll(get('http://a.test/x'), { url: 'http://a.test/x', interval: 1000 });
    poller.poll(get('http://b.test/x'), { url: 'http://b.test/x', interval: 1000 });
    await vi.advanceTimersByTimeAsync(0);
    visibility.set(false);
    await vi.advanceTimersByTimeAsync(12_000);
    expect(net.times('a.test')).toEqual([0, 4000, 8000, 12_000]);
    expect(net.times('b.test')).toEqual([0]);
    expect(elapsed()).toBe(12_000);
  });
});
