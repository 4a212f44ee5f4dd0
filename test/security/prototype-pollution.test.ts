import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPoller, type PollerOptions } from '../../src/index.js';
import { createResource } from '../../src/resource/index.js';
import { refusedOptions } from '../support/option-issues.js';
import { track } from '../support/poller.js';

/** Own property names and values of the prototypes a pollution would reach. */
function prototypesState() {
  const state: Record<string, unknown[]> = {};
  for (const [name, proto] of [
    ['Object', Object.prototype],
    ['Array', Array.prototype],
    ['Function', Function.prototype],
    ['Error', Error.prototype],
  ] as const) {
    state[name] = Reflect.ownKeys(proto).map((key) => [
      String(key),
      Object.getOwnPropertyDescriptor(proto, key)?.value,
    ]);
  }
  return state;
}

let before: ReturnType<typeof prototypesState>;

beforeEach(() => {
  before = prototypesState();
});

afterEach(() => {
  expect(prototypesState()).toEqual(before);
  const fresh = {} as Record<string, unknown>;
  for (const key of ['polluted', 'interval', 'fetch', 'windowSize', 'isAdmin', 'match']) {
    expect(fresh[key]).toBeUndefined();
    expect(([] as unknown as Record<string, unknown>)[key]).toBeUndefined();
  }
});

const base: PollerOptions = { visibility: false, online: false };

/** The option paths an InvalidOptionsError names, or null when `run` does not throw. */
const rejectedAt = (run: () => unknown) => refusedOptions(run)?.map((i) => i.option) ?? null;

const PAYLOADS = {
  // A computed key: a literal `__proto__:` would set the prototype instead of a property.
  ['__proto__']: '{"polluted": 1, "isAdmin": true, "interval": 1}',
  constructor: '{"prototype": {"polluted": 1, "isAdmin": true}}',
  prototype: '{"polluted": 1, "isAdmin": true}',
};
type Key = keyof typeof PAYLOADS;
const KEYS = Object.keys(PAYLOADS) as Key[];

it('covers all three keys', () => {
  expect(KEYS).toEqual(['__proto__', 'constructor', 'prototype']);
});

/** `{"<key>": <payload>}` parsed as JSON: the key is an own property, as from any API. */
const hostile = (key: Key, extra = ''): Record<string, unknown> =>
  JSON.parse(`{${extra}${extra ? ', ' : ''}"${key}": ${PAYLOADS[key]}}`);

describe('createPoller() options from JSON.parse', () => {
  it('control: JSON options without those keys are accepted', () => {
    expect(
      rejectedAt(() =>
        createPoller({
          ...base,
          ...JSON.parse(
            '{"interval": 3000, "hosts": [{"match": "a.test", "interval": 500}],' +
              ' "cooldown": {"maxMs": 1000}, "backoff": {"capMs": 5000},' +
              ' "breaker": {"openMs": 1000}}',
          ),
        }),
      ),
    ).toBeNull();
  });

  it.each(KEYS)('rejects %s at the top level', (key) => {
    expect(rejectedAt(() => createPoller({ ...base, ...hostile(key) }))).toEqual([key]);
  });

  it.each(KEYS)('rejects %s inside hosts[i]', (key) => {
    const options = JSON.parse(
      `{"hosts": [{"match": "a.test"}, {"match": "b.test", "interval": 500, "${key}": ${PAYLOADS[key]}}]}`,
    );
    expect(rejectedAt(() => createPoller({ ...base, ...options }))).toEqual([`hosts[1].${key}`]);
  });

  it.each(KEYS)('rejects %s inside cooldown, backoff and breaker', (key) => {
    for (const group of ['cooldown', 'backoff', 'breaker']) {
      const options = JSON.parse(`{"${group}": {"${key}": ${PAYLOADS[key]}}}`);
      expect(rejectedAt(() => createPoller({ ...base, ...options }))).toEqual([`${group}.${key}`]);
    }
  });

  it('rejects all of them at every level at once, naming each', () => {
    const options = JSON.parse(
      `{"__proto__": {"a": 1}, "constructor": {"prototype": {"b": 1}},
        "hosts": [{"match": "a.test", "prototype": {"c": 1}}],
        "cooldown": {"__proto__": {"maxMs": 1}}, "backoff": {"constructor": {}},
        "breaker": {"prototype": {}}}`,
    );
    expect(rejectedAt(() => createPoller({ ...base, ...options }))?.sort()).toEqual(
      [
        '__proto__',
        'constructor',
        'hosts[0].prototype',
        'cooldown.__proto__',
        'backoff.constructor',
        'breaker.prototype',
      ].sort(),
    );
  });

  it('a __proto__ that is not an object, or an array in its place, is rejected too', () => {
    for (const value of ['null', '5', '"x"', '[]', '[{"polluted": 1}]']) {
      const options = JSON.parse(`{"__proto__": ${value}, "hosts": [{"match": "a.test",
        "__proto__": ${value}}]}`);
      expect(rejectedAt(() => createPoller({ ...base, ...options }))?.sort()).toEqual([
        '__proto__',
        'hosts[0].__proto__',
      ]);
    }
  });

  it('the rejected options do not leak into the next poller', () => {
    rejectedAt(() => createPoller({ ...base, ...hostile('__proto__') }));
    const poller = track(createPoller(base));
    expect(({} as Record<string, unknown>).interval).toBeUndefined();
    expect(poller.stats()).not.toHaveProperty('polluted');
    expect(poller.inspect()).not.toHaveProperty('isAdmin');
  });
});

describe('poll() and createResource() options from JSON.parse', () => {
  const poller = () => {
    return track(createPoller({ ...base, fetch: () => Promise.resolve(Response.json({})) }));
  };

  it.each(KEYS)('poll() rejects %s', (key) => {
    const p = poller();
    expect(rejectedAt(() => p.poll('http://a.test/x', hostile(key)))).toEqual([`poll.${key}`]);
    expect(p.inspect().entries).toBe(0);
  });

  it.each(KEYS)('createResource() rejects %s at its top level, in item and in batch', (key) => {
    const p = poller();
    const url = (k: string) => `http://a.test/items/${k}`;
    const batchKey = (e: unknown) => String(e);
    expect(rejectedAt(() => createResource(p, { item: { url }, ...hostile(key) }))).toEqual([
      `resource.${key}`,
    ]);
    expect(rejectedAt(() => createResource(p, { item: { url, ...hostile(key) } }))).toEqual([
      `resource.item.${key}`,
    ]);
    expect(
      rejectedAt(() =>
        createResource(p, {
          item: { url },
          batch: { url: 'http://a.test/b', key: batchKey, ...hostile(key) },
        }),
      ),
    ).toEqual([`resource.batch.${key}`]);
    expect(p.inspect().resources.groups).toBe(0);
  });
});

describe('an Object.prototype polluted elsewhere', () => {
  it('lends no option to a poller: an inherited fetch or interval is never used', async () => {
    const used: string[] = [];
    const proto = Object.prototype as Record<string, unknown>;
    proto.fetch = () => {
      used.push('polluted fetch');
      return Promise.resolve(new Response('{}'));
    };
    proto.interval = -1; // would fail validation if it were read as given
    let poller: ReturnType<typeof createPoller> | undefined;
    try {
      poller = createPoller({ visibility: false, online: false });
      const own = vi.fn(async () => new Response('{}'));
      await poller.wrapFetch(own)('https://a.test/x');
      expect(own).toHaveBeenCalledTimes(1);
      await expect(poller.wrapFetch()('http://127.0.0.1:9/x')).rejects.toThrow();
      expect(used).toEqual([]);
    } finally {
      delete proto.fetch;
      delete proto.interval;
      poller?.dispose();
    }
  });
});
