import { describe, expect, it } from 'vitest';
import { BreakerOpenError, type FetchFunction, type PollerEvents } from '../../src/index.js';
import { T0 } from '../support/clock.js';
import { loopbackServer, sendJson } from '../support/loopback-server.js';
import { wirePoller } from '../support/poller.js';
import { rejectionOf } from '../support/promises.js';

const BREAKER = { minRequests: 2, failureRatio: 0.5, openMs: 5000 };

describe('one door: a request wrapped twice is admitted once (wire)', () => {
  it('poller.wrapFetch(poller.wrapFetch()) sends and counts one request', async () => {
    const { poller } = wirePoller();
    const s = await loopbackServer((_req, res) => sendJson(res, 200, { ok: true }));
    const requests: PollerEvents['request'][] = [];
    poller.on('request', (event) => requests.push(event));
    const twice = poller.wrapFetch(poller.wrapFetch());
    expect(twice).toBe(poller.wrapFetch()); // the documented short cut

    const response = await twice(`${s.origin}/x`);
    expect(await response.json()).toEqual({ ok: true });
    expect(s.requests).toHaveLength(1);
    expect(requests).toHaveLength(1);
    expect(poller.stats()).toMatchObject({ sent: 1, responses: 1, refused: 0 });
  });

  it("a wrapped fetch of the app's own, wrapped again, is counted once too", async () => {
    const { poller } = wirePoller();
    const s = await loopbackServer((_req, res) => sendJson(res, 200, { ok: true }));
    const own: FetchFunction = (input, init) => fetch(input, init);
    const twice = poller.wrapFetch(poller.wrapFetch(own));
    await twice(`${s.origin}/x`);
    await twice(`${s.origin}/y`);
    expect(s.requests).toHaveLength(2);
    expect(poller.stats()).toMatchObject({ sent: 2, responses: 2 });
  });

  it('a half-open breaker probe through the double-wrapped path is sent and closes the breaker', async () => {
    const { poller, clock } = wirePoller({ breaker: BREAKER });
    let failing = true;
    const s = await loopbackServer((_req, res) =>
      failing ? sendJson(res, 500, { down: true }) : sendJson(res, 200, { ok: true }),
    );
    const transitions: string[] = [];
    poller.on('breaker:open', () => transitions.push('open'));
    poller.on('breaker:half-open', () => transitions.push('half-open'));
    poller.on('breaker:close', () => transitions.push('close'));
    const once = poller.wrapFetch();
    const twice = poller.wrapFetch(once);

    // Two 500s open the breaker; the next call is refused before the network.
    expect((await once(`${s.origin}/a`)).status).toBe(500);
    expect((await once(`${s.origin}/b`)).status).toBe(500);
    expect(transitions).toEqual(['open']);
    const refused = await rejectionOf(twice(`${s.origin}/c`));
    expect(refused).toBeInstanceOf(BreakerOpenError);
    expect(refused).toMatchObject({ retryAt: T0 + 5000 });
    expect(s.requests).toHaveLength(2);

    // At openMs one probe may go: through the double-wrapped path it is admitted once (a second
    // admission would find the probe already out and refuse it), reaches the server, succeeds,
    // and closes the breaker.
    failing = false;
    await clock.advance(5000);
    const probe = await twice(`${s.origin}/probe`);
    expect(probe.status).toBe(200);
    expect(s.paths()).toEqual(['/a', '/b', '/probe']);
    expect(transitions).toEqual(['open', 'half-open', 'close']);

    // Closed: requests flow again.
    expect((await twice(`${s.origin}/after`)).status).toBe(200);
    expect(s.requests).toHaveLength(4);
    expect(poller.stats()).toMatchObject({ sent: 4, responses: 4, refused: 1, breakerOpened: 1 });
  });
});
