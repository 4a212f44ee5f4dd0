import type http from 'node:http';
import { describe, expect, it } from 'vitest';
import { BreakerOpenError, CooldownError, createPoller } from '../../src/index.js';
import { waitFor } from '../support/clock.js';
import { loopbackServer, sendJson } from '../support/loopback-server.js';
import { EXACT_TIMING, track } from '../support/poller.js';
import { rejectionOf } from '../support/promises.js';

/*
 * Issue 8, point 8, on a real wire: origin A answers 302 to origin B and the platform fetch
 * follows it (the Response says `redirected` and carries B's `url`). The origin that answered
 * (B) owns the outcome, its cooldown and its breaker; healthy A is never refused for B.
 */

/** A redirects /moved to B's /landing (and answers 200 elsewhere); B answers with `answerB`. */
async function redirecting(answerB: (res: http.ServerResponse) => void) {
  const b = await loopbackServer((_req, res) => answerB(res));
  const a = await loopbackServer((req, res) => {
    if (req.url === '/moved') {
      res.writeHead(302, { location: `${b.origin}/landing` });
      res.end();
    } else sendJson(res, 200, { from: 'A' });
  });
  const poller = track(createPoller({ ...EXACT_TIMING, timeout: 2000 }));
  return { A: a.origin, B: b.origin, a, b, poller };
}

describe('after a real redirect, the origin that answered owns the outcome', () => {
  it('wrapFetch: B answering 429 cools B down, not A', async () => {
    const { A, B, a, b, poller } = await redirecting((res) =>
      sendJson(res, 429, { error: 'slow down' }, { 'retry-after': '60' }),
    );
    const cooled: string[] = [];
    poller.on('cooldown', (e) => cooled.push(e.origin));
    const response = await poller.wrapFetch()(`${A}/moved`);
    expect(response).toMatchObject({ status: 429, redirected: true, url: `${B}/landing` });
    await response.body?.cancel();
    expect(cooled).toEqual([B]);
    expect(poller.cooldownUntil(`${B}/`)).toBeGreaterThan(Date.now() + 50_000);
    expect(poller.cooldownUntil(`${A}/`)).toBe(0);
    expect(await rejectionOf(poller.wrapFetch()(`${B}/direct`))).toBeInstanceOf(CooldownError);
    const other = await poller.wrapFetch()(`${A}/other`);
    expect(await other.json()).toEqual({ from: 'A' });
    expect(a.requests.map((r) => r.url)).toEqual(['/moved', '/other']);
    expect(b.requests.map((r) => r.url)).toEqual(['/landing']);
  });

  it('poll(url): B answering 429 cools B down, and A is polled again', async () => {
    const { A, B, a, poller } = await redirecting((res) =>
      sendJson(res, 429, { error: 'slow down' }, { 'retry-after': '60' }),
    );
    const errors: unknown[] = [];
    const sub = poller.poll(`${A}/moved`, { interval: 60_000, onError: (e) => errors.push(e) });
    await waitFor(() => errors.length === 1, 'the first poll failed');
    expect(errors[0]).toMatchObject({ name: 'HttpError', status: 429 });
    expect(poller.cooldownUntil(`${B}/`)).toBeGreaterThan(Date.now() + 50_000);
    expect(poller.cooldownUntil(`${A}/`)).toBe(0);
    sub.refresh(); // A is not cooling: refresh sends at once
    await waitFor(() => errors.length === 2, 'the refreshed poll failed');
    expect(a.requests.map((r) => r.url)).toEqual(['/moved', '/moved']);
  });

  it('wrapFetch: B answering 500 five times opens B breaker, not A', async () => {
    const { A, B, poller } = await redirecting((res) => sendJson(res, 500, { error: true }));
    const opened: string[] = [];
    poller.on('breaker:open', (e) => opened.push(e.origin));
    for (let i = 0; i < 5; i++) {
      const response = await poller.wrapFetch()(`${A}/moved`);
      expect(response.status).toBe(500);
      await response.body?.cancel();
    }
    expect(opened).toEqual([B]);
    expect(await rejectionOf(poller.wrapFetch()(`${B}/direct`))).toBeInstanceOf(BreakerOpenError);
    expect((await poller.wrapFetch()(`${A}/other`)).status).toBe(200);
  });
});
