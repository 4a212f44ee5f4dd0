import { describe, expect, it } from 'vitest';
import {
  createPoller,
  InvalidOptionsError,
  type OptionIssue,
  type Poller,
  type PollerOptions,
} from '../../src/index.js';
import { createKy, politeKy } from '../../src/ky/index.js';
import { createResource } from '../../src/resource/index.js';
import { advance, manualClock, useFakeClock } from '../support/clock.js';
import { fakeNetwork } from '../support/fake-network.js';
import { refusedOptions } from '../support/option-issues.js';
import { fakePoller } from '../support/poller.js';

/*
 * Hostile options to createPoller(), poll(), createResource(), politeKy() and createKy(): every
 * numeric option given every awkward number, every option given the wrong kind, and option
 * objects that are frozen, proxied, inherited, polluted or throw from their getters. Each one is
 * refused with one InvalidOptionsError naming the option and the very value, or accepted and
 * then works (a poll on the fake network for 10 s); never another error, never a timer left
 * (useFakeClock checks after every test).
 */

useFakeClock();

const A = 'http://a.test';
/** No gating and exact timing: what a test sees does not depend on chance. */
const QUIET: PollerOptions = { visibility: false, online: false, jitter: 0, random: () => 0 };
/** How long an accepted poller is run for. */
const HORIZON = 300;

/** Builds `{ a: { b: value } }` for the path `a.b` (`hosts[0].x` puts `x` in a host policy). */
function at(path: string, value: unknown): Record<string, unknown> {
  if (path.startsWith('hosts[0].')) {
    return { hosts: [{ match: 'a.test', [path.slice('hosts[0].'.length)]: value }] };
  }
  const [head, ...rest] = path.split('.');
  return { [head as string]: rest.length === 0 ? value : at(rest.join('.'), value) };
}

const NUMERIC = [
  'interval',
  'loopbackInterval',
  'hiddenInterval',
  'jitter',
  'timeout',
  'cooldown.defaultMs',
  'cooldown.maxMs',
  'cooldown.jitter',
  'backoff.baseMs',
  'backoff.capMs',
  'breaker.windowSize',
  'breaker.windowMs',
  'breaker.minRequests',
  'breaker.failureRatio',
  'breaker.openMs',
  'maxConcurrent',
  'maxTrackedOrigins',
  'hosts[0].interval',
  'hosts[0].hiddenInterval',
  'hosts[0].maxConcurrent',
];

const AWKWARD_NUMBERS: [string, number][] = [
  ['NaN', Number.NaN],
  ['Infinity', Number.POSITIVE_INFINITY],
  ['-Infinity', Number.NEGATIVE_INFINITY],
  ['-0', -0],
  ['0', 0],
  ['-1', -1],
  ['0.5', 0.5],
  ['Number.MIN_VALUE', Number.MIN_VALUE],
  ['2 ** 31', 2 ** 31],
  ['MAX_SAFE_INTEGER + 2', Number.MAX_SAFE_INTEGER + 2],
  ['1e308', 1e308],
];

const WRONG_KINDS: [string, unknown][] = [
  ['a numeric string', '1000'],
  ['true', true],
  ['null', null],
  ['an array', [1000]],
  ['an object', { valueOf: () => 1000 }],
  ['a boxed number', Object(1000)],
  ['a bigint', 1000n],
  ['a symbol', Symbol('ms')],
  ['a function', () => 1000],
  ['a Date', new Date(1000)],
];

/** The one issue a refusal must have: this option, this very value. */
function expectNamed(issues: readonly OptionIssue[], option: string, value: unknown) {
  expect(issues).toHaveLength(1);
  expect(issues[0]?.option).toBe(option);
  expect(Object.is(issues[0]?.value, value), `the issue holds the very value`).toBe(true);
  expect(typeof issues[0]?.message).toBe('string');
}

/** An accepted poller works: it polls a URL for HORIZON ms of fake time, then is disposed. */
async function works(poller: Poller, net: ReturnType<typeof fakeNetwork>) {
  const errors: unknown[] = [];
  poller.poll(`${A}/x`, { onError: (e) => errors.push(e) });
  await advance(HORIZON);
  expect(net.requests, 'polled at least once').toBeGreaterThan(0);
  // At most one request per ms: no accepted value makes the scheduler spin.
  expect(net.requests).toBeLessThanOrEqual(HORIZON + 1);
  expect(errors).toEqual([]);
  poller.dispose();
  const i = poller.inspect();
  expect([i.entries, i.groups, i.timers, i.requestsInFlight]).toEqual([0, 0, 0, 0]);
}

describe('createPoller(): every numeric option, every awkward number', () => {
  for (const path of NUMERIC) {
    it.each(AWKWARD_NUMBERS)(`${path}: %s is refused by name or works`, async (_name, value) => {
      const net = fakeNetwork();
      const options = { ...QUIET, fetch: net.fetch, ...at(path, value) } as PollerOptions;
      let poller: Poller | undefined;
      const issues = refusedOptions(() => {
        poller = createPoller(options);
        return poller;
      });
      if (issues !== null) return expectNamed(issues, path, value);
      await works(poller as Poller, net);
    });
  }
});

/** Values of WRONG_KINDS that are of the right kind for an option. */
const RIGHT_KIND: Record<string, string[]> = {
  'hosts[0].match': ['a numeric string'], // "1000" is a host (0.0.3.232)
  hosts: ['an array'], // its element is named instead: hosts[0]
  fetch: ['a function'],
  random: ['a function'],
  // Settings objects: a plain object with an unknown key is named by that key instead.
  cooldown: ['an object'],
  backoff: ['an object'],
  breaker: ['an object'],
};

describe('createPoller(): every option, the wrong kind of value', () => {
  const ALL = [
    ...NUMERIC,
    'hosts',
    'hosts[0].match',
    'baseUrl',
    'cooldown',
    'backoff',
    'breaker',
    'fetch',
    'clock',
    'visibility',
    'online',
    'random',
  ];
  for (const path of ALL) {
    it(`${path}: refused by name, with the value`, () => {
      for (const [name, value] of WRONG_KINDS) {
        if (RIGHT_KIND[path]?.includes(name)) continue;
        const issues = refusedOptions(() => createPoller({ ...QUIET, ...at(path, value) }));
        expect(issues, `${path}: ${name}`).not.toBeNull();
        expectNamed(issues ?? [], path, value);
      }
    });
  }
});

/** Values of WRONG_KINDS that are of the right kind for a poll option. */
const POLL_RIGHT_KIND: Record<string, string[]> = {
  key: ['a numeric string'],
  immediate: ['true'],
  // Anything `new Headers()` takes: objects of no entries send no header.
  headers: ['an object', 'a boxed number', 'a Date', 'a function'],
  // A function of the last snapshot (an adaptive interval).
  interval: ['a function'],
  select: ['a function'],
  onData: ['a function'],
  onError: ['a function'],
};

describe('poll(): every option, the wrong kind of value', () => {
  const OPTIONS = [
    'key',
    'interval',
    'hiddenInterval',
    'immediate',
    'headers',
    'credentials',
    'schema',
    'select',
    'onData',
    'onError',
  ];
  it.each(OPTIONS)('%s: refused by name, nothing scheduled', (name) => {
    const { poller } = fakePoller();
    for (const [label, value] of WRONG_KINDS) {
      if (POLL_RIGHT_KIND[name]?.includes(label)) continue;
      const issues = refusedOptions(() => poller.poll(`${A}/x`, { [name]: value }));
      expect(issues, `${name}: ${label}`).not.toBeNull();
      expectNamed(issues ?? [], `poll.${name}`, value);
    }
    const i = poller.inspect();
    expect([i.entries, i.groups, i.timers, i.sharedPolls]).toEqual([0, 0, 0, 0]);
  });

  it.each(AWKWARD_NUMBERS)('interval %s: refused by name or works', async (_name, value) => {
    const { poller, net } = fakePoller();
    const issues = refusedOptions(() => poller.poll(`${A}/x`, { interval: value }));
    if (issues !== null) return expectNamed(issues, 'poll.interval', value);
    await advance(HORIZON);
    expect(net.requests).toBeGreaterThan(0);
    expect(net.requests).toBeLessThanOrEqual(HORIZON + 1);
  });
});

describe('option objects of unusual make', () => {
  it('frozen and sealed objects (nested too), and null-prototype objects, are accepted as given', async () => {
    const makers = [
      (o: object) => Object.freeze(o),
      (o: object) => Object.seal(o),
      (o: object) => Object.preventExtensions(o),
      (o: object) => Object.assign(Object.create(null), o),
    ];
    for (const make of makers) {
      const net = fakeNetwork();
      const options = make({
        ...QUIET,
        fetch: net.fetch,
        interval: 1000,
        cooldown: make({ maxMs: 5000 }),
        hosts: Object.freeze([make({ match: 'a.test', interval: 500 })]),
      });
      await works(createPoller(options as PollerOptions), net);
    }
  });

  it('a cyclic option object, or one nested 20,000 levels deep, is an InvalidOptionsError', () => {
    const cyclic: Record<string, unknown> = { maxMs: 1000 };
    cyclic.self = cyclic;
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 20_000; i++) deep = { a: deep };
    const { poller } = fakePoller();
    for (const hostile of [cyclic, deep]) {
      for (const run of [
        () => createPoller({ cooldown: hostile } as never),
        () => poller.poll(`${A}/x`, { key: 'k', extra: hostile } as never),
        () => createResource(poller, { item: { url: () => A }, extra: hostile } as never),
        () => createResource(poller, { item: { url: () => A, extra: hostile } } as never),
      ]) {
        expect(refusedOptions(run)).not.toBeNull();
      }
    }
  });

  it('a revoked Proxy as options is an InvalidOptionsError', () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    expect(refusedOptions(() => createPoller(proxy as PollerOptions))).not.toBeNull();
    const { poller } = fakePoller();
    expect(refusedOptions(() => poller.poll(`${A}/x`, proxy as never))).not.toBeNull();
    expect(refusedOptions(() => createResource(poller, proxy as never))).not.toBeNull();
  });

  it('a transparent Proxy over valid options is accepted', async () => {
    const net = fakeNetwork();
    const options = new Proxy({ ...QUIET, fetch: net.fetch, interval: 1000 }, {});
    await works(createPoller(options), net);
  });

  it('inherited options are never read: Object.create({ fetch, interval }) polls with defaults', async () => {
    const net = fakeNetwork();
    const evil = fakeNetwork();
    const options = Object.create({ fetch: evil.fetch, interval: 1, visibility: false });
    Object.assign(options, QUIET, { fetch: net.fetch });
    const poller = createPoller(options);
    await works(poller, net);
    expect(evil.requests).toBe(0);
    // The default interval (2 s): only the first request within the horizon.
    expect(net.times()).toEqual([0]);
  });

  it('symbol-keyed members are ignored', async () => {
    const net = fakeNetwork();
    const options = { ...QUIET, fetch: net.fetch, [Symbol('interval')]: 1 } as PollerOptions;
    await works(createPoller(options), net);
  });

  it('a getter that throws: its own error, or an InvalidOptionsError; never anything else', () => {
    const boom = new Error('getter says no');
    const throwing = (name: string) =>
      Object.defineProperty({ ...QUIET }, name, {
        enumerable: true,
        get() {
          throw boom;
        },
      });
    for (const name of ['interval', 'fetch', 'visibility', 'hosts', 'cooldown']) {
      let thrown: unknown;
      try {
        createPoller(throwing(name) as PollerOptions);
      } catch (error) {
        thrown = error;
      }
      expect(thrown === boom || thrown instanceof InvalidOptionsError, name).toBe(true);
    }
  });

  it('a Proxy whose traps throw: the trap’s own error, or an InvalidOptionsError', () => {
    const boom = new Error('trap says no');
    const traps: ProxyHandler<object>[] = [
      {
        ownKeys: () => {
          throw boom;
        },
      },
      {
        get: () => {
          throw boom;
        },
      },
      {
        getPrototypeOf: () => {
          throw boom;
        },
      },
      {
        getOwnPropertyDescriptor: () => {
          throw boom;
        },
      },
      {
        has: () => {
          throw boom;
        },
      },
    ];
    for (const handler of traps) {
      let thrown: unknown;
      try {
        createPoller(new Proxy({ ...QUIET, interval: 1000 }, handler) as PollerOptions);
      } catch (error) {
        thrown = error;
      }
      expect(
        thrown === undefined || thrown === boom || thrown instanceof InvalidOptionsError,
        Object.keys(handler)[0],
      ).toBe(true);
    }
  });
});

describe('a polluted Object.prototype changes nothing', () => {
  // Not `interval`: vitest's fake timers read `timer.interval` themselves. The poller below runs
  // on a manual clock, so nothing of the test's own machinery reads the polluted names.
  const POLLUTION: Record<string, unknown> = {
    loopbackInterval: 1,
    hiddenInterval: 1,
    visibility: false,
    online: false,
    immediate: false,
    timeout: false,
    breaker: false,
    maxConcurrent: 1000,
    jitter: 1,
    hosts: [{ match: 'a.test', interval: 1, hiddenInterval: 1 }],
  };
  const pollute = () => {
    for (const [key, value] of Object.entries(POLLUTION)) {
      Object.defineProperty(Object.prototype, key, { value, configurable: true, writable: true });
    }
  };
  const clean = () => {
    for (const key of Object.keys(POLLUTION)) {
      delete (Object.prototype as Record<string, unknown>)[key];
    }
  };

  it('while hidden nothing is sent, polls keep their interval and run at once', async () => {
    const clock = manualClock();
    pollute();
    try {
      const { poller, net, visibility } = fakePoller({ clock });
      poller.poll(`${A}/x`, { interval: 1000 });
      await clock.advance(0);
      expect(net.requests).toBe(1);
      visibility.set(false);
      await clock.advance(5000);
      expect(net.requests).toBe(1);
      visibility.set(true);
      await clock.advance(2000);
      expect(net.calls.map((c) => c.at)).toHaveLength(4);
      expect(clock.elapsed()).toBe(7000);
      poller.dispose();
    } finally {
      clean();
    }
  });
});

describe('createResource(): hostile options', () => {
  const RESOURCE_NUMERIC = [
    'interval',
    'hiddenInterval',
    'window',
    'concurrency',
    'reprobeAfter',
    'maxItems',
    'gcTime',
    'batch.maxSize',
    'batch.maxUrlLength',
  ];
  const base = () => ({
    item: { url: (key: string) => `${A}/i/${key}` },
    batch: { url: `${A}/batch`, key: (e: unknown) => String(e) },
  });
  const with_ = (path: string, value: unknown) => {
    const options: Record<string, unknown> = base();
    if (path.startsWith('batch.')) {
      (options.batch as Record<string, unknown>)[path.slice(6)] = value;
    } else options[path] = value;
    return options;
  };

  for (const path of RESOURCE_NUMERIC) {
    it(`${path}: every awkward number and wrong kind is refused by name, or accepted`, () => {
      const { poller } = fakePoller();
      for (const [name, value] of [...AWKWARD_NUMBERS, ...WRONG_KINDS]) {
        const issues = refusedOptions(() => createResource(poller, with_(path, value) as never));
        if (issues === null) continue;
        expect(issues, `${path}: ${name}`).toHaveLength(1);
        expect(issues[0]?.option).toBe(`resource.${path}`);
        expect(Object.is(issues[0]?.value, value), `${path}: ${name}`).toBe(true);
      }
    });
  }

  it('origins that are not origins are refused by name', () => {
    const { poller } = fakePoller();
    for (const origin of [
      'null',
      'file:///etc',
      'http://a.test/path',
      'http://user:pw@a.test',
      'http://a.test?x',
      'a.test',
      '',
      ' http://a.test',
    ]) {
      const issues = refusedOptions(() =>
        createResource(poller, { item: { load: async () => 1 }, origin }),
      );
      expect(
        issues?.map((i) => i.option),
        origin,
      ).toEqual(['resource.origin']);
    }
  });
});

describe('politeKy() and createKy(): hostile arguments', () => {
  it('anything but a live poller is an InvalidOptionsError naming poller', () => {
    for (const value of [null, undefined, {}, 5, 'poller', () => {}, new Proxy({}, {})]) {
      for (const make of [politeKy, createKy] as const) {
        const issues = refusedOptions(() => make(value as never));
        expect(issues?.map((i) => i.option)).toEqual(['poller']);
      }
    }
  });

  it('parent options of odd shapes give a usable extension', () => {
    const { poller } = fakePoller();
    const extend = politeKy(poller);
    for (const parent of [
      undefined,
      {},
      { fetch: 5 },
      { hooks: 5 },
      { hooks: { beforeError: 'x' } },
      { retry: 'x' },
      { retry: null },
      { retry: -1 },
    ]) {
      const extension = extend(parent as never);
      expect(typeof extension.fetch).toBe('function');
      expect(Array.isArray(extension.hooks.beforeError)).toBe(true);
    }
  });

  it('createKy(poller, null) is no options', () => {
    const { poller } = fakePoller();
    expect(refusedOptions(() => createKy(poller, null as never))).toBeNull();
  });
});
