// @vitest-environment happy-dom
// PollerProvider and usePoller (src/react/poller-context.ts): the hooks use the provider's
// poller unless given one, and throw the adapter's error when there is neither.
import { createElement as h } from 'react';
import { describe, expect, it, vi } from 'vitest';
import type { Poller } from '../../src/index.js';
import { usePoller } from '../../src/react/index.js';
import { useFakeClock } from '../support/clock.js';
import { fakePoller } from '../support/poller.js';
import { thrownBy } from '../support/promises.js';
import { A, countedPolls, Feed, flush, mount, provided } from './harness.js';

// biome-ignore lint/correctness/useHookAtTopLevel: vitest's fake timers per test, no React hook
useFakeClock();

function Bare() {
  usePoller();
  return null;
}

const feed = (poller?: Poller) => h(Feed, { url: `${A}/feed`, ...(poller ? { poller } : {}) });

describe('which poller the hooks use', () => {
  it('without a provider or a poller option the hooks throw "pollwise/react: no poller"', () => {
    vi.spyOn(console, 'error').mockImplementation(() => {}); // React reports the error too
    const error = thrownBy(() => mount(feed()));
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe('pollwise/react: no poller');
    expect((thrownBy(() => mount(h(Bare))) as Error).message).toBe('pollwise/react: no poller');
  });

  it('the provider’s poller when no poller option is given', async () => {
    const { poller, net } = fakePoller();
    const view = mount(provided(poller, feed()));
    await flush(0);
    expect(net.calls).toHaveLength(1);
    expect(view.container.textContent).toBe('{"ok":true}');
  });

  it('the poller option wins over the provider’s, and is not passed on to poll()', async () => {
    const outer = fakePoller();
    const inner = fakePoller();
    const counted = countedPolls(inner.poller);
    const options: unknown[] = [];
    const spy = Object.create(counted.poller, {
      poll: {
        value: (target: string, given: unknown) => {
          options.push(given);
          return counted.poller.poll(target, given as never);
        },
      },
    }) as Poller;
    const view = mount(provided(outer.poller, feed(spy)));
    await flush(0);
    expect(inner.net.calls).toHaveLength(1);
    expect(outer.net.calls).toHaveLength(0);
    // The callbacks go as live wrappers; the poller option does not go at all.
    expect(options).toEqual([
      { interval: 1000, onData: expect.any(Function), onError: expect.any(Function) },
    ]);
    expect(counted.counts).toMatchObject({ calls: 1, open: 1 });
    expect(view.container.textContent).toBe('{"ok":true}');
  });

  it('the poller option works without a provider; changing it moves the poll to the new poller', async () => {
    const first = fakePoller();
    const second = fakePoller();
    const view = mount(feed(first.poller));
    await flush(0);
    await flush(1000);
    view.rerender(feed(second.poller));
    await flush(0);
    await flush(1000);
    expect(first.net.times()).toEqual([0, 1000]);
    expect(second.net.times()).toEqual([1000, 2000]);
    expect(first.poller.inspect().entries).toBe(0);
    expect(second.poller.inspect().entries).toBe(1);
  });
});
