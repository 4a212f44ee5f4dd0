// The Pacer alone: what it counts, learns and announces per origin, and when it lets a paced
// request go. No poller, no timers: every time is given, every answer exact.
import { describe, expect, it } from 'vitest';
import { LEARN_AFTER, PACED_START_TTL_MS, STALE_CYCLES } from '../../src/defaults.js';
import { createEventBus, type PollerEvents } from '../../src/events.js';
import { DEFAULTS } from '../../src/index.js';
import type { CooldownHint, PacingSettings } from '../../src/pacing/origin-budget.js';
import { Pacer } from '../../src/pacing/pacer.js';
import { createStats } from '../../src/stats.js';
import { T0 } from '../support/clock.js';

const A = 'https://a.test';
const B = 'https://b.test';
const SETTINGS: PacingSettings = { ...DEFAULTS.pacing };
const NO_HEADERS = {};
const retryAfter = (delayMs: number): CooldownHint => ({ delayMs, source: 'retry-after' });
const defaultCooldown = (delayMs: number): CooldownHint => ({ delayMs, source: 'default' });
/** RateLimit + RateLimit-Policy (draft-11) of one policy. */
const draft11 = (r: number, t: number, q?: number, w?: number): Record<string, string> => ({
  ratelimit: `"default";r=${r};t=${t}`,
  ...(q === undefined ? {} : { 'ratelimit-policy': `"default";q=${q};w=${w}` }),
});

function setup(settings: Partial<PacingSettings> | false = {}) {
  const stats = createStats();
  const events = createEventBus();
  const budgets: PollerEvents['budget'][] = [];
  events.on('budget', (event) => budgets.push(event));
  const pacer = new Pacer(
    settings === false ? false : { ...SETTINGS, ...settings },
    256,
    stats,
    events,
  );
  /** One request to `origin` sent at `at`, answered `latency` ms later, then over. */
  const exchange = (
    at: number,
    answer: { status?: number; headers?: Record<string, string>; hint?: CooldownHint } = {},
    { origin = A, latency = 0 } = {},
  ) => {
    const sentAt = pacer.sent(origin, at);
    const { status = 200, headers = NO_HEADERS, hint = null } = answer;
    pacer.answered(origin, { status, headers: new Headers(headers) }, sentAt, at + latency, hint);
    pacer.settled(origin);
  };
  /**
   * Paced requests `take` lets go at `now` (each then sent, and over without an answer) for
   * items `age` ms old, until it holds one back (at most `max`).
   */
  const takeAll = (now: number, age = 0, sharing = 1, max = 100) => {
    let taken = 0;
    while (taken < max && pacer.take(A, now, age, sharing) === 0) {
      pacer.sent(A, now);
      pacer.settled(A, false);
      taken++;
    }
    return taken;
  };
  return { pacer, stats, budgets, exchange, takeAll };
}

describe('Pacer: discovery (one paced request in flight until a budget is known)', () => {
  it('an origin never sent to, or sending without any sign of a limit for less than discoverMs, runs 1; then the configured number', () => {
    const { pacer, exchange } = setup();
    expect(pacer.concurrency(A, 6, T0)).toBe(1);
    exchange(T0 + 5000); // the discovery period starts with the first request
    expect(pacer.concurrency(A, 6, T0 + 5000 + SETTINGS.discoverMs - 1)).toBe(1);
    expect(pacer.concurrency(A, 6, T0 + 5000 + SETTINGS.discoverMs)).toBe(6);
    // Free for good: no later look takes it back while nothing is learned.
    expect(pacer.concurrency(A, 6, T0 + 10 * SETTINGS.discoverMs)).toBe(6);
    expect(pacer.view(A, T0 + 5000 + SETTINGS.discoverMs)).toMatchObject({
      source: 'unknown',
      discovering: false,
    });
  });

  it('a response announcing a quota ends discovery at once; other origins still discover', () => {
    const { pacer, exchange } = setup();
    exchange(T0, { headers: draft11(50, 30, 100, 60) });
    expect(pacer.concurrency(A, 6, T0)).toBe(6);
    expect(pacer.concurrency(B, 6, T0)).toBe(1);
  });

  it('a learned budget ends discovery too', () => {
    const { pacer, exchange } = setup();
    for (let i = 0; i < 5; i++) exchange(T0 + i);
    expect(pacer.concurrency(A, 6, T0 + 10)).toBe(1);
    exchange(T0 + 10, { status: 429, hint: retryAfter(5000) });
    expect(pacer.concurrency(A, 6, T0 + 10)).toBe(6);
  });

  it('pacing: false never discovers, never holds, and keeps no budget', () => {
    const { pacer, exchange, takeAll } = setup(false);
    expect(pacer.concurrency(A, 6, T0)).toBe(6);
    exchange(T0, { headers: draft11(0, 30, 100, 60) });
    expect(takeAll(T0)).toBe(100);
    expect(pacer.view(A, T0)).toBeUndefined();
  });
});

describe('Pacer: a budget learned from a 429 without rate-limit headers', () => {
  it('limit = requests the window accepted, reset = the Retry-After instant; one event, counted', () => {
    const { pacer, stats, budgets, exchange } = setup();
    for (let i = 0; i < 10; i++) exchange(T0 + i * 100);
    exchange(T0 + 990, { status: 429, hint: retryAfter(9000) }, { latency: 10 });
    const learned = {
      origin: A,
      source: 'learned',
      limit: 10,
      remaining: 0,
      resetAt: T0 + 10_000,
      // The first 429 bounds the window from below: from the first request to the reset.
      windowMs: 10_000,
    };
    expect(budgets).toEqual([learned]);
    expect(stats.budgetsLearned).toBe(1);
    expect(pacer.view(A, T0 + 1000)).toEqual({
      source: 'learned',
      limit: 10,
      remaining: 0,
      resetAt: T0 + 10_000,
      windowMs: 10_000,
      inflight: 0,
      discovering: false,
    });
    // Nothing paced goes before the reset; at the reset the window is full again.
    expect(pacer.take(A, T0 + 1000, 0, 1)).toBe(T0 + 10_000);
    expect(pacer.take(A, T0 + 9999, 0, 1)).toBe(T0 + 10_000);
    expect(pacer.view(A, T0 + 10_000)).toMatchObject({ remaining: 10, resetAt: T0 + 20_000 });
    expect(pacer.take(A, T0 + 10_000, 0, 1)).toBe(0);
  });

  it(`fewer than LEARN_AFTER (${LEARN_AFTER}) accepted before the 429: nothing is learned, the cooldown does it`, () => {
    const { pacer, stats, budgets, exchange } = setup();
    for (let i = 0; i < LEARN_AFTER - 1; i++) exchange(T0 + i);
    exchange(T0 + 10, { status: 429, hint: retryAfter(9000) });
    expect(budgets).toEqual([]);
    expect(stats.budgetsLearned).toBe(0);
    expect(pacer.view(A, T0 + 10)).toMatchObject({ source: 'unknown', discovering: true });
    expect(pacer.take(A, T0 + 10, 0, 1)).toBe(0);
  });

  it(`exactly LEARN_AFTER accepted is enough`, () => {
    const { stats, budgets, exchange } = setup();
    for (let i = 0; i < LEARN_AFTER; i++) exchange(T0 + i);
    exchange(T0 + 10, { status: 429, hint: retryAfter(9000) });
    expect(budgets).toMatchObject([{ source: 'learned', limit: LEARN_AFTER }]);
    expect(stats.budgetsLearned).toBe(1);
  });

  it('without a readable Retry-After the window is assumed, and the reset is the later of its end and the cooldown, plus the margin', () => {
    const { budgets, exchange } = setup();
    for (let i = 0; i < 10; i++) exchange(T0 + i * 10);
    exchange(T0 + 100, { status: 429, hint: defaultCooldown(10_000) });
    expect(budgets).toEqual([
      {
        origin: A,
        source: 'learned',
        limit: 10,
        remaining: 0,
        resetAt: T0 + SETTINGS.assumedWindowMs + SETTINGS.resetMarginMs,
        windowMs: SETTINGS.assumedWindowMs,
      },
    ]);
    // A default cooldown that outlasts the assumed window sets the reset.
    const late = setup({ assumedWindowMs: 5000 });
    for (let i = 0; i < 10; i++) late.exchange(T0 + i * 10);
    late.exchange(T0 + 100, { status: 429, hint: defaultCooldown(10_000) });
    expect(late.budgets).toMatchObject([
      { resetAt: T0 + 100 + 10_000 + SETTINGS.resetMarginMs, windowMs: 5000 },
    ]);
  });

  it('a 429 does not count as accepted, and requests answered 429 before learning do not either', () => {
    const { budgets, exchange } = setup();
    for (let i = 0; i < 6; i++) exchange(T0 + i);
    exchange(T0 + 10, { status: 503 }); // an error, no Retry-After: neither accepted nor learned
    exchange(T0 + 20, { status: 429, hint: retryAfter(1000) });
    expect(budgets).toMatchObject([{ limit: 6 }]);
  });
});

describe('Pacer: announced quotas', () => {
  it('reserve is left unspent: paced takes before the reset differ by exactly the reserve', () => {
    const [none, one, three] = [0, 1, 3].map((reserve) => {
      const { exchange, takeAll } = setup({ reserve });
      exchange(T0, { headers: draft11(10, 10, 20, 10) });
      return takeAll(T0, 10 * 60_000); // stale: no spacing, only the count binds
    }) as [number, number, number];
    expect(none - one).toBe(1);
    expect(none - three).toBe(3);
  });

  it('r=0: nothing paced until t; then a quota with a window starts full again', () => {
    const { pacer, exchange, takeAll } = setup();
    exchange(T0, { headers: draft11(0, 10, 5, 10) });
    expect(pacer.take(A, T0, 10 * 60_000, 20)).toBe(T0 + 10_000);
    expect(pacer.take(A, T0 + 9999, 10 * 60_000, 20)).toBe(T0 + 10_000);
    expect(pacer.view(A, T0 + 10_000)).toMatchObject({ remaining: 5, resetAt: T0 + 20_000 });
    expect(takeAll(T0 + 10_000, 10 * 60_000)).toBe(5 - SETTINGS.reserve);
  });

  it('r=0 without a window: nothing paced until t, then the quota is forgotten (nothing holds)', () => {
    const { pacer, exchange } = setup();
    exchange(T0, { headers: draft11(0, 10) });
    expect(pacer.take(A, T0 + 9999, 10 * 60_000, 20)).toBe(T0 + 10_000);
    expect(pacer.take(A, T0 + 10_000, 0, 20)).toBe(0);
    expect(pacer.view(A, T0 + 10_000)).toMatchObject({ source: 'unknown', limit: undefined });
  });

  it('several policies: the one with the least left binds, in either order', () => {
    for (const [ratelimit, policy] of [
      ['"second";r=10;t=1, "minute";r=4;t=60', '"second";q=10;w=1, "minute";q=5;w=60'],
      ['"minute";r=4;t=60, "second";r=10;t=1', '"minute";q=5;w=60, "second";q=10;w=1'],
    ] as const) {
      const { pacer, exchange, takeAll } = setup();
      exchange(T0, { headers: { ratelimit, 'ratelimit-policy': policy } });
      expect(pacer.view(A, T0)).toMatchObject({ limit: 5, windowMs: 60_000 });
      // "second" renews every second, "minute" does not: over the minute, "minute" binds.
      let taken = 0;
      for (let s = 0; s < 60; s++) taken += takeAll(T0 + s * 1000, 10 * 60_000);
      expect(taken).toBeLessThanOrEqual(4 - SETTINGS.reserve);
      expect(pacer.take(A, T0 + 59_999, 10 * 60_000, 1)).toBe(T0 + 60_000);
    }
  });

  it('X-RateLimit-* with an epoch reset: the reset is that instant, measured against the Date header', () => {
    const { pacer, exchange } = setup();
    const date = new Date(T0).toUTCString();
    // The server's clock is 2 s behind ours: the reset is 30 s after its Date, not after our now.
    exchange(T0 + 2000, {
      headers: {
        'x-ratelimit-limit': '60',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': String(T0 / 1000 + 30),
        date,
      },
    });
    expect(pacer.view(A, T0 + 2000)).toMatchObject({
      source: 'announced',
      limit: 60,
      remaining: 0,
      resetAt: T0 + 2000 + 30_000,
    });
    expect(pacer.take(A, T0 + 2000, 10 * 60_000, 1)).toBe(T0 + 32_000);
  });

  it('malformed fields are counted and ignored: the origin stays unknown, nothing is held', () => {
    const { pacer, stats, exchange, takeAll } = setup();
    exchange(T0, {
      headers: {
        ratelimit: '"default";r=-5;t=10',
        'ratelimit-policy': '"default";q=abc',
        'x-ratelimit-remaining': 'lots',
        'x-ratelimit-reset': '10',
      },
    });
    expect(stats.malformedHeaders).toBe(3);
    expect(pacer.view(A, T0)).toMatchObject({ source: 'unknown', limit: undefined });
    expect(takeAll(T0)).toBe(100);
  });

  it('announced quotas replace a learned one', () => {
    const { pacer, budgets, exchange } = setup();
    for (let i = 0; i < 5; i++) exchange(T0 + i);
    exchange(T0 + 10, { status: 429, hint: retryAfter(5000) });
    exchange(T0 + 5010, { headers: draft11(7, 20, 8, 20) });
    expect(budgets.map((b) => b.source)).toEqual(['learned', 'announced']);
    expect(pacer.view(A, T0 + 5010)).toMatchObject({ source: 'announced', limit: 8 });
  });

  it('requests sent after the reading are taken off what it announced', () => {
    const { pacer, exchange } = setup();
    exchange(T0, { headers: draft11(10, 10, 20, 10) });
    const before = pacer.view(A, T0)?.remaining as number;
    pacer.sent(A, T0 + 1); // the app's own call: counted, never held
    pacer.sent(A, T0 + 2);
    expect(pacer.view(A, T0 + 2)?.remaining).toBe(before - 2);
  });

  // The request whose answer carries `r` is still counted in flight then (`settled` comes after
  // `answered`), but the server counted it in `r`: it is not taken off again (fixed in 6d53d98).
  it('the answered request itself is not taken off r a second time (r=5, reserve 1: 4 paced before t)', () => {
    const { pacer, exchange, takeAll } = setup();
    exchange(T0, { headers: draft11(5, 10, 10, 10) });
    expect(pacer.view(A, T0)?.remaining).toBe(5);
    expect(takeAll(T0, 10 * 60_000)).toBe(5 - SETTINGS.reserve);
  });

  // BUG (reported): six requests sent together, answered r=9…4 before any settles (the body
  // is read after the answer): each answer takes the five others in flight off its r, answered
  // or not, so the last leaves remaining = max(0, 4 - 5) = 0 where the server has 4 left. After
  // a hidden stretch the burst stops at maxConcurrent (6 of a limit of 10), window after window.
  it('answers to requests sent together leave what the last answer announced (r=4 after six: 3 more paced)', () => {
    const { pacer, takeAll } = setup();
    const sentAt = Array.from({ length: 6 }, () => pacer.sent(A, T0));
    sentAt.forEach((at, i) => {
      const headers = new Headers(draft11(9 - i, 10, 10, 10));
      pacer.answered(A, { status: 200, headers }, at, T0, null);
    });
    for (let i = 0; i < 6; i++) pacer.settled(A);
    expect(pacer.view(A, T0)?.remaining).toBe(4);
    expect(takeAll(T0, 10 * 60_000)).toBe(4 - SETTINGS.reserve);
  });
});

describe('Pacer: the spend rule', () => {
  it('spaces paced requests by (time to reset) / (left + 1), from the last paced start', () => {
    const { pacer, exchange } = setup();
    exchange(T0, { headers: draft11(10, 10, 20, 10) }); // remaining 9 after the reading
    const left = (pacer.view(A, T0)?.remaining as number) - SETTINGS.reserve;
    expect(pacer.take(A, T0, 0, 5)).toBe(0);
    // One pending start (not yet admitted) counts as spent already.
    expect(pacer.take(A, T0, 0, 5)).toBe(T0 + 10_000 / left);
    pacer.sent(A, T0);
    // Asked later, the spacing is measured from the last paced start with what is left then.
    expect(pacer.take(A, T0 + 500, 0, 5)).toBe(T0 + 9500 / left);
    expect(pacer.take(A, T0 + 9500 / left, 0, 5)).toBe(0);
  });

  it('a learned budget is never spent faster than its steady rate (window / limit)', () => {
    const { pacer, exchange } = setup();
    for (let i = 0; i < 10; i++) exchange(T0 + i);
    exchange(T0 + 10, { status: 429, hint: retryAfter(9990) }); // reset T0+10000, window 10000
    expect(pacer.take(A, T0 + 10_000, 0, 5)).toBe(0);
    pacer.sent(A, T0 + 10_000);
    // 8 more of 10 (reserve 1) before the reset: 10 s / 9 apart; steady is 1000: the larger wins.
    expect(pacer.take(A, T0 + 10_000, 0, 5)).toBe(T0 + 10_000 + 10_000 / 9);
    // Late in the window, with plenty left, the steady rate binds.
    const late = setup();
    for (let i = 0; i < 10; i++) late.exchange(T0 + i);
    late.exchange(T0 + 10, { status: 429, hint: retryAfter(9990) });
    expect(late.pacer.take(A, T0 + 19_000, 0, 5)).toBe(0);
    late.pacer.sent(A, T0 + 19_000);
    expect(late.pacer.take(A, T0 + 19_000, 0, 5)).toBe(T0 + 19_000 + 1000);
  });

  it(`an item staler than STALE_CYCLES (${STALE_CYCLES}) cycles of the items sharing the budget goes at once, up to the budget`, () => {
    const { pacer, exchange, takeAll } = setup();
    exchange(T0, { headers: draft11(10, 10, 10, 10) }); // steady: 1000 ms per request
    // 4 items share the budget: a cycle is 4 s, the line STALE_CYCLES of it.
    const line = STALE_CYCLES * 4 * 1000;
    expect(pacer.take(A, T0, 0, 4)).toBe(0);
    expect(pacer.take(A, T0, line, 4)).toBeGreaterThan(T0);
    const left = pacer.view(A, T0)?.remaining as number;
    expect(takeAll(T0, line + 1, 4)).toBe(left - SETTINGS.reserve - 1);
    expect(pacer.take(A, T0, line + 1, 4)).toBe(T0 + 10_000);
  });

  it('a start that is never admitted stops counting after PACED_START_TTL_MS', () => {
    const { pacer, exchange } = setup();
    exchange(T0, { headers: draft11(4, 10, 4, 10) });
    const stale = 10 * 60_000;
    /** Starts `take` grants at `now` that never reach the door (a task that skips). */
    const starts = (now: number) => {
      let granted = 0;
      while (pacer.take(A, now, stale, 1) === 0) granted++;
      return granted;
    };
    const first = starts(T0);
    expect(first).toBeGreaterThan(0);
    expect(starts(T0 + PACED_START_TTL_MS - 1)).toBe(0);
    expect(starts(T0 + PACED_START_TTL_MS)).toBe(first);
  });
});

describe('Pacer: probing beyond a learned limit', () => {
  /** A budget of `limit` learned at T0 + 10 s (window 10 s), probing every `probeEvery` windows. */
  function learnedAt(limit: number, probeEvery: number) {
    const s = setup({ probeEvery });
    for (let i = 0; i < limit; i++) s.exchange(T0 + i);
    s.exchange(T0 + limit, { status: 429, hint: retryAfter(10_000 - limit) });
    expect(s.budgets).toMatchObject([{ limit, resetAt: T0 + 10_000, windowMs: 10_000 }]);
    return s;
  }

  it('every probeEvery windows the window allows limit + max(1, ceil(limit / 10)), then back to limit', () => {
    const { pacer } = learnedAt(20, 2);
    expect(pacer.view(A, T0 + 10_000)).toMatchObject({ remaining: 20 }); // window 1
    expect(pacer.view(A, T0 + 20_000)).toMatchObject({ remaining: 22 }); // window 2: probe
    expect(pacer.view(A, T0 + 30_000)).toMatchObject({ remaining: 20 });
    expect(pacer.view(A, T0 + 40_000)).toMatchObject({ remaining: 22 });
  });

  it('a probe the server accepts raises the limit; one it refuses keeps it and costs one 429', () => {
    const accepted = learnedAt(20, 1);
    for (let i = 0; i < 21; i++) accepted.exchange(T0 + 10_000 + i * 10);
    expect(accepted.pacer.view(A, T0 + 10_300)).toMatchObject({ limit: 21 });

    const refused = learnedAt(20, 1);
    for (let i = 0; i < 20; i++) refused.exchange(T0 + 10_000 + i * 10);
    refused.exchange(T0 + 10_200, { status: 429, hint: retryAfter(9800) });
    expect(refused.pacer.view(A, T0 + 10_200)).toMatchObject({
      limit: 20,
      resetAt: T0 + 20_000,
      windowMs: 10_000,
    });
    expect(refused.stats.budgetsLearned).toBe(2);
  });
});

describe('Pacer: bounded and cleared', () => {
  it('stats() shows each origin; clear() forgets them', () => {
    const { pacer, exchange } = setup();
    exchange(T0, { headers: draft11(10, 10, 20, 10) });
    exchange(T0, {}, { origin: B });
    expect(Object.keys(pacer.views(T0))).toEqual([A, B]);
    expect(pacer.size).toBe(2);
    pacer.clear();
    expect(pacer.size).toBe(0);
    expect(pacer.views(T0)).toEqual({});
  });
});

describe('Pacer: the reserve on small limits', () => {
  it.each([
    [5, 5, 1],
    [5, 6, 1],
    [5, 7, 2],
    [1, 1, 1],
    [1, 2, 1],
  ])(
    'reserve %i, limit %i: %i paced (the reserve never takes a limit whole, and grows with it)',
    (reserve, limit, paced) => {
      const { exchange, takeAll } = setup({ reserve });
      exchange(T0, { headers: draft11(limit, 10, limit, 10) });
      expect(takeAll(T0, Number.POSITIVE_INFINITY, 1)).toBe(paced);
    },
  );
});
