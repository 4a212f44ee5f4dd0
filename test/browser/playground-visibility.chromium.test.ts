// Issue 10, browser test 1: while the playground's tab is really hidden (another tab in front,
// not an emulation), the backend receives no poll request for 10 s; back in front, every
// overdue item is refreshed within 1 s. Counted at the server (arrival times, Node's clock)
// and in the page (when each tile's data arrived, the page's clock: the same system clock).
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchRealChromium, type RealChromium } from '../support/chromium.js';
import {
  counted,
  openPlayground,
  POLL_ROUTES,
  type RunningPlayground,
  sleepUntil,
  startTestPlayground,
  waitFor,
} from '../support/playground.js';

const HIDDEN_FOR = 10_000;
/** A poll on the wire when the tab was switched may still arrive this long after. */
const IN_FLIGHT_MARGIN = 100;
const REFRESHED_WITHIN = 1000;
const ITEMS = 40;

describe.skipIf(!chromiumAvailable())('playground in real Chromium: a hidden tab', () => {
  let playground: RunningPlayground;
  let chrome: RealChromium;
  let page: Page;

  beforeAll(async () => {
    playground = await startTestPlayground();
    chrome = await launchRealChromium();
    page = chrome.page;
  });
  afterAll(async () => {
    await chrome?.close();
    await playground?.close();
  });

  /** When the page last logged `type` (with `state`, when given), by the page's clock. */
  const lastEvent = (type: string, state?: string) =>
    page.evaluate(
      ([t, s]) =>
        [...window.__playground!.lifecycle]
          .reverse()
          .find((e) => e.type === t && (s === '' || e.state === s))?.at,
      [type, state ?? ''] as const,
    );

  it('sends 0 poll requests for 10 s while another tab is in front, then refreshes every overdue item within 1 s', async () => {
    await openPlayground(page, playground, { items: ITEMS, naive: false, interval: 1000 });
    const opened = Date.now();
    await waitFor('3 ticks', () => counted(playground, { since: opened }).length >= 3);

    const other = await chrome.context.newPage();
    let visibleAt: number;
    try {
      const hiddenAt = await waitFor(
        'the page to go hidden',
        () => lastEvent('visibilitychange', 'hidden'),
        3000,
      );
      await sleepUntil(hiddenAt + HIDDEN_FOR);
      const state = await page.evaluate(() => document.visibilityState);
      expect(state).toBe('hidden');
      const polls = counted(playground, {
        since: hiddenAt + IN_FLIGHT_MARGIN,
        routes: POLL_ROUTES,
      });
      expect(polls).toEqual([]);
      const skipped = await page.evaluate(
        () => window.__playground!.pollwise().stats.skipped.hidden,
      );
      expect(skipped).toBeGreaterThan(0);
    } finally {
      await page.bringToFront();
      await other.close();
    }
    visibleAt = await waitFor('the page to be visible', () =>
      lastEvent('visibilitychange', 'visible'),
    );

    // Every subscribed tile got data that arrived after the tab came back, within 1 s.
    const arrivals = await waitFor(
      'every tile refreshed',
      async () => {
        const tiles = await page.evaluate(() =>
          window.__playground!.pollwise().tiles.map((t) => t.receivedAt ?? 0),
        );
        return tiles.every((at) => at >= visibleAt) ? tiles : undefined;
      },
      3000,
    );
    expect(arrivals).toHaveLength(ITEMS);
    const slowest = Math.max(...arrivals) - visibleAt;
    console.log(
      `[playground] hidden 10 s: 0 polls; every item refreshed ${slowest} ms after return`,
    );
    expect(slowest).toBeLessThanOrEqual(REFRESHED_WITHIN);
    const first = counted(playground, { since: visibleAt - IN_FLIGHT_MARGIN, routes: POLL_ROUTES });
    expect(first.length).toBeGreaterThan(0);
  });
});
