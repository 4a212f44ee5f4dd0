import { describe, expect, it, vi } from 'vitest';
import { useFakeClock } from '../support/clock.js';
import type { FakeCall } from '../support/fake-network.js';
import { fakePoller } from '../support/poller.js';

useFakeClock();

const URL_A = 'http://a.test/x';

/**
 * A frozen or backgrounded page may never see the answer to a request it had in flight
 * (Chromium's Page Lifecycle freeze, mobile browsers dropping background sockets): such a run
 * must not hold its poll "in flight" after the page shows again.
 */
describe('a run in flight while the page was hidden', () => {
  it('is abandoned when the page shows again, and the poll runs at once', async () => {
    const calls: FakeCall[] = [];
    const env = fakePoller({ timeout: 10_000 }, (call) => {
      calls.push(call);
      return calls.length === 1 ? 'hang' : Response.json({ n: calls.length });
    });
    const { poller, net, visibility } = env;
    const data: unknown[] = [];
    const errors: unknown[] = [];
    poller.poll(URL_A, {
      interval: 1000,
      onData: (d) => data.push(d),
      onError: (e) => errors.push(e),
    });
    await vi.advanceTimersByTimeAsync(100);
    visibility.set(false); // t = 100: the request of t = 0 is still in flight
    await vi.advanceTimersByTimeAsync(1400);
    visibility.set(true); // t = 1500
    await vi.advanceTimersByTimeAsync(0);

    expect(net.times()).toEqual([0, 1500]);
    expect(calls[0]!.signal?.aborted).toBe(true);
    expect(data).toEqual([{ n: 2 }]);
    // Abandoned, not failed: no error, no backoff, nothing counted for the breaker.
    expect(errors).toEqual([]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(net.times()).toEqual([0, 1500, 2500]);
    expect(poller.stats().errors).toBe(0);
  });

  it('a run that answered while hidden is kept: no extra request on return', async () => {
    const env = fakePoller({}, async (call) => {
      await call.sleep(300);
      return Response.json({ at: call.at });
    });
    const { poller, net, visibility } = env;
    poller.poll(URL_A, { interval: 1000 });
    await vi.advanceTimersByTimeAsync(100);
    visibility.set(false);
    await vi.advanceTimersByTimeAsync(500); // answered at 300, while hidden
    visibility.set(true); // t = 600: not due before 1000
    await vi.advanceTimersByTimeAsync(399);
    expect(net.times()).toEqual([0]);
    await vi.advanceTimersByTimeAsync(1);
    expect(net.times()).toEqual([0, 1000]);
  });

  it('a run started while hidden (hiddenInterval) is not abandoned by the return', async () => {
    const calls: FakeCall[] = [];
    const env = fakePoller({}, async (call) => {
      calls.push(call);
      await call.sleep(500);
      return Response.json({ n: calls.length });
    });
    const { poller, net, visibility } = env;
    const data: unknown[] = [];
    visibility.set(false);
    poller.poll(URL_A, { interval: 1000, hiddenInterval: 2000, onData: (d) => data.push(d) });
    await vi.advanceTimersByTimeAsync(100); // started at 0, while hidden
    visibility.set(true);
    await vi.advanceTimersByTimeAsync(400);
    expect(net.times()).toEqual([0]);
    expect(calls[0]!.signal?.aborted).toBe(false);
    expect(data).toEqual([{ n: 1 }]);
  });
});
