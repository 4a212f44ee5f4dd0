import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createBridge } from '../../../playground/server/http-bridge.js';
import { LiveBackend } from '../../../playground/server/live-backend.js';
import type { BackendSettings } from '../../../playground/server/settings.js';
import { onCleanup } from '../../support/cleanup.js';
import { loopbackServer } from '../../support/loopback-server.js';

const EXPOSED_WITH = 'RateLimit, RateLimit-Policy, X-Poll-Interval, Retry-After';
const EXPOSED_WITHOUT = 'RateLimit, RateLimit-Policy, X-Poll-Interval';

/** One backend (real clock) behind both listeners, each on its own 127.0.0.1 port. */
async function setup(settings: Partial<BackendSettings> = {}) {
  const backend = new LiveBackend({ latencyMs: 0, ...settings });
  const api = await loopbackServer(createBridge(backend, 'api'));
  const pageBridge = createBridge(backend, 'page');
  // The page listener sits in front of Vite: what it does not serve falls through to `next`.
  const page = await loopbackServer((req, res) =>
    pageBridge(req, res, () => res.writeHead(200, { 'x-served-by': 'vite' }).end('vite')),
  );
  return { backend, api: api.origin, page: page.origin };
}

async function waitUntil(what: string, probe: () => boolean, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('http bridge, api listener (cross-origin)', () => {
  it('forwards /c/<client>/api/… to the backend with CORS headers that expose Retry-After', async () => {
    const { backend, api } = await setup();
    const response = await fetch(`${api}/c/pollwise/api/items/5`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ id: 5 });
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-expose-headers')).toBe(EXPOSED_WITH);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(backend.requests()).toEqual([
      expect.objectContaining({
        seq: 1,
        client: 'pollwise',
        method: 'GET',
        url: '/c/pollwise/api/items/5',
        route: 'item',
        status: 200,
        listener: 'api',
      }),
    ]);
  });

  it('hides Retry-After from the page while exposeRetryAfter is off, per request', async () => {
    const { backend, api } = await setup({ exposeRetryAfter: false });
    const hidden = await fetch(`${api}/c/a/api/items/1`);
    expect(hidden.headers.get('access-control-expose-headers')).toBe(EXPOSED_WITHOUT);
    backend.update({ exposeRetryAfter: true });
    const shown = await fetch(`${api}/c/a/api/items/1`);
    expect(shown.headers.get('access-control-expose-headers')).toBe(EXPOSED_WITH);
  });

  it('answers a preflight 204 with the allowed methods and headers, counted, not logged', async () => {
    const { backend, api } = await setup();
    const response = await fetch(`${api}/c/pollwise/api/get_logs_batch`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://127.0.0.1:1',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-allow-methods')).toBe('GET, POST');
    expect(response.headers.get('access-control-allow-headers')).toBe(
      'content-type, accept, if-none-match',
    );
    expect(response.headers.get('access-control-max-age')).toBe('600');
    expect(response.headers.get('access-control-expose-headers')).toBe(EXPOSED_WITH);
    expect(await response.text()).toBe('');
    expect(backend.preflights).toBe(1);
    expect(backend.requests()).toEqual([]);
  });

  it('forwards a POST body: a batch of 3 runs is logged with keys 3', async () => {
    const { backend, api } = await setup();
    const response = await fetch(`${api}/c/pollwise/api/get_logs_batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        project: 'p',
        runs: [0, 1, 2].map((id) => ({ run: `r${id}`, run_id: id })),
      }),
    });
    expect(response.status).toBe(200);
    expect((await response.json()).map((r: { run_id: number }) => r.run_id)).toEqual([0, 1, 2]);
    expect(backend.requests()).toEqual([
      expect.objectContaining({ route: 'batch', method: 'POST', keys: 3, status: 200 }),
    ]);
  });

  it('passes the backend 429 and its Retry-After through', async () => {
    const { backend, api } = await setup({ limitPerMinute: 1 });
    expect((await fetch(`${api}/c/a/api/items/1`)).status).toBe(200);
    const refused = await fetch(`${api}/c/a/api/items/1`);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('60');
    // Another client has its own budget.
    expect((await fetch(`${api}/c/b/api/items/1`)).status).toBe(200);
    expect(backend.requests().map((r) => [r.client, r.status])).toEqual([
      ['a', 200],
      ['a', 429],
      ['b', 200],
    ]);
  });

  it.each([
    '/',
    '/api/items/1',
    '/c/pollwise/items/1',
    '/c/Pollwise/api/items/1',
    '/c/a_b/api/items/1',
    `/c/${'x'.repeat(33)}/api/items/1`,
  ])('answers 404 (with CORS) for %s, which names no client, and logs nothing', async (path) => {
    const { backend, api } = await setup();
    const response = await fetch(`${api}${path}`);
    expect(response.status).toBe(404);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(backend.requests()).toEqual([]);
  });

  it('accepts a client name of 32 characters, digits and dashes', async () => {
    const { backend, api } = await setup();
    const client = `naive-2-${'x'.repeat(24)}`;
    expect((await fetch(`${api}/c/${client}/api/summary?x=1`)).status).toBe(200);
    expect(backend.requests().map((r) => [r.client, r.url, r.route])).toEqual([
      [client, `/c/${client}/api/summary?x=1`, 'summary'],
    ]);
  });

  it('an OPTIONS to a path with no client is a 404, not a preflight', async () => {
    const { backend, api } = await setup();
    expect((await fetch(`${api}/elsewhere`, { method: 'OPTIONS' })).status).toBe(404);
    expect(backend.preflights).toBe(0);
  });

  it('a request the client gives up on is logged 499', async () => {
    const { backend, api } = await setup({ latencyMs: 2000 });
    const abort = new AbortController();
    const pending = fetch(`${api}/c/a/api/items/1`, { signal: abort.signal });
    await waitUntil('the request to arrive', () => backend.requests().length === 1);
    abort.abort();
    await expect(pending).rejects.toThrow();
    await waitUntil('the 499', () => backend.requests()[0]?.status === 499, 1500);
    expect(backend.requests().map((r) => r.status)).toEqual([499]);
  });
});

describe('http bridge, page listener (same origin)', () => {
  it('forwards the API without CORS headers and logs listener page', async () => {
    const { backend, page } = await setup();
    const response = await fetch(`${page}/c/pollwise/api/items/2`);
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(response.headers.get('access-control-expose-headers')).toBeNull();
    expect(backend.requests().map((r) => [r.client, r.listener])).toEqual([['pollwise', 'page']]);
  });

  it('hands anything else to the next middleware (Vite)', async () => {
    const { backend, page } = await setup();
    const response = await fetch(`${page}/index.html`);
    expect(response.headers.get('x-served-by')).toBe('vite');
    expect(await response.text()).toBe('vite');
    expect(backend.requests()).toEqual([]);
  });

  it('answers 404 for anything else when there is no next middleware', async () => {
    const backend = new LiveBackend({ latencyMs: 0 });
    const server = await loopbackServer(createBridge(backend, 'page'));
    expect((await fetch(`${server.origin}/index.html`)).status).toBe(404);
  });

  it('treats OPTIONS as an ordinary request (no preflight on the same origin)', async () => {
    const { backend, page } = await setup();
    const response = await fetch(`${page}/c/a/api/items/1`, { method: 'OPTIONS' });
    expect(response.status).toBe(405);
    expect(backend.preflights).toBe(0);
    expect(backend.requests().map((r) => [r.method, r.status])).toEqual([['OPTIONS', 405]]);
  });
});

/** The bridge in a process of its own, so a crash shows as a dead server, not a failed worker. */
async function startChildBridge(): Promise<{ port: number; child: ChildProcess }> {
  const modules = {
    BRIDGE: fileURLToPath(new URL('../../../playground/server/http-bridge.ts', import.meta.url)),
    BACKEND: fileURLToPath(new URL('../../../playground/server/live-backend.ts', import.meta.url)),
  };
  const script = `
    import http from 'node:http';
    const { createBridge } = await import(process.env.BRIDGE);
    const { LiveBackend } = await import(process.env.BACKEND);
    const server = http.createServer(createBridge(new LiveBackend({ latencyMs: 0 }), 'api'));
    server.listen(0, '127.0.0.1', () => console.log(server.address().port));`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    env: { ...process.env, ...modules },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  onCleanup(() => {
    if (child.exitCode === null) child.kill();
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.once('data', (chunk: Buffer) => resolve(Number(String(chunk).trim())));
    child.once('exit', (code) => reject(new Error(`bridge exited with ${code}`)));
  });
  return { port, child };
}

/** Sends the head of a POST and half its body, then drops the connection. */
async function abortUpload(port: number, path: string) {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  socket.write(`POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"project`);
  await new Promise((resolve) => setTimeout(resolve, 100));
  socket.destroy();
  // Time for the server to see the close.
  await new Promise((resolve) => setTimeout(resolve, 300));
}

describe('http bridge, uploads cut short', () => {
  it('a control POST cut short leaves the server running', async () => {
    const { port, child } = await startChildBridge();
    await abortUpload(port, '/__playground/settings');
    expect(child.exitCode).toBeNull();
    expect((await fetch(`http://127.0.0.1:${port}/c/a/api/items/1`)).status).toBe(200);
  });

  // A client that drops the connection mid-body makes `readBody` reject ("aborted"); unhandled,
  // that rejection would end the Node process and `npm run playground` with it (fixed: the
  // bridge catches it and drops the socket).
  it('an API POST cut short leaves the server running', async () => {
    const { port, child } = await startChildBridge();
    await abortUpload(port, '/c/a/api/get_logs_batch');
    expect(child.exitCode).toBeNull();
    expect((await fetch(`http://127.0.0.1:${port}/c/a/api/items/1`)).status).toBe(200);
  });
});
