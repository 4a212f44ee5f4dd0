// Issue 10, browser test 4: 100 items give ceil(100 / 64) = 2 batch requests per tick, counted
// at the server, with every item in exactly one of them and no per-item request.
import { describe, expect, it } from 'vitest';
import type { CountedRequest } from '../../playground/server/live-backend.js';
import { chromiumAvailable } from '../support/chromium.js';
import {
  counted,
  openPlayground,
  usePlaygroundInChromium,
  waitFor,
} from '../support/playground.js';

const ITEMS = 100;
const BATCH_SIZE = 64;
const TICKS = 6;
/** Requests of one tick arrive within this of each other; ticks are a second apart. */
const SAME_TICK_MS = 400;

/** Server arrivals grouped into ticks: a gap longer than SAME_TICK_MS starts the next. */
function ticksOf(requests: CountedRequest[]): CountedRequest[][] {
  const ticks: CountedRequest[][] = [];
  for (const request of requests) {
    const tick = ticks.at(-1);
    const last = tick?.at(-1);
    if (tick !== undefined && last !== undefined && request.at - last.at <= SAME_TICK_MS) {
      tick.push(request);
    } else ticks.push([request]);
  }
  return ticks;
}

describe.skipIf(!chromiumAvailable())('playground in real Chromium: batching', () => {
  const env = usePlaygroundInChromium();

  it('polls 100 items with 2 batch requests per tick (64 + 36 keys), and no per-item request', async () => {
    const { playground, page } = env;
    const opened = Date.now();
    await openPlayground(page, playground, {
      items: ITEMS,
      naive: false,
      summaryEvery: 0,
      interval: 1000,
    });
    // One tick more than measured: the last one may still be under way.
    const all = await waitFor(
      `${TICKS + 1} ticks`,
      () => {
        const requests = counted(playground, { since: opened });
        return ticksOf(requests).length > TICKS ? requests : undefined;
      },
      (TICKS + 4) * 1000,
    );
    const ticks = ticksOf(all).slice(0, TICKS);
    console.log(
      `[playground] ${ITEMS} items, ${TICKS} ticks: ${ticks.map((t) => t.length).join(', ')} requests; keys ${ticks.map((t) => t.map((r) => r.keys).join('+')).join(', ')}`,
    );
    for (const tick of ticks) {
      expect(tick.map((r) => r.route)).toEqual(['batch', 'batch']);
      expect(tick.map((r) => r.keys).sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual([
        ITEMS - BATCH_SIZE,
        BATCH_SIZE,
      ]);
      expect(tick.every((r) => r.status === 200)).toBe(true);
    }
    expect(all.filter((r) => r.route === 'item')).toEqual([]);

    // The page's own count agrees with the server's.
    const until = Date.now();
    const stats = await page.evaluate(() => window.__playground!.pollwise().stats);
    const served = counted(playground, { since: opened, until });
    expect(stats.itemRequests).toBe(0);
    expect(stats.batches).toBeGreaterThanOrEqual(served.length - 2);
    expect(stats.batches).toBeLessThanOrEqual(served.length);
  });
});
