import type http from 'node:http';
import { describe, expect, it } from 'vitest';
import { createPoller, isTimeoutError, type PollTask, TimeoutError } from '../../../src/index.js';
import { waitFor } from '../../support/clock.js';
import { loopbackServer, sendJson } from '../../support/loopback-server.js';
import { EXACT_TIMING, track } from '../../support/poller.js';

const TIMEOUT = 300;
const INTERVAL = 600;

/**
 * A server whose first answer sends its headers and part of the body, then nothing more; later
 * answers are whole. It logs when each request arrived (real ms) and which were abandoned by the
 * client before their body ended.
 */
async function drippingServer() {
  const arrived: number[] = [];
  const abandoned: number[] = [];
  const s = await loopbackServer((_req, res: http.ServerResponse) => {
    const index = arrived.push(performance.now()) - 1;
    if (index > 0) return sendJson(res, 200, { n: index });
    res.on('close', () => {
      if (!res.writableEnded) abandoned.push(index);
    });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
    res.write('{"n": 0, "padding": "'); // ... and never the rest
  });
  return Object.assign(s, { arrived, abandoned });
}

/** A poller on the real clock: the deadline is measured in real time here. */
const realPoller = () => track(createPoller({ ...EXACT_TIMING, timeout: TIMEOUT }));

const cases: [string, (url: string) => [string | PollTask<unknown>, object]][] = [
  ['poll(url)', (url) => [url, {}]],
  ['a task using ctx.http', (url) => [({ http }) => http(url), { url }]],
];

describe('a body dripped past the timeout (wire, real time)', () => {
  it.each(cases)(
    '%s fails with a TimeoutError within timeout + 100 ms; the next tick polls again',
    async (_name, target) => {
      const s = await drippingServer();
      const poller = realPoller();
      const errors: { error: unknown; at: number }[] = [];
      const data: unknown[] = [];
      const [what, options] = target(`${s.origin}/drip`);
      const started = performance.now();
      poller.poll(what as never, {
        ...options,
        interval: INTERVAL,
        onData: (d: unknown) => data.push(d),
        onError: (error: unknown) => errors.push({ error, at: performance.now() }),
      });
      await waitFor(() => errors.length > 0, 'the TimeoutError', 3000);
      const took = (errors[0]?.at ?? Number.NaN) - started;

      expect(errors).toHaveLength(1);
      const error = errors[0]?.error;
      expect(error).toBeInstanceOf(TimeoutError);
      expect(isTimeoutError(error)).toBe(true);
      expect(error).toMatchObject({ url: `${s.origin}/drip`, timeoutMs: TIMEOUT });
      // The headers (a 200) arrived at once; the deadline covered the body too.
      expect(poller.stats()).toMatchObject({ sent: 1, responses: 1, errors: 1 });
      expect(took).toBeGreaterThanOrEqual(TIMEOUT - 5);
      expect(took).toBeLessThan(TIMEOUT + 100);
      expect(data).toEqual([]);
      // The stalled response was abandoned, not left open.
      await waitFor(() => s.abandoned.length === 1, 'the server saw the request closed');

      // The next tick polls again and gets data.
      await waitFor(() => data.length === 1, 'data from the next tick', 3000);
      expect(s.arrived).toHaveLength(2);
      expect(data).toEqual([{ n: 1 }]);
      expect(errors).toHaveLength(1);
      expect(poller.stats()).toMatchObject({ sent: 2, runs: 2, succeeded: 1, errors: 1 });
    },
  );
});
