import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseHttpDate } from '../../src/cooldown/http-date.js';
import { parseRetryAfter } from '../../src/cooldown/retry-after.js';

// Thursday 15 January 2026, 12:00:00 UTC.
const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const MAX = 600_000;
const ctx = { now: NOW, maxMs: MAX };

describe('parseRetryAfter: delay-seconds', () => {
  it('reads non-negative integer seconds, trimmed, ignoring the Date header', () => {
    const cases: [string, number][] = [
      ['7', 7000],
      ['0', 0],
      [' 7 ', 7000],
      ['\t120\r\n', 120_000],
      ['007', 7000],
      ['600', 600_000],
    ];
    for (const [value, expected] of cases) {
      expect(parseRetryAfter(value, ctx), JSON.stringify(value)).toBe(expected);
    }
    expect(parseRetryAfter('7', { ...ctx, date: 'Wed, 01 Jan 2025 00:00:00 GMT' })).toBe(7000);
  });

  it('reads "5" as five seconds, never as a date (Date.parse("5") is year 2001)', () => {
    expect(parseRetryAfter('5', ctx)).toBe(5000);
    expect(parseHttpDate('5', NOW)).toBeNull();
  });

  it('clamps huge values (epoch seconds sent by mistake) to maxMs', () => {
    for (const value of ['601', '99999999999999999999', '1790000000', '9'.repeat(400)]) {
      expect(parseRetryAfter(value, ctx), value.slice(0, 30)).toBe(MAX);
    }
    expect(parseRetryAfter('31', { now: NOW, maxMs: 30_000 })).toBe(30_000);
    expect(parseRetryAfter('29', { now: NOW, maxMs: 30_000 })).toBe(29_000);
    expect(parseRetryAfter('10', { now: NOW, maxMs: -5 })).toBe(0);
  });

  it('garbage, negative, fractional and invalid dates count as absent (null)', () => {
    const garbage = [
      'soon',
      '1.5',
      '-5',
      '-0',
      '+7',
      '7s',
      '7 s',
      '0x10',
      '1e3',
      '',
      '   ',
      'Sun, 31 Feb 2026 00:00:00 GMT',
      'Thu, 15 Jan 2026 24:00:00 GMT',
      'Thu, 15 Jan 2026 12:60:00 GMT',
      'Thu, 15 Jan 2026 12:00:07 GMT extra',
      'Thu, 15 Foo 2026 12:00:07 GMT',
      '2026-01-15T12:00:07Z',
      'Thu, 15 Jan 2026 12:00:07 +0000',
    ];
    for (const value of garbage) {
      expect(parseRetryAfter(value, ctx), JSON.stringify(value)).toBeNull();
    }
    expect(parseRetryAfter(null, ctx)).toBeNull();
    expect(parseRetryAfter(undefined, ctx)).toBeNull();
  });
});

describe('parseRetryAfter: HTTP-date', () => {
  it('IMF-fixdate, RFC 850 and asctime 7 s ahead of now → 7000', () => {
    for (const value of [
      'Thu, 15 Jan 2026 12:00:07 GMT',
      'Thursday, 15-Jan-26 12:00:07 GMT',
      'Thu Jan 15 12:00:07 2026',
    ]) {
      expect(parseRetryAfter(value, ctx), value).toBe(7000);
    }
    const jan5 = { now: Date.UTC(2026, 0, 5, 12, 0, 0), maxMs: MAX };
    expect(parseRetryAfter('Mon Jan  5 12:00:07 2026', jan5)).toBe(7000);
  });

  it('measures against the response Date header, cancelling server clock skew', () => {
    // Server clock is a year behind the local clock: still 7 s, not "in the past".
    const behind = {
      now: NOW,
      maxMs: MAX,
      date: 'Wed, 01 Jan 2025 00:00:00 GMT',
    };
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:07 GMT', behind)).toBe(7000);
    // Server clock is a day ahead: still 7 s, not a day (or the clamp).
    const ahead = { now: NOW, maxMs: MAX, date: 'Fri, 16 Jan 2026 12:00:00 GMT' };
    expect(parseRetryAfter('Fri, 16 Jan 2026 12:00:07 GMT', ahead)).toBe(7000);
  });

  it('accepts the Date header in any of the three forms, with surrounding spaces', () => {
    const value = 'Wed, 01 Jan 2025 00:00:30 GMT';
    for (const date of [
      ' Wed, 01 Jan 2025 00:00:00 GMT ',
      'Wednesday, 01-Jan-25 00:00:00 GMT',
      'Wed Jan  1 00:00:00 2025',
    ]) {
      expect(parseRetryAfter(value, { ...ctx, date })).toBe(30_000);
    }
  });

  it('falls back to the local clock when the Date header is absent or not an HTTP-date', () => {
    const value = 'Thu, 15 Jan 2026 12:00:07 GMT';
    for (const date of [
      undefined,
      null,
      'yesterday',
      '2025-01-01T00:00:00Z', // Date.parse reads it; HTTP does not
      'Sun, 31 Feb 2026 00:00:00 GMT',
    ]) {
      expect(parseRetryAfter(value, { ...ctx, date }), String(date)).toBe(7000);
    }
  });

  it('past dates mean retry now (0), whether measured against now or the Date header', () => {
    expect(parseRetryAfter('Thu, 15 Jan 2026 11:59:00 GMT', ctx)).toBe(0);
    expect(parseRetryAfter('Sun, 06 Nov 1994 08:49:37 GMT', ctx)).toBe(0);
    expect(
      parseRetryAfter('Thu, 15 Jan 2026 12:00:07 GMT', {
        ...ctx,
        date: 'Thu, 15 Jan 2026 12:00:07 GMT',
      }),
    ).toBe(0);
    expect(
      parseRetryAfter('Thu, 15 Jan 2026 12:00:00 GMT', {
        ...ctx,
        date: 'Thu, 15 Jan 2026 12:05:00 GMT',
      }),
    ).toBe(0);
  });

  it('clamps a far-future date to maxMs', () => {
    expect(parseRetryAfter('Fri, 31 Dec 9999 23:59:59 GMT', ctx)).toBe(MAX);
    expect(parseRetryAfter('Thu, 15 Jan 2026 12:10:01 GMT', ctx)).toBe(MAX);
    expect(parseRetryAfter('Thu, 15 Jan 2026 12:09:59 GMT', ctx)).toBe(599_000);
  });
});

describe('parseHttpDate', () => {
  const RFC_EXAMPLE = Date.UTC(1994, 10, 6, 8, 49, 37); // RFC 9110 §5.6.7

  it('reads the three forms of RFC 9110 §5.6.7 to the same instant', () => {
    expect(parseHttpDate('Sun, 06 Nov 1994 08:49:37 GMT', NOW)).toBe(RFC_EXAMPLE);
    expect(parseHttpDate('Sunday, 06-Nov-94 08:49:37 GMT', NOW)).toBe(RFC_EXAMPLE);
    expect(parseHttpDate('Sun Nov  6 08:49:37 1994', NOW)).toBe(RFC_EXAMPLE);
  });

  it('RFC 850: a two-digit year more than 50 years ahead is in the previous century', () => {
    const year = (yy: string) => {
      const ms = parseHttpDate(`Sunday, 01-Jan-${yy} 00:00:00 GMT`, NOW);
      return ms === null ? null : new Date(ms).getUTCFullYear();
    };
    expect(year('26')).toBe(2026);
    expect(year('00')).toBe(2000);
    expect(year('76')).toBe(2076); // exactly 50 years ahead: not "more than 50"
    expect(year('77')).toBe(1977);
    expect(year('94')).toBe(1994);
  });

  it('RFC 850: near the end of a century, a small two-digit year is the next century', () => {
    // At the end of 2099 a server's "01-Jan-00" is one day ahead, i.e. 2100, not 100 years ago.
    const now = Date.UTC(2099, 11, 31, 0, 0, 0);
    expect(parseHttpDate('Friday, 01-Jan-00 00:00:00 GMT', now)).toBe(Date.UTC(2100, 0, 1));
  });

  it('rejects days that do not exist instead of rolling them over', () => {
    expect(parseHttpDate('Sun, 31 Feb 2026 00:00:00 GMT', NOW)).toBeNull();
    expect(parseHttpDate('Sun, 29 Feb 2025 00:00:00 GMT', NOW)).toBeNull();
    expect(parseHttpDate('Thu, 31 Apr 2026 00:00:00 GMT', NOW)).toBeNull();
    expect(parseHttpDate('Tue, 00 Jan 2026 00:00:00 GMT', NOW)).toBeNull();
    expect(parseHttpDate('Tue, 29 Feb 2028 00:00:00 GMT', NOW)).toBe(Date.UTC(2028, 1, 29));
  });

  it('accepts a leap second (60) without rolling into the next day', () => {
    expect(parseHttpDate('Wed, 31 Dec 2025 23:59:60 GMT', NOW)).toBe(
      Date.UTC(2025, 11, 31, 23, 59, 59),
    );
  });
});

describe('parseRetryAfter: properties', () => {
  const maxMs = fc.integer({ min: 0, max: 10 * MAX });
  const now = fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2200, 0, 1) });
  const anyText = fc.oneof(
    fc.string(),
    fc.string({ unit: 'binary' }),
    fc.stringMatching(/^[ \t]*-?\d{0,25}(\.\d*)?[ \t]*$/),
    fc.date({ noInvalidDate: true }).map((d) => d.toUTCString()),
  );

  it('never throws; returns null or a finite number in [0, maxMs]', () => {
    fc.assert(
      fc.property(anyText, fc.option(anyText), now, maxMs, (value, date, nowMs, max) => {
        const result = parseRetryAfter(value, { now: nowMs, date, maxMs: max });
        if (result === null) return true;
        return Number.isFinite(result) && result >= 0 && result <= max;
      }),
      { numRuns: 2000 },
    );
  });

  it('String(n) for any non-negative integer n gives min(n * 1000, maxMs)', () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), maxMs, fc.constantFrom('', ' ', '\t'), (n, max, pad) => {
        expect(parseRetryAfter(`${pad}${n}${pad}`, { now: NOW, maxMs: max })).toBe(
          Math.min(n * 1000, max),
        );
      }),
      { numRuns: 1000 },
    );
  });

  it('an IMF-fixdate is the whole-second distance to the Date header (or now), clamped', () => {
    const instant = fc.integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(9999, 11, 31) });
    fc.assert(
      fc.property(instant, instant, fc.boolean(), maxMs, (retryAt, reference, withDate, max) => {
        const date = withDate ? new Date(reference).toUTCString() : undefined;
        const base = withDate ? Math.floor(reference / 1000) * 1000 : reference;
        const expected = Math.min(Math.max(0, Math.floor(retryAt / 1000) * 1000 - base), max);
        const value = new Date(retryAt).toUTCString();
        expect(parseRetryAfter(value, { now: reference, date, maxMs: max })).toBe(expected);
      }),
      { numRuns: 1000 },
    );
  });
});
