import { describe, expect, it, vi } from 'vitest';
import {
  createPoller,
  isHttpError,
  isPollwiseError,
  isTimeoutError,
  type OnlineSource,
  type PollerOptions,
  type VisibilitySource,
} from '../../src/index.js';
import { advance, elapsed, useFakeClock } from '../support/clock.js';
import { fakeNetwork, status } from '../support/fake-network.js';
import { fakePoller, held, NOTHING_HELD } from '../support/poller.js';

/*
 * Options that pass validation and then misbehave at run time: a random source outside [0, 1),
 * visibility and online sources that call back at odd times or with odd values, transports that
 * answer in odd ways. Polling stays bounded, gates hold, errors reach onError, nothing is left.
 */

useFakeClock();

const A = 'http://a.test';

describe('random() outside [0, 1)', () => {
  it.each([
    ['NaN', Number.NaN],
    ['-1', -1],
    ['1', 1],
    ['Infinity', Number.POSITIVE_INFINITY],
  ])('%s: the cooldown holds and the timers do not spin', async (_name, value) => {
    const net = fakeNetwork(() => status(429, { 'retry-after': '10' }));
    const poller = createPoller({
      fetch: net.fetch,
      visibility: false,
      online: false,
      random: () => value,
    });
    poller.poll(`${A}/x`, { interval: 1000 });
    const start = elapsed();
    await advance(0);
    // vitest's fake timers throw on a loop of 10,000 timers: a spin fails here.
    await advance(30_000);
    const cooldown = poller.cooldownUntil(`${A}/x`);
    poller.dispose();
    // Retry-After 10: at most one request per 10 s.
    expect(net.times().map((t) => t - start).length).toBeLessThanOrEqual(4);
    expect(Number.isNaN(cooldown)).toBe(false);
  });
});

/** A visibility source whose listener the test calls by hand, at any time, with any value. */
function looseVisibility(isVisible: () => unknown) {
  const listeners: ((visible: boolean) => void)[] = [];
  const source = {
    isVisible,
    subscribe(listener: (visible: boolean) => void) {
      listeners.push(listener);
      return () => {}; // never removes it: the listener may be called after the end
    },
  } as unknown as VisibilitySource;
  const call = (value: unknown) => {
    for (const listener of listeners) listener(value as boolean);
  };
  return { source, call };
}

describe('visibility and online sources that misbehave within their contract', () => {
  it('isVisible() answers truthy and falsy values, not booleans: read as such', async () => {
    let value: unknown = 'yes';
    const { poller, net } = fakePoller({ visibility: looseVisibility(() => value).source });
    poller.poll(`${A}/x`, { interval: 1000 });
    await advance(1000);
    value = 0;
    await advance(3000);
    expect(net.times()).toEqual([0, 1000]);
  });

  it('a listener called after unsubscribe and after dispose(): nothing is sent, nothing armed', async () => {
    const visibility = looseVisibility(() => true);
    const { poller, net } = fakePoller({ visibility: visibility.source });
    const sub = poller.poll(`${A}/x`, { interval: 1000 });
    await advance(0);
    sub.unsubscribe();
    visibility.call(false);
    visibility.call(true);
    await advance(5000);
    poller.dispose();
    visibility.call(false);
    visibility.call(true);
    await advance(5000);
    expect(net.times()).toEqual([0]);
    expect(held(poller)).toEqual(NOTHING_HELD);
  });

  it('a listener called synchronously from inside subscribe(), and with the same value 1,000 times', async () => {
    let visible = true;
    const listeners: ((v: boolean) => void)[] = [];
    const source: VisibilitySource = {
      isVisible: () => visible,
      subscribe(listener) {
        listeners.push(listener);
        listener(visible);
        listener(!visible);
        listener(visible);
        return () => listeners.splice(listeners.indexOf(listener), 1);
      },
    };
    const { poller, net } = fakePoller({ visibility: source });
    poller.poll(`${A}/x`, { interval: 1000 });
    for (let i = 0; i < 1000; i++) for (const l of listeners) l(true);
    await advance(2000);
    expect(net.times()).toEqual([0, 1000, 2000]);
    visible = false;
    for (const l of listeners) l(false);
    await advance(3000);
    expect(net.times()).toEqual([0, 1000, 2000]);
  });

  it('an online source that says online while isOnline() says offline: the read wins, nothing is sent', async () => {
    const listeners: ((online: boolean) => void)[] = [];
    const online: OnlineSource = {
      isOnline: () => false,
      subscribe: (listener) => {
        listeners.push(listener);
        return () => {};
      },
    };
    const { poller, net } = fakePoller({ online });
    poller.poll(`${A}/x`, { interval: 1000 });
    for (let i = 0; i < 100; i++) for (const l of listeners) l(true);
    await advance(5000);
    expect(net.requests).toBe(0);
  });
});

describe('sources that break their contract', () => {
  const throwing = (what: string) => () => {
    throw new Error(what);
  };
  const SOURCES: [string, object][] = [
    [
      'isVisible throws',
      { visibility: { isVisible: throwing('isVisible'), subscribe: () => () => {} } },
    ],
    [
      'subscribe throws',
      { visibility: { isVisible: () => true, subscribe: throwing('subscribe') } },
    ],
    ['isOnline throws', { online: { isOnline: throwing('isOnline'), subscribe: () => () => {} } }],
    [
      'clock.setTimeout throws',
      {
        clock: {
          now: () => Date.now(),
          setTimeout: throwing('setTimeout'),
          clearTimeout: () => {},
        },
      },
    ],
  ];
  it.each(SOURCES)(
    '%s: poll() throws its error, nothing is left scheduled, nothing polls',
    async (_name, options) => {
      const { poller, net } = fakePoller(options as PollerOptions);
      expect(() => poller.poll(`${A}/x`, { interval: 1000 })).toThrow();
      await advance(3000);
      expect(net.requests).toBe(0);
      expect(held(poller)).toEqual(NOTHING_HELD);
    },
  );

  it('a subscribe() that returns no function, or one that throws: unsubscribe() and dispose() still clean up', async () => {
    const stops = [() => undefined, () => throwing('unsubscribe')];
    for (const stop of stops) {
      const { poller } = fakePoller({
        visibility: { isVisible: () => true, subscribe: stop as never },
      });
      const sub = poller.poll(`${A}/x`, { interval: 1000 });
      await advance(0);
      expect(() => sub.unsubscribe()).not.toThrow();
      expect(() => poller.dispose()).not.toThrow();
      expect(held(poller)).toEqual(NOTHING_HELD);
      expect(poller.inspect().sharedPolls).toBe(0);
    }
  });
});

describe('a clock that misbehaves within its contract', () => {
  it('now() that never moves while timers fire: each tick polls once, nothing spins', async () => {
    const frozen = Date.now();
    const clock = {
      now: () => frozen,
      setTimeout: (callback: () => void, ms: number) => setTimeout(callback, ms),
      clearTimeout: (handle: unknown) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    };
    const { poller, net } = fakePoller({ clock });
    poller.poll(`${A}/x`, { interval: 1000 });
    await advance(5000);
    expect(net.requests).toBeGreaterThan(0);
    expect(net.requests).toBeLessThanOrEqual(6);
  });

  it('now() that jumps back an hour: polls continue, no burst', async () => {
    let offset = 0;
    const clock = {
      now: () => Date.now() + offset,
      setTimeout: (callback: () => void, ms: number) => setTimeout(callback, ms),
      clearTimeout: (handle: unknown) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    };
    const { poller, net } = fakePoller({ clock });
    poller.poll(`${A}/x`, { interval: 1000 });
    await advance(2000);
    offset = -3_600_000;
    await advance(3000);
    offset = 0;
    await advance(3000);
    expect(net.requests).toBeGreaterThanOrEqual(3);
    expect(net.requests).toBeLessThanOrEqual(9);
  });
});

describe('transports that answer in odd ways', () => {
  it('a transport that throws synchronously: the poll gets its error, backs off, nothing is left', async () => {
    const boom = new Error('sync');
    const fetch = vi.fn(() => {
      throw boom;
    });
    const { poller } = fakePoller({ fetch });
    const errors: unknown[] = [];
    poller.poll(`${A}/x`, { interval: 1000, onError: (e) => errors.push(e) });
    await advance(3000);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((e) => e === boom)).toBe(true);
    expect(poller.inspect().requestsInFlight).toBe(0);
  });

  it('a transport that returns a Response, not a promise of one: data', async () => {
    const { poller } = fakePoller({ fetch: (() => Response.json({ ok: 1 })) as never });
    const data: unknown[] = [];
    poller.poll(`${A}/x`, { interval: 1000, onData: (d) => data.push(d) });
    await advance(0);
    expect(data).toEqual([{ ok: 1 }]);
  });

  it('Response.error() (status 0): an HttpError, and the breaker is not told', async () => {
    const { poller } = fakePoller({ fetch: async () => Response.error() });
    const errors: unknown[] = [];
    poller.poll(`${A}/x`, { interval: 1000, onError: (e) => errors.push(e) });
    await advance(10_000);
    expect(errors.length).toBeGreaterThan(5);
    expect(errors.every((e) => isHttpError(e) && e.status === 0)).toBe(true);
    expect(poller.stats().breakerOpened).toBe(0);
  });

  it('a transport that never settles and ignores its signal: the deadline ends each run', async () => {
    const { poller } = fakePoller({ fetch: () => new Promise<Response>(() => {}), timeout: 500 });
    const errors: unknown[] = [];
    poller.poll(`${A}/x`, { interval: 1000, onError: (e) => errors.push(e) });
    await advance(3700); // runs at 0, 1000, 2000, 3000; each times out 500 ms later
    expect(errors).toHaveLength(4);
    expect(errors.every(isTimeoutError)).toBe(true);
    expect(poller.inspect().requestsInFlight).toBe(0);
    await advance(400);
    expect(poller.inspect().requestsInFlight).toBe(1);
    poller.dispose();
    expect(poller.inspect().requestsInFlight).toBe(0);
  });

  it('a fetch option that resolves no Response: each poll gets a typed error, nothing in flight', async () => {
    for (const answer of [undefined, {}, 'x']) {
      const { poller } = fakePoller({ fetch: async () => answer as never });
      const errors: unknown[] = [];
      poller.poll(`${A}/x`, { onError: (e) => errors.push(e) });
      await advance(0);
      expect(errors).toHaveLength(1);
      expect(isPollwiseError(errors[0]), String(errors[0])).toBe(true);
      expect(poller.inspect().requestsInFlight).toBe(0);
    }
  });
});

describe('a schema that misbehaves', () => {
  it('an async validate that never settles: the poll fails at its deadline and keeps polling', async () => {
    const never = {
      '~standard': { version: 1, vendor: 'x', validate: () => new Promise<never>(() => {}) },
    } as const;
    const { poller, net } = fakePoller({ timeout: 1000 });
    const errors: unknown[] = [];
    poller.poll(`${A}/x`, { interval: 1000, schema: never, onError: (e) => errors.push(e) });
    await advance(5000);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every(isTimeoutError)).toBe(true);
    expect(net.count()).toBeGreaterThan(2);
  });
});
