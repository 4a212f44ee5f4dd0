import { describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import {
  CooldownError,
  MissingItemError,
  type PollerEvents,
  TimeoutError,
  ValidationError,
} from '../../src/index.js';
import { createResource, type ResourceOptions, type Snapshot } from '../../src/resource/index.js';
import { elapsed, T0, useFakeClock } from '../support/clock.js';
import { settle } from '../support/fake-network.js';
import { optionIssues } from '../support/option-issues.js';
import { setup } from './harness.js';

useFakeClock();

const ORIGIN = 'https://api.example.com';

interface Entry {
  id: string;
  value: unknown;
}

/** An error as an SDK client throws it: it carries the HTTP response it failed on. */
class SdkError extends Error {
  constructor(readonly response: Response) {
    super(`sdk: ${response.status}`);
  }
}

/**
 * Loader functions over an in-memory table, as a GraphQL/tRPC/SDK client would be. Every call
 * is recorded (the assertion is the behaviour); knobs make them slow, fail or hang.
 */
function fakeLoaders() {
  const values = new Map<string, unknown>();
  const batchCalls: string[][] = [];
  const itemCalls: string[] = [];
  const signals: AbortSignal[] = [];
  const knobs = {
    /** Ms (fake clock) every call takes; honours its signal, like fetch. */
    delay: 0,
    /** Never settles and ignores its signal (a client with no abort support). */
    hang: false,
    /** Thrown by a batch call whose keys it returns an error for. */
    batchError: (_keys: readonly string[]): unknown => undefined,
    itemError: (_key: string): unknown => undefined,
  };
  const pause = (signal: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      if (knobs.hang) return;
      if (knobs.delay === 0) return resolve();
      const timer = setTimeout(resolve, knobs.delay);
      signal.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(signal.reason);
      });
    });
  const batchLoad = async (keys: readonly string[], { signal }: { signal: AbortSignal }) => {
    batchCalls.push([...keys]);
    signals.push(signal);
    await pause(signal);
    const error = knobs.batchError(keys);
    if (error !== undefined) throw error;
    return keys.filter((k) => values.has(k)).map((id): Entry => ({ id, value: values.get(id) }));
  };
  const itemLoad = async (key: string, { signal }: { signal: AbortSignal }) => {
    itemCalls.push(key);
    signals.push(signal);
    await pause(signal);
    const error = knobs.itemError(key);
    if (error !== undefined) throw error;
    if (!values.has(key)) throw new MissingItemError(key);
    return { id: key, value: values.get(key) };
  };
  const fill = (keys: readonly string[], value = (k: string) => `v-${k}`) => {
    for (const key of keys) values.set(key, value(key));
  };
  return { values, batchCalls, itemCalls, signals, knobs, batchLoad, itemLoad, fill };
}

type Loaders = ReturnType<typeof fakeLoaders>;

/** A resource on the fake loaders: batch.load and item.load for ORIGIN, polled every second. */
function loaderResource(
  loaders: Loaders,
  overrides: Partial<ResourceOptions<string, Entry>> = {},
): ResourceOptions<string, Entry> {
  return {
    origin: ORIGIN,
    item: { load: loaders.itemLoad },
    batch: { load: loaders.batchLoad, key: (entry) => (entry as Entry).id },
    interval: 1000,
    ...overrides,
  };
}

const entry = (id: string, value: unknown = `v-${id}`): Entry => ({ id, value });

function subscribeAll(resource: ReturnType<typeof createResource<string, Entry>>, ks: string[]) {
  const calls = new Map<string, Snapshot<Entry>[]>();
  for (const key of ks) {
    calls.set(key, []);
    resource.subscribe(key, (s) => calls.get(key)?.push(s));
  }
  return calls;
}

describe('batch.load', () => {
  it('coalesces the keys of a tick and the fetch() calls of its window into one call; every key gets its data', async () => {
    const { poller } = setup();
    const l = fakeLoaders();
    l.fill(['a', 'b', 'c']);
    const resource = createResource(poller, loaderResource(l));
    const calls = subscribeAll(resource, ['a', 'b']);
    const fetched = resource.fetch('c');
    expect(l.batchCalls).toEqual([]); // nothing is sent synchronously
    await settle();
    expect(l.batchCalls).toEqual([['a', 'b', 'c']]);
    await expect(fetched).resolves.toEqual(entry('c'));
    expect(calls.get('a')).toEqual([
      { status: 'success', data: entry('a'), error: undefined, updatedAt: T0 },
    ]);
    expect(calls.get('b')).toHaveLength(1);
    expect(l.itemCalls).toEqual([]);
    // Each call went through the door once: admitted, counted, for the resource's origin.
    expect(poller.stats()).toMatchObject({ sent: 1, batches: 1, batchedKeys: 3, itemRequests: 0 });

    await vi.advanceTimersByTimeAsync(999);
    expect(l.batchCalls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await settle();
    expect(l.batchCalls).toEqual([
      ['a', 'b', 'c'],
      ['a', 'b'],
    ]); // c was a one-off read
    expect(calls.get('a')).toHaveLength(1); // equal data: no notification
    expect(poller.stats()).toMatchObject({ sent: 2, batches: 2, batchedKeys: 5 });
  });

  it('chunks by maxSize (the first chunk probes alone) and passes each call its own signal', async () => {
    const { poller } = setup();
    const l = fakeLoaders();
    const ks = ['a', 'b', 'c', 'd', 'e'];
    l.fill(ks);
    const requests: PollerEvents['request'][] = [];
    poller.on('request', (r) => requests.push(r));
    const resource = createResource(
      poller,
      loaderResource(l, { batch: { load: l.batchLoad, key: (e) => (e as Entry).id, maxSize: 2 } }),
    );
    subscribeAll(resource, ks);
    await settle();
    expect(l.batchCalls).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    expect(new Set(l.signals).size).toBe(3);
    expect(requests).toEqual([
      { origin: ORIGIN, url: `${ORIGIN} batch.load (2 keys)`, method: 'LOAD' },
      { origin: ORIGIN, url: `${ORIGIN} batch.load (2 keys)`, method: 'LOAD' },
      { origin: ORIGIN, url: `${ORIGIN} batch.load (1 keys)`, method: 'LOAD' },
    ]);
    for (const key of ks) expect(resource.get(key).data).toEqual(entry(key));
  });

  it('per-key results: a key without an entry gets MissingItemError, invalid data ValidationError, the rest their data', async () => {
    const { poller } = setup();
    const l = fakeLoaders();
    l.values.set('a', 1);
    l.values.set('c', 'not a number');
    const schema = z.object({ id: z.string(), value: z.number() });
    const resource = createResource(
      poller,
      loaderResource(l, { item: { load: l.itemLoad, schema } }),
    );
    subscribeAll(resource, ['a', 'b', 'c']);
    const fetchedB = resource.fetch('b');
    await settle();
    // b was already claimed by fetch(): it rides along after the sweep's due keys.
    expect(l.batchCalls).toEqual([['a', 'c', 'b']]);
    expect(resource.get('a')).toMatchObject({ status: 'success', data: { id: 'a', value: 1 } });
    expect(resource.get('b').error).toBeInstanceOf(MissingItemError);
    expect((resource.get('b').error as MissingItemError).key).toBe('b');
    await expect(fetchedB).rejects.toBeInstanceOf(MissingItemError);
    expect(resource.get('c').error).toBeInstanceOf(ValidationError);
    expect(poller.stats()).toMatchObject({ missingItems: 1, invalidItems: 1, fallbacks: 0 });
    expect(l.itemCalls).toEqual([]); // a loader is never "missing": no per-item fallback
  });

  it('a call that throws fails the keys of that call only; the other calls of the read keep their data', async () => {
    const { poller } = setup();
    const l = fakeLoaders();
    const ks = ['a', 'b', 'c', 'd', 'e', 'f'];
    l.fill(ks);
    const resource = createResource(
      poller,
      loaderResource(l, { batch: { load: l.batchLoad, key: (e) => (e as Entry).id, maxSize: 2 } }),
    );
    const calls = subscribeAll(resource, ks);
    await settle();
    const boom = new Error('graphql: field error');
    l.knobs.batchError = (keys) => (keys.includes('c') ? boom : undefined);
    l.fill(ks, (k) => `w-${k}`);
    await vi.advanceTimersByTimeAsync(1000);
    await settle();
    expect(l.batchCalls.slice(3)).toEqual([
      ['a', 'b'],
      ['c', 'd'],
      ['e', 'f'],
    ]);
    for (const key of ['a', 'b', 'e', 'f']) {
      expect(resource.get(key)).toMatchObject({ status: 'success', data: entry(key, `w-${key}`) });
    }
    for (const key of ['c', 'd']) {
      // The failed keys keep their last good data.
      expect(resource.get(key)).toMatchObject({ status: 'error', error: boom, data: entry(key) });
      expect(calls.get(key)?.map((s) => s.status)).toEqual(['success', 'error']);
    }
    expect(l.itemCalls).toEqual([]);
    expect(poller.stats()).toMatchObject({ batches: 6, errors: 1 });
  });

  it('a thrown error carrying a 429 response cools the origin: no loader call, no poll of that origin until Retry-After', async () => {
    const { api, poller } = setup();
    const l = fakeLoaders();
    l.fill(['a', 'b']);
    l.knobs.batchError = () =>
      new SdkError(new Response(null, { status: 429, headers: { 'retry-after': '30' } }));
    const resource = createResource(poller, loaderResource(l));
    subscribeAll(resource, ['a']);
    await settle();
    expect(l.batchCalls).toEqual([['a']]);
    expect(poller.cooldownUntil(ORIGIN)).toBe(T0 + 30_000);
    expect(poller.stats()).toMatchObject({ sent: 1, responses: 1, rateLimited: 1, cooldowns: 1 });

    l.knobs.batchError = () => undefined;
    const fetched = resource.fetch('b');
    await settle();
    await expect(fetched).rejects.toBeInstanceOf(CooldownError);
    await expect(fetched).rejects.toMatchObject({ origin: ORIGIN, retryAt: T0 + 30_000 });
    // The origin is the same for HTTP: a wrapped fetch to it is refused as well.
    await expect(poller.wrapFetch()(`${ORIGIN}/anything`)).rejects.toBeInstanceOf(CooldownError);
    await vi.advanceTimersByTimeAsync(29_999);
    expect(l.batchCalls).toEqual([['a']]);
    expect(api.requests).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    await settle();
    expect(l.batchCalls).toEqual([['a'], ['a']]);
    expect(elapsed()).toBe(30_000);
    expect(resource.get('a')).toMatchObject({ status: 'success', data: entry('a') });
  });

  it("a call that outlives the poller's timeout fails with TimeoutError at the deadline, its signal aborted; the next tick calls again", async () => {
    const { poller } = setup({ timeout: 300 });
    const l = fakeLoaders();
    l.fill(['a', 'b']);
    l.knobs.hang = true; // ignores its signal: the deadline still ends the read
    const resource = createResource(poller, loaderResource(l));
    const calls = subscribeAll(resource, ['a', 'b']);
    await settle();
    expect(l.batchCalls).toEqual([['a', 'b']]);
    await vi.advanceTimersByTimeAsync(299);
    expect(resource.get('a').status).toBe('pending');
    await vi.advanceTimersByTimeAsync(1);
    await settle();
    for (const key of ['a', 'b']) {
      const { error } = resource.get(key);
      expect(error).toBeInstanceOf(TimeoutError);
      expect(error).toMatchObject({ url: `${ORIGIN} batch.load (2 keys)`, timeoutMs: 300 });
      expect(calls.get(key)).toHaveLength(1);
    }
    expect(l.signals[0]?.aborted).toBe(true);
    expect(l.signals[0]?.reason).toBeInstanceOf(TimeoutError);
    expect(poller.stats()).toMatchObject({ sent: 1, batches: 1, errors: 1 });

    l.knobs.hang = false;
    await vi.advanceTimersByTimeAsync(699); // t = 999
    expect(l.batchCalls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await settle();
    expect(l.batchCalls).toEqual([
      ['a', 'b'],
      ['a', 'b'],
    ]);
    expect(resource.get('a')).toMatchObject({ status: 'success', data: entry('a') });
  });

  it('unsubscribing aborts the call under way; its keys are left as they were', async () => {
    const { poller } = setup();
    const l = fakeLoaders();
    l.fill(['a']);
    l.knobs.delay = 100;
    const resource = createResource(poller, loaderResource(l));
    const sub = resource.subscribe('a', () => {});
    await vi.advanceTimersByTimeAsync(10);
    expect(l.batchCalls).toEqual([['a']]);
    sub.unsubscribe();
    await settle();
    expect(l.signals[0]?.aborted).toBe(true);
    expect(resource.get('a').status).toBe('pending');
    expect(poller.inspect().resources).toMatchObject({ reads: 0, groups: 0 });
  });
});

describe('item.load', () => {
  it('without a batch: one call per key, `concurrency` at once, each key its own result', async () => {
    const { poller } = setup();
    const l = fakeLoaders();
    const ks = ['a', 'b', 'c', 'd'];
    l.fill(ks);
    l.values.delete('c');
    l.knobs.delay = 10;
    const resource = createResource(
      poller,
      loaderResource(l, { batch: undefined, concurrency: 2 }),
    );
    subscribeAll(resource, ks);
    await vi.advanceTimersByTimeAsync(0);
    expect(l.itemCalls).toEqual(['a', 'b']);
    await vi.advanceTimersByTimeAsync(10);
    expect(l.itemCalls).toEqual(['a', 'b', 'c', 'd']);
    await vi.advanceTimersByTimeAsync(10);
    await settle();
    expect(resource.get('a')).toMatchObject({ status: 'success', data: entry('a') });
    expect(resource.get('c').error).toBeInstanceOf(MissingItemError);
    expect(resource.get('d')).toMatchObject({ status: 'success', data: entry('d') });
    expect(poller.stats()).toMatchObject({ sent: 4, itemRequests: 4, batches: 0 });
  });

  it('a key whose load throws fails alone; one success keeps the interval (no backoff)', async () => {
    const { poller } = setup({ random: () => 1 });
    const l = fakeLoaders();
    l.fill(['a', 'b']);
    const boom = new Error('sdk: item b is broken');
    l.knobs.itemError = (key) => (key === 'b' ? boom : undefined);
    const resource = createResource(poller, loaderResource(l, { batch: undefined }));
    subscribeAll(resource, ['a', 'b']);
    const fetched = resource.fetch('b');
    await settle();
    await expect(fetched).rejects.toBe(boom);
    expect(resource.get('a').status).toBe('success');
    expect(resource.get('b')).toMatchObject({ status: 'error', error: boom });
    await vi.advanceTimersByTimeAsync(1000);
    await settle();
    expect(l.itemCalls).toEqual(['a', 'b', 'b', 'a']); // stalest first: b never read well
    expect(resource.get('a').status).toBe('success');
    expect(poller.stats().errors).toBe(0);
  });

  it("a load that outlives the poller's timeout fails with TimeoutError at the deadline", async () => {
    const { poller } = setup({ timeout: 200 });
    const l = fakeLoaders();
    l.fill(['a']);
    l.knobs.hang = true;
    const resource = createResource(poller, loaderResource(l, { batch: undefined }));
    const fetched = resource.fetch('a');
    await settle();
    await vi.advanceTimersByTimeAsync(199);
    expect(resource.get('a').status).toBe('pending');
    await vi.advanceTimersByTimeAsync(1);
    await expect(fetched).rejects.toBeInstanceOf(TimeoutError);
    await expect(fetched).rejects.toMatchObject({ url: `${ORIGIN} item.load (a)`, timeoutMs: 200 });
    expect(l.signals[0]?.aborted).toBe(true);
  });

  it('keys group by the resource origin: its host policy sets the interval', async () => {
    const { poller } = setup({ hosts: [{ match: 'api.example.com', interval: 5000 }] });
    const l = fakeLoaders();
    l.fill(['a']);
    const resource = createResource(poller, loaderResource(l, { interval: undefined }));
    resource.subscribe('a', () => {});
    await settle();
    await vi.advanceTimersByTimeAsync(4999);
    expect(l.batchCalls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await settle();
    expect(l.batchCalls).toHaveLength(2);
  });
});

describe('loader options', () => {
  const issuesOf = (run: () => unknown) => optionIssues(run).map((i) => [i.option, i.message]);
  const load = async () => [];

  it('a loader needs the origin it talks to', () => {
    const { poller } = setup();
    expect(issuesOf(() => createResource(poller, { item: { load } }))).toEqual([
      ['resource.origin', 'is required with item.load or batch.load (the origin it talks to)'],
    ]);
    expect(
      issuesOf(() =>
        createResource(poller, {
          item: { url: (k: string) => `/x/${k}` },
          batch: { load, key: String },
        }),
      ),
    ).toEqual([
      ['resource.origin', 'is required with item.load or batch.load (the origin it talks to)'],
    ]);
  });

  it.each(['api.example.com', 'https://api.example.com/v1', 'not a url', 'mailto:x@y.z'])(
    'origin %j is rejected',
    (origin) => {
      const { poller } = setup();
      expect(issuesOf(() => createResource(poller, { origin, item: { load } }))).toEqual([
        ['resource.origin', "must be an origin such as 'https://api.example.com'"],
      ]);
    },
  );

  it('an origin without any loader is rejected (it would mean nothing)', () => {
    const { poller } = setup();
    expect(
      issuesOf(() => createResource(poller, { origin: ORIGIN, item: { url: (k: string) => k } })),
    ).toEqual([['resource.origin', 'is only used with item.load or batch.load']]);
  });

  it('item and batch each take exactly one of url / load; HTTP-only batch options are rejected with load', () => {
    const { poller } = setup();
    const url = (k: string) => `${ORIGIN}/${k}`;
    expect(
      issuesOf(() => createResource(poller, { origin: ORIGIN, item: { url, load } as never })),
    ).toEqual([
      ['resource.item', 'must have exactly one of url (HTTP) or load (a loader function)'],
    ]);
    expect(
      issuesOf(() => createResource(poller, { item: { url }, batch: { key: String } as never })),
    ).toEqual([
      ['resource.batch', 'must have exactly one of url (HTTP) or load (a loader function)'],
    ]);
    expect(
      issuesOf(() =>
        createResource(poller, {
          origin: ORIGIN,
          item: { load },
          batch: { load, key: String, body: () => ({}), maxUrlLength: 10 } as never,
        }),
      ),
    ).toEqual([
      ['resource.batch.body', 'is only used with batch.url'],
      ['resource.batch.maxUrlLength', 'is only used with batch.url'],
    ]);
    expect(
      issuesOf(() => createResource(poller, { origin: ORIGIN, item: { load: 'x' } as never })),
    ).toEqual([['resource.item.load', 'must be a function']]);
  });

  it('a trailing slash is fine: the origin is normalized', async () => {
    const { poller } = setup();
    const l = fakeLoaders();
    l.fill(['a']);
    const resource = createResource(poller, loaderResource(l, { origin: `${ORIGIN}/` }));
    const fetched = resource.fetch('a');
    await settle();
    await expect(fetched).resolves.toEqual(entry('a'));
    expect(poller.stats().sent).toBe(1);
  });
});
