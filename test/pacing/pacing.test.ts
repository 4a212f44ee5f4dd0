// Budget-aware pacing, seen from a poller on the fake clock and network: discovery, budgets
// learned from 429s and announced by headers, the spend rule, wrapped fetch, and pacing: false.
import { describe, expect, it } from 'vitest';
import { LEARN_AFTER } from '../../src/defaults.js';
import {
  CooldownError,
  type CooldownStart,
  DEFAULTS,
  type Poller,
  type PollerEvents,
  type PollerOptions,
} from '../../src/index.js';
import { createResource } from '../../src/resource/index.js';
import { advance, elapsed, T0, useFakeClock } from '../support/clock.js';
import type { FakeCall, FakeNetwork, Respond } from '../support/fake-network.js';
import { fakePoller } from '../support/poller.js';
import { rejectionOf } from '../support/promises.js';
import { fixedWindow } from './fixed-window.js';

useFakeClock();

const A = 'http://a.test';
/** The defaults: EXACT_TIMING turns discovery off, these tests turn it back on. */
const PACED: PollerOptions = { pacing: { ...DEFAULTS.pacing } };
const { reserve } = DEFAULTS.pacing;

/** `count` polls of A/0 … A/(count-1) every `interval` ms; counts data per poll. */
function pollMany(poller: Poller, count = 20, interval = 1000) {
  const got = new Map<number, number>();
  for (let i = 0; i < count; i++) {
    poller.poll(`${A}/${i}`, {
      interval,
      onData: () => got.set(i, (got.get(i) ?? 0) + 1),
      onError: () => {},
    });
  }
  return { served: () => got.size };
}

/** A server that answers the first request with `headers`, every later one with none. */
function announcesOnce(headers: Record<string, string>, latencyMs = 0): Respond {
  return (call: FakeCall) => {
    const response = Response.json({ n: call.n }, { headers: call.n === 1 ? headers : {} });
    return latencyMs === 0 ? response : call.sleep(latencyMs).then(() => response);
  };
}

/** Times (ms since T0) of the calls to A in [from, to). */
const between = (net: FakeNetwork, from: number, to: number) =>
  net.times(A).filter((t) => t >= from && t < to);

function recordEvents(poller: Poller) {
  const budgets: PollerEvents['budget'][] = [];
  const cooldowns: CooldownStart[] = [];
  poller.on('budget', (event) => budgets.push(event));
  poller.on('cooldown', (event) => cooldowns.push(event));
  return { budgets, cooldowns };
}

describe('discovery: one paced request in flight until the budget is known', () => {
  it('20 due polls on a fresh origin: 1 in flight for discoverMs, then maxConcurrent (6) again', async () => {
    const server = fixedWindow({ limit: 1_000_000, windowMs: 60_000, latencyMs: 100 });
    const { poller, net } = fakePoller(PACED, server.respond);
    pollMany(poller);
    await advance(DEFAULTS.pacing.discoverMs - 1);
    // One at a time, back to back, 100 ms each: 600 in the discovery minute.
    expect(net.maxInFlightTo(A)).toBe(1);
    expect(net.count(A)).toBe(DEFAULTS.pacing.discoverMs / 100);
    expect(poller.stats().budgets[A]).toMatchObject({ source: 'unknown', discovering: true });
    net.reset();
    await advance(1);
    // No sign of a limit for a whole minute: the six lanes at once.
    expect(between(net, 60_000, 60_001)).toHaveLength(6);
    expect(net.maxInFlightTo(A)).toBe(6);
    expect(poller.stats().budgets[A]).toMatchObject({ discovering: false });
  });

  it('a response with RateLimit headers ends discovery at once', async () => {
    const { poller, net } = fakePoller(
      PACED,
      announcesOnce(
        { ratelimit: '"default";r=1000;t=60', 'ratelimit-policy': '"default";q=1000;w=60' },
        1000,
      ),
    );
    pollMany(poller);
    await advance(999);
    expect(net.count(A)).toBe(1);
    await advance(1000);
    // From the answer on (t = 1000), paced starts overlap again, up to the six lanes.
    expect(net.maxInFlightTo(A)).toBe(6);
    expect(between(net, 1000, 2000).length).toBeGreaterThanOrEqual(6);
    expect(poller.stats().budgets[A]).toMatchObject({ source: 'announced', discovering: false });
  });
});

describe('a budget learned from a 429 without rate-limit headers', () => {
  it('10 per 10 s window, Retry-After: one 429 in the first window, then none, and at most limit - reserve per window', async () => {
    const server = fixedWindow({ limit: 10, windowMs: 10_000, latencyMs: 100 });
    const { poller } = fakePoller(PACED, server.respond);
    const { budgets, cooldowns } = recordEvents(poller);
    pollMany(poller);
    await advance(10_000);
    expect(server.window(0)).toEqual({ accepted: 10, refused: 1 });
    // The 11th request (sent at 1000, answered at 1100) said Retry-After: 9.
    expect(cooldowns).toMatchObject([{ source: 'retry-after', until: T0 + 10_100 }]);
    expect(budgets).toHaveLength(1);
    expect(budgets[0]).toMatchObject({
      origin: A,
      source: 'learned',
      limit: 10,
      remaining: 0,
      resetAt: T0 + 10_100,
    });
    expect(poller.stats().budgetsLearned).toBe(1);
    for (let window = 1; window < 6; window++) {
      await advance(10_000);
      const counts = server.window(window);
      expect(counts.refused, `429s in window ${window}`).toBe(0);
      expect(counts.accepted, `requests in window ${window}`).toBeLessThanOrEqual(10 - reserve);
      expect(counts.accepted, `requests in window ${window}`).toBeGreaterThanOrEqual(7);
    }
    expect(poller.stats().budgets[A]).toMatchObject({ source: 'learned', limit: 10 });
    expect(poller.stats().rateLimited).toBe(1);
  });

  it('without Retry-After: the window is assumed (assumedWindowMs) and the default cooldown applies', async () => {
    const server = fixedWindow({ limit: 10, windowMs: 60_000, latencyMs: 10, retryAfter: false });
    const { poller } = fakePoller(PACED, server.respond);
    const { budgets, cooldowns } = recordEvents(poller);
    pollMany(poller);
    await advance(60_000);
    expect(server.window(0)).toEqual({ accepted: 10, refused: 1 });
    // The 11th request went at 100 and was answered at 110.
    expect(cooldowns).toEqual([
      {
        origin: A,
        until: T0 + 110 + DEFAULTS.cooldown.defaultMs,
        delayMs: DEFAULTS.cooldown.defaultMs,
        status: 429,
        source: 'default',
        strikes: 1,
      },
    ]);
    expect(budgets).toEqual([
      {
        origin: A,
        source: 'learned',
        limit: 10,
        remaining: 0,
        // The assumed window from the first request, plus the margin of an unknown reset.
        resetAt: T0 + DEFAULTS.pacing.assumedWindowMs + DEFAULTS.pacing.resetMarginMs,
        windowMs: DEFAULTS.pacing.assumedWindowMs,
      },
    ]);
    for (let window = 1; window < 4; window++) {
      await advance(60_000);
      expect(server.window(window).refused, `429s in window ${window}`).toBe(0);
      expect(server.window(window).accepted).toBeLessThanOrEqual(10 - reserve);
    }
  });

  it(`fewer than LEARN_AFTER (${LEARN_AFTER}) accepted before the first 429: nothing learned, the cooldown only`, async () => {
    const server = fixedWindow({ limit: LEARN_AFTER - 1, windowMs: 10_000, latencyMs: 10 });
    const { poller, net } = fakePoller(PACED, server.respond);
    const { budgets, cooldowns } = recordEvents(poller);
    pollMany(poller);
    await advance(9999);
    expect(server.window(0)).toEqual({ accepted: LEARN_AFTER - 1, refused: 1 });
    expect(net.count(A)).toBe(LEARN_AFTER);
    expect(cooldowns).toMatchObject([{ source: 'retry-after', until: T0 + 10_040 }]);
    expect(budgets).toEqual([]);
    expect(poller.stats().budgetsLearned).toBe(0);
    expect(poller.stats().budgets[A]).toMatchObject({ source: 'unknown', discovering: true });
  });
});

describe('announced quotas (RateLimit, RateLimit-Policy, X-RateLimit-*)', () => {
  it('r=5;t=10, q=10;w=10: r - reserve paced sends before the reset, then limit - reserve per window', async () => {
    const { poller, net } = fakePoller(
      PACED,
      announcesOnce({
        ratelimit: '"default";r=5;t=10',
        'ratelimit-policy': '"default";q=10;w=10',
      }),
    );
    pollMany(poller);
    await advance(30_000);
    expect(between(net, 0, 1)).toEqual([0]);
    // Nothing in flight besides the answered request (which r counts): r - reserve = 4.
    expect(between(net, 1, 10_000)).toHaveLength(5 - reserve);
    // Later answers announce nothing: the policy's window renews the quota, full.
    expect(between(net, 10_000, 20_000)).toHaveLength(10 - reserve);
    expect(between(net, 20_000, 30_000)).toHaveLength(10 - reserve);
    expect(poller.stats().budgets[A]).toMatchObject({
      source: 'announced',
      limit: 10,
      windowMs: 10_000,
    });
  });

  it('r=0;t=10: nothing paced until t', async () => {
    const { poller, net } = fakePoller(
      PACED,
      announcesOnce({
        ratelimit: '"default";r=0;t=10',
        'ratelimit-policy': '"default";q=10;w=10',
      }),
    );
    pollMany(poller);
    await advance(9999);
    expect(net.times(A)).toEqual([0]);
    expect(poller.stats().budgets[A]).toMatchObject({ remaining: 0, resetAt: T0 + 10_000 });
    expect(poller.stats().paced).toBeGreaterThan(0);
    await advance(1);
    expect(net.times(A)).toEqual([0, 10_000]);
  });

  it('several policies: the tightest binds ("minute" 4 of 5 left, "second" 10 a second)', async () => {
    const { poller, net } = fakePoller(
      PACED,
      announcesOnce({
        ratelimit: '"second";r=10;t=1, "minute";r=4;t=60',
        'ratelimit-policy': '"second";q=10;w=1, "minute";q=5;w=60',
      }),
    );
    pollMany(poller);
    await advance(120_000);
    const firstMinute = between(net, 1, 60_000).length;
    expect(firstMinute).toBeLessThanOrEqual(4 - reserve);
    expect(firstMinute).toBeGreaterThanOrEqual(1);
    // The minute renews (reset announced at 59 s, whole seconds): 4 paced, the first at once,
    // the others (time to reset) / (left + 1) apart: 59 s / 4, the last one a step before it.
    expect(between(net, 60_000, 120_000)).toEqual([60_000, 74_750, 89_500, 104_250]);
    expect(poller.stats().budgets[A]).toMatchObject({ limit: 5, windowMs: 60_000 });
  });

  it('X-RateLimit-* with an epoch reset, measured against the server Date (2 s behind): nothing until that instant', async () => {
    const { poller, net } = fakePoller(
      PACED,
      announcesOnce({
        'x-ratelimit-limit': '10',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': String(T0 / 1000 + 10),
        date: new Date(T0 - 2000).toUTCString(),
      }),
    );
    pollMany(poller);
    await advance(11_999);
    expect(net.times(A)).toEqual([0]);
    expect(poller.stats().budgets[A]).toMatchObject({
      source: 'announced',
      limit: 10,
      resetAt: T0 + 12_000,
    });
    await advance(1);
    expect(between(net, 12_000, 12_001).length).toBeGreaterThan(0);
  });

  it('malformed values are counted in stats().malformedHeaders and ignored: polling goes on', async () => {
    const { poller, net } = fakePoller(PACED, () =>
      Response.json(
        {},
        {
          headers: {
            ratelimit: '"default";r=-5;t=10',
            'ratelimit-policy': '"default";q=abc',
            'x-ratelimit-remaining': 'lots',
            'x-ratelimit-reset': '10',
          },
        },
      ),
    );
    const polls = pollMany(poller);
    await advance(5000);
    expect(polls.served()).toBe(20);
    // Three bad fields per answer (RateLimit's member, the policy, X-RateLimit-Remaining).
    expect(poller.stats().malformedHeaders).toBe(3 * net.count(A));
    expect(net.count(A)).toBeGreaterThan(20);
    expect(poller.stats().budgets[A]).toMatchObject({ source: 'unknown', limit: undefined });
  });
});

describe('the spend rule', () => {
  it('stalest first: every request goes to the poll not refreshed longest', async () => {
    const server = fixedWindow({ limit: 10, windowMs: 10_000, announce: 'draft-11' });
    const { poller, net } = fakePoller(PACED, server.respond);
    pollMany(poller);
    await advance(60_000);
    expect(net.count(A)).toBeGreaterThanOrEqual(40);
    // Never-read polls first, in subscription order.
    expect(net.paths(A).slice(0, 20)).toEqual([...Array(20).keys()].map((i) => `/${i}`));
    // Then each request goes to a poll sent no later than any other (the answers come at once,
    // so a poll's last send is its last data).
    const lastSent = new Map<string, number>();
    for (const { path, at } of net.calls) {
      const mine = lastSent.get(path) ?? Number.NEGATIVE_INFINITY;
      const stalest = Math.min(
        ...[...Array(20).keys()].map((i) => lastSent.get(`/${i}`) ?? Number.NEGATIVE_INFINITY),
      );
      expect(mine, `${path} at ${at}`).toBe(stalest);
      lastSent.set(path, at);
    }
    expect(server.refused).toBe(0);
  });

  it('spaces paced sends (time to reset) / (left + 1) apart: 10 s / 10 in a renewed window', async () => {
    const { poller, net } = fakePoller(
      PACED,
      announcesOnce({
        ratelimit: '"default";r=10;t=10',
        'ratelimit-policy': '"default";q=10;w=10',
      }),
    );
    pollMany(poller);
    await advance(20_000);
    // From the window's last send (9000) on: 9 sends (10 − reserve) 1 s apart, the first at the
    // renewal, the last one step before the next reset: the steady rate, nothing across it.
    const expected = Array.from({ length: 9 }, (_, k) => 10_000 + k * 1000);
    expect(between(net, 10_000, 20_000)).toEqual(expected);
    expect(between(net, 9000, 9001)).toEqual([9000]);
  });

  it('after a hidden stretch: 0 requests while hidden, then items stale beyond STALE_CYCLES go at once, stalest first, up to the budget', async () => {
    const { poller, net, visibility } = fakePoller(
      PACED,
      announcesOnce({
        ratelimit: '"default";r=10;t=10',
        'ratelimit-policy': '"default";q=10;w=10',
      }),
    );
    pollMany(poller);
    await advance(15_000);
    const visible = net.paths(A);
    expect(visible).toEqual([...Array(visible.length).keys()].map((i) => `/${i}`));
    visibility.set(false);
    net.reset();
    await advance(50_000); // t = 65000
    expect(net.count(A)).toBe(0);
    visibility.set(true);
    await advance(0);
    // The window (60 s to 70 s) is full: limit - reserve at once. The never-read polls first,
    // then those read longest ago.
    const never = [...Array(20 - visible.length).keys()].map((i) => `/${i + visible.length}`);
    const burst = [...never, ...visible].slice(0, 10 - reserve);
    expect(net.paths(A)).toEqual(burst);
    expect(net.times(A)).toEqual(burst.map(() => 65_000));
    await advance(4999);
    expect(net.count(A)).toBe(10 - reserve); // the budget is spent until the reset
    await advance(1);
    expect(between(net, 70_000, 70_001).length).toBeGreaterThan(0);
  });

  // BUG (reported, see pacer.test.ts): each answer takes every other request still in flight
  // off its `r`, answered ones included (they settle after their body), so a burst of six
  // answered r=9…4 leaves 0 where the server has 4 left: after a hidden stretch the burst stops
  // at maxConcurrent, window after window.
  it('after a hidden stretch, with RateLimit on every answer, the burst spends limit - reserve (9, not 6)', async () => {
    const server = fixedWindow({ limit: 10, windowMs: 10_000, announce: 'draft-11' });
    const { poller, net, visibility } = fakePoller(PACED, server.respond);
    pollMany(poller);
    await advance(15_000);
    visibility.set(false);
    await advance(50_000);
    net.reset();
    visibility.set(true);
    await advance(4999);
    expect(between(net, 65_000, 70_000)).toEqual(Array(10 - reserve).fill(65_000));
  });
});

describe('wrapped fetch: never delayed by pacing, always counted', () => {
  const announce = (r: number) =>
    announcesOnce({
      ratelimit: `"default";r=${r};t=10`,
      'ratelimit-policy': '"default";q=10;w=10',
    });

  it('a call while polls are held goes at once, and the next paced poll waits longer', async () => {
    const alone = fakePoller(PACED, announce(4));
    pollMany(alone.poller);
    await advance(10_000);
    const pacedAlone = between(alone.net, 1, 10_000);
    alone.poller.dispose();

    // The same, 10 s later on the clock, with one call of the app's own at 500.
    const start = elapsed();
    const { poller, net } = fakePoller(PACED, announce(4));
    pollMany(poller);
    await advance(500);
    expect(poller.inspect().paced).toBe(19); // every poll but the first is held now
    const response = await poller.wrapFetch()(`${A}/app`);
    expect(response.status).toBe(200);
    expect(net.calls.at(-1)).toMatchObject({ path: '/app', at: start + 500 });
    await advance(9500);
    // The app's call took one of the budget: one paced poll fewer before the reset, and the
    // first of them later than without it.
    const paced = between(net, start + 1, start + 10_000)
      .filter((t) => t !== start + 500)
      .map((t) => t - start);
    expect(paced).toHaveLength(pacedAlone.length - 1);
    expect(paced[0]).toBeGreaterThan(pacedAlone[0] as number);
  });

  it('with nothing left (r=0) the app still gets through, at once; only a cooldown refuses it', async () => {
    let limited = false;
    const { poller, net } = fakePoller(PACED, (call) => {
      if (limited) return new Response('', { status: 429, headers: { 'retry-after': '5' } });
      return announce(0)(call);
    });
    pollMany(poller);
    await advance(1000);
    expect(net.count(A)).toBe(1);
    const calls = await Promise.all([1, 2, 3].map(() => poller.wrapFetch()(`${A}/app`)));
    expect(calls.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(net.times(A)).toEqual([0, 1000, 1000, 1000]);
    expect(poller.stats().budgets[A]?.remaining).toBe(0);
    limited = true;
    expect((await poller.wrapFetch()(`${A}/app`)).status).toBe(429); // a cooldown starts
    const refused = await rejectionOf(poller.wrapFetch()(`${A}/app`));
    expect(refused).toBeInstanceOf(CooldownError);
    expect(net.count(A)).toBe(5);
  });
});

describe('pacing: false', () => {
  it('no discovery, no budget: six in flight at once, every window bursts into six 429s as before', async () => {
    const server = fixedWindow({ limit: 10, windowMs: 10_000, latencyMs: 100 });
    const { poller, net } = fakePoller({ pacing: false }, server.respond);
    pollMany(poller);
    await advance(0);
    expect(net.times(A)).toEqual([0, 0, 0, 0, 0, 0]);
    await advance(30_000);
    expect(net.maxInFlightTo(A)).toBe(6);
    for (let window = 0; window < 3; window++) {
      expect(server.window(window)).toEqual({ accepted: 10, refused: 6 });
    }
    expect(poller.stats()).toMatchObject({ paced: 0, budgetsLearned: 0, budgets: {} });
  });

  it('announced quotas hold nothing', async () => {
    const { poller, net } = fakePoller(
      { pacing: false },
      announcesOnce({ ratelimit: '"default";r=0;t=10' }),
    );
    pollMany(poller);
    await advance(2000);
    expect(net.count(A)).toBe(60);
    expect(poller.stats().budgets).toEqual({});
  });
});

describe('cooldown jitter is drawn once per episode', () => {
  it('six parallel 429s, Retry-After 10, jitter 0.5, ever larger draws: the first answer draws, the other five keep its end', async () => {
    // The scheduler draws too (tick jitter): every draw is larger than the one before, so a
    // cooldown extended by a later draw would end later with each answer.
    const drawn: number[] = [];
    const random = () => {
      drawn.push(0.05 * (drawn.length + 1));
      return drawn.at(-1) as number;
    };
    const { poller } = fakePoller({ pacing: false, random, cooldown: { jitter: 0.5 } }, (call) =>
      call
        .sleep(100)
        .then(() => new Response('', { status: 429, headers: { 'retry-after': '10' } })),
    );
    const { cooldowns } = recordEvents(poller);
    pollMany(poller, 6);
    await advance(100);
    expect(cooldowns).toHaveLength(6);
    const [first] = cooldowns as [CooldownStart];
    // Answered at 100: 10 s and one draw (some d of those made: 0.5 × d × 10 s).
    const spread = first.until - (T0 + 100 + 10_000);
    expect(drawn.some((d) => Math.ceil(0.5 * d * 10_000) === spread)).toBe(true);
    expect(cooldowns.map((c) => c.until)).toEqual(Array(6).fill(first.until));
    expect(poller.cooldownUntil(`${A}/`)).toBe(first.until);
  });
});

describe('probing beyond a learned budget (probeEvery windows)', () => {
  /** `limit` per 10 s with Retry-After, learned in window 0; 40 polls; probe every 2nd window. */
  async function learned(limit: number) {
    const server = fixedWindow({ limit, windowMs: 10_000 });
    const { poller } = fakePoller(
      { pacing: { ...DEFAULTS.pacing, probeEvery: 2 } },
      server.respond,
    );
    const { budgets } = recordEvents(poller);
    pollMany(poller, 40);
    await advance(20_000);
    // Discovery sends one at a time and the answers come at once: all at t = 0, the 429 too.
    expect(server.window(0)).toEqual({ accepted: limit, refused: 1 });
    expect(budgets).toMatchObject([{ source: 'learned', limit, resetAt: T0 + 10_000 }]);
    expect(server.window(1).refused).toBe(0);
    return { server, poller, budgets };
  }

  // A probe window is counted as a window, not by the sliding count (which would take its first
  // second from the window before: it sent only the limit once), and the reserve is not kept in it.
  it('the probe window sends limit + ceil(limit / 10) (two beyond 20); a server that takes them raises the limit', async () => {
    const { server, poller } = await learned(20);
    server.setLimit(25);
    await advance(10_000); // window 2: the probe
    expect(server.window(2)).toEqual({ accepted: 20 + 2, refused: 0 });
    expect(poller.stats().budgets[A]).toMatchObject({ source: 'learned', limit: 22 });
  });

  it('a probe costs at most one 429; the limit stays, and the next window has none', async () => {
    const { server, poller } = await learned(20);
    await advance(10_000);
    expect(server.window(2).refused).toBeLessThanOrEqual(1);
    expect(poller.stats().budgets[A]).toMatchObject({ source: 'learned', limit: 20 });
    await advance(10_000);
    expect(server.window(3).refused).toBe(0);
  });

  // The probe window keeps no reserve, and its spacing is window / (limit + probe): for a limit
  // of 10 or less it once sent exactly the limit, and a raised limit was never found.
  it('a learned limit of 10: the probe window sends 11, and a server raised to 15 is found', async () => {
    const { server, poller } = await learned(10);
    server.setLimit(15);
    await advance(10_000);
    expect(server.window(2)).toEqual({ accepted: 11, refused: 0 });
    expect(poller.stats().budgets[A]).toMatchObject({ limit: 11 });
  });
});

describe('a budget that relaxes wakes what it held', () => {
  const exhausted = {
    'x-ratelimit-limit': '60',
    'x-ratelimit-remaining': '0',
    'x-ratelimit-reset': '3600',
  };
  const raised = {
    'x-ratelimit-limit': '5000',
    'x-ratelimit-remaining': '4999',
    'x-ratelimit-reset': '3600',
  };

  it('polls held until an hour-away reset go on once a later answer raises the budget (a wrapped fetch after sign-in)', async () => {
    let headers: Record<string, string> = exhausted;
    const { poller, net } = fakePoller(PACED, () => Response.json({}, { headers }));
    for (let i = 0; i < 3; i++) poller.poll(`${A}/${i}`, { interval: 1000 });
    await advance(5000);
    expect(poller.inspect().paced).toBe(3);
    const before = net.count(A);
    headers = raised;
    await poller.wrapFetch()(`${A}/app`);
    await advance(2000);
    // The three held polls go on within the new budget's spacing (3600 s / 4999 apart).
    expect(net.count(A) - before - 1).toBeGreaterThanOrEqual(3);
  });

  it('a resource sweep held until the old reset goes on too', async () => {
    let headers: Record<string, string> = exhausted;
    const { poller, net } = fakePoller(PACED, () => Response.json({ v: 1 }, { headers }));
    const items = createResource<string, unknown>(poller, {
      item: { url: (id) => `${A}/item/${id}` },
      // No tick for a minute: only the relaxed budget can set the held sweep going.
      interval: 60_000,
    });
    for (const id of ['a', 'b', 'c']) items.subscribe(id, () => {});
    await advance(5000);
    const before = net.count(A);
    headers = raised;
    await poller.wrapFetch()(`${A}/app`);
    await advance(1000);
    expect(net.count(A) - before - 1).toBeGreaterThanOrEqual(2);
  });
});
