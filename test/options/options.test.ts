import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createPoller,
  InvalidOptionsError,
  type OptionIssue,
  type Poller,
  type PollerOptions,
  PollwiseError,
} from '../../src/index.js';
import { createResource } from '../../src/resource/index.js';
import { track } from '../support/poller.js';
import { thrownBy } from '../support/promises.js';

afterEach(() => {
  expect({} as Record<string, unknown>).not.toHaveProperty('polluted');
});

/** Calls `fn`, which must throw an InvalidOptionsError, and returns it. */
function invalid(fn: () => unknown): InvalidOptionsError {
  const thrown = thrownBy(fn);
  expect(thrown).toBeInstanceOf(InvalidOptionsError);
  return thrown as InvalidOptionsError;
}

const create = (options: unknown) => track(createPoller(options as PollerOptions));

/** The issues as `option → value`, for exact comparison. */
const byOption = (error: InvalidOptionsError) =>
  Object.fromEntries(error.issues.map((i: OptionIssue) => [i.option, i.value]));

describe('createPoller: one InvalidOptionsError listing every problem', () => {
  it('names each option path and its bad value, all at once', () => {
    const clock = { now: () => 0 };
    const error = invalid(() =>
      create({
        interval: -1,
        hosts: [{ match: 'localhost' }, { match: '*.*.a' }],
        cooldown: { maxMs: -5 },
        fetch: 4,
        clock,
        visibility: true,
        jitter: 2,
        timeout: -1,
        baseUrl: 'nope',
      }),
    );
    expect(error.name).toBe('InvalidOptionsError');
    expect(error.code).toBe('invalid-options');
    // A pollwise error like every other, no longer a TypeError.
    expect(error).toBeInstanceOf(PollwiseError);
    expect(error).not.toBeInstanceOf(TypeError);
    expect(byOption(error)).toEqual({
      interval: -1,
      'hosts[1].match': '*.*.a',
      'cooldown.maxMs': -5,
      fetch: 4,
      clock,
      visibility: true,
      jitter: 2,
      timeout: -1,
      baseUrl: 'nope',
    });
    for (const line of [
      'interval: must be a positive number of milliseconds, got -1',
      'hosts[1].match: is not a host pattern',
      'got "*.*.a"',
      'cooldown.maxMs: must be a number of milliseconds, 0 or more, got -5',
      'fetch: must be a fetch function, got 4',
      'clock: must be a clock { now, setTimeout, clearTimeout }',
      'visibility: must be a visibility source',
      'jitter: must be a number from 0 to 1, got 2',
      'timeout: must be a positive number of milliseconds',
      'baseUrl: must be an absolute URL, got "nope"',
    ]) {
      expect(error.message).toContain(line);
    }
  });

  const single = [
    ['interval', { interval: 0 }, 0],
    ['interval', { interval: '1000' }, '1000'],
    ['loopbackInterval', { loopbackInterval: -1000 }, -1000],
    ['hiddenInterval', { hiddenInterval: true }, true],
    ['hosts', { hosts: 'localhost' }, 'localhost'],
    ['hosts[0]', { hosts: ['localhost'] }, 'localhost'],
    ['hosts[0].match', { hosts: [{ match: 'https://u:p@a.com' }] }, 'https://u:p@a.com'],
    ['hosts[0].interval', { hosts: [{ match: 'a.com', interval: -1 }] }, -1],
    ['cooldown.defaultMs', { cooldown: { defaultMs: '10s' } }, '10s'],
    ['cooldown.jitter', { cooldown: { jitter: 1.5 } }, 1.5],
    ['backoff.capMs', { backoff: { capMs: 0 } }, 0],
    ['maxTrackedOrigins', { maxTrackedOrigins: 2.5 }, 2.5],
    ['online', { online: { isOnline: true, subscribe: () => {} } }, undefined],
    ['random', { random: 0.5 }, 0.5],
    ['timeout', { timeout: true }, true],
    ['maxConcurrent', { maxConcurrent: 0 }, 0],
    ['hosts[0].maxConcurrent', { hosts: [{ match: 'a.com', maxConcurrent: 1.5 }] }, 1.5],
  ] as const;

  it('each option is checked: one issue naming its path and value', () => {
    for (const [option, options, value] of single) {
      const error = invalid(() => create(options));
      expect(
        error.issues.map((issue) => issue.option),
        option,
      ).toEqual([option]);
      if (value !== undefined) expect(error.issues[0]?.value, option).toBe(value);
      expect(error.message, option).toContain(`  - ${option}: `);
    }
  });

  it('names NaN and Infinity as such in the message, not as null', () => {
    const error = invalid(() => create({ interval: Number.NaN, loopbackInterval: Infinity }));
    expect(error.issues.map((i) => i.option)).toEqual(['interval', 'loopbackInterval']);
    expect(error.issues[0]?.value).toBeNaN();
    expect(error.message).toContain('interval: must be a positive number of milliseconds, got NaN');
    expect(error.message).toContain('got Infinity');
    expect(error.message).not.toContain('got null');
  });

  it('rejects unknown keys, also nested ones', () => {
    const error = invalid(() =>
      create({ intervall: 1000, cooldown: { maxMS: 1 }, backoff: { x: 1 } }),
    );
    expect(byOption(error)).toEqual({ intervall: 1000, 'cooldown.maxMS': 1, 'backoff.x': 1 });
    expect(error.message).toContain('intervall: is not a known option, got 1000');
    expect(error.message).toContain('cooldown.maxMS: is not a known option, got 1');
    const hostError = invalid(() => create({ hosts: [{ match: 'a.com', intervl: 5 }] }));
    expect(byOption(hostError)).toEqual({ 'hosts[0].intervl': 5 });
  });

  it('rejects __proto__, constructor and prototype from JSON.parse without pollution', () => {
    const options = JSON.parse(
      '{"__proto__": {"polluted": 1}, "constructor": {"prototype": {"polluted": 2}},' +
        ' "prototype": 3, "cooldown": {"__proto__": {"polluted": 4}}}',
    );
    const error = invalid(() => create(options));
    expect(byOption(error)).toEqual({
      ['__proto__']: { polluted: 1 },
      constructor: { prototype: { polluted: 2 } },
      prototype: 3,
      'cooldown.__proto__': { polluted: 4 },
    });
    expect({} as Record<string, unknown>).not.toHaveProperty('polluted');
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it('options that are not an object → one issue "options: must be an object"', () => {
    for (const options of [null, 5, 'interval=1000', [{ interval: 1000 }]]) {
      const error = invalid(() => create(options));
      expect(error.issues).toEqual([
        { option: 'options', value: options, message: 'must be an object' },
      ]);
    }
  });

  it('valid options pass, including every documented form', () => {
    expect(() => create(undefined)).not.toThrow();
    expect(() => create({})).not.toThrow();
    expect(() =>
      create({
        interval: 2500,
        loopbackInterval: 500,
        hiddenInterval: false,
        hosts: [
          { match: 'localhost', interval: 1000, hiddenInterval: 30_000 },
          { match: 'api.example.com:8443' },
          { match: '*.hf.space', hiddenInterval: false },
          { match: 'https://api.example.com' },
          { match: '[::1]:3000', maxConcurrent: 1 },
        ],
        jitter: 0,
        timeout: false,
        baseUrl: 'https://app.example.com/',
        cooldown: { defaultMs: 0, maxMs: 0, jitter: 1 },
        backoff: { baseMs: 1, capMs: 1 },
        maxTrackedOrigins: 1,
        maxConcurrent: 6,
        fetch: async () => new Response(null),
        clock: { now: () => 0, setTimeout: () => 0, clearTimeout: () => {} },
        visibility: false,
        online: { isOnline: () => true, subscribe: () => () => {} },
        random: () => 0,
      }),
    ).not.toThrow();
  });
});

describe('settings objects are plain objects', () => {
  class Settings {
    maxMs = 5000;
  }
  const NOT_PLAIN: [string, unknown][] = [
    ['a Date', new Date(5)],
    ['a boxed number', Object(5)],
    ['a Map', new Map([['maxMs', 5000]])],
    ['a RegExp', /maxMs/],
    ['an Error', new Error('maxMs')],
    ['a class instance', new Settings()],
    ['an object inheriting its settings', Object.create({ maxMs: 5000 })],
  ];

  it.each(NOT_PLAIN)(
    '%s as cooldown, backoff, breaker or a hosts entry: refused, naming that option',
    (_label, value) => {
      for (const [option, options] of [
        ['cooldown', { cooldown: value }],
        ['backoff', { backoff: value }],
        ['breaker', { breaker: value }],
        ['hosts[0]', { hosts: [value] }],
        ['hosts[1]', { hosts: [{ match: 'a.test' }, value] }],
      ] as const) {
        const error = invalid(() => create(options));
        expect(error.issues, option).toHaveLength(1);
        expect(error.issues[0]?.option).toBe(option);
        expect(error.issues[0]?.value).toBe(value);
      }
    },
  );

  it('null-prototype objects and plain objects of another realm are plain', () => {
    const otherRealm = runInNewContext('({ maxMs: 5000 })');
    expect(Object.getPrototypeOf(otherRealm)).not.toBe(Object.prototype);
    const bare = Object.assign(Object.create(null), { maxMs: 5000 });
    for (const settings of [otherRealm, bare]) {
      expect(() => create({ cooldown: settings })).not.toThrow();
      const error = invalid(() => create({ cooldown: settings, backoff: { capMs: -1 } }));
      expect(byOption(error)).toEqual({ 'backoff.capMs': -1 });
    }
    const host = runInNewContext('({ match: "a.test", interval: 500 })');
    expect(() => create({ hosts: [host] })).not.toThrow();
  });
});

describe('an Object.prototype polluted with keys no option has', () => {
  it('adds no unknown option to plain option bags, nested ones included', () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto.pollutedKey = 1;
    try {
      const options = { interval: 1000, cooldown: { maxMs: 5000 }, hosts: [{ match: 'a.test' }] };
      expect(() => create({ ...options, visibility: false, online: false })).not.toThrow();
      const p = create({ visibility: false, online: false });
      expect(() => p.poll(async () => 1, { origin: 'https://a.test' })).not.toThrow();
    } finally {
      delete proto.pollutedKey;
    }
  });
});

describe('createPoller: options that would break timers', () => {
  it('timeout above 2^31-1 ms is refused (a timer fires at once past it), naming timeout', () => {
    const error = invalid(() => create({ timeout: 2 ** 31 }));
    expect(byOption(error)).toEqual({ timeout: 2 ** 31 });
    expect(error.message).toContain('timeout: must be a positive number of milliseconds');
    expect(error.message).toContain('at most 2147483647');
    expect(() => create({ timeout: 2 ** 31 - 1 })).not.toThrow();
  });

  it('long intervals, cooldowns, backoffs and open times are accepted: the scheduler chains them', () => {
    const long = 3e9;
    expect(() =>
      create({
        interval: long,
        loopbackInterval: long,
        hiddenInterval: long,
        hosts: [{ match: 'a.test', interval: long, hiddenInterval: long }],
        cooldown: { defaultMs: long, maxMs: Number.MAX_SAFE_INTEGER },
        backoff: { baseMs: long, capMs: long },
        breaker: { windowMs: long, openMs: long },
      }),
    ).not.toThrow();
    const p = create({ visibility: false, online: false });
    expect(() => p.poll(async () => 1, { origin: 'https://a.test', interval: long })).not.toThrow();
  });
});

describe('poll(): option errors', () => {
  const poller = () => create({ visibility: false, online: false, baseUrl: 'https://app.test/' });
  const task = async () => 1;

  const cases: [string, () => unknown, unknown][] = [
    ['poll.interval', () => poller().poll(task, { url: 'https://a.test/', interval: -5 }), -5],
    [
      'poll.hiddenInterval',
      () => poller().poll(task, { origin: 'https://a.test', hiddenInterval: 0 }),
      0,
    ],
    [
      'poll.immediate',
      () => poller().poll('https://a.test/', { immediate: 'yes' as never }),
      'yes',
    ],
    ['poll.onData', () => poller().poll('https://a.test/', { onData: 1 as never }), 1],
    ['poll.url', () => poller().poll(task, { url: 5 as never }), 5],
    ['poll.url', () => poller().poll(task, {}), undefined],
    ['poll.url', () => poller().poll(task, undefined as never), undefined],
    ['poll.refetch', () => poller().poll('https://a.test/', { refetch: true } as never), true],
    [
      'poll.url',
      () => poller().poll('https://a.test/', { url: 'https://b.test/' } as never),
      'https://b.test/',
    ],
    ['poll.origin', () => poller().poll(task, { origin: 'http://[::1' }), 'http://[::1'],
    ['task', () => poller().poll(42 as never, { url: 'https://a.test/' }), 42],
  ];

  it('bad poll options, a missing url/origin or a bad task throw one named issue', () => {
    for (const [option, call, value] of cases) {
      const error = invalid(call);
      expect(error.issues, option).toHaveLength(1);
      expect(error.issues[0], option).toMatchObject({ option, value });
    }
  });

  it('a relative url resolves against baseUrl; without any base it is an option error', () => {
    const withBase = poller().poll(task, { url: '/api/feed' });
    withBase.unsubscribe();
    const bare = create({ visibility: false, online: false });
    const error = invalid(() => bare.poll('/api/feed'));
    expect(error.issues[0]).toMatchObject({ option: 'url', value: '/api/feed' });
    expect(error.message).toContain('baseUrl');
  });

  it('lists every bad poll option at once', () => {
    const error = invalid(() =>
      poller().poll(task, { url: 'https://a.test/', interval: 0, key: 7, extra: 1 } as never),
    );
    expect(byOption(error)).toEqual({ 'poll.interval': 0, 'poll.key': 7, 'poll.extra': 1 });
  });
});

describe('properties', () => {
  const KEYS = [
    'interval',
    'loopbackInterval',
    'hiddenInterval',
    'hosts',
    'jitter',
    'timeout',
    'baseUrl',
    'cooldown',
    'backoff',
    'maxTrackedOrigins',
    'fetch',
    'clock',
    'visibility',
    'online',
    'random',
    '__proto__',
    'constructor',
  ];
  const value = fc.oneof(
    fc.anything({ withNullPrototype: true, withBoxedValues: true, withMap: true, withSet: true }),
    fc.func(fc.anything()),
    fc.record({
      match: fc.oneof(fc.string(), fc.constantFrom('localhost', '*.a.b', 'https://a.b')),
    }),
    fc.array(fc.record({ match: fc.string(), interval: fc.anything() }, { requiredKeys: [] })),
  );
  // Mostly plausible values, so that the success path is exercised too.
  const plausible = fc.record(
    {
      interval: fc.oneof(fc.integer(), fc.double()),
      jitter: fc.double(),
      timeout: fc.oneof(fc.constant(false), fc.integer()),
      baseUrl: fc.oneof(fc.webUrl(), fc.string()),
      hosts: fc.array(
        fc.record(
          {
            match: fc.oneof(fc.string(), fc.constantFrom('localhost', '*.a.b', 'https://a.b:1')),
            interval: fc.integer(),
            hiddenInterval: fc.oneof(fc.boolean(), fc.integer()),
          },
          { requiredKeys: ['match'] },
        ),
        { maxLength: 3 },
      ),
      cooldown: fc.record(
        { defaultMs: fc.double(), maxMs: fc.integer(), jitter: fc.double() },
        { requiredKeys: [] },
      ),
      visibility: fc.constantFrom(false, true, null),
      maxTrackedOrigins: fc.oneof(fc.nat(), fc.double()),
      random: fc.func(fc.double()),
    },
    { requiredKeys: [] },
  );
  const options = fc.oneof(
    fc.anything({ withNullPrototype: true, withBoxedValues: true, withTypedArray: true }),
    fc.dictionary(fc.oneof(fc.constantFrom(...KEYS), fc.string()), value, { maxKeys: 4 }),
    plausible,
  );

  it('createPoller either succeeds or throws InvalidOptionsError, never another error', () => {
    fc.assert(
      fc.property(options, (input) => {
        let poller: Poller | undefined;
        try {
          poller = createPoller(input as PollerOptions);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidOptionsError);
          const issues = (error as InvalidOptionsError).issues;
          expect(issues.length).toBeGreaterThan(0);
          for (const issue of issues) expect(typeof issue.option).toBe('string');
        } finally {
          poller?.dispose();
        }
        expect({} as Record<string, unknown>).not.toHaveProperty('polluted');
      }),
      { numRuns: 1000 },
    );
  });

  it('poll() options either pass or throw InvalidOptionsError', () => {
    const p = create({ visibility: false, online: false, baseUrl: 'https://app.test/' });
    const pollKeys = ['url', 'origin', 'key', 'interval', 'hiddenInterval', 'immediate', 'onData'];
    fc.assert(
      fc.property(
        fc.oneof(fc.anything(), fc.dictionary(fc.constantFrom(...pollKeys), value)),
        (input) => {
          try {
            p.poll(async () => 1, input as never).unsubscribe();
          } catch (error) {
            expect(error).toBeInstanceOf(InvalidOptionsError);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('createResource(): option errors', () => {
  const value = fc.oneof(
    fc.anything({ withNullPrototype: true, withBoxedValues: true }),
    fc.func(fc.anything()),
    fc.constantFrom('GET', 'POST', 'DELETE', '/batch', 64, 0, -1),
  );
  const section = (keys: readonly string[]) =>
    fc.oneof(
      fc.anything(),
      fc.dictionary(fc.constantFrom(...keys, '__proto__', 'x'), value, { maxKeys: 4 }),
    );
  const resourceOptions = fc.oneof(
    fc.anything({ withNullPrototype: true }),
    fc.record(
      {
        item: section(['url', 'load', 'schema', 'select']),
        batch: section([
          'url',
          'load',
          'method',
          'body',
          'select',
          'key',
          'data',
          'maxSize',
          'maxUrlLength',
        ]),
        keyId: value,
        origin: value,
        window: value,
        concurrency: value,
        gcTime: value,
      },
      { requiredKeys: [] },
    ),
  );

  it('createResource() either succeeds or throws InvalidOptionsError naming options, never another error', () => {
    const p = create({ visibility: false, online: false, baseUrl: 'https://app.test/' });
    fc.assert(
      fc.property(resourceOptions, (input) => {
        try {
          createResource(p, input as never);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidOptionsError);
          for (const issue of (error as InvalidOptionsError).issues) {
            expect(issue.option.startsWith('resource')).toBe(true);
          }
        }
        expect({} as Record<string, unknown>).not.toHaveProperty('polluted');
      }),
      { numRuns: 1000 },
    );
  });
});

describe('the value shown in an option error', () => {
  it('shows the members of an object, functions included, instead of "{}"', () => {
    const error = invalid(() => createPoller({ clock: { now: () => 0 } } as never));
    expect(error.message).toContain('clock: must be a clock');
    expect(error.message).toContain('got {"now":"[function]"}');
  });
});
