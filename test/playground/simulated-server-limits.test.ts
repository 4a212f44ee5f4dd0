import { describe, expect, it } from 'vitest';
import {
  SimulatedServer,
  type SimulatedServerOptions,
} from '../../playground/sim/simulated-server.js';
import { VirtualClock } from '../../playground/sim/virtual-clock.js';

const item = (id: number) => `https://demo.hf.space/api/items/${id}`;

type Limits = Pick<SimulatedServerOptions, 'limit' | 'window' | 'retryAfter' | 'rateLimitHeaders'>;

/**
 * A server of 50 ms latency and a 60 s window. `sendAt(t, n)` sends n requests at virtual time t
 * (times only grow); `answers()` lets every answer arrive and returns them, in sending order.
 */
function setup(limits: Limits = {}) {
  const clock = new VirtualClock(0);
  const server = new SimulatedServer({ clock, latencyMs: 50, windowMs: 60_000, ...limits });
  let pending: Promise<Response>[] = [];
  const sendAt = async (t: number, n = 1, url = item(0)) => {
    await clock.runUntil(t);
    for (let i = 0; i < n; i++) pending.push(server.fetch(url));
  };
  const answers = async () => {
    await clock.advanceBy(50);
    const all = await Promise.all(pending);
    pending = [];
    return all;
  };
  return { clock, server, sendAt, answers };
}

/** [status, Retry-After, RateLimit] of each response. */
const heads = (responses: Response[]) =>
  responses.map((r) => [r.status, r.headers.get('retry-after'), r.headers.get('ratelimit')]);

describe('SimulatedServer: fixed windows', () => {
  it('admits `limit` per [k·60 s, (k+1)·60 s) and answers Retry-After to the window end (whole seconds, at least 1)', async () => {
    const { server, sendAt, answers } = setup({ window: 'fixed', limit: 3 });
    // Spent at 30 s: a rolling window would wait until 90 s, a fixed one until 60 s.
    await sendAt(30_000, 4);
    await sendAt(30_001); // 29.999 s: rounds up
    await sendAt(58_999);
    await sendAt(59_000);
    await sendAt(59_999); // 1 ms left: still 1
    // The boundary: the whole budget again, then the next window's end (120 s).
    await sendAt(60_000, 4);
    expect(heads(await answers())).toEqual([
      [200, null, null],
      [200, null, null],
      [200, null, null],
      [429, '30', null],
      [429, '30', null],
      [429, '2', null],
      [429, '1', null],
      [429, '1', null],
      [200, null, null],
      [200, null, null],
      [200, null, null],
      [429, '60', null],
    ]);
    expect(server.count(200)).toBe(6);
    expect(server.count(429)).toBe(6);
    expect(server.retryAfterSeconds('anonymous', 60_100)).toBe(60);
    expect(server.retryAfterSeconds('anonymous', 120_000)).toBe(0);
  });

  it('does not carry unspent budget over: 2 used in one window leave a full one after the boundary', async () => {
    const { sendAt, answers } = setup({ window: 'fixed', limit: 3 });
    await sendAt(59_000, 2);
    await sendAt(60_000, 4);
    expect((await answers()).map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 429]);
  });
});

describe('SimulatedServer: draft-11 RateLimit headers', () => {
  it('announces the policy and the remaining quota on every 200, 429 and 404 (fixed window: t to its end)', async () => {
    const { sendAt, answers } = setup({ window: 'fixed', limit: 3, rateLimitHeaders: 'draft-11' });
    await sendAt(10_000, 4);
    await sendAt(10_400); // 49.6 s to the window end: t rounds up
    await sendAt(60_000);
    await sendAt(61_000, 1, item(999));
    const responses = await answers();
    expect(responses.map((r) => r.headers.get('ratelimit-policy'))).toEqual(
      Array(7).fill('"default";q=3;w=60'),
    );
    expect(heads(responses)).toEqual([
      [200, null, '"default";r=2;t=50'],
      [200, null, '"default";r=1;t=50'],
      [200, null, '"default";r=0;t=50'],
      [429, '50', '"default";r=0;t=50'],
      [429, '50', '"default";r=0;t=50'],
      [200, null, '"default";r=2;t=60'],
      [404, null, '"default";r=1;t=59'],
    ]);
  });

  it('rolling window: t counts down to when the oldest counted request leaves', async () => {
    const { sendAt, answers } = setup({ limit: 3, rateLimitHeaders: 'draft-11' });
    await sendAt(0);
    await sendAt(20_500, 2); // 39.5 s until the request of 0 s leaves
    await sendAt(30_000);
    await sendAt(60_000); // the request of 0 s left; those of 20.5 s are the oldest now
    expect(heads(await answers())).toEqual([
      [200, null, '"default";r=2;t=60'],
      [200, null, '"default";r=1;t=40'],
      [200, null, '"default";r=0;t=40'],
      [429, '30', '"default";r=0;t=30'],
      [200, null, '"default";r=0;t=21'],
    ]);
  });

  it('sends none by default', async () => {
    const { sendAt, answers } = setup({ window: 'fixed', limit: 1 });
    await sendAt(0, 2);
    const fields = (await answers()).map((r) => [
      r.status,
      r.headers.get('ratelimit'),
      r.headers.get('ratelimit-policy'),
    ]);
    expect(fields).toEqual([
      [200, null, null],
      [429, null, null],
    ]);
  });
});

describe('SimulatedServer: retryAfter: false (CORS hides the header)', () => {
  it('answers 429 with no Retry-After, and announces no window', async () => {
    const { server, sendAt, answers } = setup({ window: 'fixed', limit: 1, retryAfter: false });
    await sendAt(0, 2);
    await sendAt(1_000, 3);
    expect(heads(await answers())).toEqual([
      [200, null, null],
      [429, null, null],
      [429, null, null],
      [429, null, null],
      [429, null, null],
    ]);
    expect(server.announced.of('anonymous')).toEqual([]);
    expect(server.insideAnnounced).toBe(0);
  });
});

describe('SimulatedServer: requests inside an announced Retry-After window', () => {
  it('fixed: counts requests from the 429 delivery (arrival + 50 ms) to the window end, not before', async () => {
    const { clock, server } = setup({ window: 'fixed', limit: 1 });
    const sendAt = async (t: number) => {
      await clock.runUntil(t);
      void server.fetch(item(0));
    };
    await sendAt(0); // 200
    await sendAt(1_000); // 429, delivered at 1 050
    await sendAt(1_049); // right before the delivery: the client could not know yet
    await sendAt(1_050); // right at it
    await sendAt(1_051);
    await sendAt(59_999);
    await sendAt(60_000); // a new window: the server takes it
    await clock.runUntil(60_100);
    expect(server.announced.of('anonymous')).toEqual([
      { from: 1_050, to: 60_000, undelivered: false },
      { from: 1_099, to: 60_000, undelivered: false },
      { from: 1_100, to: 60_000, undelivered: false },
      { from: 1_101, to: 60_000, undelivered: false },
      { from: 60_049, to: 60_000, undelivered: false },
    ]);
    expect(server.requests.map((r) => [r.at, r.status, r.insideAnnounced])).toEqual([
      [0, 200, false],
      [1_000, 429, false],
      [1_049, 429, false],
      [1_050, 429, true],
      [1_051, 429, true],
      [59_999, 429, true],
      [60_000, 200, false],
    ]);
    expect(server.insideAnnounced).toBe(3);
  });

  it('rolling: the window is delivery + Retry-After; per client; an aborted 429 announces nothing', async () => {
    const { clock, server } = setup({ limit: 1 });
    const sendAt = async (t: number, client = 'a', signal?: AbortSignal) => {
      await clock.runUntil(t);
      server.fetch(item(0), { headers: { 'x-client-id': client }, signal }).catch(() => {});
    };
    await sendAt(0); // a: 200
    await sendAt(0, 'b'); // b: 200
    const controller = new AbortController();
    await sendAt(10_000, 'b', controller.signal); // b: 429, aborted before it arrives
    controller.abort();
    await sendAt(20_000); // a: 429, Retry-After 40 → window [20 050, 60 050)
    await sendAt(20_050, 'b'); // b never got its 429
    await sendAt(60_049);
    await sendAt(60_050); // Retry-After has passed (the server took it from 60 000 on)
    await clock.runUntil(60_200);
    expect(server.requests.map((r) => [r.at, r.client, r.status, r.insideAnnounced])).toEqual([
      [0, 'a', 200, false],
      [0, 'b', 200, false],
      [10_000, 'b', 429, false],
      [20_000, 'a', 429, false],
      [20_050, 'b', 429, false],
      [60_049, 'a', 200, true],
      [60_050, 'a', 429, false],
    ]);
    expect(server.announced.of('a')[0]).toEqual({ from: 20_050, to: 60_050, undelivered: false });
    expect(server.announced.of('b')[0]).toEqual({ from: 10_050, to: 60_050, undelivered: true });
  });
});
