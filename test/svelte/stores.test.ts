// pollStore and resourceStore (src/svelte/index.ts) by the store contract alone: `subscribe`
// calls `run` at once and returns its unsubscribe; the poll lives from the first subscriber to
// the last. Svelte's own store helpers (svelte/store) work on them as on any store.
import { derived, get } from 'svelte/store';
import { describe, expect, it, vi } from 'vitest';
import type { PollContext, Poller, Snapshot } from '../../src/index.js';
import { createResource } from '../../src/resource/index.js';
import { pollStore, resourceStore } from '../../src/svelte/index.js';
import { advance, T0, useFakeClock } from '../support/clock.js';
import { type FakeCall, status } from '../support/fake-network.js';
import { fakePoller, held, NOTHING_HELD } from '../support/poller.js';

useFakeClock();
const A = 'http://a.test';

/** Answers `{ path, n }`, n counting the calls to the origin. */
const counting = (call: FakeCall) => Response.json({ path: call.path, n: call.n });

/** A subscriber that records every snapshot it is given. */
function recorder<T>() {
  const seen: Snapshot<T>[] = [];
  const run = vi.fn((snapshot: Snapshot<T>) => void seen.push(snapshot));
  return { seen, run, data: () => seen.map((s) => s.data) };
}

async function ticks(count: number, ms = 1000) {
  for (let i = 0; i < count; i++) await advance(ms);
}

describe('pollStore: the store contract', () => {
  it('nothing polls until the first subscriber; subscribe runs at once with the snapshot and returns its unsubscribe', async () => {
    const { poller, net } = fakePoller({}, counting);
    const store = pollStore(poller, `${A}/feed`, { interval: 1000 });
    await ticks(2);
    expect(held(poller)).toEqual(NOTHING_HELD);
    expect(net.calls).toHaveLength(0);

    const a = recorder();
    const unsubscribe = store.subscribe(a.run);
    expect(typeof unsubscribe).toBe('function');
    expect(a.seen).toEqual([
      { status: 'pending', data: undefined, error: undefined, updatedAt: null },
    ]);
    expect(poller.inspect().entries).toBe(1);

    await ticks(1, 0);
    expect(a.seen[1]).toEqual({
      status: 'success',
      data: { path: '/feed', n: 1 },
      error: undefined,
      updatedAt: T0 + 2000,
    });
    unsubscribe();
  });

  it('a first subscriber that throws on its first run leaves nothing polling (it never got an unsubscribe)', async () => {
    const { poller, net } = fakePoller({}, counting);
    const store = pollStore(poller, `${A}/feed`, { interval: 1000 });
    expect(() =>
      store.subscribe(() => {
        throw new Error('render failed');
      }),
    ).toThrow('render failed');
    await ticks(3);
    expect(held(poller)).toEqual(NOTHING_HELD);
    expect(net.calls).toHaveLength(0);
    // The store still works afterwards.
    const a = recorder();
    const unsubscribe = store.subscribe(a.run);
    await ticks(1, 0);
    expect(a.data()).toEqual([undefined, { path: '/feed', n: 1 }]);
    unsubscribe();
  });

  it('a later subscriber gets the current data at once, synchronously', async () => {
    const { poller } = fakePoller({}, counting);
    const store = pollStore(poller, `${A}/feed`, { interval: 1000 });
    const a = recorder();
    store.subscribe(a.run);
    await ticks(1, 0);
    const b = recorder();
    store.subscribe(b.run);
    expect(b.data()).toEqual([{ path: '/feed', n: 1 }]);
    expect(b.seen[0]).toBe(a.seen[1]); // the same snapshot object
  });

  it('two subscribers share one poll: one request per tick, both see every answer; equal data is not told again', async () => {
    const { poller, net } = fakePoller({}, (call) => Response.json({ v: Math.min(call.n, 3) }));
    const store = pollStore(poller, `${A}/feed`, { interval: 1000 });
    const a = recorder();
    const b = recorder();
    store.subscribe(a.run);
    store.subscribe(b.run);
    expect(poller.inspect().entries).toBe(1);
    await ticks(1, 0);
    await ticks(5);
    expect(net.times()).toEqual([0, 1000, 2000, 3000, 4000, 5000]);
    expect(a.data()).toEqual([undefined, { v: 1 }, { v: 2 }, { v: 3 }]);
    expect(b.seen).toEqual(a.seen);
  });

  it('the last unsubscribe stops the poll (nothing held, nothing sent); an earlier one does not', async () => {
    const { poller, net } = fakePoller({}, counting);
    const store = pollStore(poller, `${A}/feed`, { interval: 1000 });
    const a = recorder();
    const b = recorder();
    const stopA = store.subscribe(a.run);
    const stopB = store.subscribe(b.run);
    await ticks(1, 0);
    stopA();
    stopA(); // twice: still only A leaves
    await ticks(1);
    expect(net.times()).toEqual([0, 1000]);
    expect(b.data()).toEqual([undefined, { path: '/feed', n: 1 }, { path: '/feed', n: 2 }]);
    expect(a.run).toHaveBeenCalledTimes(2);

    stopB();
    expect(held(poller)).toEqual(NOTHING_HELD);
    await ticks(5);
    expect(net.calls).toHaveLength(2);
    expect(b.run).toHaveBeenCalledTimes(3);
  });

  it('the last unsubscribe aborts the request in flight; its subscribers hear nothing more', async () => {
    const { poller, net } = fakePoller({}, () => 'hang');
    const store = pollStore(poller, `${A}/feed`, { interval: 1000 });
    const a = recorder();
    const stop = store.subscribe(a.run);
    await ticks(1, 0);
    expect(net.inFlight).toBe(1);
    stop();
    await ticks(1, 0);
    expect(net.calls[0]?.signal?.aborted).toBe(true);
    expect(net.inFlight).toBe(0);
    expect(held(poller)).toEqual(NOTHING_HELD);
    expect(a.run).toHaveBeenCalledTimes(1);
  });

  // A change is told to a copy of the subscribers; one that another's `run` unsubscribed during
  // the same change (a parent whose `{#if}` drops a child reading the same store) must not be
  // called again: the store contract says so.
  it('a subscriber unsubscribed by another during a change is not called again', async () => {
    const { poller } = fakePoller({}, counting);
    const store = pollStore(poller, `${A}/feed`, { interval: 1000 });
    const b = recorder();
    let stopB: () => void = () => {};
    store.subscribe((snapshot) => {
      if (snapshot.status === 'success') stopB();
    });
    stopB = store.subscribe(b.run);
    await ticks(1, 0);
    expect(b.seen).toEqual([
      { status: 'pending', data: undefined, error: undefined, updatedAt: null },
    ]);
  });

  it('subscribing again after the last left starts a new poll at once', async () => {
    const { poller, net } = fakePoller({}, counting);
    const store = pollStore(poller, `${A}/feed`, { interval: 1000 });
    const stop = store.subscribe(() => {});
    await ticks(1, 0);
    stop();
    await ticks(3);
    const a = recorder();
    store.subscribe(a.run);
    expect(poller.inspect().entries).toBe(1);
    await ticks(1, 0);
    await ticks(1);
    expect(net.times()).toEqual([0, 3000, 4000]);
    expect(a.data()).toEqual([undefined, { path: '/feed', n: 2 }, { path: '/feed', n: 3 }]);
  });

  it('refresh() reads at once while subscribed, and does nothing without subscribers', async () => {
    const { poller, net } = fakePoller({}, counting);
    const store = pollStore(poller, `${A}/feed`, { interval: 60_000 });
    store.refresh();
    await ticks(1, 0);
    expect(net.calls).toHaveLength(0);
    expect(held(poller)).toEqual(NOTHING_HELD);

    const a = recorder();
    store.subscribe(a.run);
    await ticks(1, 0);
    store.refresh();
    await ticks(1, 0);
    expect(net.times()).toEqual([0, 0]);
    expect(a.data()).toEqual([undefined, { path: '/feed', n: 1 }, { path: '/feed', n: 2 }]);
  });

  it('a failed run: the store tells the error, with the last data kept', async () => {
    const { poller } = fakePoller({}, (call) =>
      call.n === 1 ? Response.json({ v: 1 }) : status(503),
    );
    const store = pollStore(poller, `${A}/feed`, { interval: 1000 });
    const a = recorder();
    store.subscribe(a.run);
    await ticks(1, 0);
    await ticks(1);
    expect(a.seen.at(-1)).toMatchObject({
      status: 'error',
      data: { v: 1 },
      error: { status: 503 },
    });
  });

  it('a task poll: the task runs once per tick with its context', async () => {
    const { poller, net } = fakePoller({}, counting);
    const task = vi.fn(({ http }: PollContext) => http<{ n: number }>(`${A}/task`));
    const store = pollStore(poller, task, { origin: A, interval: 1000 });
    expect(task).not.toHaveBeenCalled();
    const a = recorder<{ n: number }>();
    const stop = store.subscribe(a.run);
    await ticks(1, 0);
    await ticks(1);
    expect(task).toHaveBeenCalledTimes(2);
    for (const [context] of task.mock.calls) expect(context.signal).toBeInstanceOf(AbortSignal);
    expect(net.paths()).toEqual(['/task', '/task']);
    expect(a.data()).toEqual([undefined, { path: '/task', n: 1 }, { path: '/task', n: 2 }]);
    stop();
    expect(held(poller)).toEqual(NOTHING_HELD);
  });
});

describe("svelte/store's helpers over a pollStore", () => {
  it('get(): the pending snapshot, and the poll it opened for a moment sends nothing', async () => {
    const { poller, net } = fakePoller({}, counting);
    const store = pollStore(poller, `${A}/feed`, { interval: 1000 });
    expect(get(store)).toMatchObject({ status: 'pending', data: undefined });
    expect(held(poller)).toEqual(NOTHING_HELD);
    await ticks(3);
    expect(net.calls).toHaveLength(0);
  });

  it('derived(): one poll under it while it has subscribers, none after', async () => {
    const { poller, net } = fakePoller({}, counting);
    const store = pollStore<{ n: number }>(poller, `${A}/feed`, { interval: 1000 });
    const n = derived(store, (snapshot) => snapshot.data?.n ?? 0);
    const seen: number[] = [];
    const stop = n.subscribe((value) => void seen.push(value));
    await ticks(1, 0);
    await ticks(2);
    expect(seen).toEqual([0, 1, 2, 3]);
    stop();
    expect(held(poller)).toEqual(NOTHING_HELD);
    await ticks(2);
    expect(net.calls).toHaveLength(3);
  });
});

/** A resource of `/items/:key`, one GET per key and tick (no batch endpoint). */
const itemResource = (poller: Poller) =>
  createResource<string, unknown>(poller, {
    item: { url: (key) => `${A}/items/${key}` },
    interval: 1000,
  });

describe('resourceStore', () => {
  it('lazy; two subscribers share one subscription (one request per tick); the last unsubscribe ends it', async () => {
    const { poller, net } = fakePoller({}, counting);
    const store = resourceStore(itemResource(poller), 'x');
    await ticks(1);
    expect(net.calls).toHaveLength(0);
    expect(held(poller)).toEqual(NOTHING_HELD);

    const a = recorder();
    const b = recorder();
    const stopA = store.subscribe(a.run);
    expect(a.seen).toEqual([
      { status: 'pending', data: undefined, error: undefined, updatedAt: null },
    ]);
    const stopB = store.subscribe(b.run);
    await ticks(1, 0);
    await ticks(2);
    expect(net.paths()).toEqual(['/items/x', '/items/x', '/items/x']);
    expect(a.data()).toEqual([
      undefined,
      { path: '/items/x', n: 1 },
      { path: '/items/x', n: 2 },
      { path: '/items/x', n: 3 },
    ]);
    expect(b.seen).toEqual(a.seen);

    stopA();
    await ticks(1);
    expect(net.calls).toHaveLength(4);
    stopB();
    expect(held(poller)).toEqual(NOTHING_HELD);
    await ticks(3);
    expect(net.calls).toHaveLength(4);
  });

  it('the last unsubscribe aborts the read in flight', async () => {
    const { poller, net } = fakePoller({}, () => 'hang');
    const store = resourceStore(itemResource(poller), 'x');
    const stop = store.subscribe(() => {});
    await ticks(1, 0);
    expect(net.inFlight).toBe(1);
    stop();
    await ticks(1, 0);
    expect(net.calls[0]?.signal?.aborted).toBe(true);
    expect(net.inFlight).toBe(0);
    expect(held(poller)).toEqual(NOTHING_HELD);
  });

  it('re-subscribing starts again; refresh() reads at once', async () => {
    const { poller, net } = fakePoller({}, counting);
    const store = resourceStore(itemResource(poller), 'x', { interval: 60_000 });
    store.subscribe(() => {})();
    await ticks(2);
    const a = recorder();
    store.subscribe(a.run);
    await ticks(1, 0);
    store.refresh();
    await ticks(1, 0);
    expect(net.times()).toEqual([2000, 2000]);
    expect(a.seen.at(-1)?.data).toEqual({ path: '/items/x', n: 2 });
  });
});
