import type { IncomingMessage, ServerResponse } from 'node:http';
import { handleControl } from './control-api.js';
import type { LiveBackend } from './live-backend.js';

/** Requests to the API name their client in the path: `/c/<client>/api/…`. */
const CLIENT_PATH = /^\/c\/([a-z0-9-]{1,32})(\/api\/.*)$/;

/** Response headers the API port exposes to a cross-origin page (Retry-After is switchable). */
const EXPOSED = ['RateLimit', 'RateLimit-Policy', 'X-Poll-Interval'];

export type Middleware = (req: IncomingMessage, res: ServerResponse, next?: () => void) => void;

/**
 * Node's `(req, res)` in front of the backend. `page` serves the Vite origin (same-origin API
 * and the control routes, anything else falls through to Vite); `api` serves the API on a
 * second port for cross-origin pages, with CORS, and exposes `Retry-After` only when the
 * backend's `exposeRetryAfter` switch says so.
 */
export function createBridge(backend: LiveBackend, listener: 'page' | 'api'): Middleware {
  return (req, res, next) => {
    const url = req.url ?? '/';
    if (listener === 'api') setCors(res, backend.settings.exposeRetryAfter);
    // The switches are the page's: never on the API port, where any origin may call.
    if (url.startsWith('/__playground/') && listener === 'page') {
      void handleControl(backend, req, res);
      return;
    }
    const match = CLIENT_PATH.exec(url);
    if (match === null) {
      if (next !== undefined) return next();
      res.writeHead(404).end();
      return;
    }
    if (req.method === 'OPTIONS' && listener === 'api') {
      backend.preflights++;
      res.writeHead(204, {
        'access-control-allow-methods': 'GET, POST',
        'access-control-allow-headers': 'content-type, accept, if-none-match',
        'access-control-max-age': '600',
      });
      res.end();
      return;
    }
    // A client that hangs up mid-body rejects the read: drop the socket, keep the server.
    forward(backend, listener, match[1]!, match[2]!, req, res).catch(() => res.destroy());
  };
}

async function forward(
  backend: LiveBackend,
  listener: 'page' | 'api',
  client: string,
  path: string,
  req: IncomingMessage,
  res: ServerResponse,
) {
  const abort = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) abort.abort(new Error('client went away'));
  });
  const method = (req.method ?? 'GET').toUpperCase();
  const body = method === 'GET' || method === 'HEAD' ? undefined : await readBody(req);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === 'string') headers.set(name, value);
  }
  const response = await backend.handle({
    client,
    method,
    path,
    url: req.url ?? path,
    headers,
    body,
    signal: abort.signal,
    listener,
  });
  if (abort.signal.aborted || res.destroyed) return;
  const out: Record<string, string> = { 'cache-control': 'no-store' };
  response.headers.forEach((value, name) => {
    out[name] = value;
  });
  res.writeHead(response.status, out);
  res.end(Buffer.from(await response.arrayBuffer()));
}

function setCors(res: ServerResponse, exposeRetryAfter: boolean) {
  res.setHeader('access-control-allow-origin', '*');
  const exposed = exposeRetryAfter ? [...EXPOSED, 'Retry-After'] : EXPOSED;
  res.setHeader('access-control-expose-headers', exposed.join(', '));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
