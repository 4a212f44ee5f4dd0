// @vitest-environment happy-dom
// useResource (src/vue/index.ts): one key of a resource as refs; a new key is a new
// subscription, and the subscription ends with the component or scope.
import { describe, expect, it, vi } from 'vitest';
import { effectScope, nextTick, ref, watch } from 'vue';
import type { Poller } from '../../src/index.js';
import { createResource } from '../../src/resource/index.js';
import { useResource } from '../../src/vue/index.js';
import { advance, useFakeClock } from '../support/clock.js';
import type { FakeCall } from '../support/fake-network.js';
import { fakePoller, held, NOTHING_HELD } from '../support/poller.js';
import { mountProbe, warmVueRenderer } from './harness.js';

warmVueRenderer();
useFakeClock();
const A = 'http://a.test';

interface Item {
  path: string;
  n: number;
}

/** Answers `{ path, n }`, n counting the calls to the origin. */
const counting = (call: FakeCall) => Response.json({ path: call.path, n: call.n });

/** A resource of `/items/:key`, one GET per key and tick (no batch endpoint). */
const itemResource = (poller: Poller) =>
  createResource<string, Item>(poller, {
    item: { url: (key) => `${A}/items/${key}` },
    interval: 1000,
  });

async function ticks(count: number, ms = 1000) {
  for (let i = 0; i < count; i++) await advance(ms);
  await nextTick();
}

describe('useResource', () => {
  it('refs follow the key; equal data renders nothing and fires no watcher', async () => {
    const { poller, net } = fakePoller({}, (call) => Response.json({ path: call.path }));
    const resource = itemResource(poller);
    const onData = vi.fn();
    const { wrapper, probe } = mountProbe(poller, () => {
      const refs = useResource(resource, 'x');
      watch(refs.data, onData);
      return refs;
    });
    expect(wrapper.text()).toBe('pending:');
    await ticks(1, 0);
    await ticks(9);
    expect(net.paths()).toEqual(Array(10).fill('/items/x'));
    expect(wrapper.text()).toBe('success:{"path":"/items/x"}');
    expect(probe.renders).toBe(2);
    expect(onData).toHaveBeenCalledTimes(1);
  });

  it('a ref key: the old key is no longer read, the new one is', async () => {
    const { poller, net } = fakePoller({}, counting);
    const resource = itemResource(poller);
    const key = ref('x');
    const { wrapper, probe } = mountProbe(poller, () => useResource(resource, key));
    await ticks(1, 0);
    await ticks(1);
    key.value = 'y';
    await nextTick();
    expect(probe.refs.status.value).toBe('pending');
    await ticks(1, 0);
    await ticks(2);
    expect(net.paths()).toEqual(['/items/x', '/items/x', '/items/y', '/items/y', '/items/y']);
    expect(wrapper.text()).toBe('success:{"path":"/items/y","n":5}');
  });

  it('a getter key, and null: nothing subscribed, nothing sent', async () => {
    const { poller, net } = fakePoller({}, counting);
    const resource = itemResource(poller);
    const id = ref<number | null>(null);
    const { probe } = mountProbe(poller, () =>
      useResource(resource, () => (id.value === null ? null : `k${id.value}`)),
    );
    await ticks(3);
    expect(net.calls).toHaveLength(0);
    expect(held(poller)).toEqual(NOTHING_HELD);
    id.value = 1;
    await ticks(1, 0);
    expect(probe.refs.data.value).toEqual({ path: '/items/k1', n: 1 });
    id.value = null;
    await nextTick();
    expect(held(poller)).toEqual(NOTHING_HELD);
    expect(probe.refs.status.value).toBe('pending');
    await ticks(3);
    expect(net.calls).toHaveLength(1);
  });

  it('refresh() reads the key again at once', async () => {
    const { poller, net } = fakePoller({}, counting);
    const resource = createResource<string, Item>(poller, {
      item: { url: (key) => `${A}/items/${key}` },
      interval: 60_000,
    });
    const { probe } = mountProbe(poller, () => useResource(resource, 'x'));
    await ticks(1, 0);
    probe.refs.refresh();
    await ticks(1, 0);
    expect(net.times()).toEqual([0, 0]);
    expect(probe.refs.data.value).toEqual({ path: '/items/x', n: 2 });
  });

  it('unmount and scope.stop(): nothing held, nothing more sent', async () => {
    const { poller, net } = fakePoller({}, counting);
    const resource = itemResource(poller);
    const { wrapper } = mountProbe(poller, () => useResource(resource, 'x'));
    await ticks(1, 0);
    wrapper.unmount();
    expect(held(poller)).toEqual(NOTHING_HELD);

    const scope = effectScope();
    const refs = scope.run(() => useResource(resource, 'y'));
    expect(poller.inspect().entries).toBe(1); // at once, no mount in a bare scope
    await ticks(1, 0);
    expect(refs?.data.value).toEqual({ path: '/items/y', n: 2 });
    scope.stop();
    expect(held(poller)).toEqual(NOTHING_HELD);
    await ticks(5);
    expect(net.paths()).toEqual(['/items/x', '/items/y']);
  });
});
