import { describe, expect, it, vi } from 'vitest';
import {
  CooldownError,
  type CooldownStart,
  type Poller,
  type PollerOptions,
} from '../../src/index.js';
import { advance, elapsed, T0, useFakeClock } from '../support/clock.js';
import { fakePoller } from '../support/poller.js';
import { rejectionOf } from '../support/promises.js';

const A = 'http://a.test';
const B = 'http://b.test';

type Answer = { status: number; headers?: Record<string, string> };

useFakeClock();

/**
 * A poller on the fake clock with exact timing, whose network answers call n (1-based, per
 * origin) from `script[origin][n]`, else 200 JSON. Server Date headers in the scripts are
 * deliberately far from the local clock.
 */
function setup(script: Record<string, Record<number, Answer>> = {}, options: PollerOptions = {}) {
  const { poller, net } = fakePoller(options, ({ origin, n }) => {
    const answer = script[origin]?.[n];
    if (answer === undefined) return Response.json({ ok: true });
    return new Response('{"error":"slow down"}', {
      status: answer.status,
      headers: answer.headers,
    });
  });
  const cooldowns: CooldownStart[] = [];
  poller.on('cooldown', (event) => cooldowns.push(event));
  return { poller, net, cooldowns, times: net.times };
}

/**
 * Both wrapped transports (the poller's fetch and a wrapped fetch of the app's own) refuse `A`
 * with a CooldownError of `retryAfterMs`, without network.
 */
async function expectRefused(
  poller: Poller,
  net: { count(): number; fetch: typeof fetch },
  retryAfterMs: number,
) {
  const before = net.count();
  const viaFetch = await rejectionOf(poller.wrapFetch()(`${A}/direct`));
  const ownFetch: typeof fetch = (input, init) => net.fetch(input, init);
  const viaOwn = await rejectionOf(poller.wrapFetch(ownFetch)(`${A}/direct`));
  for (const error of [viaFetch, viaOwn]) {
    expect(error).toBeInstanceOf(CooldownError);
    expect(error).toMatchObject({
      origin: A,
      retryAfterMs,
      retryAt: T0 + elapsed() + retryAfterMs,
    });
  }
  expect(net.count()).toBe(before);
}

describe('a 429 with Retry-After pauses the whole origin', () => {
  it('Retry-After: 7 → nothing reaches the origin for 7 s, then exactly one request', async () => {
    const { poller, net, times } = setup({
      [A]: { 3: { status: 429, headers: { 'retry-after': '7' } } },
    });
    poller.poll(`${A}/feed`, { interval: 1000 });

    await advance(2000);
    expect(times(A)).toEqual([0, 1000, 2000]); // the third answered 429
    expect(poller.cooldownUntil(`${A}/anything`)).toBe(T0 + 9000);
    await expectRefused(poller, net, 7000);

    await advance(6999); // t = 8999
    expect(net.count(A)).toBe(3);
    // The group timer waits for the cooldown's end: at most the one tick armed before the 429
    // arrived is skipped; no tick-per-millisecond busy loop while cooling.
    expect(poller.stats().skipped.cooldown).toBeLessThanOrEqual(1);
    await expectRefused(poller, net, 1);

    await advance(1); // t = 9000: one poll, not the 7 skipped ones in a burst
    expect(times(A)).toEqual([0, 1000, 2000, 9000]);
    expect(poller.cooldownUntil(A)).toBe(0);
    await advance(999);
    expect(net.count(A)).toBe(4);
    await advance(1);
    expect(times(A)).toEqual([0, 1000, 2000, 9000, 10_000]);

    // The wrapped fetch goes through again.
    const response = await poller.wrapFetch()(`${A}/direct`);
    expect(response.status).toBe(200);
    expect(net.count(A)).toBe(6);
    expect(poller.stats()).toMatchObject({ sent: 6, rateLimited: 1, cooldowns: 1, refused: 4 });
  });

  it('an HTTP-date Retry-After 7 s after the response Date header (server clock a year off)', async () => {
    const { poller, net, times, cooldowns } = setup({
      [A]: {
        1: {
          status: 429,
          headers: {
            date: 'Wed, 01 Jan 2025 00:00:00 GMT',
            'retry-after': 'Wed, 01 Jan 2025 00:00:07 GMT',
          },
        },
      },
    });
    poller.poll(`${A}/feed`, { interval: 1000 });
    await advance(0);
    expect(cooldowns).toEqual([
      {
        origin: A,
        until: T0 + 7000,
        delayMs: 7000,
        status: 429,
        source: 'retry-after',
        strikes: 1,
      },
    ]);
    await expectRefused(poller, net, 7000);
    await advance(6999);
    expect(net.count(A)).toBe(1);
    await advance(1);
    expect(times(A)).toEqual([0, 7000]);
  });

  it('an HTTP-date Retry-After without a Date header is measured against the local clock', async () => {
    const retryAt = new Date(T0 + 7000).toUTCString();
    const { poller, times } = setup({
      [A]: { 1: { status: 429, headers: { 'retry-after': retryAt } } },
    });
    poller.poll(`${A}/feed`, { interval: 1000 });
    await advance(6999);
    expect(times(A)).toEqual([0]);
    await advance(1);
    expect(times(A)).toEqual([0, 7000]);
  });

  it('another origin keeps polling at its normal rate meanwhile', async () => {
    const { poller, net, times } = setup({
      [A]: { 1: { status: 429, headers: { 'retry-after': '7' } } },
    });
    poller.poll(`${A}/feed`, { interval: 1000 });
    poller.poll(`${B}/feed`, { interval: 1000 });
    await advance(0);
    for (let second = 1; second <= 6; second++) {
      await advance(1000);
      expect(net.count(A)).toBe(1);
      expect(net.count(B)).toBe(second + 1);
    }
    // B's wrapped fetch is not refused while A cools.
    expect((await poller.wrapFetch()(`${B}/direct`)).status).toBe(200);
    expect(poller.cooldownUntil(B)).toBe(0);
    await advance(1000);
    expect(times(A)).toEqual([0, 7000]);
    expect(times(B)).toEqual([0, 1000, 2000, 3000, 4000, 5000, 6000, 6000, 7000]);
  });

  it('ctx.fetch and ctx.http refuse the cooling origin inside tasks; that is no poll failure', async () => {
    const { poller, net, times } = setup({
      [A]: { 1: { status: 429, headers: { 'retry-after': '7' } } },
    });
    poller.poll(`${A}/feed`, { interval: 1000 });
    await advance(0);
    // Tasks polled on B's schedule that call A through the context's transports.
    const errors: unknown[] = [];
    poller.poll(({ fetch }) => fetch(`${A}/via-fetch`), {
      origin: B,
      interval: 1000,
      onError: (e) => errors.push(e),
    });
    poller.poll(({ http }) => http(`${A}/via-http`), {
      origin: B,
      interval: 1000,
      onError: (e) => errors.push(e),
    });
    await advance(6999);
    expect(times(A)).toEqual([0]);
    expect(errors).toEqual([]);
    // 2 tasks × 7 runs (t = 0 … 6000) refused without network; only the 429 itself failed.
    expect(poller.stats()).toMatchObject({ sent: 1, refused: 14, errors: 1 });
    await advance(1);
    expect(
      net.calls
        .filter((c) => c.at === 7000)
        .map((c) => c.url)
        .sort(),
    ).toEqual([`${A}/feed`, `${A}/via-fetch`, `${A}/via-http`]);
  });
});

describe('cooldown length', () => {
  it('consecutive header-less 429s escalate 10 s → 600 s cap, then reset after a success', async () => {
    const script: Record<number, Answer> = {};
    for (let n = 1; n <= 8; n++) script[n] = { status: 429 };
    script[10] = { status: 429 }; // call 9 succeeds
    const { poller, cooldowns, times } = setup({ [A]: script });
    poller.poll(`${A}/feed`, { interval: 1000 });

    await advance(0);
    expect(poller.cooldownUntil(A)).toBe(T0 + 10_000);
    await advance(10_000);
    expect(poller.cooldownUntil(A)).toBe(T0 + 30_000);
    await advance(1_831_000 - elapsed());

    expect(cooldowns.map((c) => c.delayMs)).toEqual([
      10_000, 20_000, 40_000, 80_000, 160_000, 320_000, 600_000, 600_000, 10_000,
    ]);
    expect(cooldowns.map((c) => c.strikes)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 1]);
    expect(cooldowns.every((c) => c.source === 'default' && c.status === 429)).toBe(true);
    expect(times(A)).toEqual([
      0, 10_000, 30_000, 70_000, 150_000, 310_000, 630_000, 1_230_000, 1_830_000, 1_831_000,
    ]);
    expect(poller.cooldownUntil(A)).toBe(T0 + 1_841_000);
    expect(poller.stats().skipped.cooldown).toBeLessThanOrEqual(cooldowns.length);
  });

  it('a 503 with Retry-After also cools the origin', async () => {
    const { poller, net, times, cooldowns } = setup({
      [A]: { 1: { status: 503, headers: { 'retry-after': '7' } } },
    });
    poller.poll(`${A}/feed`, { interval: 1000 });
    await advance(0);
    expect(cooldowns).toMatchObject([{ status: 503, delayMs: 7000, source: 'retry-after' }]);
    await expectRefused(poller, net, 7000);
    await advance(6999);
    expect(times(A)).toEqual([0]);
    await advance(1);
    expect(times(A)).toEqual([0, 7000]);
  });

  /** One 429 with `value`, then the next request comes exactly `ms` later. */
  async function expectNextAfter(value: string, ms: number, source: CooldownStart['source']) {
    vi.setSystemTime(T0);
    const { poller, times, cooldowns } = setup({
      [A]: { 1: { status: 429, headers: { 'retry-after': value } } },
    });
    poller.poll(`${A}/feed`, { interval: 1000 });
    await advance(0);
    expect(cooldowns, value).toMatchObject([{ delayMs: ms, source }]);
    expect(poller.cooldownUntil(A), value).toBe(T0 + ms);
    await advance(ms - 1);
    expect(times(A), value).toEqual([0]);
    await advance(1);
    expect(times(A), value).toEqual([0, ms]);
    poller.dispose();
  }

  it('garbage, negative or fractional Retry-After → the default 10 s cooldown', async () => {
    for (const value of ['soon', '-5', '1.5']) await expectNextAfter(value, 10_000, 'default');
  });

  it('huge Retry-After (or epoch seconds) → clamped to maxMs (10 min)', async () => {
    for (const value of ['99999999999999999999', '1790000000']) {
      await expectNextAfter(value, 600_000, 'retry-after');
    }
  });

  it('Retry-After: 0 means retry now: no refusal, polling keeps its interval', async () => {
    const { poller, times } = setup({
      [A]: { 1: { status: 429, headers: { 'retry-after': '0' } } },
    });
    poller.poll(`${A}/feed`, { interval: 1000 });
    await advance(0);
    expect(poller.cooldownUntil(A)).toBe(0);
    expect((await poller.wrapFetch()(`${A}/direct`)).status).toBe(200);
    await advance(1000);
    expect(times(A)).toEqual([0, 0, 1000]);
  });

  it('cooldown jitter only adds: random 0.5, jitter 0.1 → 7 s becomes 7.35 s', async () => {
    const { poller, times } = setup(
      { [A]: { 1: { status: 429, headers: { 'retry-after': '7' } } } },
      { random: () => 0.5, cooldown: { jitter: 0.1 } },
    );
    poller.poll(`${A}/feed`, { interval: 1000 });
    await advance(0);
    expect(poller.cooldownUntil(A)).toBe(T0 + 7350);
    await advance(7349);
    expect(times(A)).toEqual([0]);
    await advance(1);
    expect(times(A)).toEqual([0, 7350]);
  });
});
