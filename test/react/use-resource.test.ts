// @vitest-environment happy-dom
// useResource (src/react/use-resource.ts): one render per changed item snapshot, one
// subscription for a key written inline, a new one for a new key, none for null.
import { act } from '@testing-library/react';
import { createElement as h, StrictMode, useState } from 'react';
import { describe, expect, it } from 'vitest';
import { useResource } from '../../src/react/index.js';
import { createResource, type Resource } from '../../src/resource/index.js';
import { useFakeClock } from '../support/clock.js';
import { type FakeCall, type FakeNetwork, fakeNetwork } from '../support/fake-network.js';
import { fakePoller } from '../support/poller.js';
import {
  A,
  countedSubscribe,
  dataRenders,
  flush,
  Item,
  microtasks,
  mount,
  type Render,
  statuses,
} from './harness.js';

// biome-ignore lint/correctness/useHookAtTopLevel: vitest's fake timers per test, no React hook
useFakeClock();

type Key = { id: number };

/** Items on the fake network (`GET /items/:id` answers `values[id]`) and a resource over them. */
function itemApi() {
  const values = new Map<number, unknown>([
    [1, { name: 'one' }],
    [2, { name: 'two' }],
  ]);
  const net = fakeNetwork((call: FakeCall) =>
    Response.json(values.get(Number(call.path.split('/').pop()))),
  );
  const { poller } = fakePoller({}, net);
  const { resource, counts } = countedSubscribe(
    createResource<Key, unknown>(poller, {
      item: { url: (key) => `${A}/items/${key.id}` },
      interval: 1000,
    }),
  );
  return { values, net, poller, resource, counts };
}

/** Request times of `path` on `net`. */
const timesOf = (net: FakeNetwork, path: string) =>
  net.calls.filter((c) => c.path === path).map((c) => c.at);

/** What the inline-key child saw: its renders; the parent's setter. */
interface Seen {
  renders: number;
  setCount: (n: number) => void;
}

/** `{ id: 1 }` and `{ interval: 1000 }` written inline: new objects every render. */
function InlineKey({
  n,
  resource,
  seen,
}: {
  n: number;
  resource: Resource<Key, unknown>;
  seen: Seen;
}) {
  seen.renders++;
  const snapshot = useResource(resource, { id: 1 }, { interval: 1000 });
  return h('p', null, `${n} ${snapshot.status}`);
}

function Parent({ resource, seen }: { resource: Resource<Key, unknown>; seen: Seen }) {
  const [n, setCount] = useState(0);
  seen.setCount = setCount;
  return h(InlineKey, { n, resource, seen });
}

/** A bigint key, named by `keyId: String` (JSON cannot write it). */
function BigItem({ resource, tick }: { resource: Resource<bigint, unknown>; tick: number }) {
  const snapshot = useResource(resource, 2n ** 70n, { keyId: String });
  return h('p', null, `${tick} ${snapshot.status}`);
}

describe('useResource renders', () => {
  it('once per changed item snapshot: 10 equal answers, 1 render with data; a change, one more', async () => {
    const api = itemApi();
    const log: Render[] = [];
    const view = mount(h(Item, { resource: api.resource, id: 1, log }));
    await flush(0);
    for (let tick = 1; tick < 10; tick++) await flush(1000);
    expect(api.net.paths()).toEqual(Array(10).fill('/items/1'));
    expect(statuses(log)).toEqual(['pending', 'success']);

    api.values.set(1, { name: 'uno' });
    await flush(1000);
    expect(dataRenders(log)).toEqual([{ name: 'one' }, { name: 'uno' }]);
    expect(view.container.textContent).toBe('{"name":"uno"}');
  });
});

describe('useResource subscriptions', () => {
  it('an inline key { id: 1 } over 100 parent re-renders: one subscription, no extra requests', async () => {
    const api = itemApi();
    const seen: Seen = { renders: 0, setCount: () => {} };
    const view = mount(h(Parent, { resource: api.resource, seen }));
    await flush(0);
    for (let n = 1; n <= 100; n++) {
      act(() => seen.setCount(n));
      await flush(5);
    }
    await flush(500);
    expect(api.counts).toMatchObject({ calls: 1, open: 1 });
    expect(api.net.times()).toEqual([0, 1000]);
    expect(seen.renders).toBe(2 + 100); // pending, data, and the 100 re-renders
    expect(view.container.textContent).toBe('100 success');
  });

  it('a new key re-subscribes: the old item is no longer read, the new one at once; null reads nothing', async () => {
    const api = itemApi();
    const log: Render[] = [];
    const item = (id: number | null) => h(Item, { resource: api.resource, id, log });
    const view = mount(item(1));
    await flush(0);
    await flush(1000);
    view.rerender(item(2));
    await microtasks();
    expect(api.counts).toMatchObject({ calls: 2, open: 1, targets: [{ id: 1 }, { id: 2 }] });
    await flush(0);
    await flush(1000);
    expect(timesOf(api.net, '/items/1')).toEqual([0, 1000]);
    expect(timesOf(api.net, '/items/2')).toEqual([1000, 2000]);
    // No render showed item 1's data for key 2.
    for (const { target, snapshot } of log) {
      if (target === 2 && snapshot.data !== undefined)
        expect(snapshot.data).toEqual({ name: 'two' });
    }
    expect(view.container.textContent).toBe('{"name":"two"}');

    view.rerender(item(null));
    await microtasks();
    expect(api.counts.open).toBe(0);
    expect(api.poller.inspect().entries).toBe(0);
    await flush(5000);
    expect(api.net.calls).toHaveLength(4);
    expect(view.container.textContent).toBe('pending');
  });

  it('null from the start subscribes to nothing', async () => {
    const api = itemApi();
    const log: Render[] = [];
    mount(h(Item, { resource: api.resource, id: null, log }));
    await flush(5000);
    expect(api.counts.calls).toBe(0);
    expect(api.net.calls).toHaveLength(0);
    expect(statuses(log)).toEqual(['pending']);
  });

  it('StrictMode: one subscription, one request; unmount unsubscribes a microtask later', async () => {
    const api = itemApi();
    const view = mount(h(StrictMode, null, h(Item, { resource: api.resource, id: 1 })));
    await flush(0);
    expect(view.container.textContent).toBe('{"name":"one"}');
    expect(api.counts).toMatchObject({ calls: 1, open: 1 });
    expect(api.net.calls).toHaveLength(1);

    view.unmount();
    expect(api.counts.open).toBe(1);
    await microtasks();
    expect(api.counts.open).toBe(0);
    expect(api.poller.inspect().entries).toBe(0);
    await flush(5000);
    expect(api.net.calls).toHaveLength(1);
  });

  it('keyId names keys JSON cannot (a bigint): one subscription across re-renders', async () => {
    const net = fakeNetwork((call) => Response.json({ path: call.path }));
    const { poller } = fakePoller({}, net);
    const { resource, counts } = countedSubscribe(
      createResource<bigint, unknown>(poller, {
        item: { url: (key) => `${A}/big/${key}` },
        keyId: String,
        interval: 1000,
      }),
    );
    const view = mount(h(BigItem, { resource, tick: 0 }));
    await flush(0);
    view.rerender(h(BigItem, { resource, tick: 1 }));
    await flush(1000);
    expect(view.container.textContent).toBe('1 success');
    expect(counts).toMatchObject({ calls: 1, open: 1 });
    expect(net.paths()).toEqual([`/big/${2n ** 70n}`, `/big/${2n ** 70n}`]);
  });
});
