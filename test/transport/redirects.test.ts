// Issue 8, item 8: origin A answers 302 to origin B (two loopback ports, two origins) and fetch
// follows. B, the origin that answered, owns the outcome: its cooldown, its breaker. A answered
// too (with a redirect): for A's breaker that is a working host. Time is a manual clock.
import type http from 'node:http';
import { describe, expect, it } from 'vitest';
import { BreakerOpenError, CooldownError, type PollerEvents } from '../../src/index.js';
import { T0 } from '../support/clock.js';
import { loopbackServer, sendJson } from '../support/loopback-server.js';
import { wirePoller } from '../support/poller.js';
import { rejectionOf } from '../support/promises.js';

type Answer = (res: http.ServerResponse) => void;

/**
 * B answers with `answerB` (swappable); A redirects /moved to B's /landing and answers
 * `answerA` elsewhere. Breaker and cooldown events are logged with their origin.
 */
async function redirecting(answerB: Answer, answerA: Answer = (res) => sendJson(res, 200, {})) {
  const routes = { a: answerA, b: answerB };
  const b = await loopbackServer((_req, res) => routes.b(res));
  const a = await loopbackServer((req, res) => {
    if (req.url !== '/moved') return routes.a(res);
    res.writeHead(302, { location: `${b.origin}/landing` });
    res.end();
  });
  const { poller, clock } = wirePoller({ breaker: { minRequests: 3, openMs: 10_000 } });
  const events: string[] = [];
  const types = ['cooldown', 'breaker:open', 'breaker:half-open', 'breaker:close'] as const;
  for (const type of types) {
    poller.on(type, (e: PollerEvents[typeof type]) =>
      events.push(`${type} ${e.origin === a.origin ? 'A' : 'B'}`),
    );
  }
  const get = async (url: string) => {
    const response = await poller.wrapFetch()(url);
    await response.arrayBuffer();
    return response;
  };
  return { A: a.origin, B: b.origin, a, b, poller, clock, events, routes, get };
}

describe('a redirect from A to B: B owns the outcome', () => {
  it('B answering 429 cools B down for its Retry-After; A stays open', async () => {
    const { A, B, a, b, poller, clock, events } = await redirecting((res) =>
      sendJson(res, 429, {}, { 'retry-after': '30' }),
    );
    const errors: unknown[] = [];
    poller.poll(`${A}/moved`, { interval: 60_000, onError: (e) => errors.push(e) });
    await clock.advance(0);
    expect(errors).toMatchObject([{ name: 'HttpError', status: 429, url: `${A}/moved` }]);
    expect(events).toEqual(['cooldown B']);
    expect(poller.cooldownUntil(B)).toBe(T0 + 30_000);
    expect(poller.cooldownUntil(A)).toBe(0);
    expect(await rejectionOf(poller.wrapFetch()(`${B}/direct`))).toBeInstanceOf(CooldownError);
    expect((await poller.wrapFetch()(`${A}/other`)).status).toBe(200);
    expect(a.paths()).toEqual(['/moved', '/other']);
    expect(b.paths()).toEqual(['/landing']);
  });

  it('B answering 500 opens B breaker, never A: A is still sent to directly', async () => {
    const { A, B, a, poller, events, get } = await redirecting((res) => sendJson(res, 500, {}));
    for (let i = 0; i < 3; i++) expect((await get(`${A}/moved`)).status).toBe(500);
    expect(events).toEqual(['breaker:open B']);
    expect(await rejectionOf(poller.wrapFetch()(`${B}/direct`))).toBeInstanceOf(BreakerOpenError);
    for (let i = 0; i < 3; i++) expect((await get(`${A}/other`)).status).toBe(200);
    expect(a.paths()).toEqual(['/moved', '/moved', '/moved', '/other', '/other', '/other']);
    expect(poller.stats()).toMatchObject({ sent: 6, refused: 1, breakerOpened: 1 });
  });

  it("A's half-open probe answered by a redirect closes A's breaker", async () => {
    const { A, a, b, clock, events, routes, get } = await redirecting(
      (res) => sendJson(res, 200, { from: 'B' }),
      (res) => sendJson(res, 500, {}),
    );
    for (let i = 0; i < 3; i++) expect((await get(`${A}/down`)).status).toBe(500);
    expect(events).toEqual(['breaker:open A']);
    routes.a = (res) => sendJson(res, 200, { from: 'A' });
    await clock.advance(10_000);
    // The probe: A answers with a redirect (it works), B with a 200.
    expect((await get(`${A}/moved`)).status).toBe(200);
    expect(b.paths()).toEqual(['/landing']);
    expect(events).toEqual(['breaker:open A', 'breaker:half-open A', 'breaker:close A']);
    // Closed: the next request to A goes out at once.
    expect((await get(`${A}/up`)).status).toBe(200);
    expect(a.paths()).toEqual(['/down', '/down', '/down', '/moved', '/up']);
  });
});

describe('a redirect into an origin that is cooling down (known limit)', () => {
  // Browsers follow redirects inside fetch and give no way to stop at one: `redirect: 'manual'`
  // yields an opaque response with no Location. So a request admitted for A can land on B while
  // B cools down. What pollwise guarantees: B's answer is B's (a 429 extends B's cooldown, never
  // A's), A stays open, and the caller gets the response as fetch gave it.
  it('the redirect is followed; B answers and owns its answer; A stays open', async () => {
    const { A, B, a, b, poller, clock, events, get } = await redirecting((res) =>
      sendJson(res, 429, {}, { 'retry-after': '30' }),
    );
    expect((await get(`${A}/moved`)).status).toBe(429);
    expect(poller.cooldownUntil(B)).toBe(T0 + 30_000);
    await clock.advance(10_000);
    const inside = await get(`${A}/moved`);
    expect(inside).toMatchObject({ status: 429, redirected: true, url: `${B}/landing` });
    // B's second 429 is B's second strike, from now; A was never cooled.
    expect(poller.cooldownUntil(B)).toBe(T0 + 40_000);
    expect(poller.cooldownUntil(A)).toBe(0);
    expect(events).toEqual(['cooldown B', 'cooldown B']);
    expect(a.paths()).toEqual(['/moved', '/moved']);
    expect(b.paths()).toEqual(['/landing', '/landing']);
  });
});
