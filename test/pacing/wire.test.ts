// Pacing across a real wire: pollwise against fixed-window limiters on 127.0.0.1 (real timers)
// that announce their quota as IETF draft-11 RateLimit/RateLimit-Policy, or as X-RateLimit-*
// with an epoch reset (seconds, as GitHub, or milliseconds). Demand far above the budget must
// be paced inside it: no 429, and every item served.
import type http from 'node:http';
import { describe, expect, it } from 'vitest';
import { createPoller, DEFAULTS } from '../../src/index.js';
import { loopbackServer, sendJson } from '../support/loopback-server.js';
import { EXACT_TIMING, track } from '../support/poller.js';

const WINDOW_MS = 2000;
const LIMIT = 8;
const ITEMS = 6;
const INTERVAL_MS = 500; // 12 requests a second asked, 4 allowed
const RUN_MS = 4500;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Announce = 'draft-11' | 'x-epoch-s' | 'x-epoch-ms';

/**
 * A fixed-window limiter: windows of WINDOW_MS from the server's start, LIMIT requests each,
 * 429 + Retry-After past it; every answer announces the quota in the `announce` style.
 */
function limiter(announce: Announce) {
  const start = Date.now();
  const perWindow: { accepted: number; refused: number }[] = [];
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const now = Date.now();
    const index = Math.floor((now - start) / WINDOW_MS);
    perWindow[index] ??= { accepted: 0, refused: 0 };
    const counts = perWindow[index];
    const ok = counts.accepted < LIMIT;
    if (ok) counts.accepted++;
    else counts.refused++;
    const endsAt = start + (index + 1) * WINDOW_MS;
    const left = LIMIT - counts.accepted;
    const resetS = Math.ceil((endsAt - now) / 1000);
    const headers: Record<string, string> =
      announce === 'draft-11'
        ? {
            ratelimit: `"fixed";r=${left};t=${resetS}`,
            'ratelimit-policy': `"fixed";q=${LIMIT};w=${WINDOW_MS / 1000}`,
          }
        : {
            'x-ratelimit-limit': String(LIMIT),
            'x-ratelimit-remaining': String(left),
            'x-ratelimit-reset':
              announce === 'x-epoch-s' ? String(Math.ceil(endsAt / 1000)) : String(endsAt),
          };
    if (!ok) headers['retry-after'] = String(resetS);
    sendJson(res, ok ? 200 : 429, { path: req.url, at: now }, headers);
  };
  return { handler, perWindow };
}

async function pacedAgainst(announce: Announce) {
  const { handler, perWindow } = limiter(announce);
  const server = await loopbackServer(handler);
  const poller = track(createPoller({ ...EXACT_TIMING, pacing: { ...DEFAULTS.pacing } }));
  const served = new Set<number>();
  for (let i = 0; i < ITEMS; i++) {
    poller.poll(`${server.origin}/item/${i}`, {
      interval: INTERVAL_MS,
      onData: () => served.add(i),
      onError: () => {},
    });
  }
  return { server, poller, perWindow, served };
}

describe('budget-aware pacing against fixed-window limiters on 127.0.0.1 (real timers)', () => {
  it(`draft-11 RateLimit, X-RateLimit with epoch seconds and epoch ms: ${ITEMS} items at ${INTERVAL_MS} ms under ${LIMIT} per ${WINDOW_MS} ms: no 429, every item served`, async () => {
    const runs = await Promise.all(
      (['draft-11', 'x-epoch-s', 'x-epoch-ms'] as const).map(async (announce) => ({
        announce,
        ...(await pacedAgainst(announce)),
      })),
    );
    await sleep(RUN_MS);
    for (const run of runs) run.poller.dispose();
    await sleep(50); // requests cut short by dispose reach the counters
    for (const { announce, poller, perWindow, served, server } of runs) {
      const figures = {
        requests: server.requests.length,
        perWindow: perWindow.map((w) => w?.accepted ?? 0),
        refused: perWindow.reduce((sum, w) => sum + (w?.refused ?? 0), 0),
        served: served.size,
        budget: poller.stats().budgets[server.origin],
      };
      console.log(`fixed window, ${announce}:`, JSON.stringify(figures));
      expect(figures.refused, `${announce}: 429s ${JSON.stringify(figures)}`).toBe(0);
      expect(figures.served, `${announce}: items served`).toBe(ITEMS);
      for (const accepted of figures.perWindow) expect(accepted).toBeLessThanOrEqual(LIMIT);
    }
  }, 15_000);
});
