// Browser test: navigating away from the playground (to away.html) and back leaves no duplicate
// timers. The backend counts the pollwise dashboard's poll requests (arrival times, Node's
// clock) over equal windows before leaving and after the return; the rates must match within
// one tick. Twice: with Chromium's back/forward cache (the frozen page itself comes back, and
// the test proves it did with a `pageshow` whose `persisted` is true), and without it (the
// return is a fresh load). Page stamps (`lifecycle`) use the page's clock: the same system clock.
import type { CDPSession } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PlaygroundHook } from '../../playground/web/playground-hook.js';
import { DEFAULTS } from '../../src/defaults.js';
import { chromiumAvailable } from '../support/chromium.js';
import {
  counted,
  openPlayground,
  POLL_ROUTES,
  type RunningPlayground,
  sleep,
  sleepUntil,
  usePlaygroundInChromium,
  waitFor,
} from '../support/playground.js';

const INTERVAL = 500;
/** 100 items at 64 keys per batch request: exactly 2 batch requests per tick. */
const ITEMS = 100;
const PER_TICK = 2;
const CONFIG = { naive: false, summaryEvery: 0, items: ITEMS, interval: INTERVAL };
/** Each window counts this long… */
const WINDOW = 5000;
/** …after this much settling: the first connection, or the overdue polls of a return. */
const SETTLE = 1000;
const AWAY_FOR = 2000;
/** A poll on the wire when the page left may still arrive this long after. */
const IN_FLIGHT_MARGIN = 100;

type Lifecycle = PlaygroundHook['lifecycle'];
type Inspection = ReturnType<PlaygroundHook['pollwise']>['inspect'];
/** What of `inspect()` a second timer, scheduler or dashboard would change. */
const SHAPE = ['timers', 'entries', 'groups', 'lanes', 'eventListeners'] as const;

/** Poll requests in [from, from + WINDOW), counted at the server. */
function windowCount(playground: RunningPlayground, from: number) {
  return counted(playground, { since: from, until: from + WINDOW - 1, routes: POLL_ROUTES }).length;
}

const perSecond = (count: number) => (count * 1000) / WINDOW;

describe.skipIf(!chromiumAvailable())('playground in real Chromium: away and back', () => {
  describe.each([
    { mode: 'bfcache on', flags: [] as string[], bfcache: true },
    { mode: 'bfcache off', flags: ['--disable-back-forward-cache'], bfcache: false },
  ])('$mode', ({ mode, flags, bfcache }) => {
    // No rate limit in the way: 4 requests a second is over the default 120 a minute.
    const env = usePlaygroundInChromium({
      settings: { limitPerMinute: 100_000 },
      extraFlags: flags,
    });
    let cdp: CDPSession;
    /** Why Chromium did not restore the page from the back/forward cache, per navigation. */
    const notCached: string[][] = [];

    beforeAll(async () => {
      cdp = await env.chrome.context.newCDPSession(env.page);
      cdp.on('Page.backForwardCacheNotUsed', (event) => {
        notCached.push(event.notRestoredExplanations.map((r) => `${r.type}: ${r.reason}`));
      });
      await cdp.send('Page.enable');
    });

    const lifecycle = () =>
      env.page.evaluate(() => window.__playground?.lifecycle) as Promise<Lifecycle>;
    const inspect = () => env.page.evaluate(() => window.__playground!.pollwise().inspect);
    /** `inspect()` sampled across ticks (a group's timer is briefly unset while it runs). */
    async function inspectMax(): Promise<Record<(typeof SHAPE)[number], number>> {
      const samples: Inspection[] = [];
      for (let i = 0; i < 8; i++) {
        samples.push(await inspect());
        await sleep(INTERVAL / 4);
      }
      return Object.fromEntries(
        SHAPE.map((key) => [key, Math.max(...samples.map((s) => Number(s[key])))]),
      ) as Record<(typeof SHAPE)[number], number>;
    }

    it('polls at the same rate after the return as before (no duplicate timers)', async () => {
      const { playground, page } = env;
      await openPlayground(page, playground, CONFIG);
      const opened = Date.now();
      const beforeFrom = opened + SETTLE;
      await sleepUntil(beforeFrom + WINDOW);
      const before = windowCount(playground, beforeFrom);
      const shapeBefore = await inspectMax();

      await page.goto(new URL('away.html', playground.url).href);
      const awayAt = Date.now();
      await sleepUntil(awayAt + AWAY_FOR);
      const backAt = Date.now();
      await page.goBack({ waitUntil: 'commit' });
      // The playground's document is back (restored or loaded again) and has shown itself.
      const events = await waitFor('the playground to show again', async () => {
        const log = await lifecycle().catch(() => undefined); // mid-navigation
        return log?.some((e) => e.type === 'pageshow' && e.at >= backAt) ? log : undefined;
      });
      const shownAt = events.filter((e) => e.type === 'pageshow' && e.at >= backAt)[0]!.at;
      const whileAway = counted(playground, {
        since: awayAt + IN_FLIGHT_MARGIN,
        until: shownAt,
        routes: POLL_ROUTES,
      });

      const afterFrom = shownAt + SETTLE;
      await sleepUntil(afterFrom + WINDOW);
      const after = windowCount(playground, afterFrom);
      const shapeAfter = await inspectMax();
      const restored = events.filter((e) => e.type === 'pageshow' && e.persisted === true);
      const firstBack = counted(playground, { since: shownAt, routes: POLL_ROUTES })[0];
      console.log(
        `[playground] ${mode}: ${perSecond(before)}/s before (${before} in ${WINDOW} ms), ` +
          `${perSecond(after)}/s after (${after}); ${whileAway.length} while away; ` +
          `first poll ${firstBack === undefined ? 'never' : `${firstBack.at - shownAt} ms`} after pageshow; ` +
          `timers ${shapeBefore.timers} → ${shapeAfter.timers}; ` +
          `restored from bfcache: ${restored.length > 0}; not cached: ${JSON.stringify(notCached)}`,
      );

      if (bfcache) {
        // Else the test would only prove what the fresh-load case proves.
        expect(
          restored,
          `not restored from the bfcache: ${JSON.stringify(notCached)}`,
        ).toHaveLength(1);
        expect(restored[0]!.at).toBeGreaterThanOrEqual(backAt);
        expect(events.filter((e) => e.type === 'load')).toHaveLength(1);
        expect(events[0]!.at).toBeLessThan(awayAt);
        expect(shapeAfter).toEqual(shapeBefore);
      } else {
        // A fresh document: its log starts with its own load, after the return.
        expect(events[0]).toMatchObject({ type: 'load' });
        expect(events[0]!.at).toBeGreaterThanOrEqual(backAt);
        expect(events.some((e) => e.persisted === true)).toBe(false);
        expect(notCached.length).toBeGreaterThan(0);
        expect(shapeAfter).toEqual(shapeBefore);
      }

      // The dashboard ran at its configured rate before, stopped while away, and runs at the
      // same rate after: a second timer or dashboard would double it, a lost one would stop it.
      const slowest = PER_TICK * Math.floor(WINDOW / (INTERVAL * (1 + DEFAULTS.jitter)));
      const fastest = PER_TICK * (Math.floor(WINDOW / INTERVAL) + 1);
      const counts = `${before} poll requests in ${WINDOW} ms before leaving, ${after} after the return`;
      expect(before, `the rate before (${counts})`).toBeGreaterThanOrEqual(slowest);
      expect(before, `the rate before (${counts})`).toBeLessThanOrEqual(fastest);
      expect(whileAway.map((r) => `${r.route} +${r.at - awayAt} ms`)).toEqual([]);
      expect(
        Math.abs(after - before),
        `the rate after the return differs from the rate before by more than one tick (${counts})`,
      ).toBeLessThanOrEqual(PER_TICK);
      expect(after, `the rate after (${counts})`).toBeGreaterThanOrEqual(slowest);
      expect(after, `the rate after (${counts})`).toBeLessThanOrEqual(fastest);
    });
  });
});
