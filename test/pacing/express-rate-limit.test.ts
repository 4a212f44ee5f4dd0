// pollwise against a real express-rate-limit (draft-8 headers) on 127.0.0.1, real timers: demand
// far above the budget must be paced inside it, with no 429, and every item still served.
import { describe, expect, it } from 'vitest';
import { createPoller } from '../../src/index.js';
import { createResource } from '../../src/resource/index.js';
import { rateLimitedExpress } from '../support/express-server.js';
import { track } from '../support/poller.js';

const WINDOW_MS = 5000;
const LIMIT = 40;
const RUN_MS = 12_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function limitedServer() {
  return rateLimitedExpress({
    windowMs: WINDOW_MS,
    limit: LIMIT,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
  });
}

/**
 * Runs for RUN_MS, disposes, then checks the server's side. The limiter's windows are per client
 * and fixed: each begins at the first request after the previous one reset, so at least
 * WINDOW_MS apart, and a run of `ms` spans at most ceil(ms / WINDOW_MS) of them. That times
 * LIMIT is the whole budget; no margin is needed on top, since the server counts exactly what
 * it limits (a request past it would be a 429, which must not happen either).
 */
async function runAndCheck(
  server: Awaited<ReturnType<typeof limitedServer>>,
  dispose: () => void,
  served: () => number,
  items: number,
) {
  const start = Date.now();
  await sleep(RUN_MS);
  dispose();
  const ranMs = Date.now() - start;
  await sleep(100); // requests aborted by dispose reach the server's counters
  const figures = {
    received: server.received,
    tooMany: server.count(429),
    ok: server.count(200),
    perWindow: server.perWindow(),
    served: served(),
  };
  console.log(`express-rate-limit, ${items} items:`, JSON.stringify(figures));
  expect(figures.tooMany, '429 answers').toBe(0);
  expect(figures.served, 'items that received data').toBe(items);
  expect(figures.received).toBeLessThanOrEqual(LIMIT * Math.ceil(ranMs / WINDOW_MS));
  for (const count of figures.perWindow) expect(count).toBeLessThanOrEqual(LIMIT);
}

describe('budget-aware pacing against express-rate-limit (draft-8 headers, wire, real timers)', () => {
  it('60 URL polls at 1 s (300 per 5 s) under a budget of 40 per 5 s: no 429, every item served', async () => {
    const server = await limitedServer();
    const poller = track(createPoller({ interval: 1000 }));
    const got = new Set<number>();
    for (let i = 0; i < 60; i++) {
      poller.poll(`${server.origin}/item/${i}`, { interval: 1000, onData: () => got.add(i) });
    }
    await runAndCheck(
      server,
      () => poller.dispose(),
      () => got.size,
      60,
    );
  }, 20_000);

  it('a resource of 20 keys with only an item endpoint (100 per 5 s): no 429, every key served', async () => {
    const server = await limitedServer();
    const poller = track(createPoller({ interval: 1000 }));
    const items = createResource<string, { id: string; at: number }>(poller, {
      item: { url: (id) => `${server.origin}/item/${id}` },
      interval: 1000,
    });
    const got = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const id = String(i);
      items.subscribe(id, (snapshot) => {
        if (snapshot.data !== undefined) got.add(id);
      });
    }
    await runAndCheck(
      server,
      () => poller.dispose(),
      () => got.size,
      20,
    );
  }, 20_000);
});
