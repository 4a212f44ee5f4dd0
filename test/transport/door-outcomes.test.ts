import { describe, expect, it } from 'vitest';
import {
  alwaysOnline,
  alwaysVisible,
  DEFAULTS,
  isTimeoutError,
  PollerDisposedError,
} from '../../src/index.js';
import { createResource } from '../../src/resource/index.js';
import { advance, useFakeClock } from '../support/clock.js';
import { status } from '../support/fake-network.js';
import { fakePoller } from '../support/poller.js';
import { rejectionOf } from '../support/promises.js';

useFakeClock();

const A = 'http://a.test';

describe('the door records what an answer tells, and nothing else', () => {
  it('opaque answers (status 0) never open the breaker; the same count of 500s does', async () => {
    const { poller, net } = fakePoller({}, () => Response.error());
    const fetch = poller.wrapFetch();
    for (let i = 0; i < 10; i++) await fetch(`${A}/x`);
    expect(net.calls).toHaveLength(10);
    expect(poller.stats().breakerOpened).toBe(0);
    net.respond = () => status(500);
    for (let i = 0; i < 5; i++) await fetch(`${A}/x`);
    expect(poller.stats().breakerOpened).toBe(1);
  });

  it('a headers function that never settles ends in a TimeoutError; nothing is sent or counted', async () => {
    const { poller, net } = fakePoller({ timeout: 200 });
    const errors: unknown[] = [];
    poller.poll(`${A}/feed`, {
      interval: 1000,
      headers: () => new Promise<HeadersInit>(() => {}),
      onError: (error) => errors.push(error),
    });
    await advance(199);
    expect(errors).toEqual([]);
    await advance(1);
    expect(errors).toHaveLength(1);
    expect(isTimeoutError(errors[0])).toBe(true);
    expect(net.calls).toHaveLength(0);
    expect(poller.stats()).toMatchObject({ sent: 0, breakerOpened: 0 });
  });

  it('a throwing headers function sends nothing, counts nothing and never opens the breaker', async () => {
    const { poller, net } = fakePoller();
    const errors: unknown[] = [];
    poller.poll(`${A}/feed`, {
      interval: 1000,
      headers: () => {
        throw new Error('no token');
      },
      onError: (error) => errors.push(error),
    });
    await advance(60_000);
    expect(errors.length).toBeGreaterThanOrEqual(5);
    expect(errors.every((e) => (e as Error).message === 'no token')).toBe(true);
    expect(net.calls).toHaveLength(0);
    expect(poller.stats()).toMatchObject({ sent: 0, breakerOpened: 0 });
  });
});

describe('promise APIs reject, never throw', () => {
  it('resource.fetch() rejects when keyId throws, and after dispose()', async () => {
    const { poller } = fakePoller();
    const resource = createResource<string>(poller, {
      item: { url: (key) => `${A}/i/${key}` },
      keyId: () => {
        throw new Error('bad key');
      },
    });
    // A throw here would fail the test: fetch() must return a rejected promise instead.
    const pending = resource.fetch('a');
    expect(await rejectionOf(pending)).toMatchObject({ message: 'bad key' });
    poller.dispose();
    expect(await rejectionOf(resource.fetch('a'))).toBeInstanceOf(PollerDisposedError);
  });
});

describe('exported objects are frozen', () => {
  it('DEFAULTS (nested objects too), the always-on sources, pollers, subscriptions and resources', () => {
    expect(Object.isFrozen(DEFAULTS)).toBe(true);
    for (const nested of [DEFAULTS.cooldown, DEFAULTS.backoff, DEFAULTS.breaker, DEFAULTS.resource])
      expect(Object.isFrozen(nested)).toBe(true);
    expect(Object.isFrozen(alwaysVisible)).toBe(true);
    expect(Object.isFrozen(alwaysOnline)).toBe(true);
    const { poller } = fakePoller();
    expect(Object.isFrozen(poller)).toBe(true);
    const subscription = poller.poll(`${A}/x`);
    expect(Object.isFrozen(subscription)).toBe(true);
    expect(Object.isFrozen(subscription.getSnapshot())).toBe(true);
    const resource = createResource<string>(poller, { item: { url: (key) => `${A}/i/${key}` } });
    expect(Object.isFrozen(resource)).toBe(true);
    expect(Object.isFrozen(resource.subscribe('a', () => {}))).toBe(true);
  });
});
