import { describe, expect, it } from 'vitest';
import { CooldownError, HttpError, type PollerEvents } from '../../src/index.js';
import { T0 } from '../support/clock.js';
import { loopbackServer, sendJson } from '../support/loopback-server.js';
import { wirePoller } from '../support/poller.js';
import { rejectionOf } from '../support/promises.js';

/** IMF-fixdate of an epoch-ms time. */
const httpDate = (ms: number) => new Date(ms).toUTCString();

/** A server whose answers to `path` follow `script` (then 200), counting every request. */
async function scriptedServer(
  path: string,
  script: { status: number; headers?: (nowMs: number) => Record<string, string> }[],
  now: () => number,
) {
  let i = 0;
  return loopbackServer((req, res) => {
    const step = req.url === path ? script[i] : undefined;
    if (req.url === path) i++;
    if (step !== undefined) {
      sendJson(res, step.status, { error: step.status }, step.headers?.(now()) ?? {});
    } else {
      sendJson(res, 200, { url: req.url, n: i });
    }
  });
}

/**
 * The whole contract of a 7 s cooldown on origin A, checked second by second against the real
 * server: polls, `wrapFetch()`, a wrapped fetch of the app's own, and `ctx.fetch`/`ctx.http`
 * inside a task that polls origin B all stay off the wire, refused with the remaining time;
 * origin B keeps its schedule; at 7 s exactly one request goes to A.
 */
async function expectSevenSecondCooldown(
  headers: (nowMs: number) => Record<string, string>,
): Promise<void> {
  const { poller, clock, sentAt } = wirePoller();
  const ownFetch = poller.wrapFetch((input, init) => fetch(input, init));
  const a = await scriptedServer('/status', [{ status: 429, headers }], () => clock.now());
  const b = await loopbackServer((req, res) => sendJson(res, 200, { b: req.url }));
  const cooldowns: PollerEvents['cooldown'][] = [];
  poller.on('cooldown', (event) => cooldowns.push(event));

  const data: unknown[] = [];
  const errors: unknown[] = [];
  poller.poll(`${a.origin}/status`, {
    onData: (d) => data.push(d),
    onError: (e) => errors.push(e),
  });
  // A task polling origin B that also tries origin A through its context while A cools down.
  let probeA = false;
  const probes: { fetch: unknown; http: unknown }[] = [];
  const bData: unknown[] = [];
  poller.poll(
    async (ctx) => {
      if (probeA) {
        probes.push({
          fetch: await rejectionOf(ctx.fetch(`${a.origin}/ctx-fetch`)),
          http: await rejectionOf(ctx.http(`${a.origin}/ctx-http`)),
        });
      }
      const res = await ctx.fetch(`${b.origin}/b`);
      return res.json();
    },
    { origin: b.origin, onData: (d) => bData.push(d) },
  );

  await clock.advance(0);
  expect(a.paths()).toEqual(['/status']);
  expect(errors).toHaveLength(1);
  expect(errors[0]).toBeInstanceOf(HttpError);
  expect((errors[0] as HttpError).status).toBe(429);
  expect((errors[0] as HttpError).headers.get('retry-after')).not.toBeNull();
  expect(cooldowns).toEqual([
    {
      origin: a.origin,
      until: T0 + 7000,
      delayMs: 7000,
      status: 429,
      source: 'retry-after',
      strikes: 1,
    },
  ]);
  expect(poller.cooldownUntil(`${a.origin}/anything`)).toBe(T0 + 7000);
  probeA = true;

  for (let second = 1; second <= 6; second++) {
    await clock.advance(1000);
    const remaining = 7000 - second * 1000;
    const direct = await rejectionOf(poller.wrapFetch()(`${a.origin}/wrapped`));
    const own = await rejectionOf(ownFetch(`${a.origin}/own`));
    for (const error of [direct, own, probes.at(-1)?.fetch, probes.at(-1)?.http]) {
      expect(error).toBeInstanceOf(CooldownError);
      expect(error).toMatchObject({
        origin: a.origin,
        retryAt: T0 + 7000,
        retryAfterMs: remaining,
      });
    }
    // Nothing reached A: not the poll, not a wrapped call.
    expect(a.paths()).toEqual(['/status']);
    // B kept its own schedule, one request a second.
    expect(sentAt(b.origin, '/b')).toEqual(Array.from({ length: second + 1 }, (_, i) => i * 1000));
  }
  expect(probes).toHaveLength(6);
  probeA = false;

  await clock.advance(999); // T0 + 6999
  expect(a.paths()).toEqual(['/status']);
  expect(await rejectionOf(poller.wrapFetch()(`${a.origin}/wrapped`))).toMatchObject({
    retryAfterMs: 1,
  });

  await clock.advance(1); // T0 + 7000: exactly one request, no burst of the skipped ticks
  expect(a.paths()).toEqual(['/status', '/status']);
  expect(sentAt(a.origin)).toEqual([0, 7000]);
  expect(data).toEqual([{ url: '/status', n: 2 }]);
  expect(poller.cooldownUntil(a.origin)).toBe(0);

  await clock.advance(999);
  expect(a.paths()).toHaveLength(2);
  await clock.advance(1); // back on the 1 s loopback schedule
  expect(sentAt(a.origin)).toEqual([0, 7000, 8000]);
  expect(poller.stats()).toMatchObject({ rateLimited: 1, cooldowns: 1 });
  expect(poller.stats().skipped.cooldown).toBe(1); // the skipped tick is not queued
}

describe('Retry-After against a real server (virtual time)', () => {
  it('delay-seconds: "Retry-After: 7" keeps every path off origin A for exactly 7 s', async () => {
    const realStart = Date.now();
    await expectSevenSecondCooldown(() => ({ 'retry-after': '7' }));
    expect(Date.now() - realStart).toBeLessThan(3000);
  });

  it.each([
    ['1 hour behind', -3_600_000],
    ['1 hour ahead', 3_600_000],
  ])(
    'HTTP-date with a server clock %s: the cooldown is still 7 s (measured against Date)',
    async (_label, skew) => {
      await expectSevenSecondCooldown((now) => {
        const serverNow = now + skew;
        return { date: httpDate(serverNow), 'retry-after': httpDate(serverNow + 7000) };
      });
    },
  );

  it('a single advance across the whole cooldown still sends exactly one request', async () => {
    const { poller, clock, sentAt } = wirePoller();
    const a = await scriptedServer(
      '/s',
      [{ status: 429, headers: () => ({ 'retry-after': '7' }) }],
      () => clock.now(),
    );
    poller.poll(`${a.origin}/s`);
    await clock.advance(0);
    await clock.advance(7000);
    expect(sentAt(a.origin)).toEqual([0, 7000]);
    expect(a.requests).toHaveLength(2);
  });
});

describe('503, default cooldown and strikes (virtual time)', () => {
  it('a 503 with Retry-After cools the origin like a 429', async () => {
    const { poller, clock, sentAt } = wirePoller();
    const a = await scriptedServer(
      '/s',
      [{ status: 503, headers: () => ({ 'retry-after': '3' }) }],
      () => clock.now(),
    );
    const cooldowns: PollerEvents['cooldown'][] = [];
    poller.on('cooldown', (event) => cooldowns.push(event));
    poller.poll(`${a.origin}/s`);
    await clock.advance(0);
    expect(cooldowns).toMatchObject([{ status: 503, delayMs: 3000, source: 'retry-after' }]);
    expect(await rejectionOf(poller.wrapFetch()(`${a.origin}/x`))).toMatchObject({
      retryAfterMs: 3000,
    });
    await clock.advance(2999);
    expect(a.requests).toHaveLength(1);
    await clock.advance(1);
    expect(sentAt(a.origin)).toEqual([0, 3000]);
    expect(a.requests).toHaveLength(2);
    expect(poller.stats().rateLimited).toBe(0); // only 429s count as rate limited
  });

  it('429 without Retry-After: default cooldown, doubling per strike, reset by a 200; origin B unaffected', async () => {
    const { poller, clock, sentAt } = wirePoller({ cooldown: { defaultMs: 2000, jitter: 0 } });
    const a = await scriptedServer(
      '/s',
      [{ status: 429 }, { status: 429 }, { status: 200 }, { status: 429 }],
      () => clock.now(),
    );
    const b = await loopbackServer((_req, res) => sendJson(res, 200, { b: true }));
    const cooldowns: PollerEvents['cooldown'][] = [];
    poller.on('cooldown', (event) => cooldowns.push(event));
    poller.poll(`${a.origin}/s`);
    poller.poll(`${b.origin}/b`);

    await clock.advance(0);
    expect(poller.cooldownUntil(a.origin)).toBe(T0 + 2000);
    await clock.advance(2000); // second 429: 4 s
    expect(poller.cooldownUntil(a.origin)).toBe(T0 + 6000);
    expect(await rejectionOf(poller.wrapFetch()(`${a.origin}/x`))).toMatchObject({
      retryAfterMs: 4000,
    });
    const bResponse = await poller.wrapFetch()(`${b.origin}/direct`);
    expect(bResponse.status).toBe(200); // another origin is never refused

    await clock.advance(4000); // 200: strikes reset
    await clock.advance(1000); // 429 again: back to 2 s
    await clock.advance(2000);
    expect(sentAt(a.origin)).toEqual([0, 2000, 6000, 7000, 9000]);
    expect(
      cooldowns.map(({ delayMs, strikes, source, until }) => ({ delayMs, strikes, source, until })),
    ).toEqual([
      { delayMs: 2000, strikes: 1, source: 'default', until: T0 + 2000 },
      { delayMs: 4000, strikes: 2, source: 'default', until: T0 + 6000 },
      { delayMs: 2000, strikes: 1, source: 'default', until: T0 + 9000 },
    ]);
    expect(a.requests).toHaveLength(5);
    // Origin B (another port, another origin) polled every second throughout.
    expect(sentAt(b.origin, '/b')).toEqual([
      0, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000,
    ]);
    expect(b.paths().filter((p) => p === '/b')).toHaveLength(10);
  });
});
