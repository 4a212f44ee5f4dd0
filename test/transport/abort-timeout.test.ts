import type http from 'node:http';
import { describe, expect, it } from 'vitest';
import {
  isTimeoutError,
  PollerDisposedError,
  type PollTask,
  PollwiseError,
  TimeoutError,
} from '../../src/index.js';
import { waitFor } from '../support/clock.js';
import { loopbackServer } from '../support/loopback-server.js';
import { wirePoller } from '../support/poller.js';
import { rejectionOf, within } from '../support/promises.js';

/**
 * A server that never answers; it records, per path, when the client gave up on the request
 * (the connection closed before any response was sent).
 */
async function silentServer() {
  const pending: http.ServerResponse[] = [];
  const abandoned: string[] = [];
  const s = await loopbackServer((req, res) => {
    pending.push(res);
    res.on('close', () => {
      if (!res.writableEnded) abandoned.push(req.url ?? '');
    });
  });
  return Object.assign(s, { abandoned, pending });
}

describe('abort', () => {
  const tasks: [string, (url: string) => PollTask<unknown>][] = [
    ['ctx.fetch', (url) => (ctx) => ctx.fetch(url)],
    ['ctx.http', (url) => (ctx) => ctx.http(url)],
  ];

  it('unsubscribe() aborts a URL poll under way: the server sees the request abandoned', async () => {
    const s = await silentServer();
    const { poller, clock } = wirePoller({ timeout: false }, { idle: false });
    const delivered: unknown[] = [];
    const sub = poller.poll(`${s.origin}/slow`, {
      onData: (d) => delivered.push(d),
      onError: (e) => delivered.push(e),
    });
    await clock.advance(0); // fires the run (which never settles on its own)
    await waitFor(() => s.requests.length === 1, 'the poll reached the server');
    expect(s.abandoned).toEqual([]);

    sub.unsubscribe();
    await waitFor(() => s.abandoned.length === 1, 'the server saw the request aborted');
    expect(s.abandoned).toEqual(['/slow']);
    expect(clock.pending).toBe(0);
    expect(delivered).toEqual([]); // unsubscribed mid-flight: nothing is delivered
    expect(poller.stats()).toMatchObject({ runs: 1, succeeded: 0, errors: 0 });
  });

  it.each(tasks)('unsubscribe() aborts a task request made with %s', async (_name, makeTask) => {
    const s = await silentServer();
    const { poller, clock } = wirePoller({ timeout: false }, { idle: false });
    const errors: unknown[] = [];
    const sub = poller.poll(makeTask(`${s.origin}/task`), {
      origin: s.origin,
      onError: (e) => errors.push(e),
    });
    await clock.advance(0);
    await waitFor(() => s.requests.length === 1, 'the task reached the server');
    sub.unsubscribe();
    await waitFor(() => s.abandoned.length === 1, 'the server saw the request aborted');
    expect(s.abandoned).toEqual(['/task']);
    expect(errors).toEqual([]);
  });

  it('dispose() aborts wrapped fetches and task requests under way (AbortError) and leaves no timer', async () => {
    const s = await silentServer();
    const { poller, clock } = wirePoller({ timeout: false }, { idle: false });
    // Polls with timers armed: two running (a URL poll and a ctx.http task), one waiting for
    // its next tick.
    poller.poll(`${s.origin}/poll`);
    poller.poll(({ http }) => http(`${s.origin}/task-http`), { origin: s.origin });
    poller.poll(`${s.origin}/later`, { immediate: false, interval: 5000 });
    await clock.advance(0);
    await waitFor(() => s.requests.length === 2, 'both polls reached the server');
    expect(clock.pending).toBe(2);

    const wrapped = poller.wrapFetch()(`${s.origin}/wrapped`, { method: 'POST', body: 'x' });
    const custom = poller.wrapFetch((input, init) => fetch(input, init))(`${s.origin}/custom`);
    const outcomes = [wrapped, custom].map(rejectionOf);
    await waitFor(() => s.requests.length === 4, 'every wrapped call reached the server');
    expect(poller.inspect().requestsInFlight).toBe(4);

    poller.dispose();
    const errors = await within(Promise.all(outcomes), 2000, 'dispose() rejected every call');
    for (const error of errors) {
      expect(error).toMatchObject({ name: 'AbortError' });
    }
    expect(clock.pending).toBe(0);
    await waitFor(() => s.abandoned.length === 4, 'the server saw all four requests aborted');
    expect([...s.abandoned].sort()).toEqual(['/custom', '/poll', '/task-http', '/wrapped']);
    expect(poller.stats()).toMatchObject({ sent: 4, succeeded: 0, errors: 0 });

    // Disposed: refused without touching the network.
    expect(await rejectionOf(poller.wrapFetch()(`${s.origin}/after`))).toBeInstanceOf(
      PollerDisposedError,
    );
    expect(s.requests).toHaveLength(4);
  });
});

describe('timeout', () => {
  it("a URL poll against a server that never answers fails with pollwise's TimeoutError after `timeout` on the poller's clock", async () => {
    const s = await silentServer();
    const { poller, clock } = wirePoller({ timeout: 200 }, { idle: false });
    const errors: unknown[] = [];
    const data: unknown[] = [];
    poller.poll(`${s.origin}/hang`, {
      interval: 1000,
      onError: (e) => errors.push(e),
      onData: (d) => data.push(d),
    });
    await clock.advance(0);
    await waitFor(() => s.requests.length === 1, 'the poll reached the server');

    // The deadline is a timer of the injected clock: nothing happens until it is due.
    await clock.advance(199);
    expect(errors).toEqual([]);
    expect(s.abandoned).toEqual([]);
    await clock.advance(1); // t = 200
    await waitFor(() => errors.length > 0, 'onError');

    expect(errors).toHaveLength(1);
    const [error] = errors;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toBeInstanceOf(PollwiseError);
    expect(isTimeoutError(error)).toBe(true);
    expect(error).toMatchObject({
      name: 'TimeoutError',
      code: 'timeout',
      url: `${s.origin}/hang`,
      timeoutMs: 200,
    });
    expect(data).toEqual([]);
    expect(poller.stats()).toMatchObject({ runs: 1, errors: 1, responses: 0, cooldowns: 0 });
    // The timed-out request was abandoned, not left open.
    await waitFor(() => s.abandoned.length === 1, 'the server saw the request aborted');
    expect(s.abandoned).toEqual(['/hang']);
  });
});
