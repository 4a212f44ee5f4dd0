import { describe, expect, it, vi } from 'vitest';
import type { PollerOptions } from '../../src/index.js';
import { createResource } from '../../src/resource/index.js';
import { useFakeClock } from '../support/clock.js';
import { type Answer, settle } from '../support/fake-network.js';
import { fakePoller } from '../support/poller.js';

useFakeClock();

const API = 'https://api.test';
const noop = () => {};

/**
 * A poller whose network answers `/batch` (POST {ids} → [{id, v}]) and `/items/:id` (→ {id, v},
 * ETag "id"). While `api.hang` is set, answers wait until aborted.
 */
function setup(options: PollerOptions = {}) {
  const api = { hang: false };
  const { poller, net } = fakePoller(options, async (call): Promise<Answer> => {
    if (api.hang) return 'hang';
    if (call.path === '/batch') {
      const { ids } = (await call.json()) as { ids: string[] };
      return Response.json(ids.map((id) => ({ id, v: 1 })));
    }
    const id = call.path.slice('/items/'.length);
    return Response.json({ id, v: 1 }, { headers: { etag: `"${id}"` } });
  });
  return { api, net, poller };
}

const batch = {
  url: `${API}/batch`,
  body: (keys: readonly string[]) => ({ ids: keys }),
  key: (entry: unknown) => (entry as { id: string }).id,
};

describe('leaks: a resource read cut short by unsubscribe', () => {
  it.each([
    ['a batch read', true],
    ['a per-item read', false],
  ])(
    'unsubscribing the last key during %s leaves no read behind; the key is read again when resubscribed and collected after gcTime',
    async (_name, withBatch) => {
      const { api, net, poller } = setup();
      const resource = createResource<string, { id: string; v: number }>(poller, {
        item: { url: (key) => `${API}/items/${key}` },
        ...(withBatch ? { batch } : {}),
        interval: 60_000,
        gcTime: 60_000,
      });
      api.hang = true;
      const first = resource.subscribe('k1', noop);
      await settle();
      expect(net.calls.map((c) => c.path)).toEqual([withBatch ? '/batch' : '/items/k1']);
      expect(poller.inspect().resources.reads).toBe(1);

      first.unsubscribe(); // aborts the sweep and its request
      await settle();
      expect(net.inFlight).toBe(0);
      expect(poller.inspect().requestsInFlight).toBe(0);
      // Nobody waits for that read any more: it must not stay registered.
      expect(poller.inspect().resources.reads).toBe(0);

      // Subscribed again, the key is due at once and gets its data.
      api.hang = false;
      const snapshots: string[] = [];
      const again = resource.subscribe('k1', (snapshot) => snapshots.push(snapshot.status));
      await settle();
      expect(net.calls).toHaveLength(2);
      expect(snapshots).toEqual(['success']);
      expect(resource.get('k1').data).toEqual({ id: 'k1', v: 1 });
      // fetch() of the key resolves (it must not join a dead read).
      let fetched: unknown;
      void resource.fetch('k1').then((data) => {
        fetched = data;
      });
      await settle();
      expect(fetched).toEqual({ id: 'k1', v: 1 });

      again.unsubscribe();
      await vi.advanceTimersByTimeAsync(60_001);
      resource.subscribe('k2', noop).unsubscribe(); // collection runs on subscribe/unsubscribe
      expect(poller.inspect().resources).toEqual({ items: 1, etags: 0, reads: 0, groups: 0 });
      expect(vi.getTimerCount()).toBe(0);
      poller.dispose();
    },
  );

  it('an unsubscribed per-item sweep starts no further request (10 keys, concurrency 2: 2 calls)', async () => {
    const { api, net, poller } = setup();
    const resource = createResource<string, unknown>(poller, {
      item: { url: (key) => `${API}/items/${key}` },
      interval: 60_000,
      concurrency: 2,
    });
    api.hang = true;
    const subscriptions = Array.from({ length: 10 }, (_, i) => resource.subscribe(`k${i}`, noop));
    await settle();
    expect(net.calls).toHaveLength(2);
    for (const subscription of subscriptions) subscription.unsubscribe();
    await settle();
    // The 8 keys that had not started must not reach fetch (even with an aborted signal).
    expect(net.calls.filter((c) => c.aborted)).toEqual([]);
    expect(net.calls).toHaveLength(2);
    expect(poller.stats().sent).toBe(2);
    expect(poller.inspect().resources.reads).toBe(0);
  });

  it('an unsubscribed batch sweep starts no further chunk (3 chunks, concurrency 1: 1 call)', async () => {
    const { api, net, poller } = setup();
    const resource = createResource<string, unknown>(poller, {
      item: { url: (key) => `${API}/items/${key}` },
      batch: { ...batch, maxSize: 2 },
      interval: 60_000,
      concurrency: 1,
    });
    // The endpoint answered once: the next sweep sends its chunks one at a time.
    api.hang = false;
    const warm = resource.subscribe('w', noop);
    await settle();
    warm.unsubscribe();
    net.reset();
    api.hang = true;
    const subscriptions = Array.from({ length: 6 }, (_, i) => resource.subscribe(`k${i}`, noop));
    await settle();
    expect(net.calls.map((c) => c.path)).toEqual(['/batch']);
    for (const subscription of subscriptions) subscription.unsubscribe();
    await settle();
    // The 2 chunks that had not started must not reach fetch (even with an aborted signal).
    expect(net.calls.filter((c) => c.aborted)).toEqual([]);
    expect(net.calls).toHaveLength(1);
    expect(net.inFlight).toBe(0);
    expect(poller.inspect().resources.reads).toBe(0);
  });
});

describe('leaks: ETags', () => {
  it('an item evicted by the LRU takes its ETag with it: back at baseline after gcTime', async () => {
    const { poller } = setup();
    const resource = createResource<string, unknown>(poller, {
      item: { url: (key) => `${API}/items/${key}` },
      interval: 60_000,
      maxItems: 2,
      gcTime: 60_000,
    });
    const first = resource.subscribe('k1', noop);
    await settle();
    expect(poller.inspect().resources).toMatchObject({ items: 1, etags: 1 });
    first.unsubscribe();
    // Two new keys: k1, idle, is the least recently used and goes.
    const k2 = resource.subscribe('k2', noop);
    const k3 = resource.subscribe('k3', noop);
    expect(resource.get('k1').status).toBe('pending');
    expect(poller.inspect().resources.items).toBe(2);
    // k1's data is gone: its ETag (useless without the data) must go too.
    expect(poller.inspect().resources.etags).toBe(0);
    k2.unsubscribe();
    k3.unsubscribe();
    await vi.advanceTimersByTimeAsync(60_001);
    resource.subscribe('k4', noop).unsubscribe();
    expect(poller.inspect().resources).toEqual({ items: 1, etags: 0, reads: 0, groups: 0 });
  });
});

describe('leaks: dispose() starts nothing', () => {
  // Was a bug: the resources' disposers ran before the door and the scheduler were disposed; a
  // sweep removed there freed its lane slot and the queued task poll reached the network.
  it('a resource freeing its lane slot during dispose() does not start the poll queued behind it', async () => {
    // One request at a time per origin: the task poll waits for the sweep.
    const { api, net, poller } = setup({ maxConcurrent: 1 });
    const resource = createResource<string, unknown>(poller, {
      item: { url: (key) => `${API}/items/${key}` },
      interval: 60_000,
    });
    api.hang = true;
    resource.subscribe('k1', noop);
    await settle();
    poller.poll((ctx) => ctx.fetch(`${API}/task`), { origin: API, interval: 60_000 });
    await settle();
    expect(net.calls.map((c) => c.path)).toEqual(['/items/k1']);
    expect(poller.inspect()).toMatchObject({ running: 1, queued: 1 });

    poller.dispose();
    await settle();
    // The sweep's request was aborted; the queued task never reached the network.
    expect(net.calls.map((c) => c.path)).toEqual(['/items/k1']);
    expect(net.inFlight).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });
});
