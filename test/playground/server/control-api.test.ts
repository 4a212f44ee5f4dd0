import { describe, expect, it } from 'vitest';
import { createBridge } from '../../../playground/server/http-bridge.js';
import { type CountedRequest, LiveBackend } from '../../../playground/server/live-backend.js';
import { type BackendSettings, DEFAULT_SETTINGS } from '../../../playground/server/settings.js';
import { loopbackServer } from '../../support/loopback-server.js';

/** The backend (real clock, no latency) behind a real page listener on 127.0.0.1. */
async function setup(settings: Partial<BackendSettings> = {}) {
  const backend = new LiveBackend({ latencyMs: 0, ...settings });
  const server = await loopbackServer(createBridge(backend, 'page'));
  const origin = server.origin;
  const control = async (path: string, body?: unknown, raw?: string) => {
    const response = await fetch(`${origin}/__playground/${path}`, {
      method: body === undefined && raw === undefined ? 'GET' : 'POST',
      headers: { 'content-type': 'application/json' },
      body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
    });
    return { status: response.status, headers: response.headers, json: await response.json() };
  };
  const get = (client: string, path = '/api/items/1') => fetch(`${origin}/c/${client}${path}`);
  return { backend, origin, control, get };
}

const settingsWith = (patch: Partial<BackendSettings>) => ({
  ...DEFAULT_SETTINGS,
  latencyMs: 0,
  ...patch,
});

describe('control routes: settings', () => {
  it('GET returns the settings as JSON, not cached', async () => {
    const { control } = await setup({ limitPerMinute: 30 });
    const { status, headers, json } = await control('settings');
    expect(status).toBe(200);
    expect(headers.get('content-type')).toBe('application/json');
    expect(headers.get('cache-control')).toBe('no-store');
    expect(json).toEqual(settingsWith({ limitPerMinute: 30 }));
  });

  it('POST applies a partial patch and returns the settings', async () => {
    const { backend, control } = await setup();
    const { status, json } = await control('settings', {
      limitPerMinute: 10,
      exposeRetryAfter: false,
    });
    expect(status).toBe(200);
    expect(json).toEqual(settingsWith({ limitPerMinute: 10, exposeRetryAfter: false }));
    expect(backend.settings).toEqual(json);
    expect((await control('settings')).json).toEqual(json);
  });

  it('POST with an empty body changes nothing', async () => {
    const { backend, control } = await setup();
    const { status, json } = await control('settings', undefined, '');
    expect(status).toBe(200);
    expect(json).toEqual(settingsWith({}));
    expect(backend.settings).toEqual(settingsWith({}));
  });

  it.each([
    [{ limitPerMinute: 0 }, 'limitPerMinute: bad value 0'],
    [{ latencyMs: 5, errorRate: 'high' }, 'errorRate: bad value "high"'],
    [{ retries: 3 }, 'unknown setting "retries"'],
    [[1, 2], 'body must be a JSON object, got [1,2]'],
    [null, 'body must be a JSON object, got null'],
  ])('POST %j is a 400 naming it, and changes nothing', async (patch, message) => {
    const { backend, control } = await setup();
    const { status, json } = await control('settings', patch);
    expect(status).toBe(400);
    expect(json).toEqual({ error: message });
    expect(backend.settings).toEqual(settingsWith({}));
  });

  it('POST with a body that is not JSON is a 400 quoting it', async () => {
    const { backend, control } = await setup();
    const { status, json } = await control('settings', undefined, 'limitPerMinute=5');
    expect(status).toBe(400);
    expect(json).toEqual({ error: 'body is not JSON: limitPerMinute=5' });
    expect(backend.settings).toEqual(settingsWith({}));
  });

  it('a new limit over the wire gives the next requests a fresh budget', async () => {
    const { control, get } = await setup({ limitPerMinute: 1 });
    expect([(await get('a')).status, (await get('a')).status]).toEqual([200, 429]);
    expect((await control('settings', { limitPerMinute: 2 })).status).toBe(200);
    const after = [(await get('a')).status, (await get('a')).status, (await get('a')).status];
    expect(after).toEqual([200, 200, 429]);
  });
});

describe('control routes: force-429', () => {
  it("answers that client's next request 429 with that Retry-After, then normal", async () => {
    const { control, get } = await setup();
    const { status, json } = await control('force-429', { client: 'naive', retryAfter: 9 });
    expect(status).toBe(200);
    expect(json).toEqual({ client: 'naive', retryAfter: 9 });
    expect((await get('pollwise')).status).toBe(200);
    const forced = await get('naive');
    expect(forced.status).toBe(429);
    expect(forced.headers.get('retry-after')).toBe('9');
    expect((await get('naive')).status).toBe(200);
  });

  it("without a client, answers the next request of any client ('*')", async () => {
    const { control, get } = await setup();
    expect((await control('force-429', { retryAfter: 4 })).json).toEqual({
      client: '*',
      retryAfter: 4,
    });
    const forced = await get('pollwise');
    expect([forced.status, forced.headers.get('retry-after')]).toEqual([429, '4']);
    expect((await get('naive')).status).toBe(200);
  });

  it.each([
    [{ retryAfter: 0 }, 'retryAfter: bad value 0'],
    [{ retryAfter: 601 }, 'retryAfter: bad value 601'],
    [{ retryAfter: '5' }, 'retryAfter: bad value "5"'],
    [{ client: 'a', retryAfter: 2.5 }, 'retryAfter: bad value 2.5'],
  ])('POST %j is a 400 naming the value, and forces nothing', async (body, message) => {
    const { control, get } = await setup();
    const { status, json } = await control('force-429', body);
    expect(status).toBe(400);
    expect(json).toEqual({ error: message });
    expect((await get('a')).status).toBe(200);
  });
});

describe('control routes: requests, counts, time', () => {
  it('requests?client&since returns that client’s counted requests from since on', async () => {
    const { control, get } = await setup({ limitPerMinute: 2 });
    await get('a', '/api/items/1');
    await get('b', '/api/summary');
    await new Promise((resolve) => setTimeout(resolve, 20));
    const since = Date.now();
    await get('a', '/api/items/2');
    await get('a', '/api/items/3');

    const all = (await control('requests')).json as CountedRequest[];
    expect(all.map((r) => [r.seq, r.client, r.url, r.status])).toEqual([
      [1, 'a', '/c/a/api/items/1', 200],
      [2, 'b', '/c/b/api/summary', 200],
      [3, 'a', '/c/a/api/items/2', 200],
      [4, 'a', '/c/a/api/items/3', 429],
    ]);
    expect(all[0]).toEqual({
      seq: 1,
      at: expect.any(Number),
      client: 'a',
      method: 'GET',
      url: '/c/a/api/items/1',
      route: 'item',
      status: 200,
      listener: 'page',
    });
    const ofA = (await control('requests?client=a')).json as CountedRequest[];
    expect(ofA.map((r) => r.seq)).toEqual([1, 3, 4]);
    const recentOfA = (await control(`requests?client=a&since=${since}`)).json as CountedRequest[];
    expect(recentOfA.map((r) => r.seq)).toEqual([3, 4]);
    const recent = (await control(`requests?since=${since}`)).json as CountedRequest[];
    expect(recent.map((r) => r.seq)).toEqual([3, 4]);
    expect((await control('requests?client=c')).json).toEqual([]);
  });

  it('requests?since= that is not a number is a 400 naming it', async () => {
    const { control } = await setup();
    const answer = await control('requests?since=abc');
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual({ error: 'since: bad value "abc" (epoch ms)' });
  });

  it('counts gives per client: requests, those in the last minute, and 429s', async () => {
    const { control, get } = await setup({ limitPerMinute: 2 });
    for (let i = 0; i < 3; i++) await get('a');
    // A 404 and a 500 are failures, not 429s.
    expect((await get('b', '/api/nothing')).status).toBe(404);
    await control('settings', { errorRate: 1 });
    expect((await get('b')).status).toBe(500);
    expect((await control('counts')).json).toEqual({
      a: { requests: 3, lastMinute: 3, rateLimited: 1 },
      b: { requests: 2, lastMinute: 2, rateLimited: 0 },
    });
  });

  it('counts?since= counts from then on; a since that is not a number is a 400', async () => {
    const { control, get } = await setup();
    await get('a');
    await new Promise((resolve) => setTimeout(resolve, 5));
    const since = Date.now();
    await get('a');
    await get('a');
    expect((await control(`counts?since=${since}`)).json).toEqual({
      a: { requests: 2, lastMinute: 3, rateLimited: 0 },
    });
    const bad = await control('counts?since=soon');
    expect(bad.status).toBe(400);
    expect(bad.json).toEqual({ error: 'since: bad value "soon" (epoch ms)' });
  });

  it('counts a request of 61 s ago in requests but not in lastMinute', async () => {
    // The real clock shifted by a settable offset: the backend logs a request "61 s ago".
    let offset = -61_000;
    const clock = {
      now: () => Date.now() + offset,
      setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms),
      clearTimeout: (handle: unknown) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    };
    const backend = new LiveBackend({ latencyMs: 0 }, Math.random, clock);
    const server = await loopbackServer(createBridge(backend, 'page'));
    await fetch(`${server.origin}/c/a/api/items/1`);
    offset = 0;
    await fetch(`${server.origin}/c/a/api/items/1`);
    const response = await fetch(`${server.origin}/__playground/counts`);
    expect(await response.json()).toEqual({ a: { requests: 2, lastMinute: 1, rateLimited: 0 } });
  });

  it('counts is {} before any request, and forced 429s count as 429s', async () => {
    const { control, get } = await setup();
    expect((await control('counts')).json).toEqual({});
    await control('force-429', { client: 'a', retryAfter: 1 });
    await get('a');
    expect((await control('counts')).json).toEqual({
      a: { requests: 1, lastMinute: 1, rateLimited: 1 },
    });
  });

  it('time gives the server clock and the preflights answered', async () => {
    const { backend, control } = await setup();
    backend.preflights = 3;
    const before = Date.now();
    const { json } = await control('time');
    expect(json).toEqual({ now: expect.any(Number), preflights: 3 });
    expect(json.now).toBeGreaterThanOrEqual(before);
    expect(json.now).toBeLessThanOrEqual(Date.now());
  });

  it.each([
    ['GET', 'nothing'],
    ['GET', 'force-429'],
    ['POST', 'counts'],
    ['PUT', 'settings'],
  ])('%s /__playground/%s is a 404 naming the route', async (method, path) => {
    const { origin } = await setup();
    const response = await fetch(`${origin}/__playground/${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
    });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: `no route ${method} /__playground/${path}` });
  });

  it('the control routes are not counted as requests', async () => {
    const { backend, control } = await setup();
    await control('settings');
    await control('counts');
    expect(backend.requests()).toEqual([]);
  });

  it('the api listener (open to any origin) does not serve the control routes', async () => {
    const backend = new LiveBackend({ latencyMs: 0, limitPerMinute: 9 });
    const api = await loopbackServer(createBridge(backend, 'api'));
    const read = await fetch(`${api.origin}/__playground/settings`);
    expect(read.status).toBe(404);
    const write = await fetch(`${api.origin}/__playground/settings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ latencyMs: 9999 }),
    });
    expect(write.status).toBe(404);
    expect(backend.settings).toEqual(settingsWith({ latencyMs: 0, limitPerMinute: 9 }));
  });

  it('a POST that is not application/json is a 415 and changes nothing (no cross-site form posts)', async () => {
    const { backend, origin } = await setup();
    const response = await fetch(`${origin}/__playground/settings`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ latencyMs: 9999 }),
    });
    expect(response.status).toBe(415);
    expect(await response.json()).toEqual({ error: 'content-type must be application/json' });
    expect(backend.settings).toEqual(settingsWith({}));
  });

  it.each([['Pollwise'], [''], [7]])(
    'force-429 for client %j is a 400 naming it',
    async (client) => {
      const { backend, control, get } = await setup();
      const { status, json } = await control('force-429', { client, retryAfter: 3 });
      expect(status).toBe(400);
      expect(json.error).toBe(`client: bad value ${JSON.stringify(client)} (a-z, 0-9, -)`);
      expect((await get('pollwise')).status).toBe(200);
      expect(backend.requests().map((r) => r.status)).toEqual([200]);
    },
  );
});
