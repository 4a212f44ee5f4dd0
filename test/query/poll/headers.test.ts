import { describe, expect, it, vi } from 'vitest';
import { InvalidOptionsError } from '../../../src/index.js';
import { loopbackServer, sendJson } from '../../support/loopback-server.js';
import { wirePoller } from '../../support/poller.js';

/** A server that answers every request with the Authorization header it received. */
async function whoAmIServer() {
  return loopbackServer((req, res) =>
    sendJson(res, 200, { auth: req.headers.authorization ?? null }),
  );
}

describe('poll(url, { headers }) on the wire', () => {
  it('a headers function is called before every request, and each fresh token reaches the server', async () => {
    const s = await whoAmIServer();
    const { poller, clock } = wirePoller();
    let issued = 0;
    // Async, like a token refresh.
    const headers = vi.fn(async () => ({ authorization: `Bearer t${++issued}` }));
    const data: unknown[] = [];
    poller.poll(`${s.origin}/me`, { interval: 1000, headers, onData: (d) => data.push(d) });

    await clock.advance(0);
    expect(headers).toHaveBeenCalledTimes(1);
    for (let tick = 1; tick <= 3; tick++) await clock.advance(1000);

    expect(headers).toHaveBeenCalledTimes(4);
    expect(s.requests.map((r) => r.headers.authorization)).toEqual([
      'Bearer t1',
      'Bearer t2',
      'Bearer t3',
      'Bearer t4',
    ]);
    // pollwise still asks for JSON next to the caller's headers.
    expect(s.requests.every((r) => r.headers.accept === 'application/json')).toBe(true);
    // Each token changed the answer, so each reached the subscriber.
    expect(data).toEqual([
      { auth: 'Bearer t1' },
      { auth: 'Bearer t2' },
      { auth: 'Bearer t3' },
      { auth: 'Bearer t4' },
    ]);
    expect(poller.stats()).toMatchObject({ sent: 4, runs: 4, succeeded: 4 });
  });

  it('a synchronous function and a plain object work too', async () => {
    const s = await whoAmIServer();
    const { poller, clock } = wirePoller();
    const fn = vi.fn(() => new Headers({ authorization: 'Bearer sync' }));
    poller.poll(`${s.origin}/fn`, { interval: 1000, headers: fn });
    poller.poll(`${s.origin}/obj`, { interval: 1000, headers: { authorization: 'Bearer obj' } });
    await clock.advance(0);
    await clock.advance(1000);
    expect(fn).toHaveBeenCalledTimes(2);
    const seen = (path: string) =>
      s.requests.filter((r) => r.url === path).map((r) => r.headers.authorization);
    expect(seen('/fn')).toEqual(['Bearer sync', 'Bearer sync']);
    expect(seen('/obj')).toEqual(['Bearer obj', 'Bearer obj']);
  });

  it('a headers function that throws fails that run without a request; the next tick asks again', async () => {
    const s = await whoAmIServer();
    const { poller, clock } = wirePoller();
    const noToken = new Error('not signed in');
    let calls = 0;
    const headers = () => {
      calls++;
      if (calls === 1) throw noToken;
      return { authorization: 'Bearer late' };
    };
    const errors: unknown[] = [];
    poller.poll(`${s.origin}/me`, { interval: 1000, headers, onError: (e) => errors.push(e) });
    await clock.advance(0);
    expect(errors).toEqual([noToken]);
    expect(s.requests).toHaveLength(0);
    expect(poller.stats().sent).toBe(0);
    await clock.advance(1000);
    expect(calls).toBe(2);
    expect(s.requests.map((r) => r.headers.authorization)).toEqual(['Bearer late']);
  });

  it('a headers function returning a bad name or value (sync or async) is an InvalidOptionsError naming poll.headers; nothing is sent, the other polls go on, the next run asks again', async () => {
    const s = await whoAmIServer();
    const { poller, clock } = wirePoller();
    let bad = true;
    const returned: unknown[] = [];
    const give = <T>(value: T) => {
      returned.push(value);
      return value;
    };
    const good = { authorization: 'Bearer ok' };
    const syncHeaders = () => give(bad ? { 'a b': '1' } : good);
    const asyncHeaders = async () => give(bad ? [['x-token', 'a\nb']] : good);
    const errors: Record<string, unknown[]> = { sync: [], async: [] };
    const sync = poller.poll(`${s.origin}/sync`, {
      interval: 1000,
      headers: syncHeaders as () => HeadersInit,
      onError: (e) => errors.sync?.push(e),
    });
    poller.poll(`${s.origin}/async`, {
      interval: 1000,
      headers: asyncHeaders as () => Promise<HeadersInit>,
      onError: (e) => errors.async?.push(e),
    });
    poller.poll(`${s.origin}/other`, {
      interval: 1000,
      headers: { authorization: 'Bearer other' },
    });
    await clock.advance(0);

    expect(s.requests.map((r) => r.url)).toEqual(['/other']);
    const [syncError] = errors.sync as InvalidOptionsError[];
    const [asyncError] = errors.async as InvalidOptionsError[];
    for (const [error, value, named] of [
      [syncError, returned[0], '"a b" is an invalid header name'],
      [asyncError, returned[1], 'is an invalid header value'],
    ] as const) {
      expect(error).toBeInstanceOf(InvalidOptionsError);
      expect(error?.issues).toHaveLength(1);
      expect(error?.issues[0]?.option).toBe('poll.headers');
      expect(error?.issues[0]?.value).toBe(value);
      expect(error?.message).toContain(named);
    }
    expect(sync.getSnapshot()).toMatchObject({ status: 'error', error: syncError });
    expect(poller.stats()).toMatchObject({ sent: 1, runs: 3, errors: 2 });

    bad = false;
    await clock.advance(1000);
    expect(returned).toHaveLength(4);
    const seen = s.requests.map((r) => `${r.url} ${r.headers.authorization}`).sort();
    expect(seen).toEqual([
      '/async Bearer ok',
      '/other Bearer other',
      '/other Bearer other',
      '/sync Bearer ok',
    ]);
  });
});
