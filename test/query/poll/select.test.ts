import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { useFakeClock } from '../../support/clock.js';
import { fakePoller } from '../../support/poller.js';

useFakeClock();
const URL_A = 'http://a.test/status';

const Status = z.object({ count: z.number(), region: z.string() });

/** Answers `{ count: n, region: 'eu' }`: the count changes on every request, the region never. */
function statusServer() {
  let count = 0;
  return () => Response.json({ count: ++count, region: 'eu' });
}

describe('select per subscriber', () => {
  it('two subscribers with different selects on one URL see their own data; equal selected results do not notify', async () => {
    const { poller, net } = fakePoller({}, statusServer());
    const counts: number[] = [];
    const regions: unknown[] = [];
    const byCount = poller.poll(URL_A, {
      schema: Status,
      interval: 1000,
      select: (s) => s.count,
      onData: (c) => counts.push(c),
    });
    // A new object on every run, deep-equal each time.
    const byRegion = poller.poll(URL_A, {
      schema: Status,
      interval: 1000,
      select: (s) => ({ region: s.region }),
      onData: (r) => regions.push(r),
    });
    const countListener = vi.fn();
    const regionListener = vi.fn();
    byCount.subscribe(countListener);
    byRegion.subscribe(regionListener);

    await vi.advanceTimersByTimeAsync(0);
    const firstRegion = byRegion.getSnapshot();
    expect(byCount.getSnapshot()).toMatchObject({ status: 'success', data: 1 });
    expect(firstRegion).toMatchObject({ status: 'success', data: { region: 'eu' } });

    for (let tick = 1; tick <= 3; tick++) await vi.advanceTimersByTimeAsync(1000);
    expect(net.count()).toBe(4); // one request per tick for both
    expect(counts).toEqual([1, 2, 3, 4]);
    expect(countListener).toHaveBeenCalledTimes(4);
    expect(byCount.getSnapshot().data).toBe(4);

    expect(regions).toEqual([{ region: 'eu' }]);
    expect(regionListener).toHaveBeenCalledTimes(1);
    expect(byRegion.getSnapshot()).toBe(firstRegion);
  });

  it('a select that throws is an error for that subscriber only', async () => {
    const { poller, net } = fakePoller({}, statusServer());
    const broken = new Error('select broke');
    const fine = poller.poll(URL_A, { schema: Status, select: (s) => s.count });
    const failing = poller.poll(URL_A, {
      schema: Status,
      select: (): number => {
        throw broken;
      },
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(net.count()).toBe(1);
    expect(fine.getSnapshot()).toMatchObject({ status: 'success', data: 1 });
    expect(failing.getSnapshot()).toMatchObject({ status: 'error', error: broken });
  });
});
