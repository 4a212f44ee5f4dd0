import { describe, expect, it, vi } from 'vitest';
import type { Poller, Subscription } from '../../src/index.js';
import { elapsed, T0, useFakeClock } from '../support/clock.js';
import type { FakeCall, Respond } from '../support/fake-network.js';
import { fakePoller } from '../support/poller.js';
import { deferred } from '../support/promises.js';

useFakeClock();

const A = 'http://a.test';
const B = 'http://b.test';
/** Long enough that no poll is due twice within one test's sweep. */
const LONG = 60_000;

interface Answer {
  status: number;
  headers?: Record<string, string>;
}

/**
 * A server that answers every request `delayMs` later (a fake timer; 0: at once) with
 * `answer(call)` (default 200), its body `{ path }`.
 */
function slowServer(
  answer: (call: FakeCall) => Answer = () => ({ status: 200 }),
  delayMs = 100,
): Respond {
  return (call) => {
    const { status, headers } = answer(call);
    const reply = () => Response.json({ path: call.path }, { status, headers });
    // Fake timers turn a 0 ms timer set inside a timer callback into 1 ms: answer at once.
    return delayMs === 0 ? reply() : call.sleep(delayMs).then(reply);
  };
}

/**
 * Subscribes `count` polls to `origin`/0 … `origin`/(count-1), in that order. Each GETs its URL
 * through the poller and fails on a non-2xx status. Data and errors are logged with their time.
 * Every success returns new data, so onData logs every delivery.
 */
function pollMany(
  poller: Poller,
  origin: string,
  count: number,
  options: { interval?: number; hiddenInterval?: (i: number) => number | false } = {},
) {
  const data: { path: string; at: number }[] = [];
  const errors: { path: string; at: number; error: unknown }[] = [];
  const subs: Subscription[] = [];
  for (let i = 0; i < count; i++) {
    const url = `${origin}/${i}`;
    const path = `/${i}`;
    let delivered = 0;
    subs.push(
      poller.poll(
        async ({ fetch }) => {
          const response = await fetch(url);
          if (!response.ok) throw new Error(`status ${response.status}`);
          // New data on every success: onData fires only when the data changes.
          return { path, delivery: ++delivered };
        },
        {
          url,
          interval: options.interval ?? LONG,
          hiddenInterval: options.hiddenInterval?.(i) ?? false,
          onData: () => data.push({ path, at: elapsed() }),
          onError: (error) => errors.push({ path, at: elapsed(), error }),
        },
      ),
    );
  }
  return { data, errors, subs, dataTimes: () => data.map((d) => d.at) };
}

const paths = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => `/${from + i}`);
const times = (...groups: [at: number, count: number][]) =>
  groups.flatMap(([at, count]) => Array<number>(count).fill(at));

describe('origin lane: concurrency cap', () => {
  it('20 due polls on one origin: at most 6 in flight, swept in 4 waves of 100 ms', async () => {
    const { poller, net } = fakePoller({}, slowServer());
    const polls = pollMany(poller, A, 20);

    await vi.advanceTimersByTimeAsync(0);
    expect(net.times(A)).toEqual(times([0, 6]));
    expect(net.inFlightTo(A)).toBe(6);

    await vi.advanceTimersByTimeAsync(400);
    expect(net.times(A)).toEqual(times([0, 6], [100, 6], [200, 6], [300, 2]));
    expect(net.paths(A)).toEqual(paths(0, 19)); // never refreshed: subscription order
    expect(net.maxInFlightTo(A)).toBe(6);
    // Every poll got data in this one sweep.
    expect(polls.dataTimes()).toEqual(times([100, 6], [200, 6], [300, 6], [400, 2]));
    expect(new Set(polls.data.map((d) => d.path)).size).toBe(20);
    const stats = poller.stats();
    expect(stats.runs).toBe(20);
    expect(stats.succeeded).toBe(20);
    expect(stats.skipped).toEqual({
      hidden: 0,
      offline: 0,
      paused: 0,
      cooldown: 0,
      breaker: 0,
      'in-flight': 0,
    });

    // Nothing more until the polls are due again.
    await vi.advanceTimersByTimeAsync(LONG - 401);
    expect(net.calls).toHaveLength(20);
  });

  it('the `maxConcurrent` option sets the cap (2 → 10 waves)', async () => {
    const { poller, net } = fakePoller({ maxConcurrent: 2 }, slowServer());
    const polls = pollMany(poller, A, 20);
    await vi.advanceTimersByTimeAsync(1000);
    expect(net.times(A)).toEqual(
      Array.from({ length: 10 }, (_, wave) => times([wave * 100, 2])).flat(),
    );
    expect(net.maxInFlightTo(A)).toBe(2);
    expect(polls.data).toHaveLength(20);
    expect(polls.dataTimes().at(-1)).toBe(1000);
  });

  it('a host policy `maxConcurrent` overrides the option for its origin; other origins have their own lane', async () => {
    const { poller, net } = fakePoller(
      {
        maxConcurrent: 2,
        hosts: [{ match: 'a.test', maxConcurrent: 1 }],
      },
      slowServer(),
    );
    const a = pollMany(poller, A, 5);
    const b = pollMany(poller, B, 5);
    await vi.advanceTimersByTimeAsync(500);
    // a.test: one at a time. b.test: two at a time, undisturbed by a.test's queue.
    expect(net.times(A)).toEqual([0, 100, 200, 300, 400]);
    expect(net.times(B)).toEqual([0, 0, 100, 100, 200]);
    expect(net.maxInFlightTo(A)).toBe(1);
    expect(net.maxInFlightTo(B)).toBe(2);
    expect(a.data).toHaveLength(5);
    expect(b.dataTimes()).toEqual([100, 100, 200, 200, 300]);
  });

  it('polls of one origin with different intervals share one lane', async () => {
    const { poller, net } = fakePoller(
      { hosts: [{ match: 'a.test', maxConcurrent: 1 }] },
      slowServer(),
    );
    poller.poll(({ fetch }) => fetch(`${A}/fast`), { url: `${A}/fast`, interval: 10_000 });
    poller.poll(({ fetch }) => fetch(`${A}/slow`), { url: `${A}/slow`, interval: 20_000 });
    await vi.advanceTimersByTimeAsync(200);
    expect(net.calls.map((s) => [s.path, s.at])).toEqual([
      ['/fast', 0],
      ['/slow', 100],
    ]);
    expect(net.maxInFlightTo(A)).toBe(1);
  });

  it('a full lane on one origin does not hold back another origin', async () => {
    const { poller, net } = fakePoller({ maxConcurrent: 1 }, slowServer());
    const hang = deferred<never>();
    poller.poll(() => hang.promise, { url: `${A}/stuck` });
    pollMany(poller, A, 1);
    const b = pollMany(poller, B, 3);
    await vi.advanceTimersByTimeAsync(1000);
    expect(net.times(A)).toEqual([]); // a.test's only slot is held by the stuck task
    expect(net.times(B)).toEqual([0, 100, 200]);
    expect(b.data).toHaveLength(3);
  });
});

describe('origin lane: gates re-checked before each start', () => {
  it('a 429 mid-sweep stops the rest of the sweep; the drained polls run when the cooldown ends, stalest first', async () => {
    // The 3rd request gets 429 Retry-After: 5; every other request gets 200.
    const { poller, net } = fakePoller(
      {},
      slowServer(({ n }) =>
        n === 3 ? { status: 429, headers: { 'retry-after': '5' } } : { status: 200 },
      ),
    );
    const skips: unknown[] = [];
    poller.on('skip', (e) => skips.push(e));
    const polls = pollMany(poller, A, 20, { interval: 5000 });

    await vi.advanceTimersByTimeAsync(0);
    expect(net.paths(A)).toEqual(paths(0, 5));
    // t = 100: responses 1 and 2 free two slots (/6 and /7 start), response 3 is the 429,
    // which closes the origin: the 12 polls still queued are not sent.
    await vi.advanceTimersByTimeAsync(5099); // t = 5099, the cooldown ends at 5100
    expect(net.calls).toHaveLength(8);
    expect(net.times(A)).toEqual(times([0, 6], [100, 2]));
    expect(net.paths(A)).toEqual(paths(0, 7));
    expect(poller.cooldownUntil(A)).toBe(100 + 5000 + T0);
    expect(poller.stats().skipped.cooldown).toBe(12);
    expect(skips).toEqual([{ origin: A, reason: 'cooldown', count: 12 }]);
    expect(polls.errors.map((e) => [e.path, e.at])).toEqual([['/2', 100]]);
    expect(polls.data).toHaveLength(7);

    // t = 5100: all 20 are due. Never-refreshed first (/2 failed, /8…/19 were drained) in
    // subscription order, then by time of last data: /0 /1 /3 /4 /5 (t=100), /6 /7 (t=200).
    await vi.advanceTimersByTimeAsync(1);
    expect(net.calls).toHaveLength(14);
    await vi.advanceTimersByTimeAsync(300);
    expect(net.paths(A).slice(8)).toEqual([
      '/2',
      ...paths(8, 19),
      '/0',
      '/1',
      '/3',
      '/4',
      '/5',
      '/6',
      '/7',
    ]);
    expect(net.times(A).slice(8)).toEqual(times([5100, 6], [5200, 6], [5300, 6], [5400, 2]));
    expect(net.maxInFlightTo(A)).toBe(6);
    expect(poller.stats().skipped.cooldown).toBe(12);
  });

  it('the tab hiding mid-sweep stops queued polls (0 requests, 0 timers); visible resumes them at once', async () => {
    const { poller, visibility, net } = fakePoller({}, slowServer());
    const polls = pollMany(poller, A, 20);
    await vi.advanceTimersByTimeAsync(50);
    visibility.set(false);
    await vi.advanceTimersByTimeAsync(4950); // t = 5000
    // The 6 requests under way complete; the 14 queued polls are not started.
    expect(net.calls).toHaveLength(6);
    expect(polls.data).toHaveLength(6);
    expect(poller.stats().skipped.hidden).toBe(14);
    expect(vi.getTimerCount()).toBe(0);

    visibility.set(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(net.times(A).slice(6)).toEqual(times([5000, 6]));
    await vi.advanceTimersByTimeAsync(300);
    expect(net.times(A).slice(6)).toEqual(times([5000, 6], [5100, 6], [5200, 2]));
    expect(net.paths(A)).toEqual(paths(0, 19));
    expect(polls.data).toHaveLength(20);
    expect(net.maxInFlightTo(A)).toBe(6);
  });

  it('while hidden, queued polls with a hiddenInterval still start; the others wait for visible', async () => {
    const { poller, visibility, net } = fakePoller({}, slowServer());
    // Odd polls keep polling in the background.
    pollMany(poller, A, 20, { hiddenInterval: (i) => (i % 2 === 1 ? 120_000 : false) });
    await vi.advanceTimersByTimeAsync(50);
    visibility.set(false);
    await vi.advanceTimersByTimeAsync(4950); // t = 5000
    expect(net.calls.map((s) => [s.path, s.at])).toEqual([
      ...paths(0, 5).map((p) => [p, 0]),
      ...['/7', '/9', '/11', '/13', '/15', '/17'].map((p) => [p, 100]),
      ['/19', 200],
    ]);
    expect(poller.stats().skipped.hidden).toBe(7); // /6 /8 … /18
    visibility.set(true);
    await vi.advanceTimersByTimeAsync(100);
    expect(net.calls.slice(13).map((s) => [s.path, s.at])).toEqual([
      ...['/6', '/8', '/10', '/12', '/14', '/16'].map((p) => [p, 5000]),
      ['/18', 5100],
    ]);
  });

  it('going offline mid-sweep stops queued polls; online resumes them at once', async () => {
    const { poller, online, net } = fakePoller({}, slowServer());
    const polls = pollMany(poller, A, 20);
    await vi.advanceTimersByTimeAsync(50);
    online.set(false);
    await vi.advanceTimersByTimeAsync(4950);
    expect(net.calls).toHaveLength(6);
    expect(poller.stats().skipped.offline).toBe(14);
    expect(vi.getTimerCount()).toBe(0);

    online.set(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(net.calls).toHaveLength(12);
    await vi.advanceTimersByTimeAsync(300);
    expect(net.times(A).slice(6)).toEqual(times([5000, 6], [5100, 6], [5200, 2]));
    expect(net.paths(A)).toEqual(paths(0, 19));
    expect(polls.data).toHaveLength(20);
  });

  it('pause() mid-sweep stops queued polls (counted as skipped paused); resume() runs them at once', async () => {
    const { poller, net } = fakePoller({}, slowServer());
    const skips: unknown[] = [];
    poller.on('skip', (e) => skips.push(e));
    const polls = pollMany(poller, A, 20);
    await vi.advanceTimersByTimeAsync(50);
    poller.pause();
    await vi.advanceTimersByTimeAsync(4950);
    expect(net.calls).toHaveLength(6);
    expect(polls.data).toHaveLength(6); // runs under way finish
    expect(poller.stats().skipped.paused).toBe(14);
    expect(skips).toEqual([{ origin: A, reason: 'paused', count: 14 }]);
    expect(vi.getTimerCount()).toBe(0);

    poller.resume();
    await vi.advanceTimersByTimeAsync(0);
    expect(net.calls).toHaveLength(12);
    await vi.advanceTimersByTimeAsync(300);
    expect(net.times(A).slice(6)).toEqual(times([5000, 6], [5100, 6], [5200, 2]));
    expect(net.paths(A)).toEqual(paths(0, 19));
    expect(polls.data).toHaveLength(20);
    expect(poller.stats().skipped.paused).toBe(14);
  });
});

describe('origin lane: slots', () => {
  it('unsubscribe() of a running poll that ignores its signal and never settles frees its slot at once', async () => {
    const { poller } = fakePoller({ maxConcurrent: 1 });
    const started: [string, number][] = [];
    let signal: AbortSignal | undefined;
    const stuck = poller.poll(
      (ctx) => {
        signal = ctx.signal;
        started.push(['stuck', elapsed()]);
        return new Promise<never>(() => {}); // ignores its signal, never settles
      },
      { origin: A, interval: 1000 },
    );
    const second = deferred<string>();
    poller.poll(
      () => {
        started.push(['second', elapsed()]);
        return second.promise;
      },
      { origin: A, interval: 1000 },
    );
    await vi.advanceTimersByTimeAsync(5000);
    expect(started).toEqual([['stuck', 0]]);

    stuck.unsubscribe();
    // Synchronously: the slot is free and the waiting poll starts.
    expect(signal?.aborted).toBe(true);
    expect(started).toEqual([
      ['stuck', 0],
      ['second', 5000],
    ]);
  });

  it('a task that settles after its unsubscribe does not free a second slot', async () => {
    const { poller } = fakePoller({ maxConcurrent: 1 });
    const started: string[] = [];
    const gates = { first: deferred<string>(), second: deferred<string>() };
    const first = poller.poll(
      () => {
        started.push('first');
        return gates.first.promise;
      },
      { origin: A, interval: LONG },
    );
    poller.poll(
      () => {
        started.push('second');
        return gates.second.promise;
      },
      { origin: A, interval: LONG },
    );
    poller.poll(
      () => {
        started.push('third');
        return 'third';
      },
      { origin: A, interval: LONG },
    );
    await vi.advanceTimersByTimeAsync(0);
    expect(started).toEqual(['first']);
    first.unsubscribe();
    expect(started).toEqual(['first', 'second']);
    gates.first.resolve('late'); // the unsubscribed task settles anyway
    await vi.advanceTimersByTimeAsync(1000);
    expect(started).toEqual(['first', 'second']); // the slot is still held by 'second'
    gates.second.resolve('done');
    await vi.advanceTimersByTimeAsync(0);
    expect(started).toEqual(['first', 'second', 'third']);
  });

  it('an unsubscribed queued poll is dropped from its lane', async () => {
    const { poller, net } = fakePoller({ maxConcurrent: 1 }, slowServer());
    const polls = pollMany(poller, A, 3);
    await vi.advanceTimersByTimeAsync(0);
    polls.subs[1]?.unsubscribe();
    await vi.advanceTimersByTimeAsync(1000);
    expect(net.calls.map((s) => [s.path, s.at])).toEqual([
      ['/0', 0],
      ['/2', 100],
    ]);
  });
});

describe('origin lane: failures while cooling down', () => {
  it('429s do not escalate backoff: the poll runs at each cooldown end and failures do not accumulate', async () => {
    // Four 429 Retry-After: 1, then a 500, then 200s. random 1 makes backoff its full ceiling.
    const { poller, net } = fakePoller(
      {
        random: () => 1,
        cooldown: { jitter: 0 },
        backoff: { baseMs: 2000, capMs: 60_000 },
      },
      slowServer(
        ({ n }) =>
          n <= 4
            ? { status: 429, headers: { 'retry-after': '1' } }
            : n === 5
              ? { status: 500 }
              : { status: 200 },
        0,
      ),
    );
    const polls = pollMany(poller, A, 1, { interval: 500 });
    await vi.advanceTimersByTimeAsync(7000);
    // 429s at 0, 1000, 2000, 3000: each run waits exactly for the cooldown (1 s), no backoff.
    // The 500 at 4000 is the 1st real failure: backoff = 1 × min(60000, 2000 × 2^0) = 2000.
    // Then 200 at 6000 and the plain interval (500).
    expect(net.times(A)).toEqual([0, 1000, 2000, 3000, 4000, 6000, 6500, 7000]);
    // Every failure reached onError, the 429s included.
    expect(polls.errors.map((e) => [e.at, (e.error as Error).message])).toEqual([
      [0, 'status 429'],
      [1000, 'status 429'],
      [2000, 'status 429'],
      [3000, 'status 429'],
      [4000, 'status 500'],
    ]);
    expect(poller.stats().errors).toBe(5);
    expect(poller.stats().cooldowns).toBe(4);
  });

  it('a 429 after a real failure waits for the cooldown, not for the earlier backoff', async () => {
    // 500, then 429 Retry-After: 1, then 200s.
    const { poller, net } = fakePoller(
      {
        random: () => 1,
        cooldown: { jitter: 0 },
        backoff: { baseMs: 3000, capMs: 60_000 },
      },
      slowServer(
        ({ n }) =>
          n === 1
            ? { status: 500 }
            : n === 2
              ? { status: 429, headers: { 'retry-after': '1' } }
              : { status: 200 },
        0,
      ),
    );
    const polls = pollMany(poller, A, 1, { interval: 500 });
    await vi.advanceTimersByTimeAsync(5000);
    // 500 at 0: backoff 3000. 429 at 3000: cooldown until 4000, and the run comes right then
    // (re-using the 500's backoff would wait until 6000).
    expect(net.times(A)).toEqual([0, 3000, 4000, 4500, 5000]);
    expect(polls.errors.map((e) => e.at)).toEqual([0, 3000]);
  });

  it('a 429 that arrives after a delay still waits only for its cooldown', async () => {
    const { poller, net } = fakePoller(
      {
        random: () => 1,
        cooldown: { jitter: 0 },
        backoff: { baseMs: 10_000, capMs: 60_000 },
      },
      slowServer(
        ({ n }) => (n === 1 ? { status: 429, headers: { 'retry-after': '3' } } : { status: 200 }),
        100,
      ),
    );
    const polls = pollMany(poller, A, 1, { interval: 1000 });
    await vi.advanceTimersByTimeAsync(5000);
    // The 429 arrives at 100: cooldown until 3100; a backoff would have waited until 10 000.
    expect(net.times(A)).toEqual([0, 3100, 4100]);
    expect(polls.errors.map((e) => e.at)).toEqual([100]);
    expect(polls.dataTimes()).toEqual([3200, 4200]);
  });
});

describe('origin lane: dispose', () => {
  it('dispose() with queued polls leaves 0 timers and sends nothing more', async () => {
    const { poller, net } = fakePoller({}, slowServer());
    const polls = pollMany(poller, A, 20);
    pollMany(poller, B, 10);
    await vi.advanceTimersByTimeAsync(50);
    expect(net.calls).toHaveLength(12);
    poller.dispose();
    expect(vi.getTimerCount()).toBe(0);
    expect(net.inFlightTo(A)).toBe(0); // the requests under way were aborted
    await vi.advanceTimersByTimeAsync(2 * LONG);
    expect(net.calls).toHaveLength(12);
    expect(polls.data).toHaveLength(0);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('origin lane: order and reporting', () => {
  it('equally stale polls run in subscription order, across interval groups', async () => {
    const { poller, net } = fakePoller({ maxConcurrent: 1 }, slowServer());
    const intervals = [2000, 1000, 2000, 1000];
    intervals.forEach((interval, i) => {
      poller.poll(({ fetch }) => fetch(`${A}/${i}`).then(() => i), { url: A, interval });
    });
    await vi.advanceTimersByTimeAsync(400);
    expect(net.paths(A)).toEqual(['/0', '/1', '/2', '/3']);
  });

  it('polls drained because the tab hid are reported in one skip event', async () => {
    const { poller, visibility } = fakePoller({}, slowServer());
    const skips: { reason: string; count: number }[] = [];
    poller.on('skip', ({ reason, count }) => skips.push({ reason, count }));
    pollMany(poller, A, 20);
    await vi.advanceTimersByTimeAsync(50);
    visibility.set(false);
    await vi.advanceTimersByTimeAsync(200);
    expect(skips).toEqual([{ reason: 'hidden', count: 14 }]);
  });
});
