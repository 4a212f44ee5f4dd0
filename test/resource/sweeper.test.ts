// When a key group's sweeps happen, on the fake clock: a sweep that starts late costs no interval.
import { describe, expect, it, vi } from 'vitest';
import type { Clock } from '../../src/index.js';
import { createResource } from '../../src/resource/index.js';
import { T0, useFakeClock } from '../support/clock.js';
import { settle } from '../support/fake-network.js';
import { API, apiResource, type FakeApi, setup } from './harness.js';

useFakeClock();

/** A tab busy until `busyUntil` (ms since T0): the system clock, whose timers fire no sooner. */
const busyClock = (busyUntil: number): Clock => ({
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, Math.max(ms, T0 + busyUntil - Date.now())),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
});

/** Times (ms since T0) of the batch requests, after `ms` more of fake time. */
async function batchTimes(api: FakeApi, ms: number): Promise<number[]> {
  await vi.advanceTimersByTimeAsync(ms);
  await settle();
  return api.batches().map((r) => r.at);
}

describe('a key group whose first sweep starts late (interval 1000, slack 20 ms)', () => {
  it('its lane is busy for 100 ms (maxConcurrent 1): read at 100, then every 1000 from there', async () => {
    const { api, poller } = setup({ maxConcurrent: 1 });
    api.fill(['a']);
    const respond = api.net.respond;
    api.net.respond = async (call) => {
      if (call.path !== '/slow') return respond(call);
      await call.sleep(100);
      return Response.json({ ok: true });
    };
    poller.poll(`${API}/slow`, { interval: 60_000 }); // holds the origin's one slot until 100
    const resource = createResource(poller, apiResource());
    resource.subscribe('a', vi.fn());
    expect(await batchTimes(api, 2150)).toEqual([100, 1100, 2100]);
  });

  it('the tab is busy for its first 50 ms (timers fire no sooner): read at 50, then at 1050 and 2050', async () => {
    const { api, poller } = setup({ clock: busyClock(50) });
    api.fill(['a']);
    const resource = createResource(poller, apiResource());
    resource.subscribe('a', vi.fn());
    expect(await batchTimes(api, 2100)).toEqual([50, 1050, 2050]);
  });

  it('hidden for 100 ms when subscribed (its group parked): read at 100, then at 1100 and 2100', async () => {
    const { api, poller, visibility } = setup();
    api.fill(['a']);
    const resource = createResource(poller, apiResource());
    visibility.set(false);
    resource.subscribe('a', vi.fn());
    await vi.advanceTimersByTimeAsync(100);
    visibility.set(true);
    expect(await batchTimes(api, 2050)).toEqual([100, 1100, 2100]);
  });
});

describe('a slow first sweep: 15 ms pass at each reading of the clock until its request goes out', () => {
  it("the key is still read on the group's next tick", async () => {
    let slow = false;
    const clock: Clock = {
      now: () => {
        if (slow) vi.setSystemTime(Date.now() + 15);
        return Date.now();
      },
      setTimeout: (callback, ms) => setTimeout(callback, ms),
      clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    };
    const { api, poller } = setup({ clock });
    api.fill(['a']);
    const respond = api.net.respond;
    api.net.respond = (call) => {
      slow = false;
      return respond(call);
    };
    const resource = createResource(poller, apiResource());
    resource.subscribe('a', vi.fn());
    slow = true;
    // The scheduler's period began at its reading (90), 135 ms before the sweep's stamp (225):
    // the origin's budget is asked (and the clock read) before the request goes out.
    expect(await batchTimes(api, 3000)).toEqual([225, 1090, 2090, 3090]);
  });
});

describe('a run that is no tick', () => {
  it('a sweep abandoned by a freeze reruns at once for the key it hung on, not for the key it read', async () => {
    const { api, poller, visibility } = setup();
    api.fill(['a', 'b']);
    const respond = api.net.respond;
    api.net.respond = (call) =>
      call.path === '/items/b' && call.at === 0 ? 'hang' : respond(call);
    const resource = createResource(poller, apiResource({ batch: undefined }));
    resource.subscribe('a', vi.fn());
    resource.subscribe('b', vi.fn());
    await settle();
    await vi.advanceTimersByTimeAsync(50);
    visibility.set(false); // b is still in flight: the page froze with it
    await vi.advanceTimersByTimeAsync(50);
    visibility.set(true); // the sweep is abandoned, its poll runs at once
    await settle();
    await vi.advanceTimersByTimeAsync(1000);
    await settle();
    expect(api.items().map((r) => [r.at, r.keys[0]])).toEqual([
      [0, 'a'],
      [0, 'b'],
      [100, 'b'],
      [1100, 'a'],
      [1100, 'b'],
    ]);
  });
});
