import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LiveBackend } from './live-backend.js';

/**
 * The playground's control routes, for the page's switches and for tests:
 * - `GET /__playground/settings`, `POST /__playground/settings` with a partial `BackendSettings`;
 * - `POST /__playground/force-429` with `{ client?, retryAfter }`: that client's next request
 *   (any client's without `client`) is answered 429 with `Retry-After: <retryAfter>`;
 * - `GET /__playground/requests?client=…&since=<epoch ms>`: the counted requests;
 * - `GET /__playground/counts?since=<epoch ms>`: per client, requests counted (since `since`),
 *   in the last minute, and 429s;
 * - `GET /__playground/time`: the server's clock and the CORS preflights it answered.
 * A bad body or value is a 400 whose text names it; nothing changes then.
 */
export async function handleControl(
  backend: LiveBackend,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://playground');
  const route = `${req.method ?? 'GET'} ${url.pathname}`;
  // A cross-site form can post text/plain without asking; application/json needs a preflight
  // that nothing grants, so another site cannot flip the switches.
  if (req.method === 'POST' && !/^application\/json\b/.test(req.headers['content-type'] ?? '')) {
    return send(res, 415, { error: 'content-type must be application/json' });
  }
  try {
    switch (route) {
      case 'GET /__playground/settings':
        return send(res, 200, backend.settings);
      case 'POST /__playground/settings':
        return send(res, 200, backend.update(await readJson(req)));
      case 'POST /__playground/force-429': {
        const body = (await readJson(req)) as { client?: unknown; retryAfter?: unknown };
        const client = body.client === undefined ? '*' : body.client;
        if (typeof client !== 'string' || !CLIENT_NAME.test(client)) {
          throw new TypeError(`client: bad value ${JSON.stringify(client)} (a-z, 0-9, -)`);
        }
        backend.force429(client, body.retryAfter as number);
        return send(res, 200, { client, retryAfter: body.retryAfter });
      }
      case 'GET /__playground/requests':
        return send(
          res,
          200,
          backend.requests({
            client: url.searchParams.get('client') ?? undefined,
            since: numberParam(url, 'since'),
          }),
        );
      case 'GET /__playground/counts':
        return send(res, 200, backend.counts(Date.now(), numberParam(url, 'since')));
      case 'GET /__playground/time':
        return send(res, 200, { now: Date.now(), preflights: backend.preflights });
      default:
        return send(res, 404, { error: `no route ${route}` });
    }
  } catch (error) {
    return send(res, 400, { error: (error as Error).message });
  }
}

/** Client names as API paths carry them (`/c/<client>/api/…`), or `*` for any client. */
const CLIENT_NAME = /^(\*|[a-z0-9-]{1,32})$/;

/** An epoch-ms query parameter; undefined when absent, a TypeError naming it when not a number. */
function numberParam(url: URL, name: string): number | undefined {
  const raw = url.searchParams.get(name);
  if (raw === null) return undefined;
  if (raw.trim() === '' || !Number.isFinite(Number(raw))) {
    throw new TypeError(`${name}: bad value ${JSON.stringify(raw)} (epoch ms)`);
  }
  return Number(raw);
}

function send(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      text += chunk;
    });
    req.on('end', () => {
      let body: unknown;
      try {
        body = text === '' ? {} : JSON.parse(text);
      } catch {
        return reject(new TypeError(`body is not JSON: ${text.slice(0, 80)}`));
      }
      if (typeof body === 'object' && body !== null && !Array.isArray(body)) resolve(body);
      else reject(new TypeError(`body must be a JSON object, got ${text.slice(0, 80)}`));
    });
    req.on('error', reject);
  });
}
