import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPoller } from '../../src/index.js';
import { createResource } from '../../src/resource/index.js';
import { manualOnline, manualVisibility } from '../support/fake-environment.js';
import { realTick } from '../support/manual-clock.js';
import { T0 } from './scenario.js';

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
});
afterEach(() => {
  vi.useRealTimers();
});

const API = 'https://api.test';
const noop = () => {};

interface Call {
  path: string;
  /** The signal was already aborted when fetch was called. */
  aborted: boolean;
}

/**
 * A fetch for `/batch` (POST {ids} → [{id, v}]) and `/items/:id` (→ {id, v}, ETag "id").
 * While `hang` is set, answers wait until aborted. Records every call.
 */
function api() {
  const calls: Call[] = [];
  const state = { hang: false, inFlight: 0 };
  const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = input instanceof Request ? input : undefined;
    const url = new URL(request ? request.url : String(input));
    const signal = init?.signal ?? request?.signal;
    calls.push({ path: url.pathname, aborted: signal?.aborted === true });
    state.inFlight++;
    try {
      if (signal?.aborted) throw signal.reason;
      if (state.hang) {
        await new Promise<never>((_resolve, reject) => {
          signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
        });
      }
      if (url.pathname === '/batch') {
        const body = request ? await request.text() : String(init?.body);
        const { ids } = JSON.parse(body) as { ids: string[] };
        return Response.json(ids.map((id) => ({ id, v: 1 })));
      }
      const id = url.pathname.slice('/items/'.length);
      return Response.json({ id, v: 1 }, { headers: { etag: `"${id}"` } });
    } finally {
      state.inFlight--;
    }
  };
  return { fetch, calls, state };
}

function setup() {
  const net = api();
  const poller = createPoller({
    fetch: net.fetch,
    visibility: manualVisibility().source,
    online: manualOnline().source,
    jitter: 0,
    random: () => 0,
  });
  return { net, poller };
}

const batch = {
  url: `${API}/batch`,
  body: (keys: readonly string[]) => ({ ids: keys }),
  key: (entry: unknown) => (entry as { id: string }).id,
};

/** Zero-delay timers and every promise chain they start (body reads need a real macrotask). */
async function flush() {
  for (let i = 0; i < 5; i++) {
    await vi.advanceTimersByTimeAsync(0);
    await realTick();
  }
}

describe('leaks: a resource read cut short by unsubscribe', () => {
  it.each([
    ['a batch read', true],
    ['a per-item read', false],
  ])(
    'unsubscribing the last key during %s leaves no read behind; the key is read again when resubscribed and collected after gcTime',
    async (_name, withBatch) => {
      const { net, poller } = setup();
      const resource = createResource<string, { id: string; v: number }>(poller, {
        item: { url: (key) => `${API}/items/${key}` },
        ...(withBatch ? { batch } : {}),
        interval: 60_000,
        gcTime: 60_000,
      });
      net.state.hang = true;
      const first = resource.subscribe('k1', noop);
      await flush();
      expect(net.calls.map((c) => c.path)).toEqual([withBatch ? '/batch' : '/items/k1']);
      expect(poller.inspect().resources.reads).toBe(1);

      first.unsubscribe(); // aborts the sweep and its request
      await flush();
      expect(net.state.inFlight).toBe(0);
      expect(poller.inspect().requestsInFlight).toBe(0);
      // Nobody waits for that read any more: it must not stay registered.
      expect(poller.inspect().resources.reads).toBe(0);

      // Subscribed again, the key is due at once and gets its data.
      net.state.hang = false;
      const snapshots: string[] = [];
      const again = resource.subscribe('k1', (snapshot) => snapshots.push(snapshot.status));
      await flush();
      expect(net.calls).toHaveLength(2);
      expect(snapshots).toEqual(['success']);
      expect(resource.get('k1').data).toEqual({ id: 'k1', v: 1 });
      // fetch() of the key resolves (it must not join a dead read).
      let fetched: unknown;
      void resource.fetch('k1').then((data) => {
        fetched = data;
      });
      await flush();
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
    const { net, poller } = setup();
    const resource = createResource<string, unknown>(poller, {
      item: { url: (key) => `${API}/items/${key}` },
      interval: 60_000,
      concurrency: 2,
    });
    net.state.hang = true;
    const subscriptions = Array.from({ length: 10 }, (_, i) => resource.subscribe(`k${i}`, noop));
    await flush();
    expect(net.calls).toHaveLength(2);
    for (const subscription of subscriptions) subscription.unsubscribe();
    await flush();
    // The 8 keys that had not started must not reach fetch (even with an aborted signal).
    expect(net.calls.filter((c) => c.aborted)).toEqual([]);
    expect(net.calls).toHaveLength(2);
    expect(poller.stats().sent).toBe(2);
    expect(poller.inspect().resources.reads).toBe(0);
    poller.dispose();
  });

  it('an unsubscribed batch sweep starts no further chunk (3 chunks, concurrency 1: 1 call)', async () => {
    const { net, poller } = setup();
    const resource = createResource<string, unknown>(poller, {
      item: { url: (key) => `${API}/items/${key}` },
      batch: { ...batch, maxSize: 2 },
      interval: 60_000,
      concurrency: 1,
    });
    // The endpoint answered once: the next sweep sends its chunks one at a time.
    net.state.hang = false;
    const warm = resource.subscribe('w', noop);
    await flush();
    warm.unsubscribe();
    net.calls.length = 0;
    net.state.hang = true;
    const subscriptions = Array.from({ length: 6 }, (_, i) => resource.subscribe(`k${i}`, noop));
    await flush();
    expect(net.calls.map((c) => c.path)).toEqual(['/batch']);
    for (const subscription of subscriptions) subscription.unsubscribe();
    await flush();
    // The 2 chunks that had not started must not reach fetch (even with an aborted signal).
    expect(net.calls.filter((c) => c.aborted)).toEqual([]);
    expect(net.calls).toHaveLength(1);
    expect(net.state.inFlight).toBe(0);
    expect(poller.inspect().resources.reads).toBe(0);
    poller.dispose();
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
    await flush();
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
    poller.dispose();
  });
});

describe('leaks: dispose() starts nothing', () => {
  // Was a bug: the resources' disposers ran before the door and the scheduler were disposed; a
  // sweep removed there freed its lane slot and the queued task poll reached the network.
  it('a resource freeing its lane slot during dispose() does not start the poll queued behind it', async () => {
    const net = api();
    const poller = createPoller({
      fetch: net.fetch,
      visibility: false,
      online: false,
      jitter: 0,
      random: () => 0,
      maxConcurrent: 1, // one request at a time per origin: the task poll waits for the sweep
    });
    const resource = createResource<string, unknown>(poller, {
      item: { url: (key) => `${API}/items/${key}` },
      interval: 60_000,
    });
    net.state.hang = true;
    resource.subscribe('k1', noop);
    await flush();
    poller.poll((ctx) => ctx.fetch(`${API}/task`), { origin: API, interval: 60_000 });
    await flush();
    expect(net.calls.map((c) => c.path)).toEqual(['/items/k1']);
    expect(poller.inspect()).toMatchObject({ running: 1, queued: 1 });

    poller.dispose();
    await flush();
    // The sweep's request was aborted; the queued task never reached the network.
    expect(net.calls.map((c) => c.path)).toEqual(['/items/k1']);
    expect(net.state.inFlight).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });
});
