// @vitest-environment happy-dom
// usePoll over a real 127.0.0.1 server (the poller's clock is manual, the I/O real): equal
// answers render once, StrictMode sends one request, unmount aborts the request on the wire.
// The fetch is happy-dom's, as in a page on http://localhost:3000: the API answers with CORS
// headers, and the counts are of GETs (happy-dom preflights even a safelisted `accept`).
import { act } from '@testing-library/react';
import { createElement as h, StrictMode } from 'react';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../support/clock.js';
import {
  type Handler,
  type LoopbackServer,
  loopbackServer,
  sendJson,
} from '../support/loopback-server.js';
import { held, NOTHING_HELD, wirePoller } from '../support/poller.js';
import { Feed, microtasks, mount, provided, type Render, statuses } from './harness.js';

/** The page's origin may read the answers. */
const CORS = { 'access-control-allow-origin': '*' };

/** Answers a preflight, else calls `handler`. */
const api =
  (handler: Handler): Handler =>
  (req, res) => {
    if (req.method !== 'OPTIONS') return handler(req, res);
    res.writeHead(204, { ...CORS, 'access-control-allow-headers': '*' });
    res.end();
  };

/** Answers `{ v: 1 }` to every GET. */
const same = api((_req, res) => sendJson(res, 200, { v: 1 }, CORS));

/** The paths of the GETs `server` got. */
const gets = (server: LoopbackServer) =>
  server.requests.filter((r) => r.method === 'GET').map((r) => r.url);

describe('usePoll over the wire', () => {
  it('10 equal answers from the server: 1 render with data', async () => {
    const server = await loopbackServer(same);
    const { poller, clock } = wirePoller();
    const log: Render[] = [];
    const view = mount(provided(poller, h(Feed, { url: `${server.origin}/feed`, log })));
    await act(() => clock.advance(0));
    for (let tick = 1; tick < 10; tick++) await act(() => clock.advance(1000));
    expect(gets(server)).toEqual(Array(10).fill('/feed'));
    expect(statuses(log)).toEqual(['pending', 'success']);
    expect(view.container.textContent).toBe('{"v":1}');
  });

  it('StrictMode: the server gets one request per tick', async () => {
    const server = await loopbackServer(same);
    const { poller, clock } = wirePoller();
    const feed = h(Feed, { url: `${server.origin}/feed` });
    const view = mount(h(StrictMode, null, provided(poller, feed)));
    await act(() => clock.advance(0));
    await act(() => clock.advance(1000));
    expect(gets(server)).toEqual(['/feed', '/feed']);
    expect(view.container.textContent).toBe('{"v":1}');
  });

  it('unmount while the server holds the request: the connection is aborted', async () => {
    let aborted = false;
    const server = await loopbackServer(
      api((_req, res) => {
        res.on('close', () => {
          aborted = !res.writableEnded;
        });
      }),
    );
    const { poller, clock } = wirePoller({}, { idle: false });
    const view = mount(provided(poller, h(Feed, { url: `${server.origin}/slow` })));
    await act(() => clock.advance(0));
    await waitFor(() => gets(server).length === 1, 'the GET reached the server');
    view.unmount();
    await microtasks();
    await waitFor(() => aborted, 'the server saw the request aborted');
    expect(held(poller)).toEqual(NOTHING_HELD);
  });
});
