import { describe, expect, it } from 'vitest';
import {
  BreakerOpenError,
  createPoller,
  HttpError,
  isRefusal,
  type Poller,
  type PollerEvents,
  type PollerOptions,
  TimeoutError,
} from '../../src/index.js';
import { createResource } from '../../src/resource/index.js';
import { advance, elapsed, T0, useFakeClock } from '../support/clock.js';
import { type FakeNetwork, type Respond, status } from '../support/fake-network.js';
import { refusedOptions } from '../support/option-issues.js';
import { fakePoller } from '../support/poller.js';
import { rejectionOf } from '../support/promises.js';

useFakeClock();

const ok = () => Response.json({ ok: true });

const A = 'http://a.test';
const B = 'http://b.test';

/**
 * A poller on the fake clock with exact timing whose network answers with `answer` (`call.n`
 * counts the requests to its origin). Records every breaker and skip event.
 */
function setup(answer: Respond = ok, options: PollerOptions = {}) {
  const { poller, net } = fakePoller(options, answer);
  const events: { type: keyof PollerEvents; at: number; event: unknown }[] = [];
  for (const type of ['breaker:open', 'breaker:half-open', 'breaker:close', 'skip'] as const) {
    poller.on(type, (event) => events.push({ type, at: elapsed(), event }));
  }
  /** Breaker events only, as [type, ms since T0, payload]. */
  const breakerEvents = () =>
    events.filter((e) => e.type.startsWith('breaker:')).map((e) => [e.type, e.at, e.event]);
  return { poller, net, calls: net.calls, events, breakerEvents, times: net.times };
}

/** 500 from A until `healthy.value` is set; B and a healthy A answer 200. */
function flakyA() {
  const healthy = { value: false };
  const answer = (call: { origin: string }) =>
    call.origin === A && !healthy.value ? status(500) : ok();
  return { healthy, answer };
}

/**
 * The poller's wrapped fetch and a wrapped fetch of the app's own both refuse A with a
 * BreakerOpenError of `retryAfterMs`, without network.
 */
async function expectRefused(poller: Poller, net: FakeNetwork, retryAfterMs: number) {
  const before = net.count();
  const own = (input: RequestInfo | URL) => net.fetch(input);
  const viaFetch = await rejectionOf(poller.wrapFetch()(`${A}/direct`));
  const viaOwn = await rejectionOf(poller.wrapFetch(own)(`${A}/own`));
  for (const error of [viaFetch, viaOwn]) {
    expect(error).toBeInstanceOf(BreakerOpenError);
    expect(isRefusal(error)).toBe(true);
    expect(error).toMatchObject({
      name: 'BreakerOpenError',
      code: 'breaker-open',
      origin: A,
      retryAt: Date.now() + retryAfterMs,
      retryAfterMs,
    });
  }
  expect(net.count()).toBe(before);
}

describe('a 5xx storm opens the breaker', () => {
  it('opens at the 5th failure with an exact event; nothing is sent to the origin while open', async () => {
    const { answer } = flakyA();
    const { poller, times, breakerEvents } = setup(answer);
    const errors: unknown[] = [];
    poller.poll(`${A}/x`, { interval: 1000, onError: (e) => errors.push(e) });

    await advance(3999);
    expect(times(A)).toEqual([0, 1000, 2000, 3000]);
    expect(breakerEvents()).toEqual([]);

    await advance(1); // t = 4000: the 5th 500
    expect(breakerEvents()).toEqual([
      ['breaker:open', 4000, { origin: A, until: T0 + 34_000, failures: 5, samples: 5 }],
    ]);
    expect(errors).toHaveLength(5);
    expect(errors.every((e) => e instanceof HttpError && e.status === 500)).toBe(true);
    expect(poller.stats()).toMatchObject({ breakerOpened: 1, sent: 5, errors: 5, refused: 0 });
    expect(poller.inspect().breakerOrigins).toBe(1);

    await advance(29_999); // up to 33,999: not one request
    expect(times(A)).toEqual([0, 1000, 2000, 3000, 4000]);
    expect(errors).toHaveLength(5); // skipped while open, not failed
    expect(poller.stats()).toMatchObject({ sent: 5, runs: 5, errors: 5 });
  });

  it('wrapFetch and wrapFetch(own) reject BreakerOpenError with retryAfterMs, without network', async () => {
    const { answer } = flakyA();
    const { poller, net, calls } = setup(answer);
    const wrapped = poller.wrapFetch();
    for (let i = 0; i < 5; i++) await wrapped(`${A}/fail`);
    expect(calls).toHaveLength(5);
    await advance(10_000);
    await expectRefused(poller, net, 20_000);
    await advance(19_999);
    await expectRefused(poller, net, 1);
    expect(poller.stats()).toMatchObject({ refused: 4, sent: 5, breakerOpened: 1 });
    expect(poller.cooldownUntil(A)).toBe(0); // a breaker is not a cooldown
  });

  it('a task poll whose ctx.fetch is refused counts a breaker skip, not a failure', async () => {
    const { answer } = flakyA();
    const { poller, calls } = setup(answer);
    for (let i = 0; i < 5; i++) await poller.wrapFetch()(`${A}/fail`);
    const errors: unknown[] = [];
    const data: unknown[] = [];
    // Polls B's schedule, but its task fetches A: refused before the network.
    poller.poll((ctx) => ctx.fetch(`${A}/inner`).then((r) => r.status), {
      origin: B,
      interval: 1000,
      onError: (e) => errors.push(e),
      onData: (d) => data.push(d),
    });
    await advance(2500); // runs at 0, 1000, 2000
    expect(calls).toHaveLength(5);
    expect(errors).toEqual([]);
    expect(data).toEqual([]);
    expect(poller.stats()).toMatchObject({ runs: 3, errors: 0, refused: 3 });
    expect(poller.stats().skipped.breaker).toBe(3);
  });
});

describe('half-open: one probe decides', () => {
  it('after openMs exactly one probe goes; the other due polls of the origin are held back', async () => {
    const { healthy, answer } = flakyA();
    const { poller, times, calls, breakerEvents } = setup(answer);
    poller.poll(`${A}/one`, { interval: 1000 });
    poller.poll(`${A}/two`, { interval: 1000 });
    poller.poll(`${A}/three`, { interval: 1000 });
    await advance(1000); // 3 failures at 0, then the 5th failure at 1000 opens it
    expect(breakerEvents()).toEqual([
      ['breaker:open', 1000, { origin: A, until: T0 + 31_000, failures: 5, samples: 5 }],
    ]);
    expect(times(A)).toEqual([0, 0, 0, 1000, 1000, 1000]);

    healthy.value = true;
    await advance(29_999);
    expect(calls).toHaveLength(6); // nothing while open

    await advance(1); // t = 31,000
    expect(calls.slice(6).map((c) => [c.at, c.url])).toEqual([[31_000, `${A}/one`]]);
    expect(breakerEvents().slice(1)).toEqual([
      ['breaker:half-open', 31_000, { origin: A }],
      ['breaker:close', 31_000, { origin: A }],
    ]);
    // The two others met the probe under way: the scheduler saw the breaker half-open before
    // starting them, so they were skipped, neither sent nor refused at the door, nor failed.
    expect(poller.stats()).toMatchObject({ refused: 0, errors: 6, breakerOpened: 1, sent: 7 });
    expect(poller.stats().skipped.breaker).toBe(2);
  });

  it('polls that reach the door after the probe left (a headers function) are refused there: a skip, not a failure', async () => {
    const { healthy, answer } = flakyA();
    const { poller, calls, breakerEvents } = setup(answer);
    // An async headers function: each run reaches the door a microtask after it started, so
    // all three start before the probe is admitted, and two meet it at the door.
    const headers = async () => ({ 'x-token': 't' });
    const errors: unknown[] = [];
    for (const path of ['/one', '/two', '/three']) {
      poller.poll(`${A}${path}`, { interval: 1000, headers, onError: (e) => errors.push(e) });
    }
    await advance(1000);
    expect(breakerEvents().map(([type, at]) => [type, at])).toEqual([['breaker:open', 1000]]);
    healthy.value = true;
    await advance(30_000); // t = 31,000
    expect(calls.slice(6).map((c) => [c.at, c.url])).toEqual([[31_000, `${A}/one`]]);
    expect(errors).toHaveLength(6); // the refusals are not errors of the polls
    expect(poller.stats()).toMatchObject({ refused: 2, errors: 6, breakerOpened: 1, sent: 7 });
    expect(poller.stats().skipped.breaker).toBe(2);
  });

  it('a healthy probe closes it and every poll of the origin resumes at once', async () => {
    const { healthy, answer } = flakyA();
    const { poller, calls, breakerEvents } = setup(answer);
    poller.poll(`${A}/one`, { interval: 1000 });
    poller.poll(`${A}/two`, { interval: 1000 });
    poller.poll(`${A}/three`, { interval: 1000 });
    await advance(1000);
    healthy.value = true;
    await advance(30_000); // the probe (/one) closes the breaker at 31,000
    expect(breakerEvents().map(([type, at]) => [type, at])).toEqual([
      ['breaker:open', 1000],
      ['breaker:half-open', 31_000],
      ['breaker:close', 31_000],
    ]);
    await advance(1); // a 0 ms timer: the polls refused while the probe was out run now
    const after = calls.slice(6).map((c) => [c.at, c.url.slice(A.length)]);
    expect(after).toEqual([
      [31_000, '/one'],
      [31_001, '/two'],
      [31_001, '/three'],
    ]);
  });

  it('after the close, all polls of the origin keep their interval', async () => {
    const { healthy, answer } = flakyA();
    const { poller, times } = setup(answer);
    poller.poll(`${A}/one`, { interval: 1000 });
    await advance(4000); // opens at 4000
    healthy.value = true;
    await advance(30_000); // probe at 34,000 closes it
    await advance(3000);
    expect(times(A)).toEqual([0, 1000, 2000, 3000, 4000, 34_000, 35_000, 36_000, 37_000]);
    expect(poller.stats()).toMatchObject({ breakerOpened: 1, succeeded: 4, errors: 5 });
  });

  it('a failing probe reopens it with a new until; the next probe goes openMs later', async () => {
    const { answer } = flakyA();
    const { poller, times, breakerEvents } = setup(answer);
    const errors: unknown[] = [];
    poller.poll(`${A}/x`, { interval: 1000, onError: (e) => errors.push(e) });
    await advance(34_000);
    expect(times(A)).toEqual([0, 1000, 2000, 3000, 4000, 34_000]);
    expect(breakerEvents()).toEqual([
      ['breaker:open', 4000, { origin: A, until: T0 + 34_000, failures: 5, samples: 5 }],
      ['breaker:half-open', 34_000, { origin: A }],
      ['breaker:open', 34_000, { origin: A, until: T0 + 64_000, failures: 1, samples: 1 }],
    ]);
    expect(errors).toHaveLength(6); // the probe's own 500 is an error for its poll
    await advance(29_999);
    expect(times(A)).toHaveLength(6);
    await advance(1);
    expect(times(A)).toEqual([0, 1000, 2000, 3000, 4000, 34_000, 64_000]);
    expect(poller.stats()).toMatchObject({ breakerOpened: 3 });
  });

  it('a probe that never answers: other polls wait for it, then a new probe goes after openMs', async () => {
    let hang = false;
    const { poller, calls, events, breakerEvents } = setup(
      (call) => (call.origin !== A ? ok() : hang ? 'hang' : status(500)),
      { timeout: false },
    );
    poller.poll(`${A}/fast`, { interval: 1000 });
    poller.poll(`${A}/slow`, { interval: 40_000 });
    await advance(4000); // 0: fast+slow, 1000..3000: fast; the 5th 500 (3000) opens it
    expect(breakerEvents()).toEqual([
      ['breaker:open', 3000, { origin: A, until: T0 + 33_000, failures: 5, samples: 5 }],
    ]);
    expect(calls.map((c) => c.at)).toEqual([0, 0, 1000, 2000, 3000]);
    hang = true;
    await advance(29_000); // t = 33,000: /fast is the probe; it hangs
    expect(calls.slice(5).map((c) => [c.at, c.url])).toEqual([[33_000, `${A}/fast`]]);
    const skipsBefore = events.filter((e) => e.type === 'skip').length;

    await advance(7000); // t = 40,000: /slow is due while the probe is out
    expect(calls).toHaveLength(6);
    expect(events.filter((e) => e.type === 'skip').slice(skipsBefore)).toContainEqual({
      type: 'skip',
      at: 40_000,
      event: { origin: A, reason: 'breaker', count: 1 },
    });

    await advance(22_999); // up to the probe's deadline: still nothing
    expect(calls).toHaveLength(6);
    await advance(1); // t = 63,000: the probe's deadline; /slow becomes the new probe
    expect(calls.slice(6).map((c) => [c.at, c.url])).toEqual([[63_000, `${A}/slow`]]);
    expect(breakerEvents().slice(1)).toEqual([
      ['breaker:half-open', 33_000, { origin: A }],
      ['breaker:half-open', 63_000, { origin: A }],
    ]);
  });

  it('a hung probe through wrapFetch: refused until its deadline, then a new probe may go', async () => {
    let hang = false;
    const { poller, net, calls, breakerEvents } = setup(() => (hang ? 'hang' : status(500)));
    const wrapped = poller.wrapFetch();
    for (let i = 0; i < 5; i++) await wrapped(`${A}/fail`);
    hang = true;
    await advance(30_000);
    void wrapped(`${A}/probe`).catch(() => {});
    expect(calls).toHaveLength(6);
    await advance(29_999);
    await expectRefused(poller, net, 1);
    await advance(1);
    void wrapped(`${A}/probe-2`).catch(() => {});
    expect(calls.map((c) => c.url).slice(5)).toEqual([`${A}/probe`, `${A}/probe-2`]);
    expect(breakerEvents().map(([type, at]) => [type, at])).toEqual([
      ['breaker:open', 0],
      ['breaker:half-open', 30_000],
      ['breaker:half-open', 60_000],
    ]);
  });
});

describe('what counts as a failure', () => {
  it('429s never count: ten 429s, then it opens at the 5th 500 with 5 samples', async () => {
    let failing = false;
    const { poller, calls, breakerEvents } = setup(
      () => (failing ? status(500) : status(429, { 'retry-after': '0' })),
      { breaker: { minRequests: 5 } },
    );
    const wrapped = poller.wrapFetch();
    for (let i = 0; i < 10; i++) expect((await wrapped(`${A}/x`)).status).toBe(429);
    expect(poller.stats()).toMatchObject({ rateLimited: 10, breakerOpened: 0 });
    failing = true;
    for (let i = 0; i < 4; i++) await wrapped(`${A}/x`);
    expect(breakerEvents()).toEqual([]);
    await wrapped(`${A}/x`);
    // As successes the 429s would dilute it (5 of 15); as failures it would have opened long ago.
    expect(breakerEvents()).toEqual([
      ['breaker:open', 0, { origin: A, until: T0 + 30_000, failures: 5, samples: 5 }],
    ]);
    expect(calls).toHaveLength(15);
  });

  it('a 429 storm on a poll never opens the breaker (the cooldown handles it)', async () => {
    const { poller, times, breakerEvents } = setup(() => status(429, { 'retry-after': '1' }));
    poller.poll(`${A}/x`, { interval: 1000 });
    await advance(20_000); // a 1 s cooldown after each: one request a second, 0 to 20,000
    expect(times(A)).toHaveLength(21);
    expect(breakerEvents()).toEqual([]);
    expect(poller.stats()).toMatchObject({ rateLimited: 21, cooldowns: 21, breakerOpened: 0 });
  });

  it('404 and other 4xx answers count as successes: they dilute the failure ratio', async () => {
    let failing = false;
    const codes = [404, 400, 401, 403, 410, 422, 404, 404, 404, 404];
    let i = 0;
    const { poller, breakerEvents } = setup(() =>
      failing ? status(500) : status(codes[i++ % codes.length] as number),
    );
    const wrapped = poller.wrapFetch();
    for (let n = 0; n < 10; n++) await wrapped(`${A}/x`);
    expect(breakerEvents()).toEqual([]);
    failing = true;
    for (let n = 0; n < 9; n++) await wrapped(`${A}/x`); // 9 of 19: below 50%
    expect(breakerEvents()).toEqual([]);
    await wrapped(`${A}/x`); // 10 of 20
    expect(breakerEvents()).toEqual([
      ['breaker:open', 0, { origin: A, until: T0 + 30_000, failures: 10, samples: 20 }],
    ]);
  });

  it('a 404 storm on a poll never opens the breaker', async () => {
    const { poller, times, breakerEvents } = setup(() => status(404));
    poller.poll(`${A}/gone`, { interval: 1000 });
    await advance(29_500);
    expect(times(A)).toHaveLength(30);
    expect(breakerEvents()).toEqual([]);
    expect(poller.stats()).toMatchObject({ errors: 30, breakerOpened: 0 });
  });

  it('network errors (fetch rejects TypeError) open it', async () => {
    const { poller, times, breakerEvents } = setup(() => new TypeError('fetch failed'));
    const errors: unknown[] = [];
    poller.poll(`${A}/x`, { interval: 1000, onError: (e) => errors.push(e) });
    await advance(40_000);
    expect(times(A)).toEqual([0, 1000, 2000, 3000, 4000, 34_000]);
    expect(breakerEvents().slice(0, 1)).toEqual([
      ['breaker:open', 4000, { origin: A, until: T0 + 34_000, failures: 5, samples: 5 }],
    ]);
    expect(errors).toHaveLength(6);
    // The fetch's own TypeError reaches onError; the breaker counted each once (5 opened it).
    expect(errors.every((e) => e instanceof TypeError && e.message === 'fetch failed')).toBe(true);
  });

  it('network errors through wrapFetch open it too', async () => {
    const { poller, breakerEvents } = setup(() => new TypeError('Failed to fetch'));
    const wrapped = poller.wrapFetch();
    for (let i = 0; i < 5; i++) {
      expect(await rejectionOf(wrapped(`${A}/x`))).toBeInstanceOf(TypeError);
    }
    expect(breakerEvents()).toEqual([
      ['breaker:open', 0, { origin: A, until: T0 + 30_000, failures: 5, samples: 5 }],
    ]);
  });

  it('aborts are the caller decision, not a failure of the host', async () => {
    let hang = true;
    const { poller, breakerEvents } = setup(() => (hang ? 'hang' : status(500)));
    const wrapped = poller.wrapFetch();
    for (let i = 0; i < 10; i++) {
      const controller = new AbortController();
      const pending = rejectionOf(wrapped(`${A}/x`, { signal: controller.signal }));
      controller.abort();
      expect(await pending).toMatchObject({ name: 'AbortError' });
    }
    hang = false;
    for (let i = 0; i < 4; i++) await wrapped(`${A}/x`);
    expect(breakerEvents()).toEqual([]);
    await wrapped(`${A}/x`);
    expect(breakerEvents()).toEqual([
      ['breaker:open', 0, { origin: A, until: T0 + 30_000, failures: 5, samples: 5 }],
    ]);
  });

  it('timeouts of a URL poll open it, each counted once', async () => {
    const { poller, times, breakerEvents } = setup(() => 'hang', { timeout: 500 });
    const errors: unknown[] = [];
    poller.poll(`${A}/slow`, { interval: 1000, onError: (e) => errors.push(e) });
    await advance(4499);
    expect(errors).toHaveLength(4);
    expect(breakerEvents()).toEqual([]); // counted twice, 3 timeouts would have opened it
    await advance(1);
    expect(errors).toHaveLength(5);
    expect(errors.every((e) => e instanceof TimeoutError && e.code === 'timeout')).toBe(true);
    expect(breakerEvents()).toEqual([
      ['breaker:open', 4500, { origin: A, until: T0 + 34_500, failures: 5, samples: 5 }],
    ]);
    await advance(30_000);
    expect(times(A)).toEqual([0, 1000, 2000, 3000, 4000, 34_500]);
  });

  it('timeouts of ctx.http inside a task poll open it', async () => {
    const { poller, breakerEvents } = setup(() => 'hang', { timeout: 200 });
    poller.poll((ctx) => ctx.http(`${A}/slow`), { origin: A, interval: 1000 });
    await advance(4200);
    expect(breakerEvents()).toEqual([
      ['breaker:open', 4200, { origin: A, until: T0 + 34_200, failures: 5, samples: 5 }],
    ]);
  });

  it('timeouts of several ctx.http calls in one task run each count for the breaker', async () => {
    const { poller, calls, breakerEvents } = setup(() => 'hang', { timeout: 500 });
    const seen: unknown[] = [];
    // One run, five requests one after another: each times out on its own 500 ms deadline.
    poller.poll(
      async (ctx) => {
        for (let i = 0; i < 5; i++) seen.push(await rejectionOf(ctx.http(`${A}/slow`)));
        return seen.length;
      },
      { origin: B, interval: 60_000 },
    );
    await advance(2500);
    expect(calls).toHaveLength(5);
    expect(seen).toHaveLength(5);
    expect(seen.every((e) => e instanceof TimeoutError)).toBe(true);
    expect(breakerEvents()).toEqual([
      ['breaker:open', 2500, { origin: A, until: T0 + 32_500, failures: 5, samples: 5 }],
    ]);
  });
});

describe('resources', () => {
  it('per-item 5xx open the breaker; reads stop while open; one probe, then the keys are read again', async () => {
    const { healthy, answer } = flakyA();
    const { poller, calls, breakerEvents } = setup(answer);
    const items = createResource<string>(poller, {
      item: { url: (k) => `${A}/items/${k}` },
      interval: 1000,
    });
    const seen: Record<string, string[]> = {};
    for (const key of ['a', 'b', 'c', 'd', 'e']) {
      items.subscribe(key, (s) => {
        seen[key] = [...(seen[key] ?? []), `${s.status}:${(s.error as Error | undefined)?.name}`];
      });
    }
    await advance(0);
    expect(calls.map((c) => c.url.slice(A.length))).toEqual([
      '/items/a',
      '/items/b',
      '/items/c',
      '/items/d',
      '/items/e',
    ]);
    expect(breakerEvents()).toEqual([
      ['breaker:open', 0, { origin: A, until: T0 + 30_000, failures: 5, samples: 5 }],
    ]);
    expect(Object.values(seen)).toEqual(Array(5).fill(['error:HttpError']));

    healthy.value = true;
    await advance(29_999);
    expect(calls).toHaveLength(5); // no sweep while open
    await advance(1); // t = 30,000: one key is the probe; the others wait, unchanged
    expect(calls.slice(5).map((c) => [c.at, c.url])).toEqual([[30_000, `${A}/items/a`]]);
    expect(breakerEvents().slice(1)).toEqual([
      ['breaker:half-open', 30_000, { origin: A }],
      ['breaker:close', 30_000, { origin: A }],
    ]);
    expect(seen.b).toEqual(['error:HttpError']); // the probe's sweep tells nothing about b
    // The sweep asks the gate (without side effects) before each request: while the probe is
    // out, the other four are not even started, so nothing is refused.
    expect(poller.stats()).toMatchObject({ refused: 0, itemRequests: 6, sent: 6 });

    await advance(1000); // the next sweep reads every key
    expect(Object.values(seen).map((s) => s.at(-1))).toEqual(Array(5).fill('success:undefined'));
  });
});

describe('scope and switches', () => {
  it('another origin is unaffected: its polls, wrapped fetch and breaker', async () => {
    // B answers new data every time, so its onData hears every response.
    const { poller, times, breakerEvents } = setup(({ origin, n }) =>
      origin === A ? status(500) : Response.json({ n }),
    );
    const bData: unknown[] = [];
    poller.poll(`${A}/x`, { interval: 1000 });
    poller.poll(`${B}/y`, { interval: 1000, onData: (d) => bData.push(d) });
    await advance(10_500);
    expect(breakerEvents().map(([type, , e]) => [type, e])).toEqual([
      ['breaker:open', { origin: A, until: T0 + 34_000, failures: 5, samples: 5 }],
    ]);
    expect(times(A)).toHaveLength(5);
    expect(times(B)).toHaveLength(11);
    expect(bData).toHaveLength(11);
    expect((await poller.wrapFetch()(`${B}/direct`)).status).toBe(200);
    const own = () => Promise.resolve(Response.json({ own: true }));
    expect(await (await poller.wrapFetch(own)(`${B}/own`)).json()).toEqual({ own: true });
    expect(poller.stats()).toMatchObject({ refused: 0, errors: 5 });
    expect(poller.stats().skipped.breaker).toBe(0);
  });

  it('after maxTrackedOrigins origins opened their breakers and were abandoned, a new failing origin still opens its own', async () => {
    const { poller, net, breakerEvents } = setup(() => status(500));
    const wrapped = poller.wrapFetch();
    for (let i = 0; i < 256; i++) {
      for (let j = 0; j < 5; j++) expect((await wrapped(`http://h${i}.test/x`)).status).toBe(500);
    }
    expect(breakerEvents()).toHaveLength(256);
    await advance(1000);
    const before = net.count();
    const errors: unknown[] = [];
    poller.poll(`${A}/x`, { interval: 1000, onError: (e) => errors.push(e) });
    await advance(10_500);
    expect(net.count() - before).toBe(5);
    expect(breakerEvents().at(-1)).toEqual([
      'breaker:open',
      5000,
      { origin: A, until: T0 + 35_000, failures: 5, samples: 5 },
    ]);
    await expectRefused(poller, net, 23_500);
    expect(poller.inspect().breakerOrigins).toBe(256);
  });

  it("another origin's schedule is not even touched: its ticks stay exact", async () => {
    const { answer } = flakyA();
    const { poller, times } = setup(answer);
    poller.poll(`${A}/x`, { interval: 1000 });
    poller.poll(`${B}/y`, { interval: 1000 });
    await advance(6000);
    expect(times(B)).toEqual([0, 1000, 2000, 3000, 4000, 5000, 6000]);
  });

  it('breaker: false never opens, whatever fails', async () => {
    let kind: 'status' | 'network' = 'status';
    const { poller, times, breakerEvents } = setup(
      () => (kind === 'status' ? status(503) : new TypeError('fetch failed')),
      { breaker: false, cooldown: { defaultMs: 0, jitter: 0 } },
    );
    poller.poll(`${A}/x`, { interval: 1000 });
    await advance(49_500);
    kind = 'network';
    await advance(50_000);
    expect(times(A)).toHaveLength(100);
    const wrapped = poller.wrapFetch();
    for (let i = 0; i < 20; i++) await rejectionOf(wrapped(`${A}/direct`));
    expect(breakerEvents()).toEqual([]);
    expect(poller.stats()).toMatchObject({ breakerOpened: 0, refused: 0, sent: 120 });
  });

  it('custom settings apply: minRequests 2, openMs 5000', async () => {
    const { poller, times, breakerEvents } = setup(() => status(502), {
      breaker: { minRequests: 2, openMs: 5000 },
    });
    poller.poll(`${A}/x`, { interval: 1000 });
    await advance(7000);
    expect(times(A)).toEqual([0, 1000, 6000]);
    expect(breakerEvents()).toEqual([
      ['breaker:open', 1000, { origin: A, until: T0 + 6000, failures: 2, samples: 2 }],
      ['breaker:half-open', 6000, { origin: A }],
      ['breaker:open', 6000, { origin: A, until: T0 + 11_000, failures: 1, samples: 1 }],
    ]);
    expect(elapsed()).toBe(7000);
  });

  it('dispose() forgets every breaker and leaves no timer', async () => {
    const { poller } = setup(() => status(500));
    poller.poll(`${A}/x`, { interval: 1000 });
    await advance(5000);
    expect(poller.inspect()).toMatchObject({ breakerOrigins: 1, timers: 1 });
    poller.dispose();
    expect(poller.inspect()).toMatchObject({ breakerOrigins: 0, timers: 0 });
  });
});

describe('options', () => {
  const issuesOf = (breaker: unknown) =>
    refusedOptions(() =>
      createPoller({ breaker: breaker as never, visibility: false, online: false }),
    )?.map((i) => i.option) ?? null;

  it.each([
    [{ windowSize: 0 }, 'breaker.windowSize'],
    [{ windowSize: 2.5 }, 'breaker.windowSize'],
    [{ windowSize: -1 }, 'breaker.windowSize'],
    [{ windowMs: 0 }, 'breaker.windowMs'],
    [{ windowMs: -5 }, 'breaker.windowMs'],
    [{ minRequests: 0 }, 'breaker.minRequests'],
    [{ minRequests: 1.5 }, 'breaker.minRequests'],
    [{ failureRatio: 0 }, 'breaker.failureRatio'],
    [{ failureRatio: 1.01 }, 'breaker.failureRatio'],
    [{ failureRatio: -0.5 }, 'breaker.failureRatio'],
    [{ openMs: 0 }, 'breaker.openMs'],
    [{ openMs: -1 }, 'breaker.openMs'],
    [{ typo: 1 }, 'breaker.typo'],
  ])('rejects %j at %s', (breaker, option) => {
    expect(issuesOf(breaker)).toEqual([option]);
  });

  it.each([
    [true],
    [null],
    ['off'],
    [0],
    [[]],
    [{ openMs: Number.NaN }],
    [{ windowMs: Number.POSITIVE_INFINITY }],
    [{ failureRatio: '0.5' }],
  ])('rejects breaker: %o', (breaker: unknown) => {
    const issues = issuesOf(breaker);
    expect(issues).not.toBeNull();
    expect(issues?.every((option) => option.startsWith('breaker'))).toBe(true);
  });

  it('rejects a window too large to allocate, rather than failing every request later', () => {
    for (const windowSize of [2 ** 32, Number.MAX_SAFE_INTEGER]) {
      expect(issuesOf({ windowSize })).toEqual(['breaker.windowSize']);
    }
  });

  it.each([
    [false],
    [undefined],
    [{}],
    [{ windowSize: 1 }],
    [{ failureRatio: 1 }],
    [{ windowSize: 50, windowMs: 1, minRequests: 50, failureRatio: 0.1, openMs: 1 }],
  ])('accepts breaker: %o', (breaker: unknown) => {
    expect(issuesOf(breaker)).toBeNull();
  });
});
