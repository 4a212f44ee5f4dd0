import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createBridge } from '../../../playground/server/http-bridge.js';
import { LiveBackend } from '../../../playground/server/live-backend.js';
import { createWireLog } from '../../../playground/web/wire-log.js';
import { loopbackServer, startLoopbackServer } from '../../support/loopback-server.js';

const T0 = 1_700_000_000_000;
const API = 'http://127.0.0.1:5174/c/pollwise';

/** A network whose answers the test hands out by hand, in order. */
function fakeNetwork() {
  const calls: { input: RequestInfo | URL; init?: RequestInit }[] = [];
  const pending: { resolve: (r: Response) => void; reject: (e: unknown) => void }[] = [];
  const network = ((input: RequestInfo | URL, init?: RequestInit) => {
    calls.push({ input, init });
    return new Promise<Response>((resolve, reject) => pending.push({ resolve, reject }));
  }) as typeof fetch;
  const answer = (status: number) =>
    pending
      .shift()!
      .resolve(new Response(status === 204 || status === 304 ? null : '{}', { status }));
  const fail = (error: unknown) => pending.shift()!.reject(error);
  return { network, calls, answer, fail };
}

describe('createWireLog', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: T0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('records method, url, kind and time when sent, status and end when answered', async () => {
    const net = fakeNetwork();
    const wire = createWireLog('pollwise', net.network);
    expect(wire.name).toBe('pollwise');
    const init = { method: 'post', body: '{}' };
    const pending = wire.fetch(`${API}/api/get_logs_batch`, init);
    expect(wire.entries()).toEqual([
      {
        seq: 1,
        at: T0,
        method: 'POST',
        url: `${API}/api/get_logs_batch`,
        kind: 'batch',
        status: 0,
      },
    ]);
    // The request goes out unchanged.
    expect(net.calls).toEqual([{ input: `${API}/api/get_logs_batch`, init }]);
    vi.setSystemTime(T0 + 120);
    net.answer(200);
    const response = await pending;
    expect(response.status).toBe(200);
    expect(wire.entries()).toEqual([
      {
        seq: 1,
        at: T0,
        end: T0 + 120,
        method: 'POST',
        url: `${API}/api/get_logs_batch`,
        kind: 'batch',
        status: 200,
      },
    ]);
  });

  it('tells the kinds apart by path: batch, wrapped (summary), item (anything else)', async () => {
    const net = fakeNetwork();
    const wire = createWireLog('x', net.network);
    const urls = [
      `${API}/api/get_logs_batch`,
      `${API}/api/summary`,
      `${API}/api/items/3`,
      `${API}/api/get_logs?project=p&run=r&run_id=1`,
    ];
    const pending = urls.map((url) => wire.fetch(url));
    for (const _ of urls) net.answer(200);
    await Promise.all(pending);
    expect(wire.entries().map((e) => [e.seq, e.kind])).toEqual([
      [1, 'batch'],
      [2, 'wrapped'],
      [3, 'item'],
      [4, 'item'],
    ]);
  });

  it('reads the url and method of a Request and of a URL; init.method wins', async () => {
    const net = fakeNetwork();
    const wire = createWireLog('x', net.network);
    const pending = [
      wire.fetch(new Request(`${API}/api/items/1`, { method: 'POST', body: 'x' })),
      wire.fetch(new URL(`${API}/api/items/2`)),
      wire.fetch(new Request(`${API}/api/items/3`), { method: 'head' }),
    ];
    for (const _ of pending) net.answer(200);
    await Promise.all(pending);
    expect(wire.entries().map((e) => [e.method, e.url])).toEqual([
      ['POST', `${API}/api/items/1`],
      ['GET', `${API}/api/items/2`],
      ['HEAD', `${API}/api/items/3`],
    ]);
  });

  it('records -1 for a network error or an abort, rethrows it, and counts it failed', async () => {
    const net = fakeNetwork();
    const wire = createWireLog('x', net.network);
    const error = new TypeError('fetch failed');
    const pending = wire.fetch(`${API}/api/items/1`);
    vi.setSystemTime(T0 + 30);
    net.fail(error);
    await expect(pending).rejects.toBe(error);
    const abort = new DOMException('The operation was aborted.', 'AbortError');
    const aborted = wire.fetch(`${API}/api/items/2`);
    net.fail(abort);
    await expect(aborted).rejects.toBe(abort);
    expect(wire.entries().map(({ status, end }) => ({ status, end }))).toEqual([
      { status: -1, end: T0 + 30 },
      { status: -1, end: T0 + 30 },
    ]);
    expect(wire.totals()).toEqual({ sent: 2, ok: 0, rateLimited: 0, failed: 2 });
  });

  it('totals: 2xx and 304 ok, 429 rate-limited, other statuses failed; in flight only sent', async () => {
    const net = fakeNetwork();
    const wire = createWireLog('x', net.network);
    const statuses = [200, 204, 304, 429, 429, 500, 404, 503];
    const pending = statuses.map((_, i) => wire.fetch(`${API}/api/items/${i}`));
    const inFlight = wire.fetch(`${API}/api/items/99`);
    expect(wire.totals()).toEqual({ sent: 9, ok: 0, rateLimited: 0, failed: 0 });
    for (const status of statuses) net.answer(status);
    // An HTTP error status is an answer, not a throw.
    expect((await Promise.all(pending)).map((r) => r.status)).toEqual(statuses);
    expect(wire.totals()).toEqual({ sent: 9, ok: 3, rateLimited: 2, failed: 3 });
    expect(wire.entries().map((e) => e.status)).toEqual([...statuses, 0]);
    expect(wire.entries().at(-1)!.end).toBeUndefined();
    net.answer(200);
    await inFlight;
  });

  it('totals() is a copy', () => {
    const wire = createWireLog('x', fakeNetwork().network);
    const totals = wire.totals();
    totals.sent = 99;
    expect(wire.totals().sent).toBe(0);
  });

  it('keeps 5 minutes of entries (an entry exactly 5 min old stays) but totals for the run', async () => {
    const net = fakeNetwork();
    const wire = createWireLog('x', net.network);
    const send = async (at: number) => {
      vi.setSystemTime(at);
      const pending = wire.fetch(`${API}/api/items/1`);
      net.answer(200);
      await pending;
    };
    await send(T0);
    await send(T0 + 1000);
    await send(T0 + 300_000);
    expect(wire.entries().map((e) => e.at)).toEqual([T0, T0 + 1000, T0 + 300_000]);
    await send(T0 + 300_001);
    expect(wire.entries().map((e) => e.seq)).toEqual([2, 3, 4]);
    expect(wire.totals()).toEqual({ sent: 4, ok: 4, rateLimited: 0, failed: 0 });
  });
});

describe('createWireLog over a real 127.0.0.1 server', () => {
  it('records what the backend counted: the same urls, in order, with the same statuses', async () => {
    const backend = new LiveBackend({ latencyMs: 0, limitPerMinute: 2 });
    const server = await loopbackServer(createBridge(backend, 'api'));
    const wire = createWireLog('pollwise', fetch);
    const base = `${server.origin}/c/pollwise`;
    const before = Date.now();
    for (const path of ['/api/items/1', '/api/summary', '/api/items/2']) {
      await wire.fetch(`${base}${path}`);
    }
    await wire.fetch(`${base}/api/get_logs_batch`, {
      method: 'POST',
      body: JSON.stringify({ project: 'p', runs: [] }),
    });
    expect(wire.entries().map((e) => [new URL(e.url).pathname, e.method, e.status])).toEqual(
      backend.requests().map((r) => [r.url, r.method, r.status]),
    );
    expect(backend.requests()).toHaveLength(4);
    expect(wire.entries().map((e) => [e.kind, e.status])).toEqual([
      ['item', 200],
      ['wrapped', 200],
      ['item', 429],
      ['batch', 429],
    ]);
    for (const entry of wire.entries()) {
      expect(entry.at).toBeGreaterThanOrEqual(before);
      expect(entry.end).toBeGreaterThanOrEqual(entry.at);
    }
    expect(wire.totals()).toEqual({ sent: 4, ok: 2, rateLimited: 2, failed: 0 });
  });

  it('records -1 when nothing listens on the port', async () => {
    const closed = await startLoopbackServer();
    await closed.close();
    const wire = createWireLog('naive', fetch);
    await expect(wire.fetch(`${closed.origin}/c/naive/api/items/1`)).rejects.toThrow(TypeError);
    expect(wire.entries().map((e) => e.status)).toEqual([-1]);
    expect(wire.totals()).toEqual({ sent: 1, ok: 0, rateLimited: 0, failed: 1 });
  });
});
