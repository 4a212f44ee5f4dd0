import { describe, expect, it, vi } from 'vitest';
import { coreOf } from '../src/core/poller-core.js';
import * as pollwise from '../src/index.js';
import {
  CooldownError,
  InvalidOptionsError,
  isCooldownError,
  isHttpError,
  isPollwiseError,
  isRefusal,
  isTimeoutError,
  PollerDisposedError,
  PollwiseError,
} from '../src/index.js';
import { gaps, realTick, useFakeClock } from './support/clock.js';
import { fakeNetwork } from './support/fake-network.js';
import { fakePoller } from './support/poller.js';
import { deferred } from './support/promises.js';

useFakeClock();

const URL_A = 'http://a.test/x';

describe('dispose()', () => {
  it('leaves 0 timers and 0 visibility/online listeners', async () => {
    const { poller, visibility, online } = fakePoller({}, () => new Response('', { status: 500 }));
    // Several groups in several states: due soon, backing off, hidden-interval, non-immediate.
    poller.poll(({ fetch }) => fetch(URL_A), { url: URL_A, interval: 1000 });
    poller.poll(({ fetch }) => fetch('http://a.test/y'), { url: 'http://a.test/y' });
    poller.poll(
      async ({ fetch }) => {
        await fetch('http://b.test/z');
        throw new Error('fail');
      },
      { url: 'http://b.test/z', interval: 5000, hiddenInterval: 9000 },
    );
    poller.poll(({ fetch }) => fetch('http://c.test/'), {
      url: 'http://c.test/',
      immediate: false,
    });
    await vi.advanceTimersByTimeAsync(1500);
    expect(vi.getTimerCount()).toBe(4);
    expect(visibility.listeners).toBe(1);
    expect(online.listeners).toBe(1);

    poller.dispose();
    expect(vi.getTimerCount()).toBe(0);
    expect(visibility.listeners).toBe(0);
    expect(online.listeners).toBe(0);
    poller.dispose(); // idempotent
    expect(() => poller.poll(({ fetch }) => fetch(URL_A), { url: URL_A })).toThrow(
      PollerDisposedError,
    );
  });

  it('after it, a run scheduled through the core (a resource sweep) throws PollerDisposedError and attaches nothing', async () => {
    const { poller, visibility, online } = fakePoller();
    const core = coreOf(poller); // a resource takes it when created
    poller.dispose();
    const schedule = () =>
      core.schedule({
        origin: 'http://a.test',
        interval: 1000,
        hiddenInterval: false,
        run: async () => 1,
      });
    expect(schedule).toThrow(PollerDisposedError);
    expect(visibility.listeners + online.listeners).toBe(0);
    const { entries, groups, lanes, timers, environmentListeners } = poller.inspect();
    expect({ entries, groups, lanes, timers, environmentListeners }).toEqual({
      entries: 0,
      groups: 0,
      lanes: 0,
      timers: 0,
      environmentListeners: false,
    });
  });

  it("aborts an in-flight run's signal; its fetch rejects with AbortError and nothing is delivered", async () => {
    const { poller, net: hanging } = fakePoller({}, () => 'hang');
    let runSignal: AbortSignal | undefined;
    let fetchOutcome: Promise<unknown> | undefined;
    const onData = vi.fn();
    const onError = vi.fn();
    poller.poll(
      ({ signal, fetch }) => {
        runSignal = signal;
        fetchOutcome = fetch(URL_A);
        return fetchOutcome;
      },
      { url: URL_A, onData, onError },
    );
    await vi.advanceTimersByTimeAsync(0);
    expect(runSignal?.aborted).toBe(false);
    expect(hanging.calls).toHaveLength(1);

    poller.dispose();
    expect(runSignal?.aborted).toBe(true);
    await expect(fetchOutcome).rejects.toMatchObject({ name: 'AbortError' });
    await realTick();
    expect(onData).not.toHaveBeenCalled();
    expect(onError).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a wrapped fetch in flight rejects with AbortError; later calls reject without the network', async () => {
    const hanging = fakeNetwork(() => 'hang');
    const { poller } = fakePoller();
    const wrapped = poller.wrapFetch(hanging.fetch);
    const inFlight = wrapped('http://a.test/slow');
    await vi.advanceTimersByTimeAsync(0);
    expect(hanging.calls).toHaveLength(1);

    poller.dispose();
    await expect(inFlight).rejects.toMatchObject({ name: 'AbortError' });
    expect(hanging.calls[0]?.signal?.aborted).toBe(true);
    await expect(wrapped('http://a.test/again')).rejects.toBeInstanceOf(PollerDisposedError);
    expect(hanging.calls).toHaveLength(1);
    expect(() => poller.poll(() => 1, { url: 'http://a.test' })).toThrow(PollerDisposedError);
  });
});

describe('intervals from host policies', () => {
  it('localhost 1000, other hosts 2000, *.hf.space 2500 (not evilhf.space), per-poll override', async () => {
    const { poller, net } = fakePoller({ hosts: [{ match: '*.hf.space', interval: 2500 }] });
    const watch = (url: string, interval?: number) =>
      poller.poll(({ fetch }) => fetch(url), interval === undefined ? { url } : { url, interval });
    watch('http://localhost:8080/l');
    watch('http://b.test/b');
    watch('https://a.hf.space/h');
    watch('https://evilhf.space/e');
    watch('http://b.test/override', 700);
    await vi.advanceTimersByTimeAsync(10_000);

    expect(net.times('localhost')).toEqual([
      0, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10_000,
    ]);
    expect(net.times('b.test/b')).toEqual([0, 2000, 4000, 6000, 8000, 10_000]);
    expect(net.times('a.hf.space')).toEqual([0, 2500, 5000, 7500, 10_000]);
    expect(net.times('evilhf.space')).toEqual([0, 2000, 4000, 6000, 8000, 10_000]);
    expect(new Set(gaps(net.times('/override')))).toEqual(new Set([700]));
    expect(net.times('/override')).toHaveLength(15);
  });

  it('poller-level interval and loopbackInterval replace the built-in defaults', async () => {
    const { poller, net } = fakePoller({ interval: 3000, loopbackInterval: 400 });
    poller.poll(({ fetch }) => fetch('http://127.0.0.1/l'), { url: 'http://127.0.0.1/l' });
    poller.poll(({ fetch }) => fetch('http://b.test/b'), { url: 'http://b.test/b' });
    await vi.advanceTimersByTimeAsync(6000);
    expect(gaps(net.times('127.0.0.1'))).toEqual(Array(15).fill(400));
    expect(net.times('b.test')).toEqual([0, 3000, 6000]);
  });
});

describe('unsubscribe()', () => {
  it('stops further requests, aborts the in-flight run and delivers nothing after', async () => {
    const answer = deferred<Response>();
    const { poller, net, visibility, online } = fakePoller({}, () => answer.promise);
    let runSignal: AbortSignal | undefined;
    const onData = vi.fn();
    const onError = vi.fn();
    const data = vi.fn();
    poller.on('data', data);
    const sub = poller.poll(
      async ({ signal, fetch }) => {
        runSignal = signal;
        return (await fetch(URL_A)).json(); // the fake transport ignores the abort
      },
      { url: URL_A, interval: 1000, onData, onError },
    );
    await vi.advanceTimersByTimeAsync(0);
    expect(net.count()).toBe(1);

    sub.unsubscribe();
    expect(runSignal?.aborted).toBe(true);
    answer.resolve(Response.json({ late: true }));
    await vi.advanceTimersByTimeAsync(10_000);
    await realTick();
    expect(net.count()).toBe(1);
    expect(onData).not.toHaveBeenCalled();
    expect(onError).not.toHaveBeenCalled();
    expect(data).not.toHaveBeenCalled();
    // The last poll gone: no timer, no environment listener.
    expect(vi.getTimerCount()).toBe(0);
    expect(visibility.listeners).toBe(0);
    expect(online.listeners).toBe(0);
    sub.unsubscribe(); // idempotent
    sub.refresh(); // no effect
    await vi.advanceTimersByTimeAsync(1000);
    expect(net.count()).toBe(1);
  });

  it('leaves sibling polls in the same group running', async () => {
    const { poller, net } = fakePoller();
    const a = poller.poll(({ fetch }) => fetch('http://a.test/1'), {
      url: 'http://a.test/1',
      interval: 1000,
    });
    poller.poll(({ fetch }) => fetch('http://a.test/2'), {
      url: 'http://a.test/2',
      interval: 1000,
    });
    await vi.advanceTimersByTimeAsync(1500);
    a.unsubscribe();
    await vi.advanceTimersByTimeAsync(2000);
    expect(net.times('/1')).toEqual([0, 1000]);
    expect(net.times('/2')).toEqual([0, 1000, 2000, 3000]);
  });
});

describe('refresh()', () => {
  it('runs the poll on the next 0 ms tick, then resumes its interval from there', async () => {
    const { poller, net } = fakePoller();
    const sub = poller.poll(({ fetch }) => fetch(URL_A), { url: URL_A, interval: 10_000 });
    await vi.advanceTimersByTimeAsync(3000);
    expect(net.times()).toEqual([0]);
    sub.refresh();
    expect(net.times()).toEqual([0]);
    await vi.advanceTimersByTimeAsync(0);
    expect(net.times()).toEqual([0, 3000]);
    await vi.advanceTimersByTimeAsync(9999);
    expect(net.times()).toEqual([0, 3000]);
    await vi.advanceTimersByTimeAsync(1);
    expect(net.times()).toEqual([0, 3000, 13_000]);
  });

  it('does not run while hidden; the refreshed poll runs on becoming visible', async () => {
    const { poller, visibility, net } = fakePoller();
    const sub = poller.poll(({ fetch }) => fetch(URL_A), { url: URL_A, interval: 10_000 });
    await vi.advanceTimersByTimeAsync(3000);
    visibility.set(false);
    sub.refresh();
    await vi.advanceTimersByTimeAsync(5000);
    expect(net.times()).toEqual([0]);
    visibility.set(true); // t = 8000, before the regular due time 10000
    await vi.advanceTimersByTimeAsync(0);
    expect(net.times()).toEqual([0, 8000]);
  });
});

describe('poll(url) shorthand', () => {
  it('GETs JSON and delivers the parsed data', async () => {
    const { poller, net } = fakePoller({}, () => Response.json({ n: 42 }));
    const onData = vi.fn();
    poller.poll('http://a.test/data.json', { onData });
    await vi.advanceTimersByTimeAsync(0);
    await realTick();
    expect(net.count()).toBe(1);
    expect(net.calls[0]?.method).toBe('GET');
    expect(net.calls[0]?.url).toBe('http://a.test/data.json');
    expect(net.calls[0]?.headers.get('accept')).toBe('application/json'); // asked for by pollwise
    expect(onData).toHaveBeenCalledExactlyOnceWith({ n: 42 });
  });

  it('immediate: false first runs one interval later', async () => {
    const { poller, net } = fakePoller();
    poller.poll('http://b.test/data', { immediate: false });
    await vi.advanceTimersByTimeAsync(1999);
    expect(net.times()).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(net.times()).toEqual([2000]);
    await vi.advanceTimersByTimeAsync(2000);
    expect(net.times()).toEqual([2000, 4000]);
  });

  it('rejects a URL given twice and a poll without url or origin', () => {
    const { poller } = fakePoller();
    expect(() => poller.poll('http://a.test/', { url: 'http://a.test/' } as never)).toThrow(
      InvalidOptionsError,
    );
    expect(() => poller.poll(() => 1, {})).toThrow(InvalidOptionsError);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('ctx.fetch signals', () => {
  it("a Request's own signal still aborts it, and so does unsubscribe()", async () => {
    const { poller, net: hanging } = fakePoller({}, () => 'hang');
    const own = new AbortController();
    const errors: unknown[] = [];
    const sub = poller.poll(({ fetch }) => fetch(new Request(URL_A, { signal: own.signal })), {
      url: URL_A,
      interval: 60_000,
      onError: (error) => errors.push(error),
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(hanging.calls).toHaveLength(1);
    own.abort(new Error('caller gave up'));
    await vi.advanceTimersByTimeAsync(0);
    expect(hanging.calls[0]?.signal?.aborted).toBe(true);
    expect(errors).toEqual([new Error('caller gave up')]);
    sub.unsubscribe();
  });
});

describe('on() returns its unsubscribe function', () => {
  it('the returned function removes the handler; calling it twice is harmless', async () => {
    const { poller } = fakePoller();
    const seen: string[] = [];
    const off = poller.on('request', ({ url }) => seen.push(url));
    await poller.wrapFetch()('http://a.test/1');
    off();
    await poller.wrapFetch()('http://a.test/2');
    off();
    expect(seen).toEqual(['http://a.test/1']);
    expect(poller.inspect().eventListeners).toBe(0);
  });

  it('removes only its own handler', async () => {
    const { poller } = fakePoller();
    const kept = vi.fn();
    const dropped = vi.fn();
    poller.on('request', kept);
    const off = poller.on('request', dropped);
    off();
    await poller.wrapFetch()('http://a.test/');
    expect(kept).toHaveBeenCalledOnce();
    expect(dropped).not.toHaveBeenCalled();
    expect(poller.inspect().eventListeners).toBe(1);
  });

  it('2,000 on/off pairs (interleaved, and all on then all off) leave 0 event listeners', () => {
    const { poller } = fakePoller();
    const types = ['request', 'response', 'data', 'error', 'skip', 'cooldown'] as const;
    expect(poller.inspect().eventListeners).toBe(0);
    for (let i = 0; i < 2000; i++) {
      const off = poller.on(types[i % types.length] as 'request', () => {});
      off();
    }
    expect(poller.inspect().eventListeners).toBe(0);
    const offs: (() => void)[] = [];
    for (let i = 0; i < 2000; i++) {
      offs.push(poller.on(types[i % types.length] as 'request', () => {}));
    }
    expect(poller.inspect().eventListeners).toBe(2000);
    for (const off of offs) off();
    expect(poller.inspect().eventListeners).toBe(0);
  });
});

describe('error guards agree across copies of pollwise', () => {
  /** An error as another copy of the package would make it: same name, another class. */
  const foreign = (name: string, extra: object = {}) =>
    Object.assign(new Error(`pollwise: from another copy`), { name, ...extra });

  it('match a foreign error by name', () => {
    const cooldown = foreign('CooldownError', { code: 'cooldown', origin: 'http://a.test' });
    const breaker = foreign('BreakerOpenError', { code: 'breaker-open' });
    const timeout = foreign('TimeoutError', { code: 'timeout' });
    const http = foreign('HttpError', { code: 'http', status: 500 });
    expect(isRefusal(cooldown)).toBe(true);
    expect(isCooldownError(cooldown)).toBe(true);
    expect(isRefusal(breaker)).toBe(true);
    expect(isCooldownError(breaker)).toBe(false);
    expect(isTimeoutError(timeout)).toBe(true);
    expect(isHttpError(http)).toBe(true);
    for (const error of [cooldown, breaker, timeout, http])
      expect(isPollwiseError(error)).toBe(true);
    // A plain object carrying name and code (structured clone, a postMessage) matches too.
    expect(
      isCooldownError({ name: 'CooldownError', code: 'cooldown', origin: 'http://a.test' }),
    ).toBe(true);
    // The name alone is not enough: AbortSignal.timeout() and ky throw their own TimeoutError.
    expect(isTimeoutError(new DOMException('The operation timed out', 'TimeoutError'))).toBe(false);
    expect(isRefusal({ name: 'CooldownError' })).toBe(false);
  });

  it('do not match what is not theirs', () => {
    const plain = new Error('boom');
    for (const guard of [
      isRefusal,
      isCooldownError,
      isTimeoutError,
      isHttpError,
      isPollwiseError,
    ]) {
      expect(guard(plain)).toBe(false);
      expect(guard(null)).toBe(false);
      expect(guard(undefined)).toBe(false);
      expect(guard('CooldownError')).toBe(false);
    }
    expect(isRefusal(foreign('TimeoutError'))).toBe(false);
    expect(isTimeoutError(foreign('HttpError'))).toBe(false);
    expect(isHttpError(foreign('CooldownError'))).toBe(false);
  });

  it('a real second copy of the module (another module instance) is recognised', async () => {
    // A query string makes the module runner load the file again: a second copy of the classes.
    const secondCopy = '../src/errors.js?second-copy';
    const copy = (await import(/* @vite-ignore */ secondCopy)) as typeof import('../src/errors.js');
    expect(copy.CooldownError).not.toBe(CooldownError); // really another copy
    const cooldown = new copy.CooldownError('http://a.test', 2000, 1000);
    expect(cooldown).not.toBeInstanceOf(CooldownError);
    expect(isRefusal(cooldown)).toBe(true);
    expect(isCooldownError(cooldown)).toBe(true);
    expect(isRefusal(new copy.BreakerOpenError('http://a.test', 2000, 1000))).toBe(true);
    expect(isTimeoutError(new copy.TimeoutError('http://a.test/', 100))).toBe(true);
    expect(isHttpError(new copy.HttpError('http://a.test/', 500, new Headers()))).toBe(true);
    expect(isPollwiseError(new copy.InvalidOptionsError([]))).toBe(true);
  });

  it('every exported error class extends PollwiseError', () => {
    const classes = Object.entries(pollwise).filter(
      ([name, value]) => typeof value === 'function' && /^[A-Z]\w*Error$/.test(name),
    );
    expect(classes.map(([name]) => name).sort()).toEqual([
      'BreakerOpenError',
      'CooldownError',
      'HttpError',
      'InvalidOptionsError',
      'MissingItemError',
      'PollerDisposedError',
      'PollwiseError',
      'RequestRefusedError',
      'TimeoutError',
      'UnexpectedResponseError',
      'ValidationError',
    ]);
    for (const [name, value] of classes) {
      const proto = (value as { prototype: unknown }).prototype;
      expect(proto instanceof PollwiseError || value === PollwiseError, name).toBe(true);
      expect(proto instanceof Error, name).toBe(true);
    }
    expect(new InvalidOptionsError([])).not.toBeInstanceOf(TypeError);
  });
});
