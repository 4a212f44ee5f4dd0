import { describe, expect, it, vi } from 'vitest';
import {
  InvalidOptionsError,
  isPollwiseError,
  PollerDisposedError,
  type Subscription,
} from '../../src/index.js';
import { createResource } from '../../src/resource/index.js';
import { advance, useFakeClock } from '../support/clock.js';
import { settle } from '../support/fake-network.js';
import { fakePoller, held, NOTHING_HELD } from '../support/poller.js';
import { rejectionOf } from '../support/promises.js';

/*
 * Hostile calls to the public functions: calls after dispose(), twice, with inputs of the wrong
 * kind, and re-entrant calls from inside callbacks, listeners and event handlers. Promise APIs
 * reject (never throw), sync APIs throw typed errors or do nothing, and the poller's state stays
 * whole: nothing left in flight, no timer left (useFakeClock checks), no callback after the end.
 */

useFakeClock();

const A = 'http://a.test';

/** How a call went: it threw synchronously, or returned (a promise is settled first). */
async function outcomeOf(call: () => unknown) {
  let returned: unknown;
  try {
    returned = call();
  } catch (error) {
    return { threw: error };
  }
  if (!(returned instanceof Promise)) return { returned };
  const settled = returned.then(
    (value: unknown) => ({ resolved: value }),
    (error: unknown) => ({ rejected: error }),
  );
  await settle();
  return settled;
}

describe('after dispose(), twice', () => {
  it('every method is safe: sync ones throw PollerDisposedError or do nothing, promises reject', async () => {
    const { poller, net } = fakePoller();
    const sub = poller.poll(`${A}/x`, { interval: 1000 });
    const resource = createResource<string>(poller, { item: { url: (k) => `${A}/i/${k}` } });
    const fetch = poller.wrapFetch();
    await advance(0);
    poller.dispose();
    poller.dispose();
    expect(() => poller.poll(`${A}/y`)).toThrow(PollerDisposedError);
    expect(() => createResource(poller, { item: { url: () => A } })).toThrow(PollerDisposedError);
    expect(await rejectionOf(fetch(`${A}/z`))).toBeInstanceOf(PollerDisposedError);
    expect(await rejectionOf(poller.wrapFetch()(`${A}/z`))).toBeInstanceOf(PollerDisposedError);
    expect(await rejectionOf(resource.fetch('a'))).toBeInstanceOf(PollerDisposedError);
    for (const call of [
      () => poller.pause(),
      () => poller.resume(),
      () => poller.stats(),
      () => poller.inspect(),
      () => poller.off('data'),
      () => sub.refresh(),
      () => sub.unsubscribe(),
      () => sub.unsubscribe(),
      () => sub.getSnapshot(),
      () => sub.subscribe(() => {})(),
      () => resource.refresh(),
      () => resource.refresh('a'),
      () => resource.get('a'),
    ]) {
      expect(call).not.toThrow();
    }
    expect(poller.cooldownUntil(`${A}/x`)).toBe(0);
    await advance(10_000);
    expect(net.requests).toBe(1);
    expect(held(poller)).toEqual(NOTHING_HELD);
  });

  it('cooldownUntil() with an input that is not a URL', () => {
    const { poller } = fakePoller();
    for (const input of [null, undefined, {}, '::', '/relative', 5]) {
      let thrown: unknown;
      try {
        poller.cooldownUntil(input as string);
      } catch (error) {
        thrown = error;
      }
      expect(isPollwiseError(thrown), `${String(input)}: ${String(thrown)}`).toBe(true);
    }
  });

  it('on() with a handler that is not a function', () => {
    const { poller } = fakePoller();
    for (const handler of [5, 'x', null, {}]) {
      expect(() => poller.on('data', handler as never)).toThrow(InvalidOptionsError);
    }
    expect(poller.inspect().eventListeners).toBe(0);
  });

  it('wrapFetch() with a transport that is not a function', () => {
    const { poller } = fakePoller();
    for (const transport of [5, 'fetch', {}, null]) {
      expect(() => poller.wrapFetch(transport as never)).toThrow(InvalidOptionsError);
    }
  });
});

describe('after dispose(): what must not come back to life', () => {
  it('resource.subscribe() throws PollerDisposedError and attaches nothing', async () => {
    const listeners = new Set<unknown>();
    const { poller } = fakePoller({
      visibility: {
        isVisible: () => true,
        subscribe: (l) => {
          listeners.add(l);
          return () => listeners.delete(l);
        },
      },
    });
    const resource = createResource<string>(poller, { item: { url: (k) => `${A}/i/${k}` } });
    poller.dispose();
    expect(() => resource.subscribe('a', () => {})).toThrow(PollerDisposedError);
    expect(listeners.size).toBe(0);
    expect(held(poller)).toEqual(NOTHING_HELD);
  });

  it('on() throws PollerDisposedError and keeps nothing', () => {
    const { poller } = fakePoller();
    poller.dispose();
    expect(() => poller.on('data', () => {})).toThrow(PollerDisposedError);
    expect(poller.inspect().eventListeners).toBe(0);
  });
});

describe('twice', () => {
  it('unsubscribe() twice and a listener’s stop function twice leave the other subscriber polling', async () => {
    const { poller, net } = fakePoller({}, ({ n }) => Response.json({ n }));
    const kept = vi.fn();
    poller.poll(`${A}/x`, { interval: 1000, onData: kept });
    const gone = poller.poll(`${A}/x`, { interval: 1000 });
    const stop = gone.subscribe(() => {});
    stop();
    stop();
    gone.unsubscribe();
    gone.unsubscribe();
    await advance(2000);
    expect(net.times()).toEqual([0, 1000, 2000]);
    expect(kept).toHaveBeenCalledTimes(3);
    expect(poller.inspect().sharedPolls).toBe(1);
  });

  it('the same on() handler twice is one handler; its stop function twice removes it once', async () => {
    const { poller } = fakePoller();
    const handler = vi.fn();
    const stopA = poller.on('request', handler);
    const stopB = poller.on('request', handler);
    const other = vi.fn();
    poller.on('request', other);
    expect(poller.inspect().eventListeners).toBe(2);
    stopA();
    stopB();
    stopA();
    expect(poller.inspect().eventListeners).toBe(1);
    await poller.wrapFetch()(`${A}/x`);
    expect(handler).not.toHaveBeenCalled();
    expect(other).toHaveBeenCalledTimes(1);
  });
});

describe('re-entrant calls from callbacks', () => {
  it('dispose() from inside onData: no request, timer or callback after it', async () => {
    const { poller, net } = fakePoller({}, ({ n }) => Response.json({ n }));
    const calls: string[] = [];
    poller.poll(`${A}/x`, {
      interval: 1000,
      onData: () => {
        calls.push('first');
        poller.dispose();
      },
    });
    poller.poll(`${A}/y`, { interval: 1000, onData: () => calls.push('other') });
    await advance(5000);
    expect(net.requests).toBeLessThanOrEqual(2);
    expect(calls.filter((c) => c === 'first')).toEqual(['first']);
    expect(held(poller)).toEqual(NOTHING_HELD);
  });

  it('unsubscribe() from inside its own onData, onError and snapshot listener', async () => {
    let fail = false;
    const { poller, net } = fakePoller({}, ({ n }) =>
      fail ? new Response('{}', { status: 404 }) : Response.json({ n }),
    );
    const seen: string[] = [];
    let subs: Subscription<unknown>[] = [];
    const own = (i: number) => () => {
      seen.push(`s${i}`);
      subs[i]?.unsubscribe();
    };
    subs = [
      poller.poll(`${A}/x`, { interval: 1000, onData: own(0) }),
      poller.poll(`${A}/x`, { interval: 1000, onError: own(1) }),
      poller.poll(`${A}/x`, { interval: 1000 }),
    ];
    subs[2]?.subscribe(own(2));
    const survivor = vi.fn();
    poller.poll(`${A}/x`, { interval: 1000, onData: survivor, onError: survivor });
    await advance(0);
    fail = true;
    await advance(1000);
    fail = false;
    await advance(2000);
    expect(seen.sort()).toEqual(['s0', 's1', 's2']);
    expect(net.times()).toEqual([0, 1000, 2000, 3000]);
    expect(survivor).toHaveBeenCalledTimes(4); // data at 0, the 404 at 1000, data at 2000 and 3000
  });

  it('a subscriber that unsubscribes another from its onData: the other hears nothing more', async () => {
    const { poller } = fakePoller({}, ({ n }) => Response.json({ n }));
    const victim = vi.fn();
    let victimSub: Subscription<unknown> | undefined;
    poller.poll(`${A}/x`, { interval: 1000, onData: () => victimSub?.unsubscribe() });
    victimSub = poller.poll(`${A}/x`, { interval: 1000, onData: victim });
    await advance(3000);
    expect(victim).not.toHaveBeenCalled();
  });

  it('poll() of the same URL from inside onData: the new subscriber gets the data, one request per tick', async () => {
    const { poller, net } = fakePoller({}, ({ n }) => Response.json({ n }));
    const late = vi.fn();
    let joined = false;
    poller.poll(`${A}/x`, {
      interval: 1000,
      onData: () => {
        if (joined) return;
        joined = true;
        poller.poll(`${A}/x`, { interval: 500, onData: late });
      },
    });
    await advance(2000);
    expect(late.mock.calls[0]).toEqual([{ n: 1 }]);
    // The shared poll now runs at the smaller interval, one request per tick.
    expect(net.times()).toEqual([0, 500, 1000, 1500, 2000]);
  });

  it('pause() from inside onData, resume() later: nothing in between, the overdue poll at once', async () => {
    const { poller, net } = fakePoller({}, ({ n }) => Response.json({ n }));
    poller.poll(`${A}/x`, { interval: 1000, onData: () => poller.pause() });
    await advance(5000);
    expect(net.times()).toEqual([0]);
    poller.resume();
    await advance(0);
    expect(net.times()).toEqual([0, 5000]);
  });

  it('dispose() from inside a request event of a poll: the poll ends, nothing is left', async () => {
    const { poller, net } = fakePoller();
    poller.on('request', () => poller.dispose());
    const errors = vi.fn();
    poller.poll(`${A}/x`, { interval: 1000, onError: errors });
    await advance(3000);
    expect(net.calls.every((c) => c.aborted)).toBe(true);
    expect(held(poller)).toEqual(NOTHING_HELD);
  });

  it('dispose() from inside a task, mid-run: its fetch and http reject, nothing is left', async () => {
    const { poller, net } = fakePoller();
    const outcomes: unknown[] = [];
    poller.poll(
      async ({ fetch, http }) => {
        poller.dispose();
        for (const call of [() => fetch(`${A}/a`), () => http(`${A}/b`)]) {
          outcomes.push(await call().catch((error: unknown) => error));
        }
        return 1;
      },
      { url: A },
    );
    await advance(1000);
    expect(outcomes).toHaveLength(2);
    for (const outcome of outcomes) expect(outcome).toBeInstanceOf(Error);
    expect(net.requests).toBe(0);
    expect(held(poller)).toEqual(NOTHING_HELD);
  });

  it('a resource listener that disposes, fetches and unsubscribes: every fetch() settles', async () => {
    const { poller, net } = fakePoller({}, ({ path }) => Response.json({ path }));
    const resource = createResource<string>(poller, {
      item: { url: (k) => `${A}/i/${k}` },
      interval: 1000,
    });
    const fetched: Promise<unknown>[] = [];
    const sub = resource.subscribe('a', (s) => {
      if (s.status !== 'success') return;
      fetched.push(resource.fetch('b').catch((e: unknown) => e));
      sub.unsubscribe();
      resource.subscribe('c', () => poller.dispose());
    });
    await advance(0);
    await settle();
    await advance(5000);
    const settled = await Promise.all(fetched);
    expect(settled).toHaveLength(1);
    expect(net.requests).toBeLessThanOrEqual(3);
    expect(held(poller)).toEqual(NOTHING_HELD);
  });

  it('cooldownUntil() with an input that is not a URL', () => {
    const { poller } = fakePoller();
    for (const input of [null, undefined, {}, '::', '/relative', 5]) {
      let thrown: unknown;
      try {
        poller.cooldownUntil(input as string);
      } catch (error) {
        thrown = error;
      }
      expect(isPollwiseError(thrown), `${String(input)}: ${String(thrown)}`).toBe(true);
    }
  });

  it('on() with a handler that is not a function', () => {
    const { poller } = fakePoller();
    for (const handler of [5, 'x', null, {}]) {
      expect(() => poller.on('data', handler as never)).toThrow(InvalidOptionsError);
    }
    expect(poller.inspect().eventListeners).toBe(0);
  });

  it('wrapFetch() with a transport that is not a function', () => {
    const { poller } = fakePoller();
    for (const transport of [5, 'fetch', {}, null]) {
      expect(() => poller.wrapFetch(transport as never)).toThrow(InvalidOptionsError);
    }
  });
});

describe('wrapFetch() and ctx.fetch(): promise APIs reject, never throw', () => {
  it('a signal that is not an AbortSignal: rejects, counts nothing, leaves nothing in flight', async () => {
    const { poller, net } = fakePoller();
    const fetch = poller.wrapFetch();
    for (const signal of [5, {}, 'abort']) {
      const outcome = await outcomeOf(() => fetch(`${A}/x`, { signal: signal as never }));
      expect(outcome).not.toHaveProperty('threw');
    }
    expect(poller.inspect().requestsInFlight).toBe(0);
    expect(poller.stats().sent).toBe(net.requests);
  });

  it('a task’s ctx.fetch() with a signal that is not an AbortSignal rejects', async () => {
    const { poller } = fakePoller();
    const outcomes: string[] = [];
    poller.poll(
      async (ctx) => {
        try {
          await ctx.fetch(`${A}/x`, { signal: 5 as never }).catch(() => {});
          outcomes.push('settled');
        } catch {
          outcomes.push('threw');
        }
        return 1;
      },
      { url: A },
    );
    await advance(0);
    expect(outcomes).toEqual(['settled']);
  });

  it('a wrapped transport that returns a bare Response (no promise): it settles, nothing left', async () => {
    const { poller } = fakePoller();
    const wrapped = poller.wrapFetch((() => Response.json({})) as never);
    const outcome = await outcomeOf(() => wrapped(`${A}/x`));
    expect(outcome).not.toHaveProperty('threw');
    expect(poller.inspect().requestsInFlight).toBe(0);
  });

  it('dispose() from inside the request event of a wrapped fetch: nothing reaches the network', async () => {
    const { poller, net } = fakePoller();
    poller.on('request', () => poller.dispose());
    const outcome = await outcomeOf(() => poller.wrapFetch()(`${A}/x`));
    expect(outcome).toHaveProperty('rejected');
    expect(net.requests).toBe(0);
    expect(held(poller)).toEqual(NOTHING_HELD);
  });
});

describe('wrapFetch(): a drop-in fetch, whatever it is given', () => {
  const INPUTS: [string, unknown][] = [
    ['undefined', undefined],
    ['null', null],
    ['a number', 5],
    ['an empty object', {}],
    ['a symbol', Symbol('url')],
    ['an empty string', ''],
    ['"::"', '::'],
    ['{ url: 5 }', { url: 5 }],
    ['a null-prototype object', Object.create(null)],
  ];
  const INITS: [string, unknown][] = [
    ['a number', 5],
    ['a string', 'GET'],
    ['method: 5', { method: 5 }],
    ['a method with CRLF', { method: 'GET\r\nX: 1' }],
    ['headers: 5', { headers: 5 }],
    ['a header name with a newline', { headers: { 'a\nb': '1' } }],
    ['an aborted signal', { signal: AbortSignal.abort() }],
  ];

  it.each(INPUTS)(
    'input %s: a rejection, nothing counted or left in flight',
    async (_name, input) => {
      const { poller, net } = fakePoller({ baseUrl: undefined });
      const outcome = await outcomeOf(() => poller.wrapFetch()(input as string));
      expect(outcome).toHaveProperty('rejected');
      expect(net.requests).toBe(0);
      expect(poller.stats().sent).toBe(0);
      expect(poller.inspect().requestsInFlight).toBe(0);
    },
  );

  it.each(INITS)(
    'init %s: rejects or resolves, never throws; sent counts what went out',
    async (_name, init) => {
      const { poller, net } = fakePoller();
      const outcome = await outcomeOf(() =>
        poller.wrapFetch()(`${A}/x`, init as RequestInit | undefined),
      );
      expect(outcome).not.toHaveProperty('threw');
      expect(poller.stats().sent).toBe(net.calls.filter((c) => !c.aborted).length);
      expect(poller.inspect().requestsInFlight).toBe(0);
    },
  );

  it('a transport that throws synchronously, or returns no Response: it settles, nothing left', async () => {
    const { poller } = fakePoller();
    const transports = [
      () => {
        throw new Error('sync');
      },
      async () => undefined,
      async () => ({}),
    ];
    for (const transport of transports) {
      const outcome = await outcomeOf(() =>
        poller.wrapFetch(transport as unknown as typeof fetch)(`${A}/x`),
      );
      expect(outcome).not.toHaveProperty('threw');
      expect(outcome).not.toHaveProperty('returned');
      expect(poller.inspect().requestsInFlight).toBe(0);
    }
  });
});

describe('resource: hostile keys', () => {
  const KEYS: [string, unknown][] = [
    ['null', null],
    ['NaN', Number.NaN],
    ['a number', 42],
    ['an array', ['a', 1]],
    ['an object', { id: 'a' }],
    ['a 100 KB string', 'k'.repeat(100_000)],
    ['a key named __proto__', '__proto__'],
    [
      'a key whose toJSON throws',
      {
        toJSON: () => {
          throw new Error('toJSON');
        },
      },
    ],
  ];
  it.each(KEYS)(
    '%s: fetch() settles, subscribe() and get() work or throw typed errors',
    async (_name, key) => {
      const { poller } = fakePoller({}, ({ path }) => Response.json({ path }));
      const resource = createResource<unknown>(poller, {
        item: { url: (k) => `${A}/i/${encodeURIComponent(JSON.stringify(k) ?? 'x')}` },
      });
      const fetched = await outcomeOf(() => resource.fetch(key));
      expect(fetched).not.toHaveProperty('threw');
      for (const call of [
        () => resource.subscribe(key, () => {}).unsubscribe(),
        () => resource.get(key),
        () => resource.refresh(key),
      ]) {
        try {
          call();
        } catch (error) {
          // A key that cannot be written as JSON: a TypeError that says to give a keyId.
          expect(String(error)).toMatch(/keyId/);
        }
      }
      await advance(1000);
      poller.dispose();
      expect(held(poller)).toEqual(NOTHING_HELD);
    },
  );
});

describe('sync APIs with hostile arguments throw typed errors', () => {
  it('poll() with a first argument that is neither a URL nor a function', () => {
    const { poller } = fakePoller();
    for (const value of [undefined, null, 5, {}, [], Symbol('x'), new Date()]) {
      let thrown: unknown;
      try {
        poller.poll(value as string);
      } catch (error) {
        thrown = error;
      }
      expect(isPollwiseError(thrown), String(value?.toString?.())).toBe(true);
    }
    expect(held(poller)).toEqual(NOTHING_HELD);
  });

  it('cooldownUntil() with an input that is not a URL', () => {
    const { poller } = fakePoller();
    for (const input of [null, undefined, {}, '::', '/relative', 5]) {
      let thrown: unknown;
      try {
        poller.cooldownUntil(input as string);
      } catch (error) {
        thrown = error;
      }
      expect(isPollwiseError(thrown), `${String(input)}: ${String(thrown)}`).toBe(true);
    }
  });

  it('on() with a handler that is not a function', () => {
    const { poller } = fakePoller();
    for (const handler of [5, 'x', null, {}]) {
      expect(() => poller.on('data', handler as never)).toThrow(InvalidOptionsError);
    }
    expect(poller.inspect().eventListeners).toBe(0);
  });

  it('wrapFetch() with a transport that is not a function', () => {
    const { poller } = fakePoller();
    for (const transport of [5, 'fetch', {}, null]) {
      expect(() => poller.wrapFetch(transport as never)).toThrow(InvalidOptionsError);
    }
  });

  it('a headers function returning a name fetch refuses: a typed error for that run, nothing sent', async () => {
    const { poller, net } = fakePoller();
    const errors: unknown[] = [];
    poller.poll(`${A}/x`, { headers: () => ({ 'a b': '1' }), onError: (e) => errors.push(e) });
    poller.poll(`${A}/y`, {
      headers: async () => ({ x: 'a\u0000b' }),
      onError: (e) => errors.push(e),
    });
    await advance(0);
    expect(net.requests).toBe(0);
    expect(errors).toHaveLength(2);
    for (const error of errors) expect(error).toBeInstanceOf(InvalidOptionsError);
  });
});
