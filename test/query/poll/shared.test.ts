import { describe, expect, it } from 'vitest';
import { loopbackServer, sendJson } from '../../support/loopback-server.js';
import { wirePoller } from '../../support/poller.js';

/** A server that answers `{ path, n }`, n counting the requests it got. */
async function countingServer() {
  let n = 0;
  return loopbackServer((req, res) => sendJson(res, 200, { path: req.url, n: ++n }));
}

describe('polls of one URL share one request per tick (wire)', () => {
  it('two polls of one URL: one request per tick for five ticks, both subscribers see every answer', async () => {
    const s = await countingServer();
    const { poller, clock } = wirePoller();
    const url = `${s.origin}/feed`;
    const a: unknown[] = [];
    const b: unknown[] = [];
    poller.poll(url, { interval: 1000, onData: (d) => a.push(d) });
    poller.poll(url, { interval: 1000, onData: (d) => b.push(d) });
    expect(poller.inspect().sharedPolls).toBe(1);

    await clock.advance(0);
    for (let tick = 1; tick <= 4; tick++) await clock.advance(1000);

    expect(s.requests).toHaveLength(5);
    expect(poller.stats()).toMatchObject({ sent: 5, runs: 5 });
    const expected = [1, 2, 3, 4, 5].map((n) => ({ path: '/feed', n }));
    expect(a).toEqual(expected);
    expect(b).toEqual(expected);
  });

  it('the same with an explicit shared key (URLs that differ only in a cache buster)', async () => {
    const s = await countingServer();
    const { poller, clock } = wirePoller();
    const a: unknown[] = [];
    const b: unknown[] = [];
    poller.poll(`${s.origin}/feed?from=a`, {
      key: 'feed',
      interval: 1000,
      onData: (d) => a.push(d),
    });
    poller.poll(`${s.origin}/feed?from=b`, {
      key: 'feed',
      interval: 1000,
      onData: (d) => b.push(d),
    });
    expect(poller.inspect().sharedPolls).toBe(1);
    await clock.advance(0);
    for (let tick = 1; tick <= 4; tick++) await clock.advance(1000);
    expect(s.requests).toHaveLength(5);
    expect(a).toHaveLength(5);
    expect(b).toEqual(a);
  });

  it('task polls with the same explicit key share one run per tick', async () => {
    const s = await countingServer();
    const { poller, clock } = wirePoller();
    const a: unknown[] = [];
    const b: unknown[] = [];
    const task = ({ http }: { http: (url: string) => Promise<unknown> }) =>
      http(`${s.origin}/task`);
    poller.poll(task, { origin: s.origin, key: 'k', interval: 1000, onData: (d) => a.push(d) });
    poller.poll(task, { origin: s.origin, key: 'k', interval: 1000, onData: (d) => b.push(d) });
    await clock.advance(0);
    for (let tick = 1; tick <= 2; tick++) await clock.advance(1000);
    expect(s.requests).toHaveLength(3);
    expect(b).toEqual(a);
    expect(a).toHaveLength(3);
  });

  it('unsubscribing one keeps the other polling; the last one stops the poll', async () => {
    const s = await countingServer();
    const { poller, clock, sentAt } = wirePoller();
    const url = `${s.origin}/feed`;
    const a: unknown[] = [];
    const b: unknown[] = [];
    const subA = poller.poll(url, { interval: 1000, onData: (d) => a.push(d) });
    const subB = poller.poll(url, { interval: 1000, onData: (d) => b.push(d) });
    await clock.advance(0);
    await clock.advance(1000);
    expect(s.requests).toHaveLength(2);

    subA.unsubscribe();
    for (let tick = 1; tick <= 3; tick++) await clock.advance(1000);
    expect(sentAt(s.origin, '/feed')).toEqual([0, 1000, 2000, 3000, 4000]);
    expect(a).toHaveLength(2); // nothing after its unsubscribe
    expect(b.map((d) => (d as { n: number }).n)).toEqual([1, 2, 3, 4, 5]);
    expect(poller.inspect().sharedPolls).toBe(1);

    subB.unsubscribe();
    expect(poller.inspect()).toMatchObject({ sharedPolls: 0, entries: 0 });
    await clock.advance(5000);
    expect(s.requests).toHaveLength(5);
    expect(clock.pending).toBe(0);
  });

  it('the shared poll runs at the smallest interval any subscriber asks for, and slows down when it leaves', async () => {
    const s = await countingServer();
    const { poller, clock, sentAt } = wirePoller();
    const url = `${s.origin}/feed`;
    poller.poll(url, { interval: 3000 });
    const fast = poller.poll(url, { interval: 1000 });
    await clock.advance(0);
    await clock.advance(3000);
    expect(sentAt(s.origin)).toEqual([0, 1000, 2000, 3000]);
    fast.unsubscribe();
    await clock.advance(6000); // t = 9000
    expect(sentAt(s.origin)).toEqual([0, 1000, 2000, 3000, 6000, 9000]);
  });

  it('a subscriber that joins after the first answer sends nothing new and sees the data at once', async () => {
    const s = await countingServer();
    const { poller, clock } = wirePoller();
    const url = `${s.origin}/feed`;
    poller.poll(url, { interval: 1000 });
    await clock.advance(0);
    await clock.advance(500);
    const late = poller.poll(url, { interval: 1000 });
    await clock.advance(0);
    expect(s.requests).toHaveLength(1);
    expect(late.getSnapshot()).toMatchObject({ status: 'success', data: { path: '/feed', n: 1 } });
    await clock.advance(500); // the shared tick at 1000
    expect(s.requests).toHaveLength(2);
    expect(late.getSnapshot().data).toEqual({ path: '/feed', n: 2 });
  });

  it('polls of one URL share only with the same request options: no token crosses subscribers', async () => {
    const s = await loopbackServer((req, res) =>
      sendJson(res, 200, { auth: req.headers.authorization ?? null }),
    );
    const { poller, clock } = wirePoller();
    const url = `${s.origin}/me`;
    const token = () => ({ authorization: 'Bearer shared' });
    const seen: Record<string, unknown[]> = { a: [], b: [], c: [], d: [] };
    // a and b: the same headers function; c: equal static headers twice; d: another token.
    poller.poll(url, { interval: 1000, headers: token, onData: (x) => seen.a?.push(x) });
    poller.poll(url, { interval: 1000, headers: token, onData: (x) => seen.b?.push(x) });
    poller.poll(url, { interval: 1000, headers: { authorization: 'Bearer static' } });
    poller.poll(url, {
      interval: 1000,
      headers: { Authorization: 'Bearer static' },
      onData: (x) => seen.c?.push(x),
    });
    poller.poll(url, {
      interval: 1000,
      headers: { authorization: 'Bearer other' },
      onData: (x) => seen.d?.push(x),
    });
    expect(poller.inspect().sharedPolls).toBe(3);
    await clock.advance(0);
    await clock.advance(1000);
    const tokens = s.requests.map((r) => r.headers.authorization).sort();
    expect(tokens).toEqual([
      'Bearer other',
      'Bearer other',
      'Bearer shared',
      'Bearer shared',
      'Bearer static',
      'Bearer static',
    ]);
    expect(seen).toEqual({
      a: [{ auth: 'Bearer shared' }],
      b: [{ auth: 'Bearer shared' }],
      c: [{ auth: 'Bearer static' }],
      d: [{ auth: 'Bearer other' }],
    });
  });
});
