import type http from 'node:http';
import { describe, expect, it } from 'vitest';
import { CooldownError } from '../../src/index.js';
import { T0 } from '../support/clock.js';
import { fakeNetwork } from '../support/fake-network.js';
import { loopbackServer, readBody, sendJson } from '../support/loopback-server.js';
import { wirePoller } from '../support/poller.js';
import { rejectionOf } from '../support/promises.js';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A server that records each request with its body and answers 200 with `{ ok: true }`. */
async function echoServer() {
  const seen: Seen[] = [];
  const s = await loopbackServer(async (req, res) => {
    const body = await readBody(req);
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
    sendJson(res, 200, { ok: true });
  });
  return Object.assign(s, { seen });
}

/** The real global fetch, recording what reaches it and how each call settles. */
const spyingFetch = () => fakeNetwork((call) => globalThis.fetch(call.input, call.init));

describe('wrapFetch passes requests through untouched', () => {
  it('POST with a JSON body, Authorization and custom headers, credentials', async () => {
    const { poller } = wirePoller();
    const s = await echoServer();
    const spy = spyingFetch();
    const headers = {
      authorization: 'Bearer s3cr3t-token',
      'content-type': 'application/json',
      'x-trace-id': 'trace-42',
    };
    const body = JSON.stringify({ items: [1, 2, 3], note: 'héllo' });
    const input = `${s.origin}/api/items?page=2`;

    const res = await poller.wrapFetch(spy.fetch)(input, {
      method: 'POST',
      headers,
      body,
      credentials: 'include',
      cache: 'no-store',
      redirect: 'manual',
    });

    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
    expect(s.seen).toHaveLength(1);
    const [seen] = s.seen;
    expect(seen?.method).toBe('POST');
    expect(seen?.url).toBe('/api/items?page=2');
    expect(seen?.body).toBe(body);
    expect(seen?.headers).toMatchObject(headers);
    // The transport got the caller's input and init as given, plus only an abort signal.
    expect(spy.calls).toHaveLength(1);
    expect(spy.calls[0]?.input).toBe(input);
    const { signal, ...rest } = spy.calls[0]?.init ?? {};
    expect(signal).toBeInstanceOf(AbortSignal);
    expect(rest).toEqual({
      method: 'POST',
      headers,
      body,
      credentials: 'include',
      cache: 'no-store',
      redirect: 'manual',
    });
  });

  it('a Request object keeps its method, headers and body', async () => {
    const { poller } = wirePoller();
    const s = await echoServer();
    const request = new Request(`${s.origin}/r`, {
      method: 'PUT',
      headers: { authorization: 'Basic dXNlcjpwdw==', 'x-custom': 'yes' },
      body: 'raw text body',
    });
    const res = await poller.wrapFetch()(request);
    expect(res.status).toBe(200);
    expect(s.seen).toMatchObject([
      {
        method: 'PUT',
        url: '/r',
        body: 'raw text body',
        headers: { authorization: 'Basic dXNlcjpwdw==', 'x-custom': 'yes' },
      },
    ]);
    expect(poller.stats()).toMatchObject({ sent: 1, responses: 1 });
  });

  it('non-2xx responses resolve like fetch, with a readable body; only 429/503 cool down', async () => {
    const { poller } = wirePoller();
    const s = await loopbackServer((req, res) => {
      const status = Number(req.url?.slice(1));
      sendJson(res, status, { status });
    });
    const fetch = poller.wrapFetch();
    for (const status of [404, 500, 401, 302]) {
      const res = await fetch(`${s.origin}/${status}`, { redirect: 'manual' });
      expect(res.status).toBe(status);
      expect(await res.json()).toEqual({ status });
    }
    expect(poller.cooldownUntil(s.origin)).toBe(0);

    const limited = await fetch(`${s.origin}/429`);
    expect(limited.status).toBe(429); // resolves too ...
    expect(await limited.json()).toEqual({ status: 429 });
    // ... and cools the origin down (no header: the 10 s default).
    expect(poller.cooldownUntil(s.origin)).toBe(T0 + 10_000);
    expect(await rejectionOf(fetch(`${s.origin}/200`))).toBeInstanceOf(CooldownError);
    expect(s.requests).toHaveLength(5);
    expect(poller.stats()).toMatchObject({ sent: 5, responses: 5, refused: 1, cooldowns: 1 });
  });
});

describe('network errors', () => {
  it('a refused connection rejects with the original error and starts no cooldown', async () => {
    const { poller } = wirePoller();
    const s = await loopbackServer();
    const url = `${s.origin}/gone`;
    await s.close();
    const spy = spyingFetch();
    const error = await rejectionOf(poller.wrapFetch(spy.fetch)(url));
    expect(spy.calls.filter((c) => c.error !== undefined)).toHaveLength(1);
    expect(error).toBe(spy.calls[0]?.error); // the very error fetch threw, not a wrapper
    expect(error).toBeInstanceOf(TypeError);
    expect(poller.cooldownUntil(url)).toBe(0);
    expect(poller.stats()).toMatchObject({ sent: 1, responses: 0, cooldowns: 0 });
  });

  it('a connection reset rejects with the original error; the next call goes out at once', async () => {
    const { poller } = wirePoller();
    let resets = 1;
    const s = await loopbackServer((req, res) => {
      if (resets-- > 0) {
        req.socket.destroy();
        return;
      }
      sendJson(res, 200, { ok: true });
    });
    const spy = spyingFetch();
    const fetch = poller.wrapFetch(spy.fetch);
    const error = await rejectionOf(fetch(`${s.origin}/a`));
    expect(error).toBe(spy.calls[0]?.error);
    expect(error).toBeInstanceOf(TypeError);
    expect(poller.cooldownUntil(s.origin)).toBe(0);
    const res = await fetch(`${s.origin}/b`);
    expect(res.status).toBe(200);
    expect(s.paths()).toEqual(['/a', '/b']);
    expect(poller.stats().cooldowns).toBe(0);
  });
});

describe('relative URLs resolve against the baseUrl option', () => {
  it('wrapFetch(): a relative URL reaches baseUrl + path', async () => {
    const s = await echoServer();
    const { poller } = wirePoller({ baseUrl: `${s.origin}/api/v1/` });
    const res = await poller.wrapFetch()('items?x=1', { headers: { 'x-check': '1' } });
    expect(res.status).toBe(200);
    expect(s.seen).toMatchObject([{ url: '/api/v1/items?x=1', headers: { 'x-check': '1' } }]);
  });

  it('poll(relativeUrl) polls baseUrl + path', async () => {
    const s = await echoServer();
    const { poller, clock } = wirePoller({ baseUrl: `${s.origin}/api/v1/` });
    const data: unknown[] = [];
    poller.poll('status', { onData: (d) => data.push(d) });
    await clock.advance(0);
    expect(s.seen.map((r) => r.url)).toEqual(['/api/v1/status']);
    expect(data).toEqual([{ ok: true }]);
  });

  it('ctx.http and ctx.fetch in a task: a relative URL reaches baseUrl', async () => {
    const s = await echoServer();
    const { poller, clock } = wirePoller({ baseUrl: `${s.origin}/api/v1/` });
    const data: unknown[] = [];
    poller.poll(
      async ({ http, fetch }) => ({
        http: await http('items'),
        fetch: await (await fetch('things')).json(),
      }),
      { url: 'items', onData: (d) => data.push(d) },
    );
    await clock.advance(0);
    expect(s.seen.map((r) => r.url)).toEqual(['/api/v1/items', '/api/v1/things']);
    expect(data).toEqual([{ http: { ok: true }, fetch: { ok: true } }]);
  });
});
