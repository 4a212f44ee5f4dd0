// Option values built to break a validator: cycles, deep nesting, proxies that throw on every
// read, and nested values of the wrong kind. Each is an InvalidOptionsError naming the option,
// never a stack overflow or a raw TypeError.
import { describe, expect, it } from 'vitest';
import { createPoller, InvalidOptionsError, type PollerOptions } from '../../src/index.js';
import { createResource } from '../../src/resource/index.js';
import { fakePoller, track } from '../support/poller.js';
import { thrownBy } from '../support/promises.js';

const A = 'http://a.test';

/** The options an InvalidOptionsError thrown by `run` names (any other error fails). */
function namedOptions(run: () => unknown): string[] {
  const thrown = thrownBy(run);
  expect(thrown).toBeInstanceOf(InvalidOptionsError);
  return (thrown as InvalidOptionsError).issues.map((i) => i.option);
}

const cyclic = () => {
  const value: Record<string, unknown> = { maxMs: 1000 };
  value.self = value;
  return value;
};

const deep = (levels: number) => {
  let value: Record<string, unknown> = {};
  for (let i = 0; i < levels; i++) value = { a: value };
  return value;
};

describe('cyclic and deeply nested option values', () => {
  it.each([
    ['cyclic', cyclic()],
    ['20,000 levels deep', deep(20_000)],
  ])('%s: createPoller, poll and createResource name the option', (_name, value) => {
    const { poller } = fakePoller();
    expect(namedOptions(() => createPoller({ cooldown: value } as never))).toContain(
      'self' in value ? 'cooldown.self' : 'cooldown.a',
    );
    expect(namedOptions(() => poller.poll(`${A}/x`, { extra: value } as never))).toEqual([
      'poll.extra',
    ]);
    expect(
      namedOptions(() => createResource(poller, { item: { url: () => A }, extra: value } as never)),
    ).toEqual(['resource.extra']);
    expect(
      namedOptions(() => createResource(poller, { item: { url: () => A, x: value } } as never)),
    ).toEqual(['resource.item.x']);
  });
});

describe('options that throw when read', () => {
  it('a getter that throws is an InvalidOptionsError too', () => {
    const options = {
      get interval(): number {
        throw new Error('getter');
      },
    };
    expect(namedOptions(() => createPoller(options as PollerOptions))).toEqual(['options']);
  });
});

describe('a nested option of the wrong kind inside an option that may be false', () => {
  it('breaker.windowSize: NaN, Infinity, a string or null is named breaker.windowSize, with its value', () => {
    for (const value of [Number.NaN, Number.POSITIVE_INFINITY, '20', null]) {
      const error = thrownBy(() =>
        createPoller({ breaker: { windowSize: value } } as never),
      ) as InvalidOptionsError;
      expect(error).toBeInstanceOf(InvalidOptionsError);
      expect(error.issues.map((i) => i.option)).toEqual(['breaker.windowSize']);
      expect(Object.is(error.issues[0]?.value, value)).toBe(true);
      expect(error.issues[0]?.message).toBe('must be an integer from 1 to 10000');
    }
  });

  it('a breaker of the wrong kind is still named breaker, with the message of what it may be', () => {
    const error = thrownBy(() => createPoller({ breaker: 5 } as never)) as InvalidOptionsError;
    expect(error.issues).toEqual([
      {
        option: 'breaker',
        value: 5,
        message: 'must be breaker settings (an object), or false',
      },
    ]);
    expect(() => track(createPoller({ breaker: false }))).not.toThrow();
  });
});
const revoked = () => {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
};

describe('a revoked Proxy (every read throws)', () => {
  it('as the options, or as a nested option bag, is an InvalidOptionsError naming it', () => {
    const { poller } = fakePoller();
    expect(namedOptions(() => createPoller(revoked() as never))).toEqual(['options']);
    expect(namedOptions(() => createPoller({ cooldown: revoked() } as never))).toEqual([
      'cooldown',
    ]);
    expect(namedOptions(() => poller.poll(`${A}/x`, revoked() as never))).toEqual(['poll']);
    expect(namedOptions(() => createResource(poller, revoked() as never))).toEqual(['resource']);
  });
});
