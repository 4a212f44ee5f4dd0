import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HttpError, isHttpError, type PollTask } from '../../src/index.js';
import { gaps, realTick, useFakeClock } from '../support/clock.js';
import { fakePoller } from '../support/poller.js';
import { deferred } from '../support/promises.js';

useFakeClock();

const URL_A = 'http://a.test/x';

/** GETs URL_A and fails on any non-2xx status. */
const strictGet: PollTask<unknown> = async ({ fetch }) => {
  const response = await fetch(URL_A);
  if (!response.ok) throw new Error(`status ${response.status}`);
  return response.json();
};

describe('backoff after failures', () => {
  it('walks the ladder 1, 2, 4, 8, 16, 30, 30 s (random 1) and resets after one success', async () => {
    let failing = true;
    const { poller, net } = fakePoller({ random: () => 1, breaker: false }, () =>
      failing ? new Response('no', { status: 500 }) : Response.json({ ok: true }),
    );
    const errors: unknown[] = [];
    poller.poll(strictGet, { url: URL_A, interval: 1000, onError: (e) => errors.push(e) });

    // Runs at 0, 1000, 3000, 7000, 15000, 31000, 61000, 91000: eight failures.
    await vi.advanceTimersByTimeAsync(91_000);
    expect(gaps(net.times())).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
    expect(errors).toHaveLength(8);
    expect(poller.stats().errors).toBe(8);

    // Still failing: the next run waits the cap again.
    await vi.advanceTimersByTimeAsync(29_999);
    expect(net.times()).toHaveLength(8);
    failing = false;
    await vi.advanceTimersByTimeAsync(1); // t = 121000: one success
    expect(poller.stats().succeeded).toBe(1);
    failing = true;
    // The ladder starts over: 1 s after the success, then 1 s, 2 s after new failures.
    await vi.advanceTimersByTimeAsync(4000);
    expect(net.times().slice(8)).toEqual([121_000, 122_000, 123_000, 125_000]);
    expect(poller.stats().errors).toBe(11);
  });

  it('with random 0 (full jitter can be 0) the gaps equal the interval', async () => {
    const { poller, net } = fakePoller(
      { random: () => 0, breaker: false },
      () => new Response('', { status: 500 }),
    );
    poller.poll(strictGet, { url: URL_A, interval: 1000 });
    await vi.advanceTimersByTimeAsync(6000);
    expect(net.times()).toEqual([0, 1000, 2000, 3000, 4000, 5000, 6000]);
    expect(poller.stats().errors).toBe(7);
  });

  it('never waits less than the interval, and honours custom backoff settings', async () => {
    const { poller, net } = fakePoller(
      { random: () => 0.5, backoff: { baseMs: 4000, capMs: 10_000 } },
      () => new Response('', { status: 500 }),
    );
    poller.poll(strictGet, { url: URL_A, interval: 3000 });
    // Ceilings 4000, 8000, 10000, 10000 → half: 2000 (< interval: 3000), 4000, 5000, 5000.
    await vi.advanceTimersByTimeAsync(17_000);
    expect(gaps(net.times())).toEqual([3000, 4000, 5000, 5000]);
  });
});

describe('no overlap', () => {
  it('skips a due run while the previous one is in flight, counts it, and never overlaps', async () => {
    const { poller, net } = fakePoller();
    const pending: Array<ReturnType<typeof deferred<number>>> = [];
    let running = 0;
    let maxRunning = 0;
    const starts: number[] = [];
    const skips: unknown[] = [];
    poller.on('skip', (e) => skips.push(e));
    poller.poll(
      async ({ fetch }) => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        starts.push(Date.now());
        await fetch(URL_A);
        const d = deferred<number>();
        pending.push(d);
        try {
          return await d.promise;
        } finally {
          running--;
        }
      },
      { url: URL_A, interval: 1000 },
    );
    await vi.advanceTimersByTimeAsync(2500); // run at 0 still going at 1000 and 2000
    expect(net.count()).toBe(1);
    expect(poller.stats().skipped['in-flight']).toBe(2);
    expect(skips).toEqual([
      { origin: 'http://a.test', reason: 'in-flight', count: 1 },
      { origin: 'http://a.test', reason: 'in-flight', count: 1 },
    ]);

    pending[0]?.resolve(1); // settles at 2500; the skipped tick at 2000 anchors the next run
    await vi.advanceTimersByTimeAsync(499);
    expect(net.count()).toBe(1);
    await vi.advanceTimersByTimeAsync(1); // t = 3000
    expect(net.count()).toBe(2);
    expect(maxRunning).toBe(1);
    expect(starts.map((t) => t - starts[0]!)).toEqual([0, 3000]);
    expect(poller.stats().runs).toBe(2);
  });
});

describe('errors reach onError and the error event, never an unhandled rejection', () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  beforeEach(() => {
    unhandled.length = 0;
    process.on('unhandledRejection', onUnhandled);
  });
  afterEach(async () => {
    await realTick();
    process.off('unhandledRejection', onUnhandled);
  });

  async function run(task: PollTask<unknown>, respond?: () => Response) {
    const env = fakePoller({}, respond);
    const onError = vi.fn();
    const events: Array<{ error: unknown; source: string; key: string | undefined }> = [];
    env.poller.on('error', ({ error, source, key }) => events.push({ error, source, key }));
    env.poller.poll(task, { url: URL_A, key: 'k', interval: 1000, onError });
    await vi.advanceTimersByTimeAsync(0);
    await realTick();
    return { ...env, onError, events };
  }

  it('a task that throws synchronously', async () => {
    const boom = new Error('sync');
    const { poller, onError, events } = await run(() => {
      throw boom;
    });
    expect(onError).toHaveBeenCalledExactlyOnceWith(boom);
    expect(events).toEqual([{ error: boom, source: 'poll', key: 'k' }]);
    expect(poller.stats().errors).toBe(1);
    expect(unhandled).toEqual([]);
    poller.dispose();
  });

  it('a task that rejects', async () => {
    const boom = new Error('async');
    const { poller, onError, events } = await run(async () => {
      throw boom;
    });
    expect(onError).toHaveBeenCalledExactlyOnceWith(boom);
    expect(events).toEqual([{ error: boom, source: 'poll', key: 'k' }]);
    expect(unhandled).toEqual([]);
    poller.dispose();
  });

  it('a non-2xx through ctx.http rejects with pollwise HttpError', async () => {
    const { poller, onError, events, net } = await run(
      ({ http }) => http(URL_A),
      () => Response.json({ error: 'down' }, { status: 500 }),
    );
    expect(net.count()).toBe(1);
    expect(onError).toHaveBeenCalledOnce();
    const error = onError.mock.calls[0]?.[0];
    expect(error).toBeInstanceOf(HttpError);
    expect(isHttpError(error)).toBe(true);
    expect((error as HttpError).status).toBe(500);
    expect((error as HttpError).url).toBe(URL_A);
    expect(events).toEqual([{ error, source: 'poll', key: 'k' }]);
    expect(unhandled).toEqual([]);
    poller.dispose();
  });

  it('an onData that throws surfaces as a callback error and polling continues', async () => {
    // onData fires only when the data changes: each response carries a new count.
    let count = 0;
    const { poller, net } = fakePoller({}, () => Response.json({ n: ++count }));
    const oops = new Error('onData broke');
    const events: Array<{ error: unknown; source: string }> = [];
    const data: unknown[] = [];
    poller.on('error', ({ error, source }) => events.push({ error, source }));
    poller.on('data', ({ data: d }) => data.push(d));
    poller.poll(async ({ fetch }) => (await fetch(URL_A)).json(), {
      url: URL_A,
      interval: 1000,
      onData: () => {
        throw oops;
      },
    });
    await vi.advanceTimersByTimeAsync(2000);
    await realTick();
    expect(net.count()).toBe(3);
    expect(events).toEqual([
      { error: oops, source: 'callback' },
      { error: oops, source: 'callback' },
      { error: oops, source: 'callback' },
    ]);
    // The data event still fires, and a throwing callback is not a poll failure (no backoff).
    expect(data).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(poller.stats().errors).toBe(0);
    expect(unhandled).toEqual([]);
  });

  it('an onError that throws surfaces as a callback error, then the poll error; polling continues', async () => {
    const { poller, net } = fakePoller({}, () => new Response('', { status: 500 }));
    const failure = new Error('status 500');
    const oops = new Error('onError broke');
    const events: Array<{ error: unknown; source: string }> = [];
    poller.on('error', ({ error, source }) => events.push({ error, source }));
    poller.poll(
      async ({ fetch }) => {
        await fetch(URL_A);
        throw failure;
      },
      {
        url: URL_A,
        interval: 1000,
        onError: () => {
          throw oops;
        },
      },
    );
    await vi.advanceTimersByTimeAsync(1000);
    await realTick();
    expect(net.count()).toBe(2);
    expect(events).toEqual([
      { error: oops, source: 'callback' },
      { error: failure, source: 'poll' },
      { error: oops, source: 'callback' },
      { error: failure, source: 'poll' },
    ]);
    expect(unhandled).toEqual([]);
  });
});
