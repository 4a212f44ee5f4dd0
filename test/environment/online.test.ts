// Issue 8, item 17: `navigator.onLine` reads false while requests succeed (some webviews, VMs).
// A response proves the network is up; a `false` reported from the start is doubted until a
// request fails with no answer; a `false` that comes with an `offline` event parks polling as
// before. Fake timers, the fake network, a stubbed `navigator` and window events.
import { describe, expect, it, vi } from 'vitest';
import { answerAware } from '../../src/environment/online.js';
import { onCleanup } from '../support/cleanup.js';
import { advance, useFakeClock } from '../support/clock.js';
import { manualOnline } from '../support/fake-environment.js';
import { fakePoller } from '../support/poller.js';

useFakeClock();

const A = 'http://a.test';

/** `navigator.onLine` as `initial`; `set()` changes it and fires `online`/`offline` on window. */
function stubNavigator(initial: boolean) {
  const navigator = { onLine: initial };
  const events = new EventTarget();
  vi.stubGlobal('navigator', navigator);
  vi.stubGlobal('addEventListener', events.addEventListener.bind(events));
  vi.stubGlobal('removeEventListener', events.removeEventListener.bind(events));
  onCleanup(() => vi.unstubAllGlobals());
  return {
    set(online: boolean) {
      navigator.onLine = online;
      events.dispatchEvent(new Event(online ? 'online' : 'offline'));
    },
  };
}

/** A poller on the default online source (navigator.onLine) polling A every second. */
function polling(respond?: Parameters<typeof fakePoller>[1]) {
  const env = fakePoller({ online: undefined }, respond);
  const online: boolean[] = [];
  env.poller.on('online', (e) => online.push(e.online));
  env.poller.poll(`${A}/x`, { interval: 1000 });
  return { ...env, online };
}

describe('navigator.onLine stuck at false (item 17)', () => {
  it('false from the start while requests succeed: polling runs every interval', async () => {
    stubNavigator(false);
    const { poller, net, online } = polling();
    await advance(3000);
    expect(net.times()).toEqual([0, 1000, 2000, 3000]);
    expect(poller.stats().skipped.offline).toBe(0);
    expect(online).toEqual([]);
  });

  it('false from the start and offline for real: the first failure parks polling; `online` resumes it', async () => {
    const nav = stubNavigator(false);
    const { poller, net, online } = polling(() => new TypeError('fetch failed'));
    await advance(10_000);
    expect(net.times()).toEqual([0]);
    expect(poller.stats()).toMatchObject({ sent: 1, errors: 1 });
    expect(online).toEqual([false]);
    // A network error while offline says nothing of the host: its breaker heard nothing.
    expect(poller.inspect().breakerOrigins).toBe(0);
    net.respond = () => Response.json({ ok: true });
    nav.set(true);
    await advance(0);
    expect(net.times()).toEqual([0, 10_000]);
    await advance(1000);
    expect(net.times()).toEqual([0, 10_000, 11_000]);
    expect(online).toEqual([false, true]);
  });

  it('an `offline` event parks polling; a wrapped fetch that gets an answer resumes it at once', async () => {
    const nav = stubNavigator(true);
    const { poller, net, online } = polling();
    await advance(500);
    nav.set(false);
    await advance(4500); // t = 5000
    expect(net.times()).toEqual([0]);
    expect(poller.stats().skipped.offline).toBe(1);
    // navigator.onLine stays false; an answer proves the network is up.
    expect((await poller.wrapFetch()(`${A}/other`)).status).toBe(200);
    await advance(0);
    expect(net.times()).toEqual([0, 5000, 5000]);
    await advance(2000);
    expect(net.times('/x')).toEqual([0, 5000, 6000, 7000]);
    expect(online).toEqual([false, true]);
    // Until the next `offline` event, which parks again.
    nav.set(false);
    await advance(3000);
    expect(net.times('/x')).toEqual([0, 5000, 6000, 7000]);
    expect(online).toEqual([false, true, false]);
  });

  it('a 5xx is an answer too: the network is up', async () => {
    const nav = stubNavigator(true);
    const { net, poller } = polling();
    await advance(0);
    nav.set(false);
    net.respond = () => new Response('down', { status: 500 });
    expect((await poller.wrapFetch()(`${A}/other`)).status).toBe(500);
    net.respond = () => Response.json({ ok: true });
    await advance(1000);
    expect(net.times('/x')).toEqual([0, 1000]);
  });
});

describe('answerAware(source) for a source of your own', () => {
  it('the same rules: an answer overrides a `false` until the source turns offline again', async () => {
    const manual = manualOnline(true);
    const source = answerAware(manual.source);
    const { poller, net } = fakePoller({ online: source });
    poller.poll(`${A}/x`, { interval: 1000 });
    await advance(0);
    manual.set(false);
    await advance(3000);
    expect(net.times()).toEqual([0]);
    await poller.wrapFetch()(`${A}/other`);
    await advance(0);
    expect(net.times('/x')).toEqual([0, 3000]);
    expect(source.isOnline()).toBe(true);
    manual.set(true);
    manual.set(false);
    expect(source.isOnline()).toBe(false);
  });

  it('a plain source is trusted as it is: its `false` parks polling, answers or not', async () => {
    const { poller, net, online } = fakePoller();
    poller.poll(`${A}/x`, { interval: 1000 });
    await advance(0);
    online.set(false);
    await poller.wrapFetch()(`${A}/other`);
    await advance(3000);
    expect(net.times('/x')).toEqual([0]);
  });
});
