import { describe, expect, it } from 'vitest';
import { BreakerRegistry } from '../../src/breaker/breaker-registry.js';
import { type BreakerSettings, CircuitBreaker } from '../../src/breaker/circuit-breaker.js';
import { DEFAULTS } from '../../src/index.js';

const A = 'http://a.test';
const B = 'http://b.test';
const C = 'http://c.test';

const settings = (overrides: Partial<BreakerSettings> = {}): BreakerSettings => ({
  ...DEFAULTS.breaker,
  ...overrides,
});

/** Records `n` outcomes at `at` (all failed or all succeeded); returns the last transition. */
function recordMany(breaker: CircuitBreaker, n: number, failed: boolean, at = 0) {
  let last: ReturnType<CircuitBreaker['record']>;
  for (let i = 0; i < n; i++) last = breaker.record(failed, at);
  return last;
}

/** Opens a fresh breaker with `minRequests` failures at `at`. */
function opened(s = settings(), at = 0): CircuitBreaker {
  const breaker = new CircuitBreaker(A, s);
  recordMany(breaker, s.minRequests, true, at);
  expect(breaker.state).toBe('open');
  return breaker;
}

describe('CircuitBreaker: the window', () => {
  it('documents the defaults it is tested against', () => {
    expect(DEFAULTS.breaker).toEqual({
      windowSize: 20,
      windowMs: 60_000,
      minRequests: 5,
      failureRatio: 0.5,
      openMs: 30_000,
    });
  });

  it('is a ring buffer: after 10,000 successes it counts at most windowSize outcomes', () => {
    const breaker = new CircuitBreaker(A, settings());
    expect(recordMany(breaker, 10_000, false)).toBeUndefined();
    expect(breaker.state).toBe('closed');
    // A growing list would count 10,009 samples, 9 failures: far below 50%, never open.
    // The ring holds the last 20: 11 successes + 9 failures is still below 50% ...
    expect(recordMany(breaker, 9, true)).toBeUndefined();
    expect(breaker.state).toBe('closed');
    // ... and the 10th failure makes it exactly 10 of 20.
    expect(breaker.record(true, 0)).toEqual({
      origin: A,
      state: 'open',
      until: 30_000,
      failures: 10,
      samples: 20,
    });
  });

  it('never reports more samples than windowSize, whatever the traffic', () => {
    const breaker = new CircuitBreaker(
      A,
      settings({ windowSize: 7, minRequests: 3, failureRatio: 1 }),
    );
    recordMany(breaker, 10_000, true, 0); // opened long ago; later records are ignored
    expect(breaker.state).toBe('open');
    const probe = breaker.admit(30_000);
    expect(probe.allowed).toBe(true);
    breaker.record(false, 30_000); // closes and clears
    recordMany(breaker, 10_000, false, 30_001);
    const transition = recordMany(breaker, 7, true, 30_002);
    expect(transition).toEqual({
      origin: A,
      state: 'open',
      until: 60_002,
      failures: 7,
      samples: 7,
    });
  });

  it('opens exactly at minRequests failures, not one earlier', () => {
    const breaker = new CircuitBreaker(A, settings());
    for (let i = 1; i < 5; i++) {
      expect(breaker.record(true, i)).toBeUndefined();
      expect(breaker.state).toBe('closed');
    }
    expect(breaker.record(true, 5)).toEqual({
      origin: A,
      state: 'open',
      until: 30_005,
      failures: 5,
      samples: 5,
    });
    expect(breaker.until).toBe(30_005);
  });

  it('opens exactly at failureRatio: 5 failures after 5 successes (5/10), not 4 (4/9)', () => {
    const breaker = new CircuitBreaker(A, settings());
    recordMany(breaker, 5, false);
    expect(recordMany(breaker, 4, true)).toBeUndefined();
    expect(breaker.state).toBe('closed');
    expect(breaker.record(true, 0)).toMatchObject({ state: 'open', failures: 5, samples: 10 });
  });

  it('honours custom thresholds (minRequests 3, ratio 0.75)', () => {
    const breaker = new CircuitBreaker(A, settings({ minRequests: 3, failureRatio: 0.75 }));
    breaker.record(false, 0);
    recordMany(breaker, 2, true); // 2 of 3: below 0.75
    expect(breaker.state).toBe('closed');
    expect(breaker.record(true, 0)).toMatchObject({ state: 'open', failures: 3, samples: 4 });
  });

  it('successes never open it, however many', () => {
    const breaker = new CircuitBreaker(A, settings({ minRequests: 1, failureRatio: 0.01 }));
    expect(recordMany(breaker, 1000, false)).toBeUndefined();
    expect(breaker.state).toBe('closed');
  });

  it('outcomes older than windowMs do not count (the boundary itself still counts)', () => {
    const a = new CircuitBreaker(A, settings());
    recordMany(a, 4, true, 0);
    expect(a.record(true, 60_001)).toBeUndefined(); // the 4 old failures fell out: 1 sample
    expect(a.state).toBe('closed');

    const b = new CircuitBreaker(B, settings());
    recordMany(b, 4, true, 0);
    expect(b.record(true, 60_000)).toMatchObject({ state: 'open', failures: 5, samples: 5 });
  });

  it('old successes fall out of the window too: they do not dilute a fresh outage', () => {
    const breaker = new CircuitBreaker(A, settings());
    recordMany(breaker, 15, false, 0);
    // 70 s later: 5 failures among 15 stale successes are 5 of 5 within the window.
    expect(recordMany(breaker, 5, true, 70_000)).toMatchObject({ failures: 5, samples: 5 });
  });
});

describe('CircuitBreaker: open, half-open, close', () => {
  it('while open, admits nothing until openMs has passed', () => {
    const breaker = opened();
    expect(breaker.blockedUntil(0)).toBe(30_000);
    expect(breaker.admit(0)).toEqual({ allowed: false });
    expect(breaker.admit(29_999)).toEqual({ allowed: false });
    expect(breaker.blockedUntil(29_999)).toBe(30_000);
    expect(breaker.state).toBe('open');
  });

  it('ignores outcomes recorded while open (late answers from before it opened)', () => {
    const breaker = opened();
    expect(breaker.record(false, 100)).toBeUndefined();
    expect(breaker.record(true, 200)).toBeUndefined();
    expect(breaker.state).toBe('open');
    expect(breaker.until).toBe(30_000);
  });

  it('half-open admits exactly one probe; every other request is refused until it answers', () => {
    const breaker = opened();
    expect(breaker.blockedUntil(30_000)).toBe(0);
    expect(breaker.admit(30_000)).toEqual({
      allowed: true,
      transition: { origin: A, state: 'half-open' },
    });
    expect(breaker.state).toBe('half-open');
    for (const t of [30_000, 30_001, 45_000, 59_999]) {
      expect(breaker.admit(t)).toEqual({ allowed: false });
      expect(breaker.blockedUntil(t)).toBe(60_000);
    }
  });

  it('a successful probe closes it and clears the window', () => {
    const breaker = opened();
    breaker.admit(30_000);
    expect(breaker.record(false, 30_010)).toEqual({ origin: A, state: 'closed' });
    expect(breaker.state).toBe('closed');
    expect(breaker.blockedUntil(30_010)).toBe(0);
    expect(breaker.admit(30_010)).toEqual({ allowed: true });
    // The 5 old failures are gone (all within windowMs): 4 new ones do not reopen it.
    expect(recordMany(breaker, 4, true, 30_020)).toBeUndefined();
    expect(breaker.state).toBe('closed');
    expect(breaker.record(true, 30_020)).toMatchObject({ failures: 5, samples: 5 });
  });

  it('a failing probe reopens it with a new until', () => {
    const breaker = opened();
    breaker.admit(30_000);
    expect(breaker.record(true, 31_000)).toEqual({ origin: A, state: 'open', until: 61_000 });
    expect(breaker.state).toBe('open');
    expect(breaker.admit(60_999)).toEqual({ allowed: false });
    expect(breaker.admit(61_000)).toMatchObject({ allowed: true });
  });

  it('a probe that never answers: after its deadline (openMs) a new probe may go', () => {
    const breaker = opened();
    breaker.admit(30_000);
    expect(breaker.admit(59_999)).toEqual({ allowed: false });
    expect(breaker.admit(60_000)).toEqual({
      allowed: true,
      transition: { origin: A, state: 'half-open' },
    });
    expect(breaker.until).toBe(90_000);
    expect(breaker.admit(60_000)).toEqual({ allowed: false }); // still one at a time
  });
});

describe('BreakerRegistry', () => {
  it('is closed and admits everything for an origin it never saw', () => {
    const registry = new BreakerRegistry(settings(), 10);
    expect(registry.state(A)).toBe('closed');
    expect(registry.blockedUntil(A, 0)).toBe(0);
    expect(registry.admit(A, 0)).toEqual({ allowed: true });
    expect(registry.size).toBe(0); // asking creates nothing
  });

  it('keeps one breaker per origin: failures of A never open B', () => {
    const registry = new BreakerRegistry(settings(), 10);
    for (let i = 0; i < 4; i++) registry.record(A, true, 0);
    for (let i = 0; i < 4; i++) registry.record(B, true, 0);
    expect(registry.state(A)).toBe('closed');
    expect(registry.record(A, true, 0)).toMatchObject({ origin: A, state: 'open' });
    expect(registry.state(B)).toBe('closed');
    expect(registry.blockedUntil(B, 0)).toBe(0);
    expect(registry.blockedUntil(A, 0)).toBe(30_000);
  });

  it('stays within its bound, evicting closed breakers before open ones', () => {
    const registry = new BreakerRegistry(settings(), 2);
    for (let i = 0; i < 5; i++) registry.record(A, true, 0); // A: open
    for (let i = 0; i < 4; i++) registry.record(B, true, 0); // B: closed, 4 failures
    expect(registry.size).toBe(2);
    registry.record(C, true, 0); // a third origin: a closed one must go, never A
    expect(registry.size).toBe(2);
    expect(registry.state(A)).toBe('open');
    expect(registry.blockedUntil(A, 0)).toBe(30_000);
    // B was evicted: its 4 failures are forgotten, so one more does not open it.
    expect(registry.record(B, true, 0)).toBeUndefined();
    expect(registry.state(B)).toBe('closed');
    expect(registry.size).toBe(2);
  });

  it('never grows past its bound, even when 1,000 origins fail', () => {
    const registry = new BreakerRegistry(settings(), 16);
    for (let i = 0; i < 1000; i++) {
      for (let j = 0; j < 5; j++) registry.record(`http://h${i}.test`, true, i);
      expect(registry.size).toBeLessThanOrEqual(16);
    }
    expect(registry.size).toBe(16);
  });

  it('a new origin is never the one evicted: with every tracked breaker open, its own still opens', () => {
    const registry = new BreakerRegistry(settings(), 3);
    for (const origin of ['http://1.test', 'http://2.test', 'http://3.test']) {
      for (let i = 0; i < 5; i++) registry.record(origin, true, 0); // opened, then abandoned
    }
    const transitions = [];
    for (let i = 0; i < 5; i++) transitions.push(registry.record(A, true, 1000));
    expect(transitions.at(-1)).toMatchObject({ origin: A, state: 'open' });
    expect(registry.state(A)).toBe('open');
    expect(registry.admit(A, 1000)).toEqual({ allowed: false });
    expect(registry.size).toBe(3);
    // The least recently used open breaker made room.
    expect(registry.state('http://1.test')).toBe('closed');
    expect(registry.state('http://3.test')).toBe('open');
  });

  it('evicts closed breakers first, then open ones whose open period ended, then the least recently used', () => {
    const registry = new BreakerRegistry(settings({ openMs: 30_000 }), 3);
    const open = (origin: string, at: number) => {
      for (let i = 0; i < 5; i++) registry.record(origin, true, at);
    };
    open('http://due.test', 0); // open until 30 s
    open('http://open.test', 20_000); // open until 50 s
    registry.record('http://closed.test', true, 20_000);
    open(A, 40_000); // the closed one goes
    expect(registry.state('http://closed.test')).toBe('closed');
    expect(registry.state('http://due.test')).toBe('open');
    open(B, 40_000); // none closed: the one past its open period goes
    expect(registry.state('http://due.test')).toBe('closed');
    expect(registry.blockedUntil('http://open.test', 40_000)).toBe(50_000);
    open(C, 45_000); // all open and blocking: the least recently used goes
    expect(registry.state('http://open.test')).toBe('closed');
    expect([A, B, C].map((origin) => registry.blockedUntil(origin, 45_000))).toEqual([
      70_000, 70_000, 75_000,
    ]);
    expect(registry.size).toBe(3);
  });

  it('with 1,000 failing origins in turn, each one opens (none is evicted on arrival)', () => {
    const registry = new BreakerRegistry(settings(), 16);
    for (let i = 0; i < 1000; i++) {
      const origin = `http://h${i}.test`;
      let last: ReturnType<BreakerRegistry['record']>;
      for (let j = 0; j < 5; j++) last = registry.record(origin, true, i);
      expect(last, origin).toMatchObject({ origin, state: 'open' });
      expect(registry.size).toBeLessThanOrEqual(16);
    }
  });

  it('clear() forgets every breaker', () => {
    const registry = new BreakerRegistry(settings(), 10);
    for (let i = 0; i < 5; i++) registry.record(A, true, 0);
    registry.clear();
    expect(registry.size).toBe(0);
    expect(registry.state(A)).toBe('closed');
  });
});
