import { describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import { MAX_TIMER_MS } from '../../src/defaults.js';
import {
  CooldownError,
  HttpError,
  MissingItemError,
  PollerDisposedError,
  type PollerEvents,
  UnexpectedResponseError,
  ValidationError,
} from '../../src/index.js';
import { createResource, type Resource, type Snapshot } from '../../src/resource/index.js';
import { elapsed, T0, useFakeClock } from '../support/clock.js';
import { settle } from '../support/fake-network.js';
import { optionIssues } from '../support/option-issues.js';
import { API, apiBatch, apiResource, type Entry, keys, setup } from './harness.js';

useFakeClock();

type Listener = ReturnType<typeof vi.fn<(snapshot: Snapshot<Entry>) => void>>;

/** Subscribes every key with its own listener. */
function subscribeAll(resource: Resource<string, Entry>, ks: readonly string[]) {
  const listeners = new Map<string, Listener>();
  const subscriptions = ks.map((key) => {
    const listener: Listener = vi.fn();
    listeners.set(key, listener);
    return resource.subscribe(key, listener);
  });
  return { listeners, subscriptions };
}

const entry = (id: string, value: unknown = `v-${id}`): Entry => ({ id, value });

/** Events of one type, recorded. */
function record<K extends keyof PollerEvents>(
  poller: { on: (type: K, handler: (event: PollerEvents[K]) => void) => void },
  type: K,
) {
  const events: PollerEvents[K][] = [];
  poller.on(type, (event) => events.push(event));
  return events;
}

describe('batching', () => {
  it('200 subscribed keys: exactly 4 batch requests (64+64+64+8) on the first tick and on the next', async () => {
    const { api, poller } = setup();
    const ks = keys(200);
    api.fill(ks);
    const resource = createResource(poller, apiResource());
    const { listeners } = subscribeAll(resource, ks);
    expect(api.requests).toHaveLength(0); // nothing is sent synchronously

    await vi.advanceTimersByTimeAsync(0);
    await settle();
    expect(api.batchSizes()).toEqual([64, 64, 64, 8]);
    expect(api.batches().map((r) => r.at)).toEqual([0, 0, 0, 0]);
    expect(api.batches().every((r) => r.method === 'POST')).toBe(true);
    // The first chunk (the stalest keys, in subscription order) probes the endpoint alone.
    expect(api.batches()[0]?.keys).toEqual(ks.slice(0, 64));
    expect(api.batches().flatMap((r) => r.keys)).toEqual(ks);
    expect(api.items()).toHaveLength(0);
    // Every key got its own data, once.
    for (const key of ks) {
      expect(resource.get(key)).toEqual({
        status: 'success',
        data: entry(key),
        error: undefined,
        updatedAt: T0,
      });
      expect(listeners.get(key)).toHaveBeenCalledTimes(1);
      expect(listeners.get(key)).toHaveBeenLastCalledWith(resource.get(key));
    }
    expect(poller.stats()).toMatchObject({ batches: 4, batchedKeys: 200, itemRequests: 0 });

    api.reset();
    await vi.advanceTimersByTimeAsync(999);
    expect(api.requests).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    await settle();
    expect(api.batchSizes()).toEqual([64, 64, 64, 8]);
    expect(api.batches().map((r) => r.at)).toEqual([1000, 1000, 1000, 1000]);
    expect(
      api
        .batches()
        .flatMap((r) => r.keys)
        .sort(),
    ).toEqual(ks);
    expect(api.items()).toHaveLength(0);
    expect(poller.stats()).toMatchObject({ batches: 8, batchedKeys: 400 });

    api.reset();
    await vi.advanceTimersByTimeAsync(1000);
    await settle();
    expect(api.batchSizes()).toEqual([64, 64, 64, 8]);
  });

  it('a known batch endpoint gets the chunks in parallel, at most `concurrency` at once', async () => {
    const { api, poller } = setup();
    const ks = keys(100);
    api.fill(ks);
    api.delay = 'macrotask'; // requests overlap while the fake clock stands still
    const resource = createResource(
      poller,
      apiResource({ batch: apiBatch({ maxSize: 10 }), concurrency: 4 }),
    );
    subscribeAll(resource, ks);
    await settle();
    expect(api.batchSizes()).toEqual(Array(10).fill(10));
    api.reset();
    await vi.advanceTimersByTimeAsync(1000);
    await settle();
    expect(api.batchSizes()).toEqual(Array(10).fill(10));
    expect(api.maxInFlight).toBe(4);
  });

  it('deduplicates keys: two subscriptions and a fetch() of one key request it once', async () => {
    const { api, poller } = setup();
    api.fill(['a', 'b', 'c']);
    const resource = createResource(poller, apiResource());
    const first = vi.fn();
    const second = vi.fn();
    resource.subscribe('a', first);
    resource.subscribe('a', second);
    resource.subscribe('b', vi.fn());
    resource.subscribe('c', vi.fn());
    const fetched = resource.fetch('b');
    await settle();
    const asked = api.batches().flatMap((r) => r.keys);
    expect(asked.sort()).toEqual(['a', 'b', 'c']);
    await expect(fetched).resolves.toEqual(entry('b'));
    expect(first).toHaveBeenCalledTimes(1);
    expect(second).toHaveBeenCalledTimes(1);
    expect(first.mock.calls[0]?.[0]).toBe(second.mock.calls[0]?.[0]); // one snapshot for both
  });

  it('keys subscribed and fetch() calls made in the same macrotask go out as one batch request', async () => {
    const { api, poller } = setup();
    api.fill(['a', 'b', 'c']);
    const resource = createResource(poller, apiResource());
    resource.subscribe('a', vi.fn());
    resource.subscribe('b', vi.fn());
    const fetched = resource.fetch('c');
    await settle();
    await expect(fetched).resolves.toEqual(entry('c'));
    expect(api.batches().map((r) => r.keys)).toEqual([['a', 'b', 'c']]);
  });

  it('fetch() called before the subscriptions of the same macrotask also rides in their batch', async () => {
    const { api, poller } = setup();
    api.fill(['a', 'b', 'c']);
    const resource = createResource(poller, apiResource());
    const fetched = resource.fetch('c');
    resource.subscribe('a', vi.fn());
    resource.subscribe('b', vi.fn());
    await settle();
    await expect(fetched).resolves.toEqual(entry('c'));
    expect(api.batches().map((r) => r.keys)).toEqual([['a', 'b', 'c']]);
  });

  it('fetch() is not held back by a sweep the hidden tab parks', async () => {
    const { api, poller, visibility } = setup();
    api.fill(['a', 'b']);
    const resource = createResource(poller, apiResource());
    visibility.set(false);
    resource.subscribe('a', vi.fn());
    const fetched = resource.fetch('b');
    await settle();
    await expect(fetched).resolves.toEqual(entry('b'));
    expect(api.batches().map((r) => r.keys)).toEqual([['b']]);
    visibility.set(true);
    await settle();
    expect(api.batches().map((r) => r.keys)).toEqual([['b'], ['a']]);
  });

  it("expresses the seed's shape: POST /api/get_logs_batch {project, runs: [{run, run_id}]}", async () => {
    type Run = { run: string; run_id: number };
    const { api, poller } = setup();
    api.override = (request) => {
      if (request.path !== '/api/get_logs_batch') return undefined;
      const { runs } = request.body as { project: string; runs: Run[] };
      // Answers in another order, with the key fields in another order too.
      return Response.json(
        [...runs].reverse().map((r) => ({ run_id: r.run_id, run: r.run, logs: [`${r.run}:1`] })),
      );
    };
    const resource = createResource<Run, string[]>(poller, {
      item: { url: (r) => `${API}/api/runs/${r.run_id}/logs` },
      batch: {
        url: `${API}/api/get_logs_batch`,
        body: (runs) => ({ project: 'demo', runs }),
        key: (e) => ({ run: (e as Run).run, run_id: (e as Run).run_id }),
        data: (e) => (e as { logs: string[] }).logs,
      },
      interval: 1000,
    });
    const runs = [1, 2, 3].map((n) => ({ run: `run-${n}`, run_id: n }));
    for (const run of runs) resource.subscribe(run, vi.fn());
    await settle();
    expect(api.requests).toHaveLength(1);
    expect(api.requests[0]?.method).toBe('POST');
    expect(api.requests[0]?.body).toEqual({ project: 'demo', runs });
    for (const run of runs) {
      expect(resource.get({ run: run.run, run_id: run.run_id })).toMatchObject({
        status: 'success',
        data: [`${run.run}:1`],
      });
    }
  });

  it('GET batches are chunked by URL length as well as by maxSize', async () => {
    const { api, poller } = setup();
    const ks = keys(20); // k000..k019: 4 characters each
    api.fill(ks);
    const batchUrl = (list: readonly string[]) => `${API}/batch?ids=${list.join(',')}`;
    const resource = createResource(
      poller,
      apiResource({
        batch: { url: batchUrl, key: (e) => (e as Entry).id, maxUrlLength: 60 },
      }),
    );
    const { listeners } = subscribeAll(resource, ks);
    await settle();
    // `http://api.test/batch?ids=` is 26 characters; n keys add 5n - 1: n <= 7.
    expect(api.batchSizes()).toEqual([7, 7, 6]);
    for (const request of api.batches()) {
      expect(request.method).toBe('GET');
      expect(request.url.length).toBeLessThanOrEqual(60);
    }
    expect(api.batches().flatMap((r) => r.keys)).toEqual(ks);
    for (const key of ks) expect(listeners.get(key)).toHaveBeenCalledTimes(1);
    expect(resource.get('k019').data).toEqual(entry('k019'));
  });

  it('with answers slower than the tick slack, every key is still read once per interval (batch path)', async () => {
    const { api, poller } = setup();
    const ks = keys(200);
    api.fill(ks);
    api.delay = 50;
    const resource = createResource(poller, apiResource());
    subscribeAll(resource, ks);
    await vi.advanceTimersByTimeAsync(100);
    // The probe alone at 0; once it answered (50 ms later), the other chunks.
    expect(api.batches().map((r) => r.at)).toEqual([0, 50, 50, 50]);
    const readsOf = (key: string) => api.batches().filter((r) => r.keys.includes(key)).length;
    // One interval after their first read (at 1000 or 1050), no key waits a second interval.
    await vi.advanceTimersByTimeAsync(1050); // t = 1150
    expect(ks.filter((k) => readsOf(k) !== 2)).toEqual([]);
    expect(api.batches().length).toBeLessThanOrEqual(8);
  });

  it('with answers slower than the tick slack, every key is still read once per interval (per-item path)', async () => {
    const { api, poller } = setup();
    const ks = keys(30);
    api.fill(ks);
    api.delay = 10; // 6 at a time: the first reads go out at 0, 10, 20, 30 and 40 ms
    const resource = createResource(poller, apiResource({ batch: undefined }));
    subscribeAll(resource, ks);
    await vi.advanceTimersByTimeAsync(100);
    expect(api.items().map((r) => r.at)).toEqual(
      [0, 10, 20, 30, 40].flatMap((t) => Array(6).fill(t)),
    );
    const readsOf = (key: string) => api.items().filter((r) => r.keys[0] === key).length;
    await vi.advanceTimersByTimeAsync(1050); // t = 1150: every key's interval is up
    expect(ks.filter((k) => readsOf(k) !== 2)).toEqual([]);
  });

  it('subscribing a new key does not postpone the keys already polled', async () => {
    const { api, poller } = setup();
    api.fill(['a', 'b']);
    const resource = createResource(poller, apiResource());
    resource.subscribe('a', vi.fn());
    await settle();
    await vi.advanceTimersByTimeAsync(900);
    resource.subscribe('b', vi.fn());
    await settle(); // b is read at once, alone: a is not due yet
    expect(api.batches().map((r) => [r.at, r.keys])).toEqual([
      [0, ['a']],
      [900, ['b']],
    ]);
    await vi.advanceTimersByTimeAsync(100); // t = 1000: a's interval is up
    await settle();
    expect(api.batches().map((r) => [r.at, r.keys])).toEqual([
      [0, ['a']],
      [900, ['b']],
      [1000, ['a']],
    ]);
  });
});

describe('tick slack', () => {
  it('with no jitter, a key first read a few ms after its group was made is read one interval after that read', async () => {
    const { api, poller, visibility } = setup();
    api.fill(['a']);
    const resource = createResource(poller, apiResource());
    visibility.set(false);
    resource.subscribe('a', vi.fn()); // the group is made at 0; its first read waits
    await vi.advanceTimersByTimeAsync(5);
    visibility.set(true);
    await settle();
    // The group's ticks start with its first sweep (sweeper.test.ts has later starts).
    await vi.advanceTimersByTimeAsync(1000); // t = 1005
    await settle();
    await vi.advanceTimersByTimeAsync(1000);
    await settle();
    expect(api.batches().map((r) => r.at)).toEqual([5, 1005, 2005]);
  });
});

describe('fallback to per-item requests', () => {
  it('404: exactly one batch request, then per-item requests in the same tick, at most 6 in flight', async () => {
    const { api, poller } = setup();
    const ks = keys(200);
    api.fill(ks);
    api.batchStatus = 404;
    api.delay = 'macrotask';
    const fallbacks = record(poller, 'fallback');
    const batchEvents = record(poller, 'batch');
    const resource = createResource(poller, apiResource({ reprobeAfter: 5000 }));
    const { listeners } = subscribeAll(resource, ks);
    await settle();

    expect(api.batchSizes()).toEqual([64]);
    expect(api.requests[0]?.kind).toBe('batch'); // the probe goes first
    expect(api.items().map((r) => r.keys[0])).toEqual(ks);
    expect(api.requests.every((r) => r.at === 0)).toBe(true);
    expect(api.maxInFlight).toBe(6);
    for (const key of ks) {
      expect(resource.get(key).data).toEqual(entry(key));
      expect(listeners.get(key)).toHaveBeenCalledTimes(1);
    }
    expect(fallbacks).toEqual([{ origin: API, until: T0 + 5000, keys: 200 }]);
    expect(batchEvents).toEqual([{ url: `${API}/batch`, keys: 64, status: 404 }]);
    expect(poller.stats()).toMatchObject({ batches: 1, fallbacks: 1, itemRequests: 200 });

    // No batch request until the re-probe time: per-item only, every interval.
    for (const t of [1000, 2000, 3000, 4000]) {
      api.reset();
      await vi.advanceTimersByTimeAsync(1000);
      await settle();
      expect(elapsed()).toBe(t);
      expect(api.batches()).toHaveLength(0);
      expect(api.items()).toHaveLength(200);
      expect(api.maxInFlight).toBe(6);
    }

    // Re-probe time, the route still missing: exactly one probe, then per item again.
    api.reset();
    await vi.advanceTimersByTimeAsync(1000);
    await settle();
    expect(api.batchSizes()).toEqual([64]);
    expect(api.batches()[0]?.at).toBe(5000);
    expect(api.items()).toHaveLength(200);
    expect(fallbacks).toHaveLength(2);
    expect(fallbacks[1]?.until).toBe(T0 + 10_000);

    for (let i = 0; i < 4; i++) {
      api.reset();
      await vi.advanceTimersByTimeAsync(1000);
      await settle();
      expect(api.batches()).toHaveLength(0);
    }

    // The route is back: the probe at 10 s finds it and batching resumes, 4 requests per tick.
    api.batchStatus = 200;
    api.reset();
    await vi.advanceTimersByTimeAsync(1000);
    await settle();
    expect(elapsed()).toBe(10_000);
    expect(api.batchSizes()).toEqual([64, 64, 64, 8]);
    expect(api.items()).toHaveLength(0);
    api.reset();
    await vi.advanceTimersByTimeAsync(1000);
    await settle();
    expect(api.batchSizes()).toEqual([64, 64, 64, 8]);
    expect(api.items()).toHaveLength(0);
    expect(poller.stats().fallbacks).toBe(2);
  });

  it.each([405, 501])('%i also means the batch endpoint is missing', async (status) => {
    const { api, poller } = setup();
    const ks = keys(10);
    api.fill(ks);
    api.batchStatus = status;
    const resource = createResource(poller, apiResource());
    subscribeAll(resource, ks);
    await settle();
    expect(api.batchSizes()).toEqual([10]);
    expect(api.items().map((r) => r.keys[0])).toEqual(ks);
    expect(resource.get('k009').data).toEqual(entry('k009'));
    expect(poller.stats().fallbacks).toBe(1);
  });

  it('an error whose MESSAGE says 404 but whose status is 500 does not fall back', async () => {
    const { api, poller } = setup();
    const ks = keys(10);
    api.fill(ks);
    api.batchStatus = 500;
    api.batchStatusText = '404 Not Found';
    const resource = createResource(poller, apiResource());
    subscribeAll(resource, ks);
    await settle();
    const error = resource.get('k000').error as HttpError;
    expect(error).toBeInstanceOf(HttpError);
    // The status line says 404 (the trap the seed fell into); the status code decides.
    expect(error.status).toBe(500);
    expect(api.batches()).toHaveLength(1);
    expect(api.items()).toHaveLength(0);
    expect(poller.stats().fallbacks).toBe(0);
  });

  it('a batch endpoint that disappears after having answered: its keys are read per item in that tick', async () => {
    const { api, poller } = setup();
    const ks = keys(200);
    api.fill(ks);
    const resource = createResource(poller, apiResource());
    subscribeAll(resource, ks);
    await settle();
    expect(api.batchSizes()).toEqual([64, 64, 64, 8]);
    api.batchStatus = 404;
    api.fill(ks, (k) => `w-${k}`);
    api.reset();
    await vi.advanceTimersByTimeAsync(1000);
    await settle();
    expect(api.batchSizes()).toEqual([64, 64, 64, 8]);
    expect(
      api
        .items()
        .map((r) => r.keys[0])
        .sort(),
    ).toEqual(ks);
    expect(resource.get('k150').data).toEqual(entry('k150', 'w-k150'));
    expect(poller.stats().fallbacks).toBe(1);
    api.reset();
    await vi.advanceTimersByTimeAsync(1000);
    await settle();
    expect(api.batches()).toHaveLength(0);
    expect(api.items()).toHaveLength(200);
  });

  it("one item's failure does not block the others", async () => {
    const { api, poller } = setup();
    const ks = keys(10);
    api.fill(ks);
    api.values.delete('k003'); // its item URL answers 404
    api.batchStatus = 404;
    const resource = createResource(poller, apiResource());
    subscribeAll(resource, ks);
    await settle();
    expect(api.items()).toHaveLength(10);
    const failed = resource.get('k003');
    expect(failed.status).toBe('error');
    expect((failed.error as HttpError).status).toBe(404);
    for (const key of ks.filter((k) => k !== 'k003')) {
      expect(resource.get(key).status).toBe('success');
    }
  });
});

describe('per-item results', () => {
  const schema = z.object({ id: z.string(), value: z.number() });

  it('a mixed response: missing → MissingItemError, invalid → ValidationError, the rest get data, extra entries are ignored', async () => {
    const { api, poller } = setup();
    api.set('a', 1);
    api.set('c', 3);
    api.set('d', 'not a number');
    api.extraEntries = [entry('zzz', 9)];
    const resource = createResource(
      poller,
      apiResource({ item: { ...apiResource().item, schema } }),
    );
    const { listeners } = subscribeAll(resource, ['a', 'b', 'c', 'd']);
    await settle();

    expect(api.batches().map((r) => r.keys)).toEqual([['a', 'b', 'c', 'd']]);
    expect(resource.get('a')).toMatchObject({ status: 'success', data: { id: 'a', value: 1 } });
    expect(resource.get('c')).toMatchObject({ status: 'success', data: { id: 'c', value: 3 } });

    const missing = resource.get('b');
    expect(missing.status).toBe('error');
    expect(missing.error).toBeInstanceOf(MissingItemError);
    expect((missing.error as MissingItemError).key).toBe('b');

    const invalid = resource.get('d');
    expect(invalid.status).toBe('error');
    expect(invalid.data).toBeUndefined();
    expect(invalid.error).toBeInstanceOf(ValidationError);
    const { issues, key } = invalid.error as ValidationError;
    expect(key).toBe('d');
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toEqual(['value']);

    expect(resource.get('zzz').status).toBe('pending'); // nobody asked for it
    for (const k of ['a', 'b', 'c', 'd']) expect(listeners.get(k)).toHaveBeenCalledTimes(1);
    expect(poller.stats()).toMatchObject({ missingItems: 1, invalidItems: 1, fallbacks: 0 });
    expect(api.items()).toHaveLength(0);

    // fetch() of such keys rejects with the same typed errors.
    const fetchedB = resource.fetch('b');
    const fetchedD = resource.fetch('d');
    const fetchedA = resource.fetch('a');
    await settle();
    await expect(fetchedB).rejects.toBeInstanceOf(MissingItemError);
    await expect(fetchedD).rejects.toBeInstanceOf(ValidationError);
    await expect(fetchedA).resolves.toEqual({ id: 'a', value: 1 });
  });

  it('schema output is what subscribers get (transforms apply)', async () => {
    const { api, poller } = setup();
    api.set('a', 2);
    const doubled = z
      .object({ id: z.string(), value: z.number() })
      .transform((e) => ({ ...e, value: e.value * 2 }));
    const resource = createResource(
      poller,
      apiResource({ item: { ...apiResource().item, schema: doubled } }),
    );
    resource.subscribe('a', vi.fn());
    await settle();
    expect(resource.get('a').data).toEqual({ id: 'a', value: 4 });
  });

  it('413 splits the chunk in halves until it fits; every key still gets its data', async () => {
    const { api, poller } = setup();
    const ks = keys(100);
    api.fill(ks);
    api.maxBatch = 32;
    const batchEvents = record(poller, 'batch');
    const resource = createResource(poller, apiResource());
    const { listeners } = subscribeAll(resource, ks);
    await settle();
    expect(api.batchSizes()).toEqual([64, 32, 32, 36, 18, 18]);
    expect(batchEvents.map((e) => e.status)).toEqual([413, 200, 200, 413, 200, 200]);
    for (const key of ks) {
      expect(resource.get(key)).toMatchObject({ status: 'success', data: entry(key) });
      expect(listeners.get(key)).toHaveBeenCalledTimes(1);
    }
    expect(poller.stats().fallbacks).toBe(0);
    expect(api.items()).toHaveLength(0);
  });

  it('413 recursively: 64 keys with room for 20 → 64, 32, 32, 16 × 4', async () => {
    const { api, poller } = setup();
    const ks = keys(64);
    api.fill(ks);
    api.maxBatch = 20;
    const resource = createResource(poller, apiResource());
    subscribeAll(resource, ks);
    await settle();
    expect(api.batchSizes()).toEqual([64, 32, 32, 16, 16, 16, 16]);
    expect(ks.every((k) => resource.get(k).status === 'success')).toBe(true);
  });

  it.each([413, 414])(
    '%i for a single key fails that key alone with UnexpectedResponseError',
    async (status) => {
      const { api, poller } = setup();
      api.fill(['a', 'b']);
      api.override = (request) =>
        request.kind === 'batch' && request.keys.includes('b')
          ? new Response('too large', { status })
          : undefined;
      const resource = createResource(poller, apiResource());
      subscribeAll(resource, ['a', 'b']);
      await settle();
      expect(api.batches().map((r) => r.keys)).toEqual([['a', 'b'], ['a'], ['b']]);
      expect(resource.get('a')).toMatchObject({ status: 'success', data: entry('a') });
      const error = resource.get('b').error as UnexpectedResponseError;
      expect(error).toBeInstanceOf(UnexpectedResponseError);
      expect(error.status).toBe(status);
      expect(api.items()).toHaveLength(0);
    },
  );
});

describe('whole-batch failures', () => {
  it('a 500 gives every key the error, backs off (exact times), and never falls back', async () => {
    const { api, poller } = setup({ random: () => 1 });
    const ks = keys(200);
    api.fill(ks);
    api.batchStatus = 500;
    const resource = createResource(poller, apiResource({ interval: 500 }));
    const { listeners } = subscribeAll(resource, ks);
    await settle();
    // The probe failed: the other chunks are not sent, their keys fail alike.
    expect(api.batchSizes()).toEqual([64]);
    const error = resource.get('k000').error;
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).status).toBe(500);
    for (const key of ks) {
      expect(resource.get(key).status).toBe('error');
      expect(resource.get(key).error).toBe(error);
      expect(listeners.get(key)).toHaveBeenCalledTimes(1);
    }

    // Full-jitter backoff with random() = 1: 1 s, 2 s, 4 s (each above the 500 ms interval).
    await vi.advanceTimersByTimeAsync(7000);
    await settle();
    expect(api.batches().map((r) => r.at)).toEqual([0, 1000, 3000, 7000]);
    expect(api.items()).toHaveLength(0);
    expect(poller.stats()).toMatchObject({ fallbacks: 0, itemRequests: 0, errors: 4 });
    // The same failure again notifies nobody.
    for (const key of ks) expect(listeners.get(key)).toHaveBeenCalledTimes(1);

    // Recovery: the next sweep (8 s later) batches every key, then the interval applies again.
    api.batchStatus = 200;
    await vi.advanceTimersByTimeAsync(7999);
    expect(api.batches()).toHaveLength(4);
    await vi.advanceTimersByTimeAsync(1);
    await settle();
    expect(
      api
        .batches()
        .slice(4)
        .map((r) => [r.at, r.keys.length]),
    ).toEqual([
      [15_000, 64],
      [15_000, 64],
      [15_000, 64],
      [15_000, 8],
    ]);
    for (const key of ks) {
      expect(resource.get(key)).toMatchObject({ status: 'success', data: entry(key) });
      expect(listeners.get(key)).toHaveBeenCalledTimes(2);
    }
    await vi.advanceTimersByTimeAsync(500);
    await settle();
    expect(
      api
        .batches()
        .slice(8)
        .map((r) => r.at),
    ).toEqual([15_500, 15_500, 15_500, 15_500]);
  });

  it('once the endpoint has answered, a 500 on one chunk fails only its keys; the sweep still backs off', async () => {
    const { api, poller } = setup({ random: () => 1 });
    const ks = keys(200);
    api.fill(ks);
    const resource = createResource(poller, apiResource({ interval: 500 }));
    subscribeAll(resource, ks);
    await settle();
    api.override = (request) =>
      request.kind === 'batch' && request.keys.includes('k100')
        ? Response.json({}, { status: 500 })
        : undefined;
    api.fill(ks, (k) => `w-${k}`);
    api.reset();
    await vi.advanceTimersByTimeAsync(500);
    await settle();
    expect(api.batchSizes()).toEqual([64, 64, 64, 8]);
    for (const key of ks) {
      const failedChunk = key >= 'k064' && key < 'k128';
      expect(resource.get(key).status).toBe(failedChunk ? 'error' : 'success');
      // The failed keys keep their last good data.
      expect(resource.get(key).data).toEqual(entry(key, failedChunk ? `v-${key}` : `w-${key}`));
    }
    expect(api.items()).toHaveLength(0);
    // Backoff after the first failure: max(500, 1 × 1000).
    api.reset();
    await vi.advanceTimersByTimeAsync(999);
    expect(api.requests).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(api.batches().map((r) => r.at)).toEqual([1500, 1500, 1500, 1500]);
  });

  it.each([
    ['invalid JSON', () => new Response('{not json', { status: 200 })],
    ['entries that are not an array', () => Response.json({ entries: [] })],
  ])(
    '%s fails every key of the batch with UnexpectedResponseError, no fallback',
    async (_, answer) => {
      const { api, poller } = setup();
      api.fill(['a', 'b']);
      api.override = (request) => (request.kind === 'batch' ? answer() : undefined);
      const resource = createResource(poller, apiResource());
      subscribeAll(resource, ['a', 'b']);
      await settle();
      for (const key of ['a', 'b']) {
        expect(resource.get(key).error).toBeInstanceOf(UnexpectedResponseError);
      }
      expect(api.items()).toHaveLength(0);
      expect(poller.stats()).toMatchObject({ fallbacks: 0, errors: 1 });
    },
  );
});

describe('fetch()', () => {
  it('calls in the same macrotask coalesce into one batch request; each gets its own data', async () => {
    const { api, poller } = setup();
    api.fill(['a', 'b', 'c']);
    const resource = createResource(poller, apiResource());
    const a = resource.fetch('a');
    const b = resource.fetch('b');
    const c = resource.fetch('c');
    expect(api.requests).toHaveLength(0);
    await settle();
    expect(api.batches().map((r) => r.keys)).toEqual([['a', 'b', 'c']]);
    await expect(a).resolves.toEqual(entry('a'));
    await expect(b).resolves.toEqual(entry('b'));
    await expect(c).resolves.toEqual(entry('c'));
    expect(resource.get('b')).toMatchObject({ status: 'success', data: entry('b') });
  });

  it('a key already queued or in flight returns the same promise and makes no second request', async () => {
    const { api, poller } = setup();
    api.fill(['a']);
    api.delay = 100;
    const resource = createResource(poller, apiResource());
    const first = resource.fetch('a');
    expect(resource.fetch('a')).toBe(first); // queued
    await vi.advanceTimersByTimeAsync(10);
    expect(api.requests).toHaveLength(1);
    expect(resource.fetch('a')).toBe(first); // in flight
    await vi.advanceTimersByTimeAsync(90);
    await settle();
    await expect(first).resolves.toEqual(entry('a'));
    expect(api.requests).toHaveLength(1);
    // Settled: a later fetch() reads again.
    const again = resource.fetch('a');
    expect(again).not.toBe(first);
    await vi.advanceTimersByTimeAsync(100);
    await settle();
    await expect(again).resolves.toEqual(entry('a'));
    expect(api.requests).toHaveLength(2);
  });

  it("fetch() of a key the poll has in flight shares the poll's read", async () => {
    const { api, poller } = setup();
    api.fill(['a', 'b']);
    api.delay = 100;
    const resource = createResource(poller, apiResource());
    resource.subscribe('a', vi.fn());
    resource.subscribe('b', vi.fn());
    await vi.advanceTimersByTimeAsync(10);
    expect(api.requests).toHaveLength(1);
    const fetched = resource.fetch('b');
    await vi.advanceTimersByTimeAsync(90);
    await settle();
    await expect(fetched).resolves.toEqual(entry('b'));
    expect(api.batches().map((r) => r.keys)).toEqual([['a', 'b']]);
  });

  it('`window: 50` coalesces the calls made within 50 ms of the first', async () => {
    const { api, poller } = setup();
    api.fill(['a', 'b', 'c']);
    const resource = createResource(poller, apiResource({ window: 50 }));
    const a = resource.fetch('a');
    await vi.advanceTimersByTimeAsync(20);
    const b = resource.fetch('b');
    await vi.advanceTimersByTimeAsync(29);
    expect(api.requests).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    await settle();
    expect(api.batches().map((r) => [r.at, r.keys])).toEqual([[50, ['a', 'b']]]);
    await expect(a).resolves.toEqual(entry('a'));
    await expect(b).resolves.toEqual(entry('b'));
    await vi.advanceTimersByTimeAsync(10);
    const c = resource.fetch('c');
    await vi.advanceTimersByTimeAsync(50);
    await settle();
    expect(api.batches().map((r) => [r.at, r.keys])).toEqual([
      [50, ['a', 'b']],
      [110, ['c']],
    ]);
    await expect(c).resolves.toEqual(entry('c'));
  });

  it('without a batch endpoint, fetch() reads per item', async () => {
    const { api, poller } = setup();
    api.fill(['a', 'b']);
    const resource = createResource(poller, apiResource({ batch: undefined }));
    const a = resource.fetch('a');
    const b = resource.fetch('b');
    await settle();
    await expect(a).resolves.toEqual(entry('a'));
    await expect(b).resolves.toEqual(entry('b'));
    expect(api.items().map((r) => r.keys[0])).toEqual(['a', 'b']);
    expect(api.batches()).toHaveLength(0);
  });
});

describe('ETag revalidation (per-item path)', () => {
  it('stores the ETag, sends If-None-Match; a 304 keeps data and snapshot, notifies nobody, is counted', async () => {
    const { api, poller } = setup();
    api.set('a', 1);
    const resource = createResource(poller, apiResource({ batch: undefined }));
    const listener = vi.fn();
    resource.subscribe('a', listener);
    await settle();
    expect(api.items()).toHaveLength(1);
    expect(api.items()[0]?.headers.get('if-none-match')).toBeNull();
    const first = resource.get('a');
    expect(first).toEqual({
      status: 'success',
      data: entry('a', 1),
      error: undefined,
      updatedAt: T0,
    });
    expect(listener).toHaveBeenCalledTimes(1);

    await vi.advanceTimersByTimeAsync(1000);
    await settle();
    expect(api.items()).toHaveLength(2);
    expect(api.items()[1]?.headers.get('if-none-match')).toBe('"a:1"');
    expect(resource.get('a')).toBe(first);
    expect(listener).toHaveBeenCalledTimes(1);
    expect(poller.stats().notModified).toBe(1);

    await vi.advanceTimersByTimeAsync(1000);
    await settle();
    expect(resource.get('a')).toBe(first);
    expect(poller.stats().notModified).toBe(2);

    // A change: 200 with a new ETag, which the next request sends.
    api.set('a', 2);
    await vi.advanceTimersByTimeAsync(1000);
    await settle();
    expect(api.items()[3]?.headers.get('if-none-match')).toBe('"a:1"');
    expect(resource.get('a')).toEqual({
      status: 'success',
      data: entry('a', 2),
      error: undefined,
      updatedAt: T0 + 3000,
    });
    expect(listener).toHaveBeenCalledTimes(2);
    expect(poller.stats().notModified).toBe(2);
    await vi.advanceTimersByTimeAsync(1000);
    await settle();
    expect(api.items()[4]?.headers.get('if-none-match')).toBe('"a:2"');
    expect(poller.stats().notModified).toBe(3);
    expect(poller.stats().itemRequests).toBe(5);
  });

  it('a response without an ETag forgets the stored one', async () => {
    const { api, poller } = setup();
    api.set('a', 1);
    const resource = createResource(poller, apiResource({ batch: undefined }));
    resource.subscribe('a', vi.fn());
    await settle();
    api.etags = false;
    api.set('a', 2);
    await vi.advanceTimersByTimeAsync(1000);
    await settle();
    expect(api.items()[1]?.headers.get('if-none-match')).toBe('"a:1"');
    await vi.advanceTimersByTimeAsync(1000);
    await settle();
    expect(api.items()[2]?.headers.get('if-none-match')).toBeNull();
  });

  it('the fallback path revalidates with ETags too', async () => {
    const { api, poller } = setup();
    api.set('a', 1);
    api.batchStatus = 404;
    const resource = createResource(poller, apiResource());
    const listener = vi.fn();
    resource.subscribe('a', listener);
    await settle();
    const first = resource.get('a');
    await vi.advanceTimersByTimeAsync(1000);
    await settle();
    expect(api.items()[1]?.headers.get('if-none-match')).toBe('"a:1"');
    expect(resource.get('a')).toBe(first);
    expect(listener).toHaveBeenCalledTimes(1);
    expect(poller.stats().notModified).toBe(1);
  });
});

describe('change detection', () => {
  it('equal data on the next poll keeps the same snapshot object and calls no listener', async () => {
    const { api, poller } = setup();
    api.fill(['a', 'b'], () => ({ logs: [1, 2, 3], done: false }));
    const resource = createResource(poller, apiResource());
    const { listeners } = subscribeAll(resource, ['a', 'b']);
    await settle();
    const a0 = resource.get('a');
    const b0 = resource.get('b');
    expect(a0.data).toEqual({ id: 'a', value: { logs: [1, 2, 3], done: false } });
    expect(resource.get('a')).toBe(a0); // get() is stable between polls

    await vi.advanceTimersByTimeAsync(1000);
    await settle();
    expect(api.batches()).toHaveLength(2);
    expect(resource.get('a')).toBe(a0);
    expect(resource.get('b')).toBe(b0);
    expect(listeners.get('a')).toHaveBeenCalledTimes(1);
    expect(listeners.get('b')).toHaveBeenCalledTimes(1);

    api.set('b', { logs: [1, 2, 3, 4], done: false });
    await vi.advanceTimersByTimeAsync(1000);
    await settle();
    expect(resource.get('a')).toBe(a0);
    expect(listeners.get('a')).toHaveBeenCalledTimes(1);
    const b2 = resource.get('b');
    expect(b2).not.toBe(b0);
    expect(b2).toEqual({
      status: 'success',
      data: { id: 'b', value: { logs: [1, 2, 3, 4], done: false } },
      error: undefined,
      updatedAt: T0 + 2000,
    });
    expect(listeners.get('b')).toHaveBeenCalledTimes(2);
    expect(listeners.get('b')).toHaveBeenLastCalledWith(b2);
  });

  it('a key nobody has read is the shared pending snapshot', () => {
    const { poller } = setup();
    const resource = createResource(poller, apiResource());
    expect(resource.get('nope')).toEqual({
      status: 'pending',
      data: undefined,
      error: undefined,
      updatedAt: null,
    });
    expect(resource.get('nope')).toBe(resource.get('other'));
  });
});

describe('cooldown', () => {
  it('a 429 on a batch cools the whole origin: no poll, wrapped fetch or resource request until Retry-After', async () => {
    const { api, poller } = setup();
    const ks = keys(10);
    api.fill(ks);
    api.batchStatus = 429;
    api.batchHeaders = { 'retry-after': '30' };
    const resource = createResource(poller, apiResource());
    subscribeAll(resource, ks);
    const polled = vi.fn();
    poller.poll(`${API}/status`, { interval: 1000, onData: polled });
    await settle();
    expect(api.requests.map((r) => r.path).sort()).toEqual(['/batch', '/status']);
    expect(poller.cooldownUntil(API)).toBe(T0 + 30_000);
    expect((resource.get('k000').error as HttpError).status).toBe(429);
    expect(api.items()).toHaveLength(0); // a 429 is no missing endpoint

    api.batchStatus = 200;
    api.reset();
    await expect(poller.wrapFetch()(`${API}/other`)).rejects.toBeInstanceOf(CooldownError);
    const fetched = resource.fetch('k000');
    await settle();
    await expect(fetched).rejects.toBeInstanceOf(CooldownError);
    await vi.advanceTimersByTimeAsync(29_999);
    await settle();
    expect(api.requests).toHaveLength(0);
    expect(polled).toHaveBeenCalledTimes(1);
    expect(poller.stats().skipped.cooldown).toBeGreaterThan(0);

    await vi.advanceTimersByTimeAsync(1);
    await settle();
    expect(api.requests.map((r) => [r.at, r.path]).sort()).toEqual([
      [30_000, '/batch'],
      [30_000, '/status'],
    ]);
    expect(polled).toHaveBeenCalledTimes(1); // the same data again: onData hears only changes
    for (const key of ks) expect(resource.get(key)).toMatchObject({ status: 'success' });
    await vi.advanceTimersByTimeAsync(1000);
    await settle();
    expect(api.batches()).toHaveLength(2);
  });
});

describe('visibility', () => {
  it('a tab hidden mid per-item sweep sends nothing more; visible again, the stalest keys go first', async () => {
    const { api, poller, visibility } = setup();
    const ks = keys(200);
    api.fill(ks);
    api.delay = 10;
    const resource = createResource(poller, apiResource({ batch: undefined }));
    subscribeAll(resource, ks);
    await vi.advanceTimersByTimeAsync(25); // 6 at 0, 6 at 10, 6 at 20
    expect(api.items()).toHaveLength(18);
    expect(api.maxInFlight).toBe(6);
    visibility.set(false);
    await vi.advanceTimersByTimeAsync(20_000);
    await settle();
    expect(api.items()).toHaveLength(18);
    expect(vi.getTimerCount()).toBe(0);
    for (const key of ks.slice(0, 18)) expect(resource.get(key).status).toBe('success');
    for (const key of ks.slice(18)) expect(resource.get(key).status).toBe('pending');

    api.reset();
    visibility.set(true);
    await vi.advanceTimersByTimeAsync(400);
    expect(api.items().map((r) => r.keys[0])).toEqual([...ks.slice(18), ...ks.slice(0, 18)]);
    expect(api.items()[0]?.at).toBe(20_025);
    expect(api.maxInFlight).toBe(6);
    for (const key of ks) expect(resource.get(key).status).toBe('success');
  });

  it('a hidden tab sends no batch either; visible again, the overdue sweep runs at once', async () => {
    const { api, poller, visibility } = setup();
    const ks = keys(10);
    api.fill(ks);
    const resource = createResource(poller, apiResource());
    subscribeAll(resource, ks);
    await settle();
    visibility.set(false);
    await vi.advanceTimersByTimeAsync(5000);
    expect(api.batches()).toHaveLength(1);
    visibility.set(true);
    await settle();
    expect(api.batches().map((r) => r.at)).toEqual([0, 5000]);
  });
});

describe('lifecycle', () => {
  it('unsubscribing every key removes the scheduler entry: 0 timers, no more requests', async () => {
    const { api, poller } = setup();
    const ks = keys(3);
    api.fill(ks);
    const resource = createResource(poller, apiResource());
    const { subscriptions } = subscribeAll(resource, ks);
    await settle();
    expect(vi.getTimerCount()).toBe(1);
    subscriptions[1]?.unsubscribe();
    await vi.advanceTimersByTimeAsync(1000);
    await settle();
    expect(api.batches().map((r) => r.keys)).toEqual([ks, ['k000', 'k002']]);
    subscriptions[0]?.unsubscribe();
    subscriptions[2]?.unsubscribe();
    subscriptions[2]?.unsubscribe(); // idempotent
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(api.batches()).toHaveLength(2);
  });

  it('a key stays polled while any of its subscriptions is left', async () => {
    const { api, poller } = setup();
    api.fill(['a']);
    const resource = createResource(poller, apiResource());
    const one = resource.subscribe('a', vi.fn());
    const two = resource.subscribe('a', vi.fn());
    await settle();
    one.unsubscribe();
    await vi.advanceTimersByTimeAsync(1000);
    expect(api.batches()).toHaveLength(2);
    two.unsubscribe();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('refresh(key) reads that key at once, alone; refresh() reads every subscribed key', async () => {
    const { api, poller } = setup();
    api.fill(['a', 'b', 'c']);
    const resource = createResource(poller, apiResource());
    subscribeAll(resource, ['a', 'b', 'c']);
    await settle();
    await vi.advanceTimersByTimeAsync(300);
    resource.refresh('b');
    await settle();
    await vi.advanceTimersByTimeAsync(100);
    resource.refresh();
    await settle();
    expect(api.batches().map((r) => [r.at, r.keys])).toEqual([
      [0, ['a', 'b', 'c']],
      [300, ['b']],
      [400, ['a', 'c', 'b']], // stalest first
    ]);
  });

  it('an unsubscribed item is dropped after the grace period (gcTime), not before', async () => {
    const { api, poller } = setup();
    api.fill(['a', 'b']);
    const resource = createResource(poller, apiResource({ gcTime: 2000 }));
    const a = resource.subscribe('a', vi.fn());
    resource.subscribe('b', vi.fn()); // keeps the group sweeping
    await settle();
    const snapshot = resource.get('a');
    expect(snapshot.status).toBe('success');
    a.unsubscribe();
    await vi.advanceTimersByTimeAsync(2000); // sweeps at 1 s and 2 s: idle for exactly 2 s
    expect(resource.get('a')).toBe(snapshot);
    await vi.advanceTimersByTimeAsync(1000); // the 3 s sweep collects it
    expect(resource.get('a').status).toBe('pending');
    expect(resource.get('b').status).toBe('success');
  });

  it('items are bounded by maxItems; subscribed items are never evicted', async () => {
    const { api, poller } = setup();
    api.fill(['a', 'b', 'c', 'd']);
    const resource = createResource(poller, apiResource({ maxItems: 2 }));
    resource.subscribe('a', vi.fn());
    await settle();
    const fetched = ['b', 'c', 'd'].map((key) => resource.fetch(key));
    await settle();
    // Every read still answers its caller, but only the newest unsubscribed item is kept.
    await expect(Promise.all(fetched)).resolves.toEqual([entry('b'), entry('c'), entry('d')]);
    expect(resource.get('a').status).toBe('success');
    expect(resource.get('b').status).toBe('pending');
    expect(resource.get('c').status).toBe('pending');
    expect(resource.get('d').status).toBe('success');
  });

  it('dispose() leaves 0 timers and sends nothing more', async () => {
    const { api, poller, visibility, online } = setup();
    const ks = keys(100);
    api.fill(ks);
    const resource = createResource(poller, apiResource({ window: 50 }));
    subscribeAll(resource, ks);
    await settle();
    const sent = api.requests.length;
    void resource.fetch('extra').catch(() => {}); // a window timer pending
    expect(vi.getTimerCount()).toBe(2);
    poller.dispose();
    expect(vi.getTimerCount()).toBe(0);
    expect(visibility.listeners).toBe(0);
    expect(online.listeners).toBe(0);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(api.requests).toHaveLength(sent);
    await expect(resource.fetch('k000')).rejects.toThrow(/disposed/);
    expect(() => createResource(poller, apiResource())).toThrow(PollerDisposedError);
  });

  it('dispose() settles fetch() promises still waiting for their window', async () => {
    const { api, poller } = setup();
    api.fill(['a']);
    const resource = createResource(poller, apiResource({ window: 50 }));
    const fetched = resource.fetch('a');
    poller.dispose();
    await expect(Promise.race([fetched, 'still pending'])).rejects.toThrow();
  });

  it('dispose() settles fetch() promises whose request is in flight', async () => {
    const { api, poller } = setup();
    api.fill(['a']);
    api.delay = 100;
    const resource = createResource(poller, apiResource());
    const fetched = resource.fetch('a');
    await vi.advanceTimersByTimeAsync(10);
    expect(api.requests).toHaveLength(1);
    poller.dispose();
    await settle();
    await expect(Promise.race([fetched, 'still pending'])).rejects.toThrow();
  });
});

describe('options', () => {
  it('item needs url (or load)', () => {
    const { poller } = setup();
    const issues = optionIssues(() => createResource(poller, { item: {} } as never));
    expect(issues).toEqual([
      {
        option: 'resource.item',
        value: {},
        message: 'must have exactly one of url (HTTP) or load (a loader function)',
      },
    ]);
    expect(optionIssues(() => createResource(poller, {} as never)).map((i) => i.option)).toEqual([
      'resource.item',
    ]);
  });

  it.each([0, -1, 1.5, '64'])('batch.maxSize %j is rejected', (maxSize) => {
    const { poller } = setup();
    const issues = optionIssues(() =>
      createResource(poller, apiResource({ batch: apiBatch({ maxSize: maxSize as number }) })),
    );
    expect(issues).toEqual([
      { option: 'resource.batch.maxSize', value: maxSize, message: 'must be a positive integer' },
    ]);
  });

  it.each([2 ** 31, 3e9, Number.MAX_SAFE_INTEGER])(
    "window %d (past the timers' 2^31-1 ms, which would fire at once) is rejected",
    (window) => {
      const { poller } = setup();
      const issues = optionIssues(() => createResource(poller, apiResource({ window })));
      expect(issues).toEqual([
        {
          option: 'resource.window',
          value: window,
          message: `must be a number of milliseconds, from 0 to ${MAX_TIMER_MS}`,
        },
      ]);
    },
  );

  it('window 2^31-1 is accepted and waits that long: fetch() sends nothing a minute later', async () => {
    const { api, poller } = setup();
    api.fill(['a']);
    const resource = createResource(poller, apiResource({ window: MAX_TIMER_MS }));
    void resource.fetch('a').catch(() => {});
    await vi.advanceTimersByTimeAsync(60_000);
    expect(api.requests).toHaveLength(0);
    expect(optionIssues(() => createResource(poller, apiResource({ window: -1 })))).toEqual([
      {
        option: 'resource.window',
        value: -1,
        message: `must be a number of milliseconds, from 0 to ${MAX_TIMER_MS}`,
      },
    ]);
    poller.dispose();
  });

  it('an unknown option is named, and every bad option is listed at once', () => {
    const { poller } = setup();
    const issues = optionIssues(() =>
      createResource(poller, { ...apiResource(), intervall: 5, concurrency: 0 } as never),
    );
    expect(issues).toEqual(
      expect.arrayContaining([
        { option: 'resource.intervall', value: 5, message: 'is not a known option' },
        expect.objectContaining({ option: 'resource.concurrency', value: 0 }),
      ]),
    );
    expect(issues).toHaveLength(2);
  });

  it('batch.key is required, batch.method must be a known method', () => {
    const { poller } = setup();
    const issues = optionIssues(() =>
      createResource(poller, {
        item: apiResource().item,
        batch: { url: `${API}/batch`, method: 'DELETE' },
      } as never),
    );
    expect(issues.map((i) => i.option).sort()).toEqual([
      'resource.batch.key',
      'resource.batch.method',
    ]);
  });
});

describe('per-item failures', () => {
  it('a sweep whose per-item reads all fail backs off; one success is enough to keep the interval', async () => {
    const { api, poller } = setup({ random: () => 1, breaker: false });
    const ks = keys(3);
    api.fill(ks);
    api.itemStatus = 500;
    const resource = createResource(poller, apiResource({ batch: undefined, interval: 500 }));
    subscribeAll(resource, ks);
    await settle();
    // Full-jitter backoff with random() = 1 after 1, 2, 3 failed sweeps: 1 s, 2 s, 4 s.
    await vi.advanceTimersByTimeAsync(7000);
    await settle();
    const sweeps = [...new Set(api.items().map((r) => r.at))];
    expect(sweeps).toEqual([0, 1000, 3000, 7000]);
    for (const key of ks) expect(resource.get(key).status).toBe('error');

    // Healthy again: after the pending backoff the keys read well, then every 500 ms.
    api.itemStatus = 200;
    await vi.advanceTimersByTimeAsync(8500); // the pending backoff ends at 15 s (a 4th failure's 8 s)
    await settle();
    for (const key of ks) expect(resource.get(key).status).toBe('success');
    const after = [...new Set(api.items().map((r) => r.at))].filter((t) => t > 7000);
    expect(after).toEqual([15_000, 15_500]);
  });
});

describe('robustness', () => {
  it('a 304 to a request that sent no If-None-Match is an error for that key, never a success without data', async () => {
    const { api, poller } = setup();
    api.set('a', 1);
    api.set('b', 2);
    api.override = (request) =>
      request.kind === 'item' && request.keys[0] === 'a'
        ? new Response(null, { status: 304 })
        : undefined;
    const resource = createResource(poller, apiResource({ batch: undefined }));
    const a = resource.fetch('a');
    const b = resource.fetch('b');
    await settle();
    expect(api.items().map((r) => r.headers.get('if-none-match'))).toEqual([null, null]);
    await expect(a).rejects.toBeInstanceOf(UnexpectedResponseError);
    const error = resource.get('a').error as UnexpectedResponseError;
    expect(error.status).toBe(304);
    expect(resource.get('a')).toMatchObject({ status: 'error', data: undefined });
    await expect(b).resolves.toEqual(entry('b', 2));
    expect(poller.stats().notModified).toBe(0);
  });

  it('a batch.url function that throws settles every key of the read with its error; none is left pending', async () => {
    const { api, poller } = setup();
    api.fill(['a', 'b', 'c']);
    const boom = new Error('no URL for these keys');
    const resource = createResource(
      poller,
      apiResource({
        batch: apiBatch({
          url: () => {
            throw boom;
          },
        }),
      }),
    );
    const { listeners } = subscribeAll(resource, ['a', 'b']);
    const fetched = resource.fetch('c');
    await settle();
    expect(poller.inspect().resources.reads).toBe(0); // every read settled
    await expect(fetched).rejects.toBe(boom);
    for (const key of ['a', 'b']) {
      expect(resource.get(key)).toMatchObject({ status: 'error', error: boom });
      expect(listeners.get(key)).toHaveBeenCalledTimes(1);
    }
    expect(api.requests).toEqual([]);
    expect(poller.stats()).toMatchObject({ sent: 0, batches: 0 });
    expect(poller.inspect().resources.reads).toBe(0);
  });

  it('a batch.body function that throws fails its keys; nothing went out, nothing is counted as sent', async () => {
    const { api, poller } = setup();
    api.fill(['a', 'b']);
    const boom = new Error('cannot serialize these keys');
    const resource = createResource(
      poller,
      apiResource({
        batch: apiBatch({
          body: () => {
            throw boom;
          },
        }),
      }),
    );
    subscribeAll(resource, ['a', 'b']);
    const fetched = resource.fetch('b');
    await settle();
    expect(poller.inspect().resources.reads).toBe(0); // every read settled
    await expect(fetched).rejects.toBe(boom);
    expect(resource.get('a').error).toBe(boom);
    expect(api.requests).toEqual([]);
    expect(poller.stats()).toMatchObject({ sent: 0, batches: 0, batchedKeys: 0 });
    expect(poller.inspect().resources.reads).toBe(0);
  });

  it('a batch.key that throws for an entry: the keys left unmatched get its error, not MissingItemError', async () => {
    const { api, poller } = setup();
    api.fill(['a', 'b']);
    const oops = new TypeError('entry has no id');
    const resource = createResource(
      poller,
      apiResource({
        batch: apiBatch({
          key: (e) => {
            if ((e as Entry).id === 'b') throw oops;
            return (e as Entry).id;
          },
        }),
      }),
    );
    subscribeAll(resource, ['a', 'b']);
    await settle();
    expect(resource.get('a')).toMatchObject({ status: 'success', data: entry('a') });
    expect(resource.get('b')).toMatchObject({ status: 'error', error: oops });
    expect(poller.stats().missingItems).toBe(0);
  });

  it('413 halves wait for a slot like any chunk: never more than `concurrency` requests in flight', async () => {
    const { api, poller } = setup();
    const ks = keys(8);
    api.fill(ks);
    api.maxBatch = 2;
    api.delay = 'macrotask';
    const resource = createResource(poller, apiResource({ concurrency: 1 }));
    subscribeAll(resource, ks);
    await settle();
    // Depth first: the halves of the stalest keys go before the other half.
    expect(api.batchSizes()).toEqual([8, 4, 2, 2, 4, 2, 2]);
    expect(api.maxInFlight).toBe(1);
    for (const key of ks) expect(resource.get(key).status).toBe('success');
  });

  it('413 halves meet the gate: a tab hidden while the 413 is on its way sends no halves', async () => {
    const { api, poller, visibility } = setup();
    const ks = keys(4);
    api.fill(ks);
    api.maxBatch = 2;
    api.delay = 10;
    const resource = createResource(poller, apiResource());
    subscribeAll(resource, ks);
    await vi.advanceTimersByTimeAsync(5);
    expect(api.batchSizes()).toEqual([4]);
    visibility.set(false);
    await vi.advanceTimersByTimeAsync(20_000);
    await settle();
    expect(api.batchSizes()).toEqual([4]);
    for (const key of ks) expect(resource.get(key).status).toBe('pending');
    expect(poller.inspect().resources.reads).toBe(0);

    visibility.set(true);
    await vi.advanceTimersByTimeAsync(30);
    await settle();
    // The 413 was remembered: the keys go out by 2 at once, not as 4 again.
    expect(api.batchSizes()).toEqual([4, 2, 2]);
    for (const key of ks) expect(resource.get(key).status).toBe('success');
  });

  it('data that fails the schema takes its ETag along: a later 304 cannot revive the old data', async () => {
    const { api, poller } = setup();
    api.set('a', 1);
    const schema = z.object({ id: z.string(), value: z.number() });
    const resource = createResource(
      poller,
      apiResource({ batch: undefined, item: { ...apiResource().item, schema } }),
    );
    resource.subscribe('a', vi.fn());
    await settle();
    expect(resource.get('a')).toMatchObject({ status: 'success', data: { id: 'a', value: 1 } });
    api.set('a', 'one'); // a new ETag, invalid data
    await vi.advanceTimersByTimeAsync(1000);
    await settle();
    expect(resource.get('a').error).toBeInstanceOf(ValidationError);
    await vi.advanceTimersByTimeAsync(1000);
    await settle();
    // No If-None-Match for data the item does not hold: the server answers in full, still invalid.
    expect(api.items().map((r) => r.headers.get('if-none-match'))).toEqual([null, '"a:1"', null]);
    expect(resource.get('a').error).toBeInstanceOf(ValidationError);
    expect(poller.stats().notModified).toBe(0);
  });
});
