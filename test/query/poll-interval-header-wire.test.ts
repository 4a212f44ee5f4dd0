// X-Poll-Interval over a real socket: what a server on 127.0.0.1 sends is what spaces the polls.
import { describe, expect, it } from 'vitest';
import { loopbackServer, sendJson } from '../support/loopback-server.js';
import { wirePoller } from '../support/poller.js';

describe('X-Poll-Interval on poll(url) (wire)', () => {
  it('a 200 and then 304s carrying X-Poll-Interval: 5 space the polls 5 s apart; then 1 s again', async () => {
    const state = { pollInterval: '5' as string | undefined };
    const s = await loopbackServer((req, res) => {
      const extra: Record<string, string> =
        state.pollInterval === undefined ? {} : { 'x-poll-interval': state.pollInterval };
      if (req.headers['if-none-match'] === '"v1"') {
        res.writeHead(304, { etag: '"v1"', ...extra });
        res.end();
        return;
      }
      sendJson(res, 200, { v: 1 }, { etag: '"v1"', ...extra });
    });
    const { poller, clock, sentAt } = wirePoller();
    const sub = poller.poll(`${s.origin}/events`, { interval: 1000 });
    await clock.advance(0);
    for (let i = 0; i < 4; i++) await clock.advance(2500);
    expect(sentAt(s.origin)).toEqual([0, 5000, 10_000]);
    expect(s.requests.map((r) => r.headers['if-none-match'])).toEqual([undefined, '"v1"', '"v1"']);

    state.pollInterval = undefined;
    await clock.advance(5000); // the 304 at 15 s carries none: the next poll is 1 s later
    await clock.advance(1000);
    await clock.advance(1000);
    expect(sentAt(s.origin)).toEqual([0, 5000, 10_000, 15_000, 16_000, 17_000]);
    expect(sub.getSnapshot()).toMatchObject({ status: 'success', data: { v: 1 } });
    expect(poller.stats()).toMatchObject({ sent: 6, succeeded: 6, errors: 0 });
  });
});
