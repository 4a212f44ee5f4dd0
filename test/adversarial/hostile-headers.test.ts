import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CooldownStart, DEFAULTS, type PollerOptions } from '../../src/index.js';
import { advance, elapsed, T0, useFakeClock } from '../support/clock.js';
import { fakeNetwork, settle } from '../support/fake-network.js';
import { fakePoller } from '../support/poller.js';

/*
 * Hostile Retry-After and Date headers, end to end: a poll's first answer is a 429 (or 503)
 * carrying them, every later answer a 200. Whatever the headers say, the cooldown is a whole
 * number of ms within [0, maxMs], the next request goes exactly when it ends (exact timing), and
 * nothing throws.
 */

useFakeClock();

const A = 'http://a.test';
const { defaultMs, maxMs } = DEFAULTS.cooldown;
const IMF = (ms: number) => new Date(ms).toUTCString();

/** Headers as a server may send them; a repeated name arrives joined with ", " (fetch's rule). */
type RawHeaders = [string, string][];

/**
 * A poll whose first answer is `status` with `headers`; returns the cooldown it announced and
 * the times of the requests sent within `horizon` ms.
 */
async function firstAnswer(
  headers: RawHeaders,
  { status = 429, horizon = 3000, options = {} as PollerOptions } = {},
) {
  const net = fakeNetwork(({ n }) =>
    n === 1 ? new Response('{}', { status, headers }) : Response.json({ ok: true }),
  );
  const { poller } = fakePoller({ interval: 1000, cooldown: { jitter: 0 }, ...options }, net);
  const cooldowns: CooldownStart[] = [];
  poller.on('cooldown', (c) => cooldowns.push(c));
  const start = elapsed();
  poller.poll(`${A}/x`);
  await advance(0);
  const until = poller.cooldownUntil(`${A}/x`);
  await advance(horizon);
  poller.dispose();
  const times = net.times().map((t) => t - start);
  return { until: until === 0 ? 0 : until - T0 - start, cooldowns, times };
}

const RETRY_AFTER: [string, RawHeaders, number][] = [
  ['two values (a repeated header)', [['retry-after', '5, 10']], defaultMs],
  [
    'the header twice',
    [
      ['retry-after', '5'],
      ['retry-after', '10'],
    ],
    defaultMs,
  ],
  ['empty', [['retry-after', '']], defaultMs],
  ['blanks around digits', [['retry-after', '  \t7 ']], 7000],
  ['a fraction', [['retry-after', '7.5']], defaultMs],
  ['a sign', [['retry-after', '+5']], defaultMs],
  ['negative', [['retry-after', '-1']], defaultMs],
  ['hex', [['retry-after', '0x10']], defaultMs],
  ['an exponent', [['retry-after', '1e3']], defaultMs],
  ['Infinity', [['retry-after', 'Infinity']], defaultMs],
  ['NaN', [['retry-after', 'NaN']], defaultMs],
  ['superscript digits', [['retry-after', '\u00b2\u00b3']], defaultMs],
  ['400 digits', [['retry-after', '9'.repeat(400)]], maxMs],
  ['64 KB of digits', [['retry-after', '1'.repeat(65_536)]], maxMs],
  ['epoch seconds sent by mistake', [['retry-after', String(T0 / 1000)]], maxMs],
  ['a date 30 s ahead', [['retry-after', IMF(T0 + 30_000)]], 30_000],
  ['a date in the past', [['retry-after', IMF(T0 - 30_000)]], 0],
  ['a date in year 9999', [['retry-after', 'Fri, 31 Dec 9999 23:59:59 GMT']], maxMs],
  ['31 February', [['retry-after', 'Tue, 31 Feb 2026 12:00:00 GMT']], defaultMs],
  ['a lower-case date', [['retry-after', IMF(T0 + 30_000).toLowerCase()]], defaultMs],
  ['a date without GMT', [['retry-after', IMF(T0 + 30_000).replace(' GMT', '')]], defaultMs],
  [
    'a date with a server clock one hour behind',
    [
      ['retry-after', IMF(T0 - 3_600_000 + 60_000)],
      ['date', IMF(T0 - 3_600_000)],
    ],
    60_000,
  ],
  [
    'a date with a Date header one hour ahead (it would end in the past)',
    [
      ['retry-after', IMF(T0 + 60_000)],
      ['date', IMF(T0 + 3_600_000)],
    ],
    0,
  ],
  [
    'a date with a garbage Date header (the local clock decides)',
    [
      ['retry-after', IMF(T0 + 60_000)],
      ['date', 'yesterday'],
    ],
    60_000,
  ],
  [
    'a date with two Date headers (unreadable: the local clock decides)',
    [
      ['retry-after', IMF(T0 + 60_000)],
      ['date', IMF(T0 - 3_600_000)],
      ['date', IMF(T0)],
    ],
    60_000,
  ],
  [
    'a date with a Date header in 1970 (clamped)',
    [
      ['retry-after', IMF(T0 + 60_000)],
      ['date', IMF(0)],
    ],
    maxMs,
  ],
];

describe('a 429 whose Retry-After is hostile', () => {
  it.each(RETRY_AFTER)(
    '%s: the cooldown is as listed, the next request goes when it ends',
    async (_name, headers, delay) => {
      const { until, cooldowns, times } = await firstAnswer(headers, { horizon: delay + 2000 });
      expect(cooldowns).toHaveLength(1);
      expect(cooldowns[0]).toMatchObject({ until: T0 + delay, delayMs: delay, status: 429 });
      expect(until).toBe(delay === 0 ? 0 : delay);
      // Polls every second once the cooldown (or at once, for 0) is over.
      expect(times.slice(0, 3)).toEqual([0, Math.max(delay, 1000), Math.max(delay, 1000) + 1000]);
    },
  );

  it('a 503 is read the same way; Retry-After on a 200, 302, 500 or 418 starts nothing', async () => {
    const unavailable = await firstAnswer([['retry-after', '9'.repeat(40)]], { status: 503 });
    expect(unavailable.until).toBe(maxMs);
    for (const status of [200, 302, 500, 418]) {
      const { until, cooldowns, times } = await firstAnswer([['retry-after', '60']], {
        status,
        horizon: 2000,
      });
      expect({ status, until, cooldowns }).toEqual({ status, until: 0, cooldowns: [] });
      expect(times).toEqual([0, 1000, 2000]);
    }
  });
});

/** Header values a server may send: any text fetch accepts in a header, and near-misses. */
const headerText = fc
  .oneof(
    fc.string({ maxLength: 40 }),
    fc.string({ unit: 'binary', maxLength: 20 }),
    fc.stringMatching(/^[ \t]*[-+]?\d{0,25}(\.\d*)?(e\d+)?[ \t]*$/),
    fc.integer({ min: -1e6, max: 4e9 }).map((n) => String(n)),
    fc
      .integer({ min: Date.UTC(1960, 0, 1), max: Date.UTC(2400, 0, 1) })
      .map((ms) => IMF(Math.floor(ms / 1000) * 1000)),
  )
  .filter((value) => {
    try {
      new Headers({ v: value });
      return true;
    } catch {
      return false;
    }
  });

describe('property: whatever Retry-After, Date, maxMs, jitter and random say', () => {
  it('a whole-ms cooldown within [0, maxMs], announced as it is kept, and no request inside it', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(headerText, { minLength: 1, maxLength: 2 }),
        fc.array(headerText, { maxLength: 2 }),
        fc.constantFrom(429, 503),
        fc.integer({ min: 0, max: 900_000 }),
        fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1, noNaN: true })),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        async (retryAfter, dates, status, cap, jitter, random) => {
          const headers: RawHeaders = [
            ...retryAfter.map((v): [string, string] => ['retry-after', v]),
            ...dates.map((v): [string, string] => ['date', v]),
          ];
          const net = fakeNetwork(({ n }) =>
            n === 1 ? new Response('{}', { status, headers }) : Response.json({ ok: true }),
          );
          const { poller } = fakePoller(
            { interval: 1000, cooldown: { jitter, maxMs: cap }, random: () => random },
            net,
          );
          const cooldowns: CooldownStart[] = [];
          poller.on('cooldown', (c) => cooldowns.push(c));
          const start = elapsed();
          poller.poll(`${A}/x`);
          await settle({ quietRounds: 2 });
          expect(cooldowns).toHaveLength(1);
          const { until, delayMs } = cooldowns[0] as CooldownStart;
          const lasts = until - T0 - start;
          expect(Number.isInteger(until)).toBe(true);
          expect(delayMs).toBeGreaterThanOrEqual(0);
          expect(lasts).toBeGreaterThanOrEqual(delayMs);
          expect(lasts).toBeLessThanOrEqual(cap);
          expect(poller.cooldownUntil(`${A}/x`)).toBe(lasts > 0 ? until : 0);
          await advance(Math.max(lasts, 1000));
          poller.dispose();
          // The second request went exactly when both the cooldown and the interval allowed.
          expect(net.times().map((t) => t - start)).toEqual([0, Math.max(lasts, 1000)]);
        },
      ),
      { seed: 8_001, numRuns: 150, endOnFailure: true },
    );
  });
});
