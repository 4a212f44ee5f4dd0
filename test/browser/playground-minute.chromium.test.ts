// Issue 10, browser test 6 and the README's picture: a scripted minute of the playground, both
// dashboards, with a hidden period and a 429. Afterwards every request the server counted in
// the last minute has its own mark on the page's timeline, matched exactly: the page sends each
// request with its wire log's number (x-playground-seq), the server logs it, and the mark
// carries it (data-seq). A screenshot is taken: into docs/playground.png with
// `npm run screenshot` (PLAYGROUND_SCREENSHOT), into a temp folder removed after the test
// otherwise.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CountedRequest } from '../../playground/server/live-backend.js';
import { chromiumAvailable } from '../support/chromium.js';
import { openPlayground, sleepUntil, usePlaygroundInChromium } from '../support/playground.js';

const MINUTE = 60_000;
const HIDE_AT = 15_000;
const HIDDEN_FOR = 10_000;
const FORCE_429_AT = 35_000;
const RETRY_AFTER_S = 5;
const RUN_FOR = 62_000;
/**
 * The page stamps a request before it sends it, the server when it arrives. A request that
 * arrived in the minute's first second may have been stamped just before the minute, and is
 * then rightly not drawn: server requests are checked from one second into the minute.
 */
const EDGE_MS = 1000;
/** Date.now() is whole ms in Node and in the page: a stamp may read 1 ms after the arrival. */
const CLOCK_SLACK = 1;
const DASHBOARDS = ['pollwise', 'naive'];

interface Mark {
  dashboard: string;
  seq: number;
  at: number;
  method: string;
  url: string;
  status: number;
  kind: string;
}

/**
 * What is wrong with each server request's mark: none with its (dashboard, seq), or one whose
 * method, URL (on `origin`), status or stamp tells another request. Empty when all match.
 */
function mismatches(served: CountedRequest[], marks: Mark[], origin: string, start: number) {
  const bySeq = new Map(marks.map((m) => [`${m.dashboard} ${m.seq}`, m]));
  const seen = new Set<string>();
  const wrong: string[] = [];
  for (const r of served) {
    const key = `${r.client} ${r.pageSeq}`;
    const where = `${key} ${r.method} ${r.url} (+${r.at - start} ms)`;
    const mark = bySeq.get(key);
    if (r.pageSeq === undefined) wrong.push(`${where}: sent without x-playground-seq`);
    else if (seen.has(key)) wrong.push(`${where}: a second request with this seq`);
    else if (mark === undefined) wrong.push(`${where}: no mark`);
    else if (mark.method !== r.method || mark.url !== new URL(r.url, origin).href)
      wrong.push(`${where}: the mark is ${mark.method} ${mark.url}`);
    else if (mark.at > r.at + CLOCK_SLACK)
      wrong.push(`${where}: the mark was stamped ${mark.at - r.at} ms after it arrived`);
    else if (answeredDifferently(r.status, mark.status))
      wrong.push(`${where}: the server answered ${r.status}, the mark says ${mark.status}`);
    seen.add(key);
  }
  return wrong;
}

/** Both ends know the answer and disagree (0: not yet; 499 and -1: aborted). */
const answeredDifferently = (server: number, page: number) =>
  server > 0 && server !== 499 && page > 0 && server !== page;

describe.skipIf(!chromiumAvailable())('playground in real Chromium: a scripted minute', () => {
  const env = usePlaygroundInChromium({ viewport: { width: 1400, height: 1000 } });

  it('shows a mark for every request the server counted in the last minute, and takes the picture', async () => {
    const { playground, page, chrome } = env;
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

    // The server's log first (every request in it was stamped in the page before), then the
    // page's timelines drawn as of the same instant.
    const now = Date.now();
    const served = playground.backend
      .requests({ since: now - MINUTE + EDGE_MS })
      .filter((r) => DASHBOARDS.includes(r.client));
    const marks = await page.evaluate((at) => {
      window.__playground!.render(at);
      return [...document.querySelectorAll<SVGLineElement>('svg.timeline line.mark')].map(
        (line) => ({
          dashboard: line.closest('section')!.id,
          seq: Number(line.dataset.seq),
          at: Number(line.dataset.at),
          method: line.dataset.method!,
          url: line.dataset.url!,
          status: Number(line.dataset.status),
          kind: line.dataset.kind!,
        }),
      );
    }, now);
    const wrong = mismatches(served, marks, playground.url, start);
    const perClient = (client: string) => served.filter((r) => r.client === client).length;
    console.log(
      `[playground] last minute (from +${EDGE_MS} ms): server counted ${perClient('pollwise')} pollwise and ` +
        `${perClient('naive')} naive requests; the timelines hold ${marks.length} marks; ` +
        `${wrong.length} without their mark`,
    );
    const wrongOf = (client: string) => wrong.filter((w) => w.startsWith(`${client} `));
    expect(
      DASHBOARDS.flatMap((client) => wrongOf(client).slice(0, 5)),
      `server requests without their mark: ${DASHBOARDS.map((c) => `${c} ${wrongOf(c).length}`).join(', ')}`,
    ).toEqual([]);
    // Neither dashboard's check is empty: each sent well over a request a second outside its pauses.
    for (const client of DASHBOARDS) expect(perClient(client)).toBeGreaterThan(30);
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

    const shotDir = process.env.PLAYGROUND_SCREENSHOT
      ? undefined
      : mkdtempSync(path.join(tmpdir(), 'pollwise-shot-'));
    try {
      const out = process.env.PLAYGROUND_SCREENSHOT || path.join(shotDir!, 'playground.png');
      await page.screenshot({ path: out, fullPage: true });
      const png = readFileSync(out);
      expect(png.subarray(1, 4).toString()).toBe('PNG');
      console.log(`[playground] screenshot: ${out} (${png.length} bytes)`);
    } finally {
      if (shotDir !== undefined) rmSync(shotDir, { recursive: true, force: true });
    }
  });
});
