import { describe, expect, it, vi } from 'vitest';
import { isPollwiseError, UnexpectedResponseError } from '../../../src/index.js';
import { loopbackServer, sendJson } from '../../support/loopback-server.js';
import { wirePoller } from '../../support/poller.js';

/**
 * A server with a versioned document: 200 with `ETag: "v<version>"`, or 304 (no body) when the
 * request's If-None-Match names the current ETag.
 */
async function versionedServer() {
  const state = { version: 1, body: { items: ['a'] } as unknown };
  const s = await loopbackServer((req, res) => {
    const etag = `"v${state.version}"`;
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, { etag });
      res.end();
      return;
    }
    sendJson(res, 200, state.body, { etag });
  });
  return Object.assign(s, { state });
}

describe('ETag revalidation of poll(url) (wire)', () => {
  it('a 304 keeps the snapshot identity and calls no listener and no onData', async () => {
    const s = await versionedServer();
    const { poller, clock } = wirePoller();
    const onData = vi.fn();
    const onError = vi.fn();
    const sub = poller.poll(`${s.origin}/doc`, { interval: 1000, onData, onError });
    const listener = vi.fn();
    sub.subscribe(listener);

    await clock.advance(0);
    const first = sub.getSnapshot();
    expect(first).toMatchObject({ status: 'success', data: { items: ['a'] } });
    expect(onData).toHaveBeenCalledTimes(1);
    expect(listener).toHaveBeenCalledExactlyOnceWith(first);

    for (let tick = 1; tick <= 3; tick++) await clock.advance(1000);
    // Every revalidation named the ETag and was answered 304.
    expect(s.requests.map((r) => r.headers['if-none-match'])).toEqual([
      undefined,
      '"v1"',
      '"v1"',
      '"v1"',
    ]);
    expect(poller.stats()).toMatchObject({ sent: 4, responses: 4, succeeded: 4, errors: 0 });
    expect(sub.getSnapshot()).toBe(first);
    expect(onData).toHaveBeenCalledTimes(1);
    expect(listener).toHaveBeenCalledTimes(1);
    expect(onError).not.toHaveBeenCalled();

    // A new version: one change, one call each, and the next request revalidates against it.
    s.state.version = 2;
    s.state.body = { items: ['a', 'b'] };
    await clock.advance(1000);
    const second = sub.getSnapshot();
    expect(second).not.toBe(first);
    expect(second).toMatchObject({ status: 'success', data: { items: ['a', 'b'] } });
    expect(onData).toHaveBeenCalledTimes(2);
    expect(listener).toHaveBeenCalledTimes(2);
    await clock.advance(1000);
    expect(s.requests.at(-1)?.headers['if-none-match']).toBe('"v2"');
    expect(sub.getSnapshot()).toBe(second);
    expect(listener).toHaveBeenCalledTimes(2);
  });

  it('a 200 with equal data under a new ETag keeps the snapshot identity too', async () => {
    const s = await versionedServer();
    const { poller, clock } = wirePoller();
    const onData = vi.fn();
    const sub = poller.poll(`${s.origin}/doc`, { interval: 1000, onData });
    await clock.advance(0);
    const first = sub.getSnapshot();
    s.state.version = 2; // same body, new ETag: a full 200
    await clock.advance(1000);
    expect(s.requests).toHaveLength(2);
    expect(sub.getSnapshot()).toBe(first);
    expect(onData).toHaveBeenCalledTimes(1);
  });

  it('a 304 to a request that named no ETag is an UnexpectedResponseError, not data', async () => {
    const s = await loopbackServer((_req, res) => {
      res.writeHead(304);
      res.end();
    });
    const { poller, clock } = wirePoller();
    const onData = vi.fn();
    const errors: unknown[] = [];
    const sub = poller.poll(`${s.origin}/odd`, {
      interval: 1000,
      onData,
      onError: (e) => errors.push(e),
    });
    await clock.advance(0);
    expect(s.requests[0]?.headers['if-none-match']).toBeUndefined();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(UnexpectedResponseError);
    expect(isPollwiseError(errors[0])).toBe(true);
    expect(errors[0]).toMatchObject({ status: 304 });
    expect(onData).not.toHaveBeenCalled();
    expect(sub.getSnapshot()).toMatchObject({ status: 'error', data: undefined });
  });
});
