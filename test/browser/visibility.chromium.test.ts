// Real-browser proof of the DEFAULT visibility source (documentVisibility()): a page bundled
// from src/ polls /tick on a loopback server every 200 ms, and Chromium really hides, shows,
// freezes and resumes it. Started over CDP without Playwright's defaults, because `launch()`
// pins every page to visible (see /work/shared/docs/browser-testing.md).
//
// Timing sources: the server stamps each /tick on arrival (Node's Date.now()); the page stamps
// its own events (the page's Date.now(), the same system clock). "Nothing sent while hidden" is
// checked twice: exactly in the page's ordered event log (no 'request' between the poller's
// visible:false and visible:true events), and at the server with a 50 ms latency margin after
// the moment the page turned hidden, so that one request already on the wire when the tab was
// switched is not mistaken for a poll sent while hidden (at most one such request is allowed).
import { build } from 'esbuild';
import type { CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CHROMIUM_PATH,
  chromiumAvailable,
  isCI,
  launchRealChromium,
  type RealChromium,
} from '../support/chromium.js';
import { sendJson, startLoopbackServer } from '../support/loopback-server.js';
import type { AppEvent } from './pages/visibility-app.js';

const INTERVAL = 200;
/** A request on the wire when the page turned hidden reaches the server within this. */
const IN_FLIGHT_MARGIN = 50;
const HIDDEN_FOR = 2500;
const FROZEN_FOR = 1500;
/** Becoming visible must send the overdue poll at once: well under one interval, in the page… */
const CATCH_UP_IN_PAGE = INTERVAL / 2;
/** …and at the server, network and a just-woken renderer included. */
const CATCH_UP_AT_SERVER = 300;

const available = chromiumAvailable();
// Without Chromium a developer machine skips (with the reason in the suite name); CI fails.
if (!available) {
  console.warn(`[browser tests] no Chromium at ${CHROMIUM_PATH} (apt-get install chromium)`);
}
const title = available
  ? 'default visibility in real Chromium'
  : `default visibility in real Chromium (SKIPPED: no Chromium at ${CHROMIUM_PATH})`;

describe.runIf(!available && isCI())('real Chromium in CI', () => {
  it('is installed', () => {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}: CI must install it (apt-get install -y chromium) ` +
        'or set CHROMIUM_PATH; the real-browser visibility tests cannot be skipped in CI.',
    );
  });
});

type Snapshot = {
  events: AppEvent[];
  data: number;
  errors: string[];
  skippedHidden: number;
  visibilityState: DocumentVisibilityState;
};

describe.skipIf(!available)(title, () => {
  let chrome: RealChromium | undefined;
  let server: Awaited<ReturnType<typeof startLoopbackServer>>;
  let page: Page;
  let cdp: CDPSession;
  let runs = 0;
  /** Measured numbers, printed once at the end. */
  const measured: Record<string, unknown> = {};

  beforeAll(async () => {
    const bundle = await build({
      entryPoints: [new URL('./pages/visibility-app.ts', import.meta.url).pathname],
      bundle: true,
      write: false,
      format: 'iife',
      platform: 'browser',
      target: 'chrome120',
      logLevel: 'silent',
    });
    const script = bundle.outputFiles[0]!.text;
    server = await startLoopbackServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (path === '/') {
        res.writeHead(200, { 'content-type': 'text/html', 'cache-control': 'no-store' });
        res.end('<!doctype html><title>pollwise</title><script src="/app.js"></script>');
      } else if (path === '/app.js') {
        res.writeHead(200, { 'content-type': 'text/javascript', 'cache-control': 'no-store' });
        res.end(script);
      } else if (path === '/tick') {
        sendJson(res, 200, { ok: true }, { 'cache-control': 'no-store' });
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    chrome = await launchRealChromium();
    page = chrome.page;
    cdp = await chrome.context.newCDPSession(page);
  });

  afterAll(async () => {
    if (Object.keys(measured).length > 0) console.log('[browser tests] measured', measured);
    await chrome?.close();
    await server?.close();
  });

  /** Server arrival times of this run's /tick requests. */
  const ticks = (run: number) =>
    server.requests.filter((r) => r.url === `/tick?run=${run}`).map((r) => r.at);

  const snapshot = (): Promise<Snapshot> =>
    page.evaluate(() => {
      const app = window.__app!;
      return {
        events: app.events,
        data: app.data,
        errors: app.errors,
        skippedHidden: app.stats().skipped.hidden,
        visibilityState: document.visibilityState,
      };
    });

  /** Polls a condition (page.evaluate works in hidden and frozen pages alike). */
  async function waitFor<T>(
    what: string,
    probe: () => T | undefined | Promise<T | undefined>,
    timeoutMs = 3000,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
      if (Date.now() > deadline) {
        const log = await page
          .evaluate(() => window.__app?.events.map((e) => JSON.stringify(e)))
          .catch((error: unknown) => String(error));
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; page log: ${log}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  const sleepUntil = (at: number) =>
    new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())));

  /**
   * Shows the tab again. A CDP freeze hides the front tab and `active` does not show it again,
   * and bringToFront() is a no-op on the front tab: switch to a scratch tab and back.
   */
  async function makeVisible() {
    await page.bringToFront();
    if ((await page.evaluate(() => document.visibilityState)) === 'visible') return;
    const scratch = await chrome!.context.newPage();
    await page.bringToFront();
    await scratch.close();
  }

  /** A fresh page with a fresh poller; resolves once it polled `ticksFirst` times. */
  async function openApp(ticksFirst: number) {
    const run = ++runs;
    await makeVisible();
    await page.goto(`${server.origin}/?run=${run}`);
    await waitFor('a visible page', () =>
      page.evaluate(() => document.visibilityState === 'visible'),
    );
    await waitFor(`${ticksFirst} ticks`, () => ticks(run).length >= ticksFirst || undefined);
    return run;
  }

  const visibilityEvents = (events: AppEvent[]) =>
    events.filter((e): e is Extract<AppEvent, { type: 'visibility' }> => e.type === 'visibility');

  /** Requests the page logged after `event` (taken from an earlier snapshot of the same log). */
  const requestsAfter = (events: AppEvent[], event: AppEvent) => {
    const index = events.findIndex((e) => JSON.stringify(e) === JSON.stringify(event));
    if (index < 0) throw new Error(`event not in the log: ${JSON.stringify(event)}`);
    return events.slice(index + 1).filter((e) => e.type === 'request');
  };

  it('polls /tick every 200 ms while the page is visible', async () => {
    const run = await openApp(1);
    // The first arrival also waits for the connection to open (tens of ms on a busy machine):
    // the span is measured from the second tick, over the five intervals after it.
    const arrivals = await waitFor('7 ticks', () => {
      const t = ticks(run);
      return t.length >= 7 ? t.slice(1, 7) : undefined;
    });
    const span = arrivals[5]! - arrivals[0]!;
    const app = await snapshot();
    const sent = app.events.filter((e) => e.type === 'request').map((e) => e.at);
    const gaps = sent.slice(1).map((at, i) => at - sent[i]!);
    measured.visibleSpanOf6Ticks = span;
    measured.visibleGapsInPage = gaps;

    // Six polls in five intervals: about one second, never faster than the interval.
    expect(span).toBeGreaterThanOrEqual(5 * INTERVAL - 50);
    expect(span).toBeLessThanOrEqual(5 * INTERVAL + 400);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(INTERVAL - 50);
    expect(app.visibilityState).toBe('visible');
    expect(visibilityEvents(app.events)).toEqual([]);
    expect(app.skippedHidden).toBe(0);
    expect(app.errors).toEqual([]);
    expect(app.data).toBeGreaterThanOrEqual(5);
  });

  it('sends nothing while another tab hides the page, and polls at once when it is shown again', async () => {
    const run = await openApp(3);
    const other = await chrome!.context.newPage();
    try {
      // The poller heard the real visibilitychange through documentVisibility().
      const hidden = await waitFor('the poller to report hidden', async () => {
        const app = await snapshot();
        return visibilityEvents(app.events).find((e) => !e.visible);
      });
      expect(hidden.state).toBe('hidden');
      await sleepUntil(hidden.at + HIDDEN_FOR);

      const whileHidden = await snapshot();
      expect(whileHidden.visibilityState).toBe('hidden');
      expect(visibilityEvents(whileHidden.events).map((e) => e.visible)).toEqual([false]);
      // Exact, in page order: no request after the poller learnt the page was hidden.
      expect(requestsAfter(whileHidden.events, hidden)).toEqual([]);
      // At the server: at most one request that was already on the wire, then silence.
      const cutoff = hidden.at + IN_FLIGHT_MARGIN;
      const arrivals = ticks(run);
      expect(arrivals.filter((at) => at > hidden.at && at <= cutoff).length).toBeLessThanOrEqual(1);
      expect(arrivals.filter((at) => at > cutoff)).toEqual([]);
      // The timer armed while visible fired once in the hidden page, skipped, and parked.
      expect(whileHidden.skippedHidden).toBe(1);
      measured.hiddenMs = Date.now() - hidden.at;
      measured.ticksBeforeHidden = arrivals.filter((at) => at <= hidden.at).length;
      measured.ticksInFlightWindow = arrivals.filter((at) => at > hidden.at && at <= cutoff).length;
      measured.ticksAfterHiddenCutoff = arrivals.filter((at) => at > cutoff).length;

      const before = arrivals.length;
      await page.bringToFront();
      const shown = await waitFor('the poller to report visible', async () => {
        const app = await snapshot();
        return visibilityEvents(app.events).find((e) => e.visible);
      });
      expect(shown.state).toBe('visible');
      const arrival = await waitFor('the catch-up tick', () => ticks(run)[before], 2000);
      const app = await snapshot();
      const request = requestsAfter(app.events, shown)[0];
      expect(request).toBeDefined();
      measured.catchUpInPageMs = request!.at - shown.at;
      measured.catchUpAtServerMs = arrival - shown.at;
      // Overdue: it ran at once, not one interval (or a throttled second) later.
      expect(request!.at - shown.at).toBeLessThan(CATCH_UP_IN_PAGE);
      expect(arrival - shown.at).toBeLessThan(CATCH_UP_AT_SERVER);
      expect(arrival).toBeGreaterThanOrEqual(shown.at);
      expect(visibilityEvents(app.events).map((e) => e.visible)).toEqual([false, true]);
      expect(app.errors).toEqual([]);
    } finally {
      await other.close();
    }
  });

  it('sends nothing while the page is frozen (Page Lifecycle), and polls again after resume', async () => {
    const run = await openApp(3);
    await cdp.send('Page.setWebLifecycleState', { state: 'frozen' });
    try {
      // Chromium fires visibilitychange (hidden) and then freeze.
      const frozen = await waitFor('the freeze event', async () => {
        const app = await snapshot();
        return app.events.find((e) => e.type === 'lifecycle' && e.name === 'freeze');
      });
      await sleepUntil(frozen.at + FROZEN_FOR);
      const whileFrozen = await snapshot();
      const hidden = visibilityEvents(whileFrozen.events).find((e) => !e.visible);
      expect(hidden).toBeDefined();
      expect(requestsAfter(whileFrozen.events, hidden!)).toEqual([]);
      const cutoff = hidden!.at + IN_FLIGHT_MARGIN;
      expect(ticks(run).filter((at) => at > cutoff)).toEqual([]);
      measured.ticksAfterFrozenCutoff = ticks(run).filter((at) => at > cutoff).length;
    } finally {
      await cdp.send('Page.setWebLifecycleState', { state: 'active' });
    }

    // Resumed, but Chromium leaves a page its freeze hid hidden: the poller must still wait.
    const resumed = await waitFor('the resume event', async () => {
      const app = await snapshot();
      return app.events.find((e) => e.type === 'lifecycle' && e.name === 'resume');
    });
    const afterResume = await snapshot();
    measured.stateAfterResume = afterResume.visibilityState;
    if (afterResume.visibilityState === 'hidden') {
      await sleepUntil(resumed.at + 2 * INTERVAL);
      expect(requestsAfter((await snapshot()).events, resumed)).toEqual([]);
    }

    const before = ticks(run).length;
    await makeVisible();
    const shown = await waitFor('the poller to report visible', async () => {
      const app = await snapshot();
      return visibilityEvents(app.events).find((e) => e.visible && e.at >= resumed.at);
    });
    const arrival = await waitFor('the first tick after resume', () => ticks(run)[before], 2000);
    const app = await snapshot();
    const request = requestsAfter(app.events, shown)[0];
    expect(request).toBeDefined();
    measured.resumeCatchUpInPageMs = request!.at - shown.at;
    measured.resumeCatchUpAtServerMs = arrival - shown.at;
    expect(request!.at - shown.at).toBeLessThan(CATCH_UP_IN_PAGE);
    expect(arrival - shown.at).toBeLessThan(CATCH_UP_AT_SERVER);
    expect(app.errors).toEqual([]);
  });

  it("emits 'visibility' only when visibility changes, not again on freeze/resume of a hidden page", async () => {
    await openApp(1);
    await cdp.send('Page.setWebLifecycleState', { state: 'frozen' });
    try {
      await waitFor('the freeze event', async () =>
        (await snapshot()).events.some((e) => e.type === 'lifecycle' && e.name === 'freeze'),
      );
    } finally {
      await cdp.send('Page.setWebLifecycleState', { state: 'active' });
    }
    await waitFor('the resume event', async () =>
      (await snapshot()).events.some((e) => e.type === 'lifecycle' && e.name === 'resume'),
    );
    await makeVisible();
    const app = await waitFor('the poller to report visible', async () => {
      const s = await snapshot();
      return visibilityEvents(s.events).some((e) => e.visible) ? s : undefined;
    });
    const lifecycle = app.events.filter((e) => e.type === 'lifecycle').map((e) => e.name);
    expect(lifecycle).toEqual(['visibilitychange', 'freeze', 'resume', 'visibilitychange']);
    // README: `visibility` fires when "the page was shown or hidden": once each way.
    expect(visibilityEvents(app.events).map((e) => e.visible)).toEqual([false, true]);
  });
});
