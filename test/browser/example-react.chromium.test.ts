// The React example (examples/react), as .ci/examples.sh built it from the packed tarball, in
// real Chromium: served from a 127.0.0.1 server that also answers its GET /api/status, the
// page must show the backend's data, and the backend must see exactly the polls the default
// loopback interval (1 s) asks for: one at start, then one a second, never two at once. Both
// builds run: production (what an app ships) and development, where StrictMode mounts the app
// twice. (A hook that subscribed anew on every render never shows data and fails here; one
// that leaked StrictMode's first subscription would not show on the wire, as the core shares
// one poll per URL: the adapter's own tests count subscriptions.)
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CHROMIUM_PATH,
  chromiumAvailable,
  isCI,
  launchRealChromium,
  type RealChromium,
} from '../support/chromium.js';
import { type LoopbackServer, sendJson, startLoopbackServer } from '../support/loopback-server.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BUILDS = [
  { mode: 'production', dir: path.join(ROOT, 'test-results/example-react') },
  { mode: 'development', dir: path.join(ROOT, 'test-results/example-react-dev') },
];
/** pollwise's default interval for a loopback host (DEFAULTS.loopbackInterval). */
const INTERVAL = 1000;
/** Each tick lands up to 10% late (DEFAULTS.jitter), plus a busy 2-core machine's slack. */
const LATEST_GAP = INTERVAL * 1.1 + 400;
/** Timers fire a little early or late, and arrivals carry network noise. */
const EARLIEST_GAP = INTERVAL - 50;
/** Polls the server must have seen (the first one included) before the counts are read. */
const POLLS = 4;

const missing = BUILDS.filter((build) => !existsSync(path.join(build.dir, 'index.html')));
const available = chromiumAvailable();
const skipReason = !available
  ? `no Chromium at ${CHROMIUM_PATH}`
  : missing.length > 0
    ? `${missing.map((b) => path.relative(ROOT, b.dir)).join(' and ')} missing: run bash .ci/examples.sh`
    : undefined;
if (skipReason !== undefined) console.warn(`[browser tests] example-react skipped: ${skipReason}`);

// A developer machine skips without the build or Chromium (the reason in the suite name);
// CI must have both, so there the suite fails instead.
describe.runIf(skipReason !== undefined && isCI())('the React example in CI', () => {
  it('is built and Chromium is installed', () => {
    throw new Error(
      `${skipReason}: .ci/run must run .ci/examples.sh before the browser tests (and install chromium).`,
    );
  });
});

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** Serves `dir` (a Vite dist) and answers GET /api/status with { ok, at, count }. */
async function startExampleServer(dir: string) {
  let count = 0;
  return startLoopbackServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://x').pathname;
    if (pathname === '/api/status') {
      count++;
      sendJson(res, 200, { ok: true, at: Date.now(), count }, { 'cache-control': 'no-store' });
      return;
    }
    if (pathname === '/favicon.ico') {
      // Chromium asks for one; the example has none.
      res.writeHead(204);
      res.end();
      return;
    }
    const file = path.join(dir, pathname === '/' ? 'index.html' : pathname);
    if (!file.startsWith(dir + path.sep) || !existsSync(file)) {
      res.writeHead(404);
      res.end();
      return;
    }
    const type = CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream';
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
    res.end(readFileSync(file));
  });
}

describe.skipIf(skipReason !== undefined).each(BUILDS)(
  `the React example's $mode build in real Chromium${skipReason ? ` (SKIPPED: ${skipReason})` : ''}`,
  ({ mode, dir }) => {
    let chrome: RealChromium | undefined;
    let server: LoopbackServer | undefined;
    let page: Page;
    const problems: string[] = [];

    beforeAll(async () => {
      server = await startExampleServer(dir);
      chrome = await launchRealChromium();
      page = chrome.page;
      page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(`console.error: ${message.text()}`);
      });
    });

    afterAll(async () => {
      await chrome?.close();
      await server?.close();
    });

    const statusRequests = () => server!.requests.filter((r) => r.url === '/api/status');

    it('shows the backend’s data and polls it once a second, one request at a time', async () => {
      const opened = Date.now();
      await page.goto(`${server!.origin}/`);
      await page
        .waitForFunction(
          () => document.querySelector('#status')?.textContent?.includes('answer #'),
          null,
          { timeout: 10_000 },
        )
        .catch(async (error: Error) => {
          const text = await page.locator('body').textContent();
          throw new Error(
            `no data shown (${statusRequests().length} polls answered; page: ${text}): ${error.message}`,
          );
        });
      const first = statusRequests()[0];
      expect(first, 'the first poll').toBeDefined();
      // Wait for POLLS polls, then half an interval more: a duplicate of the last would be in.
      await page.waitForFunction(
        (polls) => Number(document.querySelector('#status')?.getAttribute('data-count')) >= polls,
        POLLS,
        { timeout: POLLS * LATEST_GAP + 5000 },
      );
      await new Promise((resolve) => setTimeout(resolve, INTERVAL / 2));

      const polls = statusRequests();
      const gaps = polls.slice(1).map((poll, i) => poll.at - polls[i]!.at);
      const shown = {
        state: await page.locator('#poll-state').textContent(),
        count: Number(await page.locator('#status').getAttribute('data-count')),
        text: await page.locator('#status').textContent(),
      };
      console.log(
        `[example-react ${mode}] first poll ${first!.at - opened} ms after goto, gaps ${gaps.join(', ')} ms, page shows #${shown.count}`,
      );

      // Every poll a GET of /api/status, nothing else asked of the backend but the app's files.
      for (const request of server!.requests) {
        if (request.url === '/api/status') expect(request.method).toBe('GET');
        else
          expect(request.url, 'a request for a file').toMatch(
            /^\/(|assets\/[\w.-]+|favicon\.ico)$/,
          );
      }
      // At least POLLS polls; no two closer than the interval (StrictMode's second mount sent
      // nothing more), none further apart than a late tick.
      expect(polls.length).toBeGreaterThanOrEqual(POLLS);
      expect(Math.min(...gaps)).toBeGreaterThanOrEqual(EARLIEST_GAP);
      expect(Math.max(...gaps)).toBeLessThanOrEqual(LATEST_GAP);
      // The page shows the latest answer (or the one before, if a poll is on the wire now).
      expect(shown.state).toBe('success');
      expect(shown.count).toBeGreaterThanOrEqual(polls.length - 1);
      expect(shown.count).toBeLessThanOrEqual(polls.length);
      expect(shown.text).toMatch(new RegExp(`^Backend ok, answer #${shown.count} at `));
      expect(problems).toEqual([]);
    });
  },
);
