// Issue 8, items 13 and 15: what a wrapped fetch and poll() make of their URL input. Bad input
// rejects (never throws) and counts nothing; an object with toString() (location, a URL from
// another realm) is stringified as fetch does and keyed by its real destination; URLs without
// an origin (file:, data:, app://, about:) are refused, typed, before anything is kept.
import { describe, expect, it } from 'vitest';
import { InvalidOptionsError, type Poller, type PollTask } from '../../src/index.js';
import { advance, useFakeClock } from '../support/clock.js';
import { fakePoller } from '../support/poller.js';
import { rejectionOf, thrownBy } from '../support/promises.js';

useFakeClock();

const A = 'http://a.test';

/** What `location` is to fetch: an object whose toString() is its href. */
const locationLike = (href: string) => ({ href, toString: () => href });

class UrlLike {
  constructor(readonly href: string) {}
  toString() {
    return this.href;
  }
}

/** Nothing counted, nothing in flight, nothing held. */
function expectNothingKept(poller: Poller) {
  expect(poller.stats()).toMatchObject({ sent: 0, refused: 0, responses: 0, runs: 0 });
  expect(poller.inspect()).toMatchObject({
    entries: 0,
    groups: 0,
    lanes: 0,
    timers: 0,
    sharedPolls: 0,
    requestsInFlight: 0,
    cooldownOrigins: 0,
    breakerOrigins: 0,
    environmentListeners: false,
  });
}

/** Calls `call`, failing the test if it throws synchronously; returns what it rejected with. */
function rejectedBy(call: () => Promise<unknown>): Promise<unknown> {
  let promise: Promise<unknown> | undefined;
  expect(() => {
    promise = call();
  }, 'a synchronous throw').not.toThrow();
  return rejectionOf(promise as Promise<unknown>);
}

describe('a wrapped fetch given bad input (item 13)', () => {
  const bad: [string, unknown][] = [
    ['{}', {}],
    ['null', null],
    ['undefined', undefined],
    ['a number', 42],
    ['a symbol', Symbol('x')],
    ['an object whose toString throws', { toString: () => ({}) }],
  ];

  it.each(bad)('%s: rejects with InvalidOptionsError, counts nothing', async (_name, input) => {
    const { poller, net } = fakePoller({ baseUrl: `${A}/` });
    const error = await rejectedBy(() => poller.wrapFetch()(input as string));
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect(net.count()).toBe(0);
    expectNothingKept(poller);
  });

  it('wrapFetch(notAFunction) throws InvalidOptionsError at once (it returns no promise)', () => {
    const { poller, net } = fakePoller();
    for (const fetch of [{}, 'fetch', 1]) {
      const error = thrownBy(() => poller.wrapFetch(fetch as never));
      expect(error).toBeInstanceOf(InvalidOptionsError);
      expect((error as InvalidOptionsError).issues[0]?.option).toBe('wrapFetch.fetch');
    }
    expect(net.count()).toBe(0);
    expectNothingKept(poller);
  });

  it('a bad init (method not a string) rejects and counts nothing', async () => {
    const { poller, net } = fakePoller();
    const error = await rejectedBy(() =>
      poller.wrapFetch()(`${A}/x`, { method: 42 as unknown as string }),
    );
    expect(error).toBeInstanceOf(TypeError);
    expect(net.count()).toBe(0);
    expectNothingKept(poller);
  });
});

describe('a wrapped fetch given an object with toString(), as fetch accepts it (item 13)', () => {
  const inputs: [string, () => unknown][] = [
    ['location-like { href, toString }', () => locationLike('http://b.test/status?x=1')],
    // Another realm's URL or a polyfill's: not `instanceof URL`, but a string to fetch.
    ['a URL-like class instance', () => new UrlLike('http://b.test/status?x=1')],
  ];

  it.each(inputs)('%s: sent to its real destination, keyed by its origin', async (_n, make) => {
    const { poller, net } = fakePoller({ baseUrl: `${A}/` });
    const response = await poller.wrapFetch()(make() as string);
    expect(response.status).toBe(200);
    expect(net.calls.map((c) => c.url)).toEqual(['http://b.test/status?x=1']);
    // The transport got a plain string, so it cannot read the object its own way.
    expect(net.calls[0]?.input).toBe('http://b.test/status?x=1');
    const requests: unknown[] = [];
    poller.on('request', (e) => requests.push(e));
    await poller.wrapFetch()(make() as string);
    expect(requests).toEqual([
      { origin: 'http://b.test', url: 'http://b.test/status?x=1', method: 'GET' },
    ]);
    expect(poller.stats()).toMatchObject({ sent: 2, responses: 2 });
  });

  it('a relative toString() resolves against baseUrl', async () => {
    const { poller, net } = fakePoller({ baseUrl: `${A}/api/` });
    await poller.wrapFetch()({ toString: () => 'items' } as unknown as string);
    expect(net.calls.map((c) => c.url)).toEqual([`${A}/api/items`]);
  });
});

describe('URLs without an origin (item 15)', () => {
  const opaque = [
    'file:///etc/hosts',
    'app://bundle/api/status',
    'data:application/json,{}',
    'about:blank',
    'capacitor://localhost/api',
  ];

  it.each(opaque)('poll(%s) throws InvalidOptionsError and keeps nothing', async (url) => {
    const { poller, net } = fakePoller();
    const error = thrownBy(() => poller.poll(url));
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect((error as InvalidOptionsError).issues[0]).toMatchObject({ option: 'url', value: url });
    await advance(5000);
    expect(net.count()).toBe(0);
    expectNothingKept(poller);
  });

  it.each(opaque)('poll(task, { url: %s }) throws InvalidOptionsError', (url) => {
    const { poller } = fakePoller();
    const task: PollTask<number> = () => 1;
    for (const options of [{ url }, { origin: url }]) {
      const error = thrownBy(() => poller.poll(task, options));
      expect(error).toBeInstanceOf(InvalidOptionsError);
    }
    expectNothingKept(poller);
  });

  it.each(opaque)(
    'a wrapped fetch of %s rejects with InvalidOptionsError, nothing sent',
    async (url) => {
      const { poller, net } = fakePoller();
      const error = await rejectedBy(() => poller.wrapFetch()(url));
      expect(error).toBeInstanceOf(InvalidOptionsError);
      expect(net.count()).toBe(0);
      expectNothingKept(poller);
    },
  );

  it('ctx.http of an opaque URL fails the run with InvalidOptionsError, nothing sent', async () => {
    const { poller, net } = fakePoller();
    const errors: unknown[] = [];
    poller.poll(({ http }) => http('file:///x'), { origin: A, onError: (e) => errors.push(e) });
    await advance(0);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(InvalidOptionsError);
    expect(net.count()).toBe(0);
    expect(poller.stats()).toMatchObject({ sent: 0, runs: 1, errors: 1 });
  });

  it('two opaque URLs never share state: each is refused on its own', async () => {
    const { poller } = fakePoller();
    const wrapped = poller.wrapFetch();
    for (const url of ['app://one/x', 'app://two/x', 'file:///x']) {
      expect(await rejectedBy(() => wrapped(url))).toBeInstanceOf(InvalidOptionsError);
    }
    expect(poller.cooldownUntil('app://one/x')).toBe(0);
    expectNothingKept(poller);
  });
});
