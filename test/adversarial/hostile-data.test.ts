import { describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import { MissingItemError, UnexpectedResponseError, ValidationError } from '../../src/index.js';
import { createResource, type Snapshot } from '../../src/resource/index.js';
import { API, apiBatch, apiResource, setup } from '../resource/harness.js';
import { advance, useFakeClock } from '../support/clock.js';
import { settle } from '../support/fake-network.js';
import { fakePoller } from '../support/poller.js';

/*
 * Hostile data in well-formed responses: batch answers of the wrong shape, entries of odd types,
 * keys named like Object.prototype members, data that changes type, data nested deeply. Every
 * key asked for ends with data or its own error; no prototype is polluted; keys answered well
 * are not disturbed by the others; every fetch() settles.
 */

useFakeClock();

const ASKED = ['a', 'b'];

/** Object.prototype's own keys and values, to compare before and after. */
const prototypeState = () =>
  Reflect.ownKeys(Object.prototype).map((key) => [
    String(key),
    Object.getOwnPropertyDescriptor(Object.prototype, key)?.value,
  ]);

/**
 * A resource on the fake API whose batch answers `body` (raw JSON text) to every batch; reads
 * `keys` with fetch() and returns how each settled.
 */
async function batchAnswering(body: string, keys: readonly string[] = ASKED, overrides = {}) {
  const { api, poller } = setup();
  api.override = (request) =>
    request.kind === 'batch'
      ? new Response(body, { headers: { 'content-type': 'application/json' } })
      : undefined;
  const resource = createResource(poller, apiResource({ interval: 60_000, ...overrides }));
  const outcomes = keys.map(
    (key): Promise<{ key: string; value?: unknown; error?: unknown }> =>
      resource.fetch(key).then(
        (value) => ({ key, value }),
        (error: unknown) => ({ key, error }),
      ),
  );
  await settle();
  const settled = await Promise.all(outcomes);
  return { api, poller, resource, settled: Object.fromEntries(settled.map((o) => [o.key, o])) };
}

describe('batch answers of the wrong shape', () => {
  it.each([
    ['an object', '{"a": {"id": "a"}}'],
    ['null', 'null'],
    ['a number', '42'],
    ['a string holding JSON', '"[{\\"id\\":\\"a\\"}]"'],
  ])(
    '%s instead of an array: every key asked gets UnexpectedResponseError',
    async (_name, body) => {
      const { settled, resource } = await batchAnswering(body);
      for (const key of ASKED) {
        expect(settled[key]?.error).toBeInstanceOf(UnexpectedResponseError);
        expect(resource.get(key).status).toBe('error');
      }
    },
  );

  it('an array of arrays, of numbers or of strings: every key is missing, none wedges', async () => {
    for (const body of ['[[{"id":"a","value":1}]]', '[1, 2, 3]', '["a", "b"]', '[]']) {
      const { settled } = await batchAnswering(body);
      for (const key of ASKED) expect(settled[key]?.error, body).toBeInstanceOf(MissingItemError);
    }
  });

  it('null entries make batch.key throw: the keys left unmatched get that error, matched keys their data', async () => {
    const { settled } = await batchAnswering('[null, {"id": "a", "value": 1}, 7]');
    expect(settled.a).toEqual({ key: 'a', value: { id: 'a', value: 1 } });
    expect(settled.b?.error).toBeInstanceOf(TypeError);
  });

  it('an entry listed twice: the last one is the data, once', async () => {
    const { settled, resource } = await batchAnswering(
      '[{"id":"a","value":1},{"id":"a","value":2},{"id":"b","value":3}]',
    );
    expect(settled.a).toEqual({ key: 'a', value: { id: 'a', value: 2 } });
    expect(resource.get('a').data).toEqual({ id: 'a', value: 2 });
  });

  it('ids of other types and cases match only by keyId (JSON for non-strings), never loosely', async () => {
    const { settled } = await batchAnswering(
      '[{"id":"A","value":1},{"id":["a"],"value":2},{"id":{"a":1},"value":3},{"id":true,"value":4},{"id":"b ","value":5}]',
    );
    for (const key of ASKED) expect(settled[key]?.error).toBeInstanceOf(MissingItemError);
  });

  it('100,000 entries for keys nobody asked for: ignored, no item created', async () => {
    const extra = Array.from({ length: 100_000 }, (_, i) => ({ id: `x${i}`, value: i }));
    const body = JSON.stringify([...extra, { id: 'a', value: 'A' }, { id: 'b', value: 'B' }]);
    const { settled, poller } = await batchAnswering(body);
    expect(settled.a).toMatchObject({ value: { value: 'A' } });
    expect(settled.b).toMatchObject({ value: { value: 'B' } });
    expect(poller.inspect().resources.items).toBe(2);
  });

  it('a batch.select that finds nothing, or throws on the body: every key fails, nothing wedges', async () => {
    const select = (json: unknown) => (json as { items: unknown[] }).items;
    for (const body of ['[{"id":"a"}]', 'null', '{"items": {"a": 1}}']) {
      const { settled, api, resource } = await batchAnswering(body, ASKED, {
        batch: apiBatch({ select }),
      });
      for (const key of ASKED) {
        expect(settled[key]?.error, body).toBeInstanceOf(Error);
        expect(resource.get(key).status).toBe('error');
      }
      // The keys are not pending: a second fetch() sends a new batch.
      const again = resource.fetch('a').catch((error: unknown) => error);
      await settle();
      expect(await again).toBeInstanceOf(Error);
      expect(api.batches()).toHaveLength(2);
    }
  });
});

describe('keys and data named like Object.prototype members', () => {
  const NAMES = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf'];

  it('each key gets its own entry; no prototype is polluted', async () => {
    const before = prototypeState();
    const body = JSON.stringify(NAMES.map((id) => ({ id, value: `v-${id}` })));
    const { settled, resource } = await batchAnswering(body, NAMES);
    for (const key of NAMES) {
      expect(settled[key]).toEqual({ key, value: { id: key, value: `v-${key}` } });
      expect(resource.get(key)).toMatchObject({ status: 'success', data: { value: `v-${key}` } });
    }
    expect(prototypeState()).toEqual(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('data carrying __proto__ and constructor keys is delivered as own data, compared by content', async () => {
    const before = prototypeState();
    const hostile =
      '{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}, "n": 1}';
    const { poller } = fakePoller({}, () => new Response(hostile));
    const onData = vi.fn();
    const sub = poller.poll(`${API}/feed`, { interval: 1000, onData });
    await advance(0);
    await settle();
    await advance(3000);
    await settle();
    // Same content on every tick: one onData, the first snapshot kept.
    expect(onData).toHaveBeenCalledTimes(1);
    const data = sub.getSnapshot().data as Record<string, unknown>;
    expect(Object.hasOwn(data, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
    expect(prototypeState()).toEqual(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('data that changes type between reads', () => {
  it('each change is told once; equal data with keys in another order is not a change', async () => {
    const bodies = ['{"a":1,"b":2}', '{"b":2,"a":1}', '[1,2]', 'null', '"x"', '0', 'false', '{}'];
    let n = 0;
    const { poller } = fakePoller({}, () => new Response(bodies[Math.min(n++, bodies.length - 1)]));
    const seen: unknown[] = [];
    const sub = poller.poll(`${API}/feed`, { interval: 1000, onData: (d) => seen.push(d) });
    const snapshots: Snapshot<unknown>[] = [];
    sub.subscribe((s) => snapshots.push(s));
    await advance(0);
    await advance(bodies.length * 1000);
    expect(seen).toEqual([{ a: 1, b: 2 }, [1, 2], null, 'x', 0, false, {}]);
    expect(snapshots.every((s) => s.status === 'success')).toBe(true);
  });

  it('a schema that wants an object gets an array: ValidationError for that poll only', async () => {
    const { poller } = fakePoller({}, () => Response.json([{ id: 1 }]));
    const schema = z.object({ id: z.number() });
    const strict = { errors: [] as unknown[], data: [] as unknown[] };
    const loose: unknown[] = [];
    poller.poll(`${API}/feed`, {
      schema,
      interval: 1000,
      onData: (d) => strict.data.push(d),
      onError: (e) => strict.errors.push(e),
    });
    poller.poll(`${API}/feed`, { interval: 1000, onData: (d) => loose.push(d) });
    await advance(2000);
    expect(strict.data).toEqual([]);
    expect(strict.errors).toHaveLength(3);
    for (const error of strict.errors) expect(error).toBeInstanceOf(ValidationError);
    expect(loose).toEqual([[{ id: 1 }]]);
  });
});

/** `depth` levels of `{"a": ...}` around `leaf`, as JSON text (never built as an object). */
const nested = (depth: number, leaf: string) =>
  `${'{"a":'.repeat(depth)}${leaf}${'}'.repeat(depth)}`;

describe('data nested 20,000 levels deep', () => {
  it('a URL poll keeps updating when deeply nested data changes, and keeps its snapshot when it does not', async () => {
    let leaf = 1;
    const { poller } = fakePoller({}, () => new Response(nested(20_000, String(leaf))));
    const onData = vi.fn();
    const onError = vi.fn();
    const sub = poller.poll(`${API}/deep`, { interval: 1000, onData, onError });
    const callbackErrors: unknown[] = [];
    poller.on('error', (e) => callbackErrors.push(e.error));
    await advance(0);
    const first = sub.getSnapshot();
    await advance(1000); // the same data: no change
    expect(sub.getSnapshot()).toBe(first);
    leaf = 2;
    await advance(1000); // changed data: told
    expect(onData).toHaveBeenCalledTimes(2);
    expect(sub.getSnapshot()).not.toBe(first);
    expect(onError).not.toHaveBeenCalled();
    expect(callbackErrors).toEqual([]);
  });

  it('a resource item keeps updating, and its neighbour in the same batch too', async () => {
    let leaf = 1;
    const { api, poller } = setup();
    api.override = (request) =>
      request.kind === 'batch'
        ? new Response(
            `[{"id":"deep","value":${nested(20_000, String(leaf))}},{"id":"flat","value":${leaf}}]`,
          )
        : undefined;
    const resource = createResource(poller, apiResource({ interval: 1000 }));
    const seen = { deep: 0, flat: 0, errors: 0 };
    for (const key of ['deep', 'flat'] as const) {
      resource.subscribe(key, (s) => {
        if (s.status === 'error') seen.errors++;
        else if (s.status === 'success') seen[key]++;
      });
    }
    await advance(0);
    await settle();
    leaf = 2;
    await advance(1000);
    await settle();
    expect(seen).toEqual({ deep: 2, flat: 2, errors: 0 });
    expect(resource.get('deep').status).toBe('success');
    const again = resource.fetch('deep');
    await settle();
    await expect(again).resolves.toMatchObject({ id: 'deep' });
  });
});

describe('an entry type that fails its schema is that key’s error alone', () => {
  it('one entry of the wrong type among good ones', async () => {
    const { settled } = await batchAnswering(
      '[{"id":"a","value":1},{"id":"b","value":"not a number"}]',
      ASKED,
      {
        item: { url: (k: string) => `${API}/items/${k}`, schema: z.object({ value: z.number() }) },
      },
    );
    expect(settled.a).toEqual({ key: 'a', value: { value: 1 } });
    expect(settled.b?.error).toBeInstanceOf(ValidationError);
  });
});
