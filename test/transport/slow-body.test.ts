// Issue 8, item 4: a response body dripped slowly (headers at once, then a byte every 100 ms for
// ever). The poller's deadline covers the body of everything pollwise reads or runs itself, on
// every path; the body of a wrapped fetch belongs to the app, but the door is done with it at
// the headers. Real timers, a real loopback server, small timeouts.
import { getEventListeners } from 'node:events';
import type http from 'node:http';
import v8 from 'node:v8';
import vm from 'node:vm';
import ky from 'ky';
import { describe, expect, it } from 'vitest';
import { coreOf } from '../../src/core/poller-core.js';
import {
  createPoller,
  isTimeoutError,
  type Poller,
  type PollTask,
  TimeoutError,
} from '../../src/index.js';
import { createKy, politeKy } from '../../src/ky/index.js';
import { runTask } from '../../src/query/task-context.js';
import { createResource, type Snapshot } from '../../src/resource/index.js';
import { waitFor } from '../support/clock.js';
import { loopbackServer, readBody, sendJson } from '../support/loopback-server.js';
import { EXACT_TIMING, track } from '../support/poller.js';
import { rejectionOf, within } from '../support/promises.js';

const TIMEOUT = 300;
const INTERVAL = 500;
const DRIP_MS = 100;
/** A full garbage collection, to see what a long-lived signal still holds. */
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** The signal of a poll that is never unsubscribed. */
const NEVER = new AbortController().signal;

/**
 * A server whose first answer to each path sends its headers and then one byte of body every
 * 100 ms, for as long as the connection stays open; later answers are whole (`{ n }`, or an
 * array of `{ id, n }` for POST /batch). It logs the requests that arrived, by path, and the
 * dripping ones the client closed.
 */
async function drippingServer() {
  const arrived: string[] = [];
  const abandoned: string[] = [];
  const s = await loopbackServer(async (req, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const body = await readBody(req);
    const n = arrived.filter((path) => path === url.pathname).length;
    arrived.push(url.pathname);
    if (n > 0) {
      if (url.pathname !== '/batch') return sendJson(res, 200, { n });
      const { ids } = JSON.parse(body) as { ids: string[] };
      return sendJson(
        res,
        200,
        ids.map((id) => ({ id, n })),
      );
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"n": 0, "padding": "');
    const drip = setInterval(() => res.write('x'), DRIP_MS);
    res.on('close', () => {
      clearInterval(drip);
      abandoned.push(url.pathname);
    });
  });
  return Object.assign(s, { arrived, abandoned });
}

/** A poller on the real clock: the deadline is measured in real time here. */
const realPoller = () => track(createPoller({ ...EXACT_TIMING, timeout: TIMEOUT }));

/**
 * Polls with `subscribe` (which reports data and errors), then checks: the first run fails with
 * pollwise's TimeoutError at the deadline, the dripping response is closed, and the next tick
 * (one interval after the first) is sent, not skipped as in flight, and gets the data.
 */
async function timesOutThenPollsAgain(
  poller: Poller,
  s: Awaited<ReturnType<typeof drippingServer>>,
  subscribe: (report: { data: (d: unknown) => void; error: (e: unknown) => void }) => void,
  expected: { url: string; data: unknown },
) {
  const errors: { error: unknown; at: number }[] = [];
  const data: { value: unknown; at: number }[] = [];
  const started = performance.now();
  subscribe({
    data: (value) => data.push({ value, at: performance.now() }),
    error: (error) => errors.push({ error, at: performance.now() }),
  });
  await waitFor(() => errors.length > 0, 'the TimeoutError', 1500);
  const took = (errors[0]?.at ?? Number.NaN) - started;
  const error = errors[0]?.error;
  expect(error).toBeInstanceOf(TimeoutError);
  expect(isTimeoutError(error)).toBe(true);
  expect(error).toMatchObject({ url: expected.url, timeoutMs: TIMEOUT });
  expect(took).toBeGreaterThanOrEqual(TIMEOUT - 5);
  expect(took).toBeLessThan(TIMEOUT + 150);
  expect(data).toEqual([]);
  // The dripping response was closed by the client, not left open on the wire.
  await waitFor(() => s.abandoned.length === 1, 'the server saw the dripping request closed');

  await waitFor(() => data.length === 1, 'data from the next tick', 1500);
  const next = (data[0]?.at ?? Number.NaN) - started;
  expect(next).toBeGreaterThanOrEqual(INTERVAL - 5);
  expect(next).toBeLessThan(INTERVAL + 150);
  expect(data[0]?.value).toEqual(expected.data);
  expect(errors).toHaveLength(1);
  expect(s.arrived).toHaveLength(2);
  expect(poller.stats()).toMatchObject({ runs: 2, succeeded: 1, errors: 1 });
  expect(poller.stats().skipped['in-flight']).toBe(0);
  expect(poller.inspect()).toMatchObject({ requestsInFlight: 0 });
}

describe('a dripped body: polls pollwise runs time out at the deadline (wire, real time)', () => {
  const tasks: [string, (url: string, poller: Poller) => PollTask<unknown>][] = [
    ['poll(task) reading ctx.fetch', (url) => async (ctx) => (await ctx.fetch(url)).json()],
    [
      'poll(task) reading poller.wrapFetch() with ctx.signal',
      (url, poller) =>
        async ({ signal }) =>
          (await poller.wrapFetch()(url, { signal })).json(),
    ],
    [
      'poll(task) with createKy(poller) and ctx.signal',
      (url, poller) => {
        const api = createKy(poller);
        return ({ signal }) => api.get(url, { signal }).json();
      },
    ],
    [
      'poll(task) with ky.extend(politeKy(poller)) and ctx.signal',
      (url, poller) => {
        const api = ky.create({ retry: 0, timeout: false }).extend(politeKy(poller));
        return ({ signal }) => api.get(url, { signal }).json();
      },
    ],
  ];

  it('poll(url)', async () => {
    const s = await drippingServer();
    const poller = realPoller();
    const url = `${s.origin}/drip`;
    await timesOutThenPollsAgain(
      poller,
      s,
      (report) =>
        poller.poll(url, { interval: INTERVAL, onData: report.data, onError: report.error }),
      { url, data: { n: 1 } },
    );
    // The headers of both arrived; the deadline stopped the first one's body.
    expect(poller.stats()).toMatchObject({ sent: 2, responses: 2 });
  });

  // Runs time out once src/query/poll.ts runs tasks with runTask (task-context.ts); until then
  // a task that reads a dripping body stays in flight for ever. Then: `it.each`.
  it.each(tasks)('%s', async (_name, makeTask) => {
    const s = await drippingServer();
    const poller = realPoller();
    const url = `${s.origin}/drip`;
    await timesOutThenPollsAgain(
      poller,
      s,
      (report) =>
        poller.poll(makeTask(url, poller), {
          url,
          interval: INTERVAL,
          onData: report.data,
          onError: report.error,
        }),
      { url, data: { n: 1 } },
    );
    expect(poller.stats()).toMatchObject({ sent: 2, responses: 2 });
  });

  it('poll(task) with ctx.http', async () => {
    const s = await drippingServer();
    const poller = realPoller();
    const url = `${s.origin}/drip`;
    await timesOutThenPollsAgain(
      poller,
      s,
      (report) =>
        poller.poll(({ http }) => http(url), {
          url,
          interval: INTERVAL,
          onData: report.data,
          onError: report.error,
        }),
      { url, data: { n: 1 } },
    );
  });

  it.each([
    ['an item read (GET /item)', '/item', false],
    ['a batch read (POST /batch)', '/batch', true],
  ] as const)('createResource: %s', async (_name, path, batched) => {
    const s = await drippingServer();
    const poller = realPoller();
    const items = createResource<string, { n: number }>(poller, {
      item: { url: (id) => `${s.origin}/item?id=${id}` },
      ...(batched
        ? {
            batch: {
              url: `${s.origin}/batch`,
              body: (ids) => ({ ids }),
              key: (entry) => (entry as { id: string }).id,
            },
          }
        : {}),
      interval: INTERVAL,
    });
    const url = `${s.origin}${batched ? path : `${path}?id=a`}`;
    await timesOutThenPollsAgain(
      poller,
      s,
      (report) =>
        items.subscribe('a', (snapshot: Snapshot<{ n: number }>) => {
          if (snapshot.status === 'error') report.error(snapshot.error);
          else if (snapshot.status === 'success') report.data(snapshot.data);
        }),
      { url, data: batched ? { id: 'a', n: 1 } : { n: 1 } },
    );
  });
});

describe('a dripped body of a wrapped fetch belongs to the app', () => {
  it('the door is done at the headers: nothing in flight, the next request goes out at once', async () => {
    const s = await drippingServer();
    const poller = realPoller();
    const wrapped = poller.wrapFetch();
    const response = await within(wrapped(`${s.origin}/drip`), 1000, 'the headers');
    expect(response.status).toBe(200);
    expect(poller.inspect().requestsInFlight).toBe(0);
    expect(poller.stats()).toMatchObject({ sent: 1, responses: 1 });
    // The poller's deadline is not the app's: the body still flows past it.
    await new Promise((resolve) => setTimeout(resolve, TIMEOUT + 100));
    expect(s.abandoned).toEqual([]);
    expect(await (await wrapped(`${s.origin}/drip`)).json()).toEqual({ n: 1 });
    await response.body?.cancel();
    await waitFor(() => s.abandoned.length === 1, 'the server saw the body cancelled');
  });

  it("the app's own signal still stops the body after the headers, as with fetch", async () => {
    const s = await drippingServer();
    const poller = realPoller();
    const controller = new AbortController();
    const response = await poller.wrapFetch()(`${s.origin}/drip`, { signal: controller.signal });
    const reading = rejectionOf(response.text());
    controller.abort();
    const error = await within(reading, 1000, 'the body read');
    expect(error).toMatchObject({ name: 'AbortError' });
    await waitFor(() => s.abandoned.length === 1, 'the server saw the request closed');
  });

  it('a page-long signal keeps no listener per request once the responses are gone', async () => {
    const s = await loopbackServer((_req, res) => sendJson(res, 200, { ok: true }));
    const poller = realPoller();
    const page = new AbortController();
    const wrapped = poller.wrapFetch();
    for (let i = 0; i < 20; i++) await (await wrapped(s.origin, { signal: page.signal })).json();
    for (let i = 0; i < 5 && getEventListeners(page.signal, 'abort').length > 0; i++) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(getEventListeners(page.signal, 'abort')).toHaveLength(0);
  });
});

describe('runTask (src/query/task-context.ts)', () => {
  it('a run reading a dripping ctx.fetch body ends at the deadline, the body closed', async () => {
    const s = await drippingServer();
    const poller = realPoller();
    const { door, baseUrl } = coreOf(poller);
    const deps = { door, baseUrl, politeFetch: poller.wrapFetch() };
    const url = `${s.origin}/drip`;
    const started = performance.now();
    const error = await within(
      rejectionOf(runTask(deps, async (ctx) => (await ctx.fetch(url)).json(), url, NEVER)),
      1000,
      'the run',
    );
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ url, timeoutMs: TIMEOUT });
    expect(performance.now() - started).toBeLessThan(TIMEOUT + 150);
    await waitFor(() => s.abandoned.length === 1, 'the server saw the request closed');
    expect(poller.inspect().requestsInFlight).toBe(0);
  });

  it('ctx.http calls have their own deadlines: a run of three slow calls is not cut short', async () => {
    const s = await drippingServer();
    const poller = realPoller();
    const { door, baseUrl } = coreOf(poller);
    const deps = { door, baseUrl, politeFetch: poller.wrapFetch() };
    const seen = await runTask(
      deps,
      async ({ http }) => {
        const errors: unknown[] = [];
        for (const path of ['/a', '/b', '/c'])
          errors.push(await rejectionOf(http(s.origin + path)));
        return errors;
      },
      s.origin,
      NEVER,
    );
    expect(seen).toHaveLength(3);
    for (const error of seen) expect(error).toBeInstanceOf(TimeoutError);
    expect(s.arrived).toEqual(['/a', '/b', '/c']);
  });
});
