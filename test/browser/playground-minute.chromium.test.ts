// Issue 10, browser test 6 and the README's picture: a scripted minute of the playground, both
// dashboards, with a hidden period and a 429. Afterwards every request the server counted in
// the last minute has its mark on the page's timeline, and a screenshot is taken: into
// docs/playground.png with `npm run screenshot` (PLAYGROUND_SCREENSHOT), into a temp folder
// otherwise.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CountedRequest } from '../../playground/server/live-backend.js';
import { chromiumAvailable, launchRealChromium, type RealChromium } from '../support/chromium.js';
import {
  openPlayground,
  type RunningPlayground,
  sleepUntil,
  startTestPlayground,
} from '../support/playground.js';

const MINUTE = 60_000;
const HIDE_AT = 15_000;
const HIDDEN_FOR = 10_000;
const FORCE_429_AT = 35_000;
const RETRY_AFTER_S = 5;
const RUN_FOR = 62_000;
/**
 * The page stamps a request before it sends it, the server when it arrives: on a busy machine
 * a request may wait more than a second in the browser's queue. Server requests of the first
 * seconds of the minute may have been stamped before it, so they are left out of the check.
 */
const EDGE_MS = 5000;

interface Mark {
  dashboard: string;
  at: number;
  method: string;
  url: string;
  status: number;
  kind: string;
}

const pathOf = (href: string) => {
  const url = new URL(href);
  return url.pathname + url.search;
};

/**
 * Server requests without a mark. Requests of one dashboard with the same method and URL are
 * interchangeable, and their marks are in the page's send order: each key needs at least as
 * many marks as the server counted requests, and the marks must not be newer than them.
 */
function unmatched(served: CountedRequest[], marks: Mark[]): CountedRequest[] {
  const byKey = new Map<string, number[]>();
  for (const mark of marks) {
    const key = `${mark.dashboard} ${mark.method} ${pathOf(mark.url)}`;
    byKey.set(key, [...(byKey.get(key) ?? []), mark.at]);
  }
  const missing: CountedRequest[] = [];
  const servedByKey = new Map<string, CountedRequest[]>();
  for (const request of served) {
    const key = `${request.client} ${request.method} ${request.url}`;
    servedByKey.set(key, [...(servedByKey.get(key) ?? []), request]);
  }
  for (const [key, requests] of servedByKey) {
    // Newest first on both sides: the k-th newest request was sent no later than it arrived.
    const stamps = (byKey.get(key) ?? []).sort((a, b) => b - a);
    const arrivals = [...requests].sort((a, b) => b.at - a.at);
    const inFlight = stamps.filter((at) => at > arrivals[0]!.at).length;
    arrivals.forEach((request, k) => {
      const stamp = stamps[k + inFlight];
      if (stamp === undefined || stamp > request.at + 50) missing.push(request);
    });
  }
  return missing;
}

describe.skipIf(!chromiumAvailable())('playground in real Chromium: a scripted minute', () => {
  let playground: RunningPlayground;
  let chrome: RealChromium;
  let page: Page;

  beforeAll(async () => {
    playground = await startTestPlayground();
    chrome = await launchRealChromium();
    page = chrome.page;
    await page.setViewportSize({ width: 1400, height: 1000 });
  });
  afterAll(async () => {
    await chrome?.close();
    await playground?.close();
  });

  it('shows a mark for every request the server counted in the last minute, and takes the picture', async () => {
    await openPlayground(page, playground, { items: 48, naive: true });
    const start = Date.now();

    await sleepUntil(start + HIDE_AT);
    const other = await chrome.context.newPage();
    await sleepUntil(start + HIDE_AT + HIDDEN_FOR);
    await page.bringToFront();
    await other.close();

    await sleepUntil(start + FORCE_429_AT);
    playground.backend.force429('pollwise', RETRY_AFTER_S);
    await sleepUntil(start + RUN_FOR);

    // The server's count first: every request it holds was stamped in the page before. The
    // page draws the same minute; a request that arrived in its first second may have been
    // stamped just before it, so the comparison starts one skew later.
    const now = Date.now();
    const served = playground.backend
      .requests({ since: now - MINUTE + EDGE_MS })
      .filter((r) => r.client === 'pollwise' || r.client === 'naive');
    const marks = await page.evaluate((at) => {
      window.__playground!.render(at);
      return [...document.querySelectorAll<SVGLineElement>('svg.timeline line.mark')].map(
        (line) => ({
          dashboard: line.closest('section')!.id,
          at: Number(line.dataset.at),
          method: line.dataset.method!,
          url: line.dataset.url!,
          status: Number(line.dataset.status),
          kind: line.dataset.kind!,
        }),
      );
    }, now);
    const missing = unmatched(served, marks);
    const perClient = (client: string) => served.filter((r) => r.client === client).length;
    console.log(
      `[playground] last minute: server counted ${perClient('pollwise')} pollwise and ${perClient('naive')} naive requests; the timelines hold ${marks.length} marks; ${missing.length} unmatched`,
    );
    // On failure: when each unmatched request arrived, and its URL's nearest marks.
    const nearest = missing.slice(0, 5).map((r) => {
      const same = marks.filter((m) => m.dashboard === r.client && pathOf(m.url) === r.url);
      const skews = same.map((m) => r.at - m.at).sort((a, b) => Math.abs(a) - Math.abs(b));
      return { sinceStart: r.at - start, url: r.url, skews: skews.slice(0, 3) };
    });
    expect(nearest).toEqual([]);
    expect(served.length).toBeGreaterThan(100);
    // Nothing older than the minute is drawn.
    const drawnFrom = Math.min(...marks.map((m) => m.at));
    expect(drawnFrom).toBeGreaterThanOrEqual(now - MINUTE);

    // The picture has what the README says it shows.
    const shown = await page.evaluate(() => ({
      hidden: document.querySelectorAll('#pollwise [data-band="hidden"]').length,
      cooldown: document.querySelectorAll('#pollwise [data-band="cooldown"]').length,
      pollwise429: document.querySelectorAll('#pollwise line.mark[data-status="429"]').length,
      naive429: document.querySelectorAll('#naive line.mark[data-status="429"]').length,
    }));
    expect(shown.hidden).toBeGreaterThan(0);
    expect(shown.cooldown).toBeGreaterThan(0);
    expect(shown.pollwise429).toBeGreaterThan(0);
    expect(shown.naive429).toBeGreaterThan(0);

    const out =
      process.env.PLAYGROUND_SCREENSHOT ||
      path.join(mkdtempSync(path.join(tmpdir(), 'pollwise-shot-')), 'playground.png');
    await page.screenshot({ path: out, fullPage: true });
    const png = readFileSync(out);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    console.log(`[playground] screenshot: ${out} (${png.length} bytes)`);
  });
});
