// @vitest-environment happy-dom
// useSource (src/react/use-source.ts): the source opens when the component subscribes, survives
// StrictMode's unmount-and-mount-again (closed a microtask after its last listener left), and
// closes on unmount, aborting the request under way.
import { act } from '@testing-library/react';
import { createElement as h, StrictMode } from 'react';
import { hydrateRoot } from 'react-dom/client';
import { renderToString } from 'react-dom/server';
import { describe, expect, it, vi } from 'vitest';
import { onCleanup } from '../support/cleanup.js';
import { useFakeClock } from '../support/clock.js';
import { fakePoller, held, NOTHING_HELD } from '../support/poller.js';
import {
  A,
  countedPolls,
  Feed,
  flush,
  microtasks,
  mount,
  provided,
  type Render,
  statuses,
} from './harness.js';

// biome-ignore lint/correctness/useHookAtTopLevel: vitest's fake timers per test, no React hook
useFakeClock();

const feed = (log?: Render[]) => h(Feed, { url: `${A}/feed`, ...(log ? { log } : {}) });

describe('StrictMode', () => {
  it('its double mount sends exactly one request and leaves one subscription', async () => {
    const { poller: real, net } = fakePoller({}, () => Response.json({ v: 1 }));
    const { poller, counts } = countedPolls(real);
    const view = mount(h(StrictMode, null, provided(poller, feed())));
    await microtasks();
    expect(counts).toMatchObject({ calls: 1, open: 1 });
    await flush(0);
    expect(net.calls).toHaveLength(1);
    expect(view.container.textContent).toBe('{"v":1}');
    await flush(1000);
    expect(net.times()).toEqual([0, 1000]);
    expect(counts).toMatchObject({ calls: 1, open: 1 });
    expect(real.inspect()).toMatchObject({ entries: 1, sharedPolls: 1 });
  });

  it('a new URL under StrictMode: one subscription to the new URL, the old one closed', async () => {
    const { poller: real, net } = fakePoller({}, (call) => Response.json({ path: call.path }));
    const { poller, counts } = countedPolls(real);
    const view = mount(h(StrictMode, null, provided(poller, h(Feed, { url: `${A}/a` }))));
    await flush(0);
    view.rerender(h(StrictMode, null, provided(poller, h(Feed, { url: `${A}/b` }))));
    await microtasks();
    expect(counts).toMatchObject({ calls: 2, open: 1, targets: [`${A}/a`, `${A}/b`] });
    await flush(0);
    expect(net.paths()).toEqual(['/a', '/b']);
    expect(view.container.textContent).toBe('{"path":"/b"}');
  });
});

describe('unmount', () => {
  it('unsubscribes a microtask later: nothing held, nothing sent after', async () => {
    const { poller: real, net } = fakePoller({}, () => Response.json({ v: 1 }));
    const { poller, counts } = countedPolls(real);
    const view = mount(provided(poller, feed()));
    await flush(0);
    view.unmount();
    // Closed a microtask later (so that StrictMode's remount can take the source back).
    expect(real.inspect().entries).toBe(1);
    await microtasks();
    expect(held(real)).toEqual(NOTHING_HELD);
    expect(counts.open).toBe(0);
    await flush(5000);
    expect(net.calls).toHaveLength(1);
  });

  it('aborts the request in flight', async () => {
    const { poller, net } = fakePoller({}, () => 'hang');
    const view = mount(provided(poller, feed()));
    await flush(0);
    expect(net.inFlight).toBe(1);
    view.unmount();
    await microtasks();
    expect(net.calls[0]?.signal?.aborted).toBe(true);
    expect(net.inFlight).toBe(0);
    expect(held(poller)).toEqual(NOTHING_HELD);
  });

  it('of one of two components on one URL: the other keeps the poll, one request per tick', async () => {
    const { poller: real, net } = fakePoller({}, () => Response.json({ v: 1 }));
    const { poller, counts } = countedPolls(real);
    const one = h(Feed, { key: 'one', url: `${A}/feed` });
    const two = h(Feed, { key: 'two', url: `${A}/feed` });
    const view = mount(provided(poller, one, two));
    await flush(0);
    await flush(1000);
    expect(net.times()).toEqual([0, 1000]);
    view.rerender(provided(poller, two));
    await microtasks();
    expect(counts).toMatchObject({ calls: 2, open: 1 });
    await flush(2000);
    expect(net.times()).toEqual([0, 1000, 2000, 3000]);
    expect(view.container.textContent).toBe('{"v":1}');
  });
});

describe('hydration', () => {
  it('hydrates the server’s pending HTML without a mismatch, then polls once', async () => {
    const errors = vi.spyOn(console, 'error');
    const { poller: real, net } = fakePoller({}, () => Response.json({ v: 1 }));
    const { poller, counts } = countedPolls(real);
    const log: Render[] = [];
    const container = document.createElement('div');
    container.innerHTML = renderToString(provided(poller, feed()));
    expect(container.innerHTML).toBe('<p>pending</p>');
    expect(counts.calls).toBe(0);
    const recoverable: unknown[] = [];
    const root = await act(async () =>
      hydrateRoot(container, provided(poller, feed(log)), {
        onRecoverableError: (error) => recoverable.push(error),
      }),
    );
    onCleanup(() => act(() => root.unmount()));
    await flush(0);
    expect(recoverable).toEqual([]);
    expect(errors).not.toHaveBeenCalled();
    expect(container.textContent).toBe('{"v":1}');
    expect(counts).toMatchObject({ calls: 1, open: 1 });
    expect(net.calls).toHaveLength(1);
    expect(statuses(log)).toEqual(['pending', 'success']);
  });
});
