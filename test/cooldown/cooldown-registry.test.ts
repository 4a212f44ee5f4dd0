import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CooldownRegistry, type CooldownSettings } from '../../src/cooldown/cooldown-registry.js';
import { T0 } from '../support/clock.js';

const A = 'https://a.test';
const B = 'https://b.test';
const EXACT: CooldownSettings = { defaultMs: 10_000, maxMs: 600_000, jitter: 0 };

const none = new Headers();
const retryAfter = (value: string, date?: string) =>
  new Headers(date === undefined ? { 'retry-after': value } : { 'retry-after': value, date });

/** Whether `origin` cools down at `now` in `r`. */
const cooling = (r: CooldownRegistry, origin: string, now: number) => r.until(origin) > now;

function registry(settings: Partial<CooldownSettings> = {}, random = () => 0, maxOrigins = 256) {
  return new CooldownRegistry({ ...EXACT, ...settings }, random, maxOrigins);
}

describe('CooldownRegistry: start and extend', () => {
  it('a 429 with Retry-After starts a cooldown that ends exactly when asked', () => {
    const r = registry();
    expect(r.record(A, 429, retryAfter('7'), T0)).toEqual({
      origin: A,
      until: T0 + 7000,
      delayMs: 7000,
      status: 429,
      source: 'retry-after',
      strikes: 1,
    });
    expect(r.until(A)).toBe(T0 + 7000);
    expect(cooling(r, A, T0 + 6999)).toBe(true);
    expect(cooling(r, A, T0 + 7000)).toBe(false);
  });

  it('with jitter, the cooldown ends on a whole millisecond, rounded up (never earlier)', () => {
    const r = registry({ jitter: 0.1 }, () => 0.123_456);
    const start = r.record(A, 429, retryAfter('5'), T0 + 0.5);
    // 5000 + 0.1 * 0.123456 * 5000 = 5061.728 ms after T0 + 0.5, rounded up.
    expect(start?.until).toBe(T0 + 5063);
    expect(Number.isInteger(r.until(A))).toBe(true);
  });

  it('extends a cooldown but never shortens it', () => {
    const r = registry();
    r.record(A, 429, retryAfter('60'), T0);
    const shorter = r.record(A, 429, retryAfter('5'), T0 + 1000);
    expect(shorter?.until).toBe(T0 + 60_000);
    expect(r.until(A)).toBe(T0 + 60_000);
    const longer = r.record(A, 429, retryAfter('120'), T0 + 2000);
    expect(longer?.until).toBe(T0 + 122_000);
    expect(r.until(A)).toBe(T0 + 122_000);
  });

  it('Retry-After: 0 means retry now: the origin is not cooling', () => {
    const r = registry();
    const start = r.record(A, 429, retryAfter('0'), T0);
    expect(start).toMatchObject({ delayMs: 0, source: 'retry-after', until: T0 });
    expect(cooling(r, A, T0)).toBe(false);
  });

  it('a 503 with Retry-After cools too; without one it gets the default', () => {
    const r = registry();
    expect(r.record(A, 503, retryAfter('7'), T0)).toMatchObject({
      status: 503,
      delayMs: 7000,
      source: 'retry-after',
    });
    expect(cooling(r, A, T0 + 6999)).toBe(true);
    expect(r.record(B, 503, none, T0)).toMatchObject({ delayMs: 10_000, source: 'default' });
    expect(r.until(B)).toBe(T0 + 10_000);
  });

  it('no other status cools, whatever its Retry-After', () => {
    const r = registry();
    for (const status of [200, 204, 301, 304, 400, 401, 404, 418, 500, 502, 504]) {
      expect(r.record(A, status, retryAfter('60'), T0), String(status)).toBeNull();
      expect(cooling(r, A, T0)).toBe(false);
    }
    expect(r.until(A)).toBe(0);
    expect(r.size).toBe(0);
  });

  it('measures an HTTP-date against the Date header', () => {
    const r = registry();
    const start = r.record(
      A,
      429,
      retryAfter('Wed, 01 Jan 2025 00:00:07 GMT', 'Wed, 01 Jan 2025 00:00:00 GMT'),
      T0,
    );
    expect(start).toMatchObject({ delayMs: 7000, until: T0 + 7000 });
  });

  it('garbage or negative Retry-After → default cooldown; huge → maxMs', () => {
    const cases = [
      ['soon', 10_000, 'default'],
      ['-5', 10_000, 'default'],
      ['1.5', 10_000, 'default'],
      ['99999999999999999999', 600_000, 'retry-after'],
      ['1790000000', 600_000, 'retry-after'],
    ] as const;
    for (const [value, delayMs, source] of cases) {
      const r = registry();
      expect(r.record(A, 429, retryAfter(value), T0), value).toMatchObject({ delayMs, source });
      expect(r.until(A), value).toBe(T0 + delayMs);
    }
  });

  it('treats headers whose get() throws as absent', () => {
    const r = registry();
    const throwing = {
      get(): string | null {
        throw new TypeError('invalid header name');
      },
    };
    expect(r.record(A, 429, throwing, T0)).toMatchObject({ delayMs: 10_000, source: 'default' });
  });
});

describe('CooldownRegistry: header-less escalation', () => {
  it('doubles from defaultMs up to maxMs exactly, then resets after a 2xx', () => {
    const r = registry();
    let now = T0;
    const delays: number[] = [];
    for (let i = 0; i < 9; i++) {
      const start = r.record(A, 429, none, now);
      delays.push(start!.delayMs);
      expect(start!.strikes).toBe(i + 1);
      expect(start!.until).toBe(now + start!.delayMs);
      now = start!.until;
    }
    expect(delays).toEqual([
      10_000, 20_000, 40_000, 80_000, 160_000, 320_000, 600_000, 600_000, 600_000,
    ]);
    expect(r.record(A, 200, none, now)).toBeNull();
    expect(r.record(A, 429, none, now + 1)).toMatchObject({ delayMs: 10_000, strikes: 1 });
  });

  it('a 304 resets strikes; 404 and 500 do not', () => {
    const r = registry();
    r.record(A, 429, none, T0);
    r.record(A, 404, none, T0 + 10_000);
    r.record(A, 500, none, T0 + 10_001);
    expect(r.record(A, 429, none, T0 + 10_002)).toMatchObject({ strikes: 2, delayMs: 20_000 });
    r.record(A, 304, none, T0 + 40_000);
    expect(r.record(A, 429, none, T0 + 40_001)).toMatchObject({ strikes: 1, delayMs: 10_000 });
  });

  it('a late 2xx resets strikes but does not lift a cooldown still running', () => {
    const r = registry();
    r.record(A, 429, retryAfter('30'), T0);
    r.record(A, 200, none, T0 + 1000); // a request sent before the 429 answered late
    expect(r.until(A)).toBe(T0 + 30_000);
    expect(cooling(r, A, T0 + 29_999)).toBe(true);
    expect(r.record(A, 429, none, T0 + 30_000)).toMatchObject({ strikes: 1, delayMs: 10_000 });
  });

  it('a strike with Retry-After counts toward the next header-less one', () => {
    const r = registry();
    r.record(A, 429, retryAfter('7'), T0);
    expect(r.record(A, 429, none, T0 + 7000)).toMatchObject({ strikes: 2, delayMs: 20_000 });
  });
});

describe('CooldownRegistry: jitter only adds', () => {
  it('random 0 adds nothing; random 0.999 adds at most jitter·delay', () => {
    const low = registry({ jitter: 0.1 }, () => 0);
    expect(low.record(A, 429, retryAfter('10'), T0)).toMatchObject({
      delayMs: 10_000,
      until: T0 + 10_000,
    });
    const high = registry({ jitter: 0.1 }, () => 0.999);
    const start = high.record(A, 429, retryAfter('10'), T0);
    expect(start?.delayMs).toBe(10_000);
    expect(start?.until).toBeCloseTo(T0 + 10_999, 2);
    expect(cooling(high, A, T0 + 10_998)).toBe(true);
  });

  it('jitter applies to the default cooldown too, never below it', () => {
    const r = registry({ jitter: 0.5 }, () => 0.5);
    expect(r.record(A, 429, none, T0)?.until).toBe(T0 + 12_500);
  });
});

describe('CooldownRegistry: origins', () => {
  it('a response from origin A never affects origin B', () => {
    const r = registry();
    r.record(A, 429, none, T0);
    r.record(A, 429, none, T0 + 10_000);
    r.record(A, 429, none, T0 + 30_000);
    expect(cooling(r, B, T0 + 30_000)).toBe(false);
    expect(r.until(B)).toBe(0);
    r.record(B, 200, none, T0 + 30_001); // B's success must not reset A's strikes
    expect(r.record(B, 429, none, T0 + 30_002)).toMatchObject({ strikes: 1, delayMs: 10_000 });
    expect(r.record(A, 429, none, T0 + 70_000)).toMatchObject({ strikes: 4, delayMs: 80_000 });
    expect(r.until(B)).toBe(T0 + 40_002);
  });

  it('stays bounded by maxOrigins, evicting idle origins first', () => {
    const r = registry({}, () => 0, 3);
    r.record('https://long1.test', 429, retryAfter('600'), T0);
    r.record('https://short.test', 429, retryAfter('1'), T0);
    r.record('https://long2.test', 429, retryAfter('600'), T0);
    r.record('https://new.test', 429, retryAfter('600'), T0 + 5000);
    expect(r.size).toBe(3);
    expect(r.until('https://short.test')).toBe(0);
    expect(cooling(r, 'https://long1.test', T0 + 5000)).toBe(true);
    expect(cooling(r, 'https://long2.test', T0 + 5000)).toBe(true);
    expect(cooling(r, 'https://new.test', T0 + 5000)).toBe(true);
  });

  it('when every origin is cooling, evicts the least recently struck', () => {
    const r = registry({}, () => 0, 2);
    r.record('https://1.test', 429, retryAfter('600'), T0);
    r.record('https://2.test', 429, retryAfter('600'), T0);
    r.record('https://1.test', 429, retryAfter('600'), T0 + 1); // struck again: most recent
    r.record('https://3.test', 429, retryAfter('600'), T0 + 2);
    expect(r.size).toBe(2);
    expect(r.until('https://2.test')).toBe(0);
    expect(r.until('https://1.test')).toBe(T0 + 600_001);
    expect(r.until('https://3.test')).toBe(T0 + 600_002);
  });

  it('a new origin is never the one evicted: with every tracked origin cooling, it cools too', () => {
    const r = registry({}, () => 0, 3);
    for (let i = 0; i < 300; i++) {
      const origin = `https://h${i}.test`;
      r.record(origin, 429, i % 2 === 0 ? none : retryAfter('600'), T0 + i);
      expect(cooling(r, origin, T0 + i), origin).toBe(true);
      expect(r.size).toBeLessThanOrEqual(3);
    }
  });

  it('a 2xx after the cooldown ended forgets the origin', () => {
    const r = registry();
    r.record(A, 429, retryAfter('1'), T0);
    r.record(A, 200, none, T0 + 1000);
    expect(r.size).toBe(0);
  });
});

describe('CooldownRegistry: a burst is one strike', () => {
  it('429s arriving while the origin already cools down (requests sent together) do not escalate', () => {
    const r = registry();
    const delays = [0, 5, 10, 15, 20].map((ms) => r.record(A, 429, none, T0 + ms)?.delayMs);
    expect(delays).toEqual([10_000, 10_000, 10_000, 10_000, 10_000]);
    expect(r.until(A)).toBe(T0 + 20 + 10_000);
    // The next 429 after the cooldown ended is a new strike: it doubles.
    expect(r.record(A, 429, none, T0 + 20 + 10_000)?.delayMs).toBe(20_000);
  });
});

describe('CooldownRegistry: maxMs is a hard cap', () => {
  it('a Retry-After past maxMs ends exactly at maxMs, whatever the jitter (was 660,000 ms)', () => {
    const r = registry({ jitter: 0.1 }, () => 0.999);
    const start = r.record(A, 429, retryAfter('999999999'), T0);
    expect(start).toMatchObject({ delayMs: 600_000, until: T0 + 600_000 });
    expect(r.until(A)).toBe(T0 + 600_000);
  });

  it('the doubling default stops at maxMs, jitter included', () => {
    const r = registry({ jitter: 0.5 }, () => 0.999);
    let now = T0;
    for (let strike = 1; strike <= 10; strike++) {
      const start = r.record(A, 429, none, now);
      expect(start!.until - now, `strike ${strike}`).toBeLessThanOrEqual(600_000);
      now = start!.until;
    }
    expect(r.record(A, 429, none, now)?.until).toBe(now + 600_000);
  });

  it('jitter still spreads a delay below the cap (never shortens it)', () => {
    const r = registry({ jitter: 0.1 }, () => 0.5);
    expect(r.record(A, 429, retryAfter('100'), T0)?.until).toBe(T0 + 105_000);
    // Close to the cap, jitter adds what room is left.
    expect(r.record(B, 429, retryAfter('590'), T0)?.until).toBe(T0 + 600_000);
  });

  it('property: for any Retry-After, strikes and random, until - now <= maxMs', () => {
    const header = fc.oneof(
      fc.string(),
      fc.nat().map(String),
      fc.bigInt({ min: 0n, max: 10n ** 30n }).map(String),
      fc.date({ noInvalidDate: true }).map((d) => d.toUTCString()),
    );
    fc.assert(
      fc.property(
        fc.array(fc.option(header, { nil: undefined }), { minLength: 1, maxLength: 12 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 0, max: 2_000_000 }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (headers, random, jitter, maxMs, defaultMs, fraction) => {
          const r = new CooldownRegistry({ defaultMs, maxMs, jitter }, () => random, 256);
          let now = T0 + fraction; // a clock may give fractional milliseconds
          for (const value of headers) {
            const start = r.record(A, 429, value === undefined ? none : retryAfter(value), now);
            expect(start!.until - now).toBeLessThanOrEqual(maxMs);
            expect(r.until(A) - now).toBeLessThanOrEqual(maxMs);
            now = Math.max(now + 1, start!.until); // the next strike, after this cooldown
          }
        },
      ),
    );
  });
});

describe('CooldownRegistry: jitter is drawn once per episode', () => {
  it('six parallel 429s with Retry-After 10, jitter 0.5: one draw, not the longest of six', () => {
    // Ever larger draws: were each answer to draw, the last (0.6) would set the end.
    const draws = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6];
    let calls = 0;
    const random = () => {
      calls++;
      return draws.shift() ?? 0.9;
    };
    const r = registry({ jitter: 0.5 }, random);
    const starts = [0, 1, 2, 3, 4, 5].map((ms) => r.record(A, 429, retryAfter('10'), T0 + ms));
    // The first answer (at T0) draws 0.1: 10 s + 0.1 * 0.5 * 10 s.
    expect(starts.map((s) => s?.until)).toEqual(Array(6).fill(T0 + 10_500));
    expect(r.until(A)).toBe(T0 + 10_500);
    expect(calls).toBe(1);
  });

  it('a later answer still extends without a new draw; the next episode draws again', () => {
    const draws = [0.1, 0.9];
    const r = registry({ jitter: 0.5 }, () => draws.shift() ?? 0);
    r.record(A, 429, retryAfter('10'), T0);
    // Asked for 20 s while cooling: extended to exactly 20 s, no jitter added.
    expect(r.record(A, 429, retryAfter('20'), T0 + 1000)?.until).toBe(T0 + 21_000);
    // After it ended, a new 429 is a new episode: a new draw (0.9).
    expect(r.record(A, 429, retryAfter('10'), T0 + 21_000)?.until).toBe(T0 + 21_000 + 14_500);
  });
});
