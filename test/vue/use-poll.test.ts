// @vitest-environment happy-dom
// usePoll (src/vue/index.ts) in mounted components and bare effect scopes: refs follow the
// poll, equal data renders nothing, a new URL is a new poll, and the poll ends with the scope.
import { describe, expect, it, vi } from 'vitest';
import { effectScope, nextTick, ref, watch } from 'vue';
import type { PollContext } from '../../src/index.js';
import { usePoll } from '../../src/vue/index.js';
import { advance, T0, useFakeClock } from '../support/clock.js';
import { type FakeCall, status } from '../support/fake-network.js';
import { fakePoller, held, NOTHING_HELD } from '../support/poller.js';
import { mountProbe, shown, warmVueRenderer } from './harness.js';

warmVueRenderer();
useFakeClock();
const A = 'http://a.test';

/** Answers `{ path, n }`, n counting the calls to the origin. */
const counting = (call: FakeCall) => Response.json({ path: call.path, n: call.n });

/** Ticks of `ms` on the fake clock, each followed by Vue's flush. */
async function ticks(count: number, ms = 1000) {
  for (let i = 0; i < count; i++) await advance(ms);
  await nextTick();
}

describe('refs follow the poll', () => {
  it('pending before the first answer, then data, updatedAt and the rendered text', async () => {
    const { poller, net } = fakePoller({}, counting);
    const { wrapper, probe } = mountProbe(poller, () => usePoll(`${A}/feed`, { interval: 1000 }));
    expect(wrapper.text()).toBe('pending:');
    expect(poller.inspect().entries).toBe(1);
    expect(net.calls).toHaveLength(0);

    await ticks(1, 0);
    expect(net.paths()).toEqual(['/feed']);
    expect(probe.refs.status.value).toBe('success');
    expect(probe.refs.data.value).toEqual({ path: '/feed', n: 1 });
    expect(probe.refs.error.value).toBeUndefined();
    expect(probe.refs.updatedAt.value).toBe(T0);
    expect(wrapper.text()).toBe('success:{"path":"/feed","n":1}');

    await ticks(2);
    expect(wrapper.text()).toBe('success:{"path":"/feed","n":3}');
    expect(probe.renders).toBe(4); // pending, n=1, n=2, n=3
  });

  it('a failed run: status and error refs say so, the last data stays', async () => {
    const { poller } = fakePoller({}, (call) =>
      call.n === 1 ? Response.json({ v: 1 }) : status(500),
    );
    const { probe } = mountProbe(poller, () => usePoll(`${A}/feed`, { interval: 1000 }));
    await ticks(1, 0);
    await ticks(1);
    expect(probe.refs.status.value).toBe('error');
    expect(probe.refs.error.value).toMatchObject({ name: 'HttpError', status: 500 });
    expect(probe.refs.data.value).toEqual({ v: 1 });
  });

  it('10 identical answers: 1 render with data, and a watcher of data or snapshot fires once', async () => {
    const { poller, net } = fakePoller({}, () => Response.json({ v: 1 }));
    const onData = vi.fn();
    const onSnapshot = vi.fn();
    const { probe } = mountProbe(poller, () => {
      const refs = usePoll(`${A}/feed`, { interval: 1000 });
      watch(refs.data, onData);
      watch(refs.snapshot, onSnapshot);
      return refs;
    });
    await ticks(1, 0);
    await ticks(9);
    expect(net.calls).toHaveLength(10);
    expect(probe.renders).toBe(2); // pending, then { v: 1 } once
    expect(onData).toHaveBeenCalledTimes(1);
    expect(onSnapshot).toHaveBeenCalledTimes(1);

    net.respond = () => Response.json({ v: 2 });
    await ticks(1);
    expect(probe.renders).toBe(3);
    expect(onData).toHaveBeenCalledTimes(2);
    expect(shown(probe.refs)).toBe('success:{"v":2}');
  });

  it('refresh() reads again at once, between ticks', async () => {
    const { poller, net } = fakePoller({}, counting);
    const { probe } = mountProbe(poller, () => usePoll(`${A}/feed`, { interval: 60_000 }));
    await ticks(1, 0);
    probe.refs.refresh();
    await ticks(1, 0);
    expect(net.times()).toEqual([0, 0]);
    expect(probe.refs.data.value).toEqual({ path: '/feed', n: 2 });
  });
});

describe('a ref or getter URL: a new URL is a new poll', () => {
  it('a ref: the old poll is gone (one entry, never requested again), the new one polls', async () => {
    const { poller, net } = fakePoller({}, counting);
    const url = ref(`${A}/a`);
    const { wrapper, probe } = mountProbe(poller, () => usePoll(url, { interval: 1000 }));
    await ticks(1, 0);
    expect(wrapper.text()).toBe('success:{"path":"/a","n":1}');

    url.value = `${A}/b`;
    await nextTick();
    expect(poller.inspect().entries).toBe(1);
    expect(probe.refs.status.value).toBe('pending'); // no data of /a shown as /b's
    expect(probe.refs.data.value).toBeUndefined();

    await ticks(1, 0);
    expect(wrapper.text()).toBe('success:{"path":"/b","n":2}');
    await ticks(3);
    expect(net.paths()).toEqual(['/a', '/b', '/b', '/b', '/b']);
    expect(net.times()).toEqual([0, 0, 1000, 2000, 3000]);
  });

  it('a getter: follows its refs; a dependency change that gives the same URL changes nothing', async () => {
    const { poller, net } = fakePoller({}, counting);
    const id = ref(1);
    const page = ref(1);
    const { wrapper } = mountProbe(poller, () =>
      usePoll(() => `${A}/items/${id.value}?page=${Math.min(page.value, 2)}`, { interval: 1000 }),
    );
    await ticks(1, 0);
    page.value = 2;
    await ticks(1, 0);
    page.value = 3; // the same URL: no new poll, no request before the tick
    await ticks(1, 0);
    id.value = 2;
    await ticks(1, 0);
    expect(net.calls.map((c) => `${c.path}?${c.query}`)).toEqual([
      '/items/1?page=1',
      '/items/1?page=2',
      '/items/2?page=2',
    ]);
    expect(poller.inspect().entries).toBe(1);
    await ticks(1);
    expect(net.paths()).toEqual(['/items/1', '/items/1', '/items/2', '/items/2']);
    expect(wrapper.text()).toBe('success:{"path":"/items/2","n":4}');
  });

  it('null polls nothing; a ref turning null ends the poll, and a URL again starts one', async () => {
    const { poller, net } = fakePoller({}, counting);
    const { probe } = mountProbe(poller, () => usePoll(null, { interval: 1000 }));
    await ticks(5);
    expect(net.calls).toHaveLength(0);
    expect(held(poller)).toEqual(NOTHING_HELD);
    expect(probe.refs.status.value).toBe('pending');

    const url = ref<string | null>(`${A}/a`);
    const second = mountProbe(poller, () => usePoll(url, { interval: 1000 }));
    await ticks(1, 0);
    url.value = null;
    await nextTick();
    expect(held(poller)).toEqual(NOTHING_HELD);
    expect(shown(second.probe.refs)).toBe('pending:');
    await ticks(3);
    expect(net.paths()).toEqual(['/a']);
    url.value = `${A}/a`;
    await ticks(1, 0);
    expect(net.times()).toEqual([5000, 8000]); // 5 s of null first, then 3 s without a poll
  });
});

describe('the poll ends with its component or scope', () => {
  it('unmount: nothing is held, nothing more is sent', async () => {
    const { poller, net } = fakePoller({}, counting);
    const { wrapper } = mountProbe(poller, () => usePoll(`${A}/feed`, { interval: 1000 }));
    await ticks(1, 0);
    await ticks(1);
    wrapper.unmount();
    expect(held(poller)).toEqual(NOTHING_HELD);
    await ticks(5);
    expect(net.times()).toEqual([0, 1000]);
  });

  it('unmount aborts the request in flight', async () => {
    const { poller, net } = fakePoller({}, () => 'hang');
    const { wrapper } = mountProbe(poller, () => usePoll(`${A}/feed`, { interval: 1000 }));
    await ticks(1, 0);
    expect(net.inFlight).toBe(1);
    wrapper.unmount();
    await ticks(1, 0);
    expect(net.calls[0]?.signal?.aborted).toBe(true);
    expect(net.inFlight).toBe(0);
    expect(held(poller)).toEqual(NOTHING_HELD);
  });

  it('a bare effect scope: the poll starts at once, and scope.stop() ends it', async () => {
    const { poller, net } = fakePoller({}, counting);
    const scope = effectScope();
    const refs = scope.run(() => usePoll(`${A}/feed`, { interval: 1000, poller }));
    expect(poller.inspect().entries).toBe(1);
    await ticks(1, 0);
    expect(refs?.data.value).toEqual({ path: '/feed', n: 1 });
    scope.stop();
    expect(held(poller)).toEqual(NOTHING_HELD);
    await ticks(3);
    expect(net.calls).toHaveLength(1);
  });
});

describe('a task poll (a function with { origin } or { url }) is not a getter', () => {
  it.each([
    ['origin', { origin: A }],
    ['url', { url: `${A}/task` }],
  ])(
    'with %s: the task runs once per tick with its context, never as a getter',
    async (_, where) => {
      const { poller, net } = fakePoller({}, counting);
      const task = vi.fn(({ http }: PollContext) => http<{ n: number }>(`${A}/task`));
      const { wrapper } = mountProbe(poller, () => usePoll(task, { ...where, interval: 1000 }));
      expect(task).not.toHaveBeenCalled(); // a getter would be called while mounting
      await ticks(1, 0);
      await ticks(2);
      expect(task).toHaveBeenCalledTimes(3);
      for (const [context] of task.mock.calls) expect(context.signal).toBeInstanceOf(AbortSignal);
      expect(net.paths()).toEqual(['/task', '/task', '/task']);
      expect(wrapper.text()).toBe('success:{"path":"/task","n":3}');
      wrapper.unmount();
      expect(held(poller)).toEqual(NOTHING_HELD);
    },
  );
});
