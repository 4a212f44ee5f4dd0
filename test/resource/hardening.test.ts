// Issue 8 (resource part), on the fake network and the fake clock: no key may wedge, a 304 is
// never data, 413 splits meet the same limiter and gates, fetch() never throws.
import { describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import { isPollwiseError, isRefusal, UnexpectedResponseError } from '../../src/index.js';
import { createResource, ReadSkippedError, type Snapshot } from '../../src/resource/index.js';
import { useFakeClock } from '../support/clock.js';
import { settle } from '../support/fake-network.js';
import { rejectionOf, tracked } from '../support/promises.js';
import { API, apiBatch, apiResource, type Entry, keys, setup } from './harness.js';

useFakeClock();

const entry = (id: string, value: unknown = `v-${id}`): Entry => ({ id, value });

/** `value` wrapped in `depth` arrays, as JSON text (JSON.stringify overflows at this depth). */
const nestedJson = (depth: number, value: string) =>
  `${'['.repeat(depth)}${value}${']'.repeat(depth)}`;

/** The innermost value of `depth` nested arrays. */
function innermost(data: unknown): unknown {
  let value = data;
  while (Array.isArray(value)) value = value[0];
  return value;
}

describe('item 1: a batch url/body/key function that throws once', () => {
  const boom = new Error('user function failed');
  /** A batch endpoint whose `which` function throws while `broken.now` holds. */
  function breakable(which: 'url' | 'body' | 'key' | 'GET url') {
    const broken = { now: true };
    const guard = <T>(f: () => T): T => {
      if (broken.now) throw boom;
      return f();
    };
    const batch =
      which === 'url'
        ? apiBatch({ url: () => guard(() => `${API}/batch`) })
        : which === 'body'
          ? apiBatch({ body: (ks) => guard(() => ({ ids: ks })) })
          : which === 'key'
            ? apiBatch({ key: (e) => guard(() => (e as Entry).id) })
            : apiBatch({
                method: 'GET',
                body: undefined,
                url: (ks) => guard(() => `${API}/batch?ids=${ks.join(',')}`),
              });
    return { batch, broken };
  }

  it.each(['url', 'body', 'key', 'GET url'] as const)(
    '%s: its keys get the error (listeners and fetch()), none stays pending; fixed, the next sweep and fetch() work',
    async (which) => {
      const { api, poller } = setup();
      api.fill(['a', 'b', 'c', 'd']);
      const { batch, broken } = breakable(which);
      const resource = createResource(poller, apiResource({ batch }));
      const seen: Snapshot<Entry>[] = [];
      resource.subscribe('a', (s) => seen.push(s));
      resource.subscribe('b', vi.fn());
      const fetched = tracked(resource.fetch('c'));
      await settle();

      expect(fetched).toEqual({ settled: true, error: boom });
      expect(seen).toEqual([{ status: 'error', data: undefined, error: boom, updatedAt: null }]);
      expect(resource.get('b')).toMatchObject({ status: 'error', error: boom });
      expect(poller.inspect().resources.reads).toBe(0);
      expect(poller.inspect().requestsInFlight).toBe(0);
      // A key function runs on the answer: that request went out; the others never sent anything.
      expect(api.batches()).toHaveLength(which === 'key' ? 1 : 0);

      broken.now = false;
      await vi.advanceTimersByTimeAsync(1000); // the next tick (backoff: at least the interval)
      await settle();
      expect(resource.get('a')).toMatchObject({ status: 'success', data: entry('a') });
      expect(resource.get('b')).toMatchObject({ status: 'success', data: entry('b') });
      const again = tracked(Promise.all([resource.fetch('c'), resource.fetch('d')]));
      await settle();
      expect(again).toEqual({ settled: true, value: [entry('c'), entry('d')] });
      expect(poller.inspect().resources.reads).toBe(0);
    },
  );
});

describe('item 2: batch data nested deeper than the stack', () => {
  it('100,000 levels: equal data keeps the snapshot, changed data updates the key, the other keys too', async () => {
    const { api, poller } = setup();
    const DEPTH = 100_000;
    let version = 1;
    api.override = (request) =>
      request.kind === 'batch'
        ? new Response(
            `[{"id":"deep","value":${nestedJson(DEPTH, String(version))}},{"id":"flat","value":${version}}]`,
            { headers: { 'content-type': 'application/json' } },
          )
        : undefined;
    const resource = createResource(poller, apiResource());
    const deep = vi.fn();
    resource.subscribe('deep', deep);
    resource.subscribe('flat', vi.fn());
    await settle();
    const first = resource.get('deep');
    expect(innermost(first.data?.value)).toBe(1);

    await vi.advanceTimersByTimeAsync(1000); // same data: compared, not thrown over
    await settle();
    expect(resource.get('deep')).toBe(first);
    expect(deep).toHaveBeenCalledTimes(1);

    version = 2;
    await vi.advanceTimersByTimeAsync(1000);
    await settle();
    expect(innermost(resource.get('deep').data?.value)).toBe(2);
    expect(resource.get('flat').data?.value).toBe(2);
    expect(deep).toHaveBeenCalledTimes(2);
    expect(poller.inspect().resources.reads).toBe(0);
    expect(poller.stats().batches).toBe(3);
  });
  it('a change check that throws (a getter in batch.data output) fails that key only; it is read again on the next tick', async () => {
    const { api, poller } = setup();
    api.fill(['a', 'b']);
    const trap = new Error('getter says no');
    let reads = 0;
    const resource = createResource(
      poller,
      apiResource({
        batch: apiBatch({
          // The data of 'a' changes identity each read and throws when compared.
          data: (e) =>
            (e as Entry).id === 'a'
              ? {
                  read: ++reads,
                  get value(): unknown {
                    throw trap;
                  },
                }
              : e,
        }),
      }),
    );
    resource.subscribe('a', vi.fn());
    resource.subscribe('b', vi.fn());
    await settle();
    expect(resource.get('a').status).toBe('success');
    await vi.advanceTimersByTimeAsync(1000);
    await settle();
    expect(resource.get('a')).toMatchObject({ status: 'error', error: trap });
    expect(resource.get('b').status).toBe('success');
    expect(poller.inspect().resources.reads).toBe(0);
    const fetched = tracked(resource.fetch('a'));
    await settle();
    expect(fetched).toEqual({ settled: true, error: trap });
    await vi.advanceTimersByTimeAsync(1000);
    await settle();
    expect(api.batches().map((r) => [r.at, r.keys])).toEqual([
      [0, ['a', 'b']],
      [1000, ['a', 'b']],
      [1000, ['a']],
      [2000, ['a', 'b']], // read again: not left pending
    ]);
    expect(poller.inspect().resources.reads).toBe(0);
  });
});

describe('item 3: refresh() while a sweep hangs on one key (fake network; the wire suite has the rest)', () => {
  it('made while paused, the refresh is kept for when the hung sweep ends, not lost to its in-flight ticks', async () => {
    const { api, poller } = setup({ timeout: 2000 });
    api.fill(['a', 'c']);
    api.net.respond = (call) => (call.path === '/items/a' ? 'hang' : api.respond(call));
    const resource = createResource(poller, apiResource({ batch: undefined }));
    resource.subscribe('a', vi.fn());
    resource.subscribe('c', vi.fn());
    await settle();
    await vi.advanceTimersByTimeAsync(300);
    poller.pause();
    resource.refresh(); // c is due, but a paused poller sends nothing
    await vi.advanceTimersByTimeAsync(200);
    poller.resume(); // while a still hangs: the sweep is in flight
    await vi.advanceTimersByTimeAsync(1500); // 2000: a's deadline ends the sweep
    await settle();
    expect(api.items().map((r) => [r.at, r.keys[0]])).toEqual([
      [0, 'a'],
      [0, 'c'],
      // The kept refresh, as soon as the sweep ends (not at the next regular tick, 2500).
      [2000, 'a'],
      [2000, 'c'],
    ]);
  });
});

describe('item 5: a 304 to a request that named no ETag', () => {
  const schema = z.object({ id: z.string(), value: z.number() });

  it('per item: an UnexpectedResponseError for that key, fetch() rejects, the schema is never bypassed', async () => {
    const { api, poller } = setup();
    api.set('a', 1);
    api.set('b', 2);
    api.override = (request) =>
      request.kind === 'item' && request.keys[0] === 'a'
        ? new Response(null, { status: 304, headers: { etag: '"x"' } })
        : undefined;
    const resource = createResource(poller, {
      ...apiResource({ batch: undefined }),
      item: { ...apiResource().item, schema },
    });
    const listener = vi.fn();
    resource.subscribe('a', listener);
    const a = resource.fetch('a');
    const b = resource.fetch('b');
    await settle();
    expect(api.items().map((r) => r.headers.get('if-none-match'))).toEqual([null, null]);
    const error = await rejectionOf(a);
    expect(error).toBeInstanceOf(UnexpectedResponseError);
    expect(error).toMatchObject({ status: 304, url: `${API}/items/a` });
    expect(listener).toHaveBeenCalledTimes(1);
    expect(listener).toHaveBeenLastCalledWith({
      status: 'error',
      data: undefined,
      error,
      updatedAt: null,
    });
    await expect(b).resolves.toEqual({ id: 'b', value: 2 });
    expect(poller.stats()).toMatchObject({ notModified: 0 });
    // Its ETag was not kept either: the next read still names none.
    await vi.advanceTimersByTimeAsync(1000);
    await settle();
    expect(api.items().map((r) => r.headers.get('if-none-match'))).toEqual([null, null, null]);
    expect(resource.get('a').status).toBe('error');
  });

  it('batch: a 304 from the batch endpoint (it never gets an ETag) is an UnexpectedResponseError for its keys', async () => {
    const { api, poller } = setup();
    api.fill(['a', 'b']);
    api.override = (request) =>
      request.kind === 'batch' ? new Response(null, { status: 304 }) : undefined;
    const resource = createResource(poller, apiResource());
    resource.subscribe('a', vi.fn());
    const fetched = resource.fetch('b');
    await settle();
    const error = await rejectionOf(fetched);
    expect(error).toBeInstanceOf(UnexpectedResponseError);
    expect(error).toMatchObject({ status: 304, url: `${API}/batch` });
    expect(resource.get('a')).toMatchObject({ status: 'error', data: undefined, error });
    expect(api.items()).toHaveLength(0); // no fallback: the endpoint is there
  });
});

describe('item 7: a 413 on every batch', () => {
  /** 64 subscribed keys; every batch request answers 413 after `delay`. */
  function storm(
    concurrency: number,
    delay: number | 'macrotask' = 10,
    options: Parameters<typeof setup>[0] = {},
  ) {
    const env = setup(options);
    const ks = keys(64);
    env.api.fill(ks);
    env.api.batchStatus = 413;
    env.api.delay = delay;
    const resource = createResource(env.poller, apiResource({ concurrency }));
    for (const key of ks) resource.subscribe(key, vi.fn());
    return { ...env, ks, resource };
  }

  it.each([1, 2, 6])(
    'concurrency %i: 127 requests for 64 keys in one sweep, never more than that in flight; each key gets the 413',
    async (n) => {
      const { api, ks, resource, poller } = storm(n, 'macrotask');
      await settle();
      expect(api.batches()).toHaveLength(127); // 64 + 2·32 + 4·16 + … + 64·1
      expect(api.maxInFlight).toBe(n);
      for (const key of ks) {
        expect(resource.get(key).error).toBeInstanceOf(UnexpectedResponseError);
        expect(resource.get(key).error).toMatchObject({ status: 413 });
      }
      expect(poller.stats()).toMatchObject({ sent: 127, batches: 127 });
      expect(poller.inspect().resources.reads).toBe(0);
    },
  );

  it('splits wait while the tab is hidden and go on (no request) only when it is visible again', async () => {
    const { api, visibility, poller } = storm(2);
    await vi.advanceTimersByTimeAsync(15); // 64 answered at 10; its halves (32, 32) in flight
    expect(api.batchSizes()).toEqual([64, 32, 32]);
    visibility.set(false);
    await vi.advanceTimersByTimeAsync(60_000);
    await settle();
    expect(api.batchSizes()).toEqual([64, 32, 32]);
    expect(poller.inspect().requestsInFlight).toBe(0);
    visibility.set(true);
    await vi.advanceTimersByTimeAsync(5);
    expect(api.batches().length).toBeGreaterThan(3);
    expect(api.maxInFlight).toBe(2);
  });

  it('splits wait while the poller is paused', async () => {
    const { api, poller } = storm(2);
    await vi.advanceTimersByTimeAsync(15);
    poller.pause();
    await vi.advanceTimersByTimeAsync(60_000);
    await settle();
    expect(api.batchSizes()).toEqual([64, 32, 32]);
    poller.resume();
    await vi.advanceTimersByTimeAsync(5);
    expect(api.batches().length).toBeGreaterThan(3);
  });

  it('splits wait for a cooldown that a split itself started (429 with Retry-After)', async () => {
    const { api, poller } = storm(2);
    let answered = 0;
    api.override = (request) =>
      request.kind === 'batch' && ++answered === 2
        ? new Response(null, { status: 429, headers: { 'retry-after': '30' } })
        : undefined;
    await vi.advanceTimersByTimeAsync(25); // 64 → 413; 32 → 429, 32 → 413
    const sizes = api.batchSizes();
    expect(sizes).toEqual([64, 32, 32]);
    await vi.advanceTimersByTimeAsync(29_000);
    await settle();
    expect(api.batchSizes()).toEqual(sizes);
    expect(poller.stats().sent).toBe(3);
  });

  it('splits wait while the breaker a split opened is open', async () => {
    const breaker = { minRequests: 2, failureRatio: 0.5, openMs: 30_000 };
    const { api, poller } = storm(1, 10, { breaker });
    api.override = (request) =>
      request.kind === 'batch' && request.keys.length === 32
        ? new Response('down', { status: 500 })
        : undefined;
    await vi.advanceTimersByTimeAsync(25); // 64 → 413 (ok), 32 → 500: 1 of 2 failed, open
    expect(api.batchSizes()).toEqual([64, 32]);
    await vi.advanceTimersByTimeAsync(29_000);
    await settle();
    expect(api.batchSizes()).toEqual([64, 32]);
    expect(poller.stats().sent).toBe(2);
  });
});

describe('item 7: a 413 is remembered per batch endpoint', () => {
  /** 64 subscribed keys on a batch endpoint that answers 413 above `maxBatch` keys. */
  function limited(maxBatch: number, status = 200) {
    const env = setup();
    const ks = keys(64);
    env.api.fill(ks);
    env.api.maxBatch = maxBatch;
    env.api.batchStatus = status;
    const resource = createResource(env.poller, apiResource());
    for (const key of ks) resource.subscribe(key, vi.fn());
    /** Batch sizes sent from now on, over `sweeps` more intervals. */
    const sweep = async (sweeps = 1) => {
      const before = env.api.batches().length;
      for (let i = 0; i < sweeps; i++) {
        await vi.advanceTimersByTimeAsync(i === 0 && before === 0 ? 0 : 1000);
        await settle();
      }
      return env.api.batchSizes().slice(before);
    };
    return { ...env, ks, resource, sweep };
  }

  it('room for 20: the first sweep halves 64 → 32 → 16 (7 requests); later sweeps send 16 × 4', async () => {
    const { sweep, ks, resource } = limited(20);
    expect(await sweep()).toEqual([64, 32, 32, 16, 16, 16, 16]);
    expect(await sweep()).toEqual([16, 16, 16, 16]);
    expect(await sweep()).toEqual([16, 16, 16, 16]);
    expect(ks.every((k) => resource.get(k).status === 'success')).toBe(true);
  });

  it('a 413 storm (every batch, even of one key): 127 requests once, then 64 per sweep', async () => {
    const { sweep, poller } = limited(Number.POSITIVE_INFINITY, 413);
    expect(await sweep()).toHaveLength(127);
    expect(await sweep()).toEqual(Array(64).fill(1));
    expect(await sweep()).toEqual(Array(64).fill(1));
    expect(poller.stats()).toMatchObject({ sent: 127 + 64 + 64 });
  });

  it('after 10 clean sweeps the size doubles once (a probe back up); a 413 brings it back down', async () => {
    const { sweep, api } = limited(20);
    await sweep(); // 64 → 32 → 16
    expect(await sweep(10)).toEqual(Array(40).fill(16)); // 10 clean sweeps of 16 × 4
    expect(await sweep()).toEqual([32, 32, 16, 16, 16, 16]); // the probe: 32 is too large
    expect(await sweep(10)).toEqual(Array(40).fill(16));
    api.maxBatch = 64; // the server takes more again
    expect(await sweep()).toEqual([32, 32]); // the next probe fits: 1 clean read at 32
    expect(await sweep(9)).toEqual(Array(18).fill(32));
    expect(await sweep()).toEqual([64]); // back to maxSize: nothing to remember
    expect(await sweep(20)).toEqual(Array(20).fill(64));
  });

  it('per endpoint: a 413 from one origin leaves another batch endpoint at maxSize', async () => {
    const { api, poller } = setup();
    const ks = keys(64);
    api.fill(ks);
    api.override = (request) =>
      request.kind === 'batch' && request.origin === API && request.keys.length > 20
        ? new Response('too large', { status: 413 })
        : undefined;
    const other = 'http://other.test';
    const here = createResource(poller, apiResource());
    const there = createResource(
      poller,
      apiResource({
        batch: apiBatch({ url: `${other}/batch` }),
        item: { url: (key) => `${other}/items/${key}` },
      }),
    );
    for (const key of ks) {
      here.subscribe(key, vi.fn());
      there.subscribe(key, vi.fn());
    }
    await settle();
    await vi.advanceTimersByTimeAsync(1000);
    await settle();
    const sizes = (origin: string) =>
      api
        .batches()
        .filter((r) => r.origin === origin)
        .map((r) => r.keys.length);
    expect(sizes(API)).toEqual([64, 32, 32, 16, 16, 16, 16, 16, 16, 16, 16]);
    expect(sizes(other)).toEqual([64, 64]);
  });
});

describe('a skipped read: fetch() rejects with a typed error', () => {
  it('a key fetched with a sweep that a 429 stops: ReadSkippedError (code skipped), not a plain Error', async () => {
    const { api, poller } = setup();
    api.fill(['a', 'b']);
    api.override = (request) =>
      request.kind === 'item' && request.keys[0] === 'a'
        ? new Response(null, { status: 429, headers: { 'retry-after': '30' } })
        : undefined;
    const resource = createResource(poller, apiResource({ batch: undefined, concurrency: 1 }));
    resource.subscribe('a', vi.fn());
    resource.subscribe('b', vi.fn());
    const fetched = resource.fetch('b'); // rides the sweep: a first (stalest), then b
    await settle();
    expect(api.items().map((r) => r.keys[0])).toEqual(['a']); // the cooldown stopped b
    const error = await rejectionOf(fetched);
    expect(error).toBeInstanceOf(ReadSkippedError);
    expect(error).toMatchObject({ name: 'ReadSkippedError', code: 'skipped', key: 'b' });
    expect(isPollwiseError(error)).toBe(true);
    expect(isRefusal(error)).toBe(false); // no retry time to give: it is due on the next tick
    expect((error as Error).message).toMatch(/^pollwise: /);
    expect(resource.get('b').status).toBe('pending'); // nothing was learned of b
  });
});

describe('item 13: fetch() with a key the default keyId cannot encode', () => {
  const cyclic: Record<string, unknown> = { id: 'x' };
  cyclic.self = cyclic;

  it.each([
    ['a cyclic key', cyclic],
    ['a BigInt key', 10n],
    ['an object holding a BigInt', { id: 10n }],
  ])(
    '%s: fetch() rejects (never throws), nothing is sent or counted, requestsInFlight is 0',
    async (_name, key) => {
      const { api, poller } = setup();
      const resource = createResource<unknown, Entry>(poller, {
        item: { url: () => `${API}/items/x` },
        interval: 1000,
      });
      let promise: Promise<unknown> | undefined;
      expect(() => {
        promise = resource.fetch(key);
      }).not.toThrow();
      expect(promise).toBeInstanceOf(Promise);
      const error = await rejectionOf(promise as Promise<unknown>);
      expect(error).toBeInstanceOf(TypeError);
      expect(error).toMatchObject({ message: expect.stringMatching(/keyId/) });
      await settle();
      expect(api.requests).toHaveLength(0);
      expect(poller.inspect()).toMatchObject({ requestsInFlight: 0 });
      expect(poller.inspect().resources.reads).toBe(0);
      expect(poller.stats()).toMatchObject({ sent: 0, itemRequests: 0, batches: 0 });
    },
  );

  const KEYS_JSON_DROPS: [string, unknown][] = [
    ['undefined', undefined],
    ['a function', () => 1],
    ['a symbol', Symbol('s')],
  ];

  it.each(KEYS_JSON_DROPS)(
    '%s (JSON.stringify gives no text, so all would share one id): fetch() rejects and subscribe() throws, a TypeError naming keyId',
    async (_name, key) => {
      const { api, poller } = setup();
      const resource = createResource<unknown, Entry>(poller, {
        item: { url: () => `${API}/items/x` },
        interval: 1000,
      });
      const fetched = tracked(resource.fetch(key));
      await settle();
      expect(fetched.settled).toBe(true);
      const { error } = fetched;
      expect(error).toBeInstanceOf(TypeError);
      expect(error).toMatchObject({ message: expect.stringMatching(/keyId/) });
      let thrown: unknown;
      try {
        resource.subscribe(key, vi.fn());
      } catch (caught) {
        thrown = caught;
      }
      expect(thrown).toBeInstanceOf(TypeError);
      expect(thrown).toMatchObject({ message: expect.stringMatching(/keyId/) });
      await vi.advanceTimersByTimeAsync(1000);
      await settle();
      expect(api.requests).toHaveLength(0);
      expect(poller.inspect()).toMatchObject({ requestsInFlight: 0 });
      expect(poller.inspect().resources).toMatchObject({ reads: 0, items: 0, groups: 0 });
    },
  );

  it("so two such keys never share a read: each fetch() gets its own rejection, none the other's data", async () => {
    const { api, poller } = setup();
    const resource = createResource<unknown, Entry>(poller, {
      item: { url: (k) => `${API}/items/${typeof k}` },
      interval: 1000,
    });
    const outcomes = KEYS_JSON_DROPS.map(([, key]) => tracked(resource.fetch(key)));
    await settle();
    // Shared, they were one read of /items/undefined, and each got its answer.
    expect(api.requests.map((r) => r.path)).toEqual([]);
    for (const outcome of outcomes) expect(outcome.error).toBeInstanceOf(TypeError);
  });
});
