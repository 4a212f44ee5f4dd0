import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LiveBackend } from './live-backend.js';

/**
 * The playground's control routes, for the page's switches and for tests:
 * - `GET /__playground/settings`, `POST /__playground/settings` with a partial `BackendSettings`;
 * - `POST /__playground/force-429` with `{ client?, retryAfter }`: that client's next request
 *   (any client's without `client`) is answered 429 with `Retry-After: <retryAfter>`;
 * - `GET /__playground/requests?client=…&since=<epoch ms>`: the counted requests;
 * - `GET /__playground/counts`: per client, requests counted in all, in the last minute, and 429s;
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
  try {
    switch (route) {
      case 'GET /__playground/settings':
        return send(res, 200, backend.settings);
      case 'POST /__playground/settings':
        return send(res, 200, backend.update(await readJson(req)));
      case 'POST /__playground/force-429': {
        const body = (await readJson(req)) as { client?: unknown; retryAfter?: unknown };
        const client = body.client === undefined ? '*' : String(body.client);
        backend.force429(client, body.retryAfter as number);
        return send(res, 200, { client, retryAfter: body.retryAfter });
      }
      case 'GET /__playground/requests': {
        const since = url.searchParams.get('since');
        if (since !== null && !Number.isFinite(Number(since))) {
          throw new TypeError(`since: bad value ${JSON.stringify(since)} (epoch ms)`);
        }
        return send(
          res,
          200,
          backend.requests({
            client: url.searchParams.get('client') ?? undefined,
            since: since === null ? undefined : Number(since),
          }),
        );
      }
      case 'GET /__playground/counts':
        return send(res, 200, countByClient(backend, Date.now()));
      case 'GET /__playground/time':
        return send(res, 200, { now: Date.now(), preflights: backend.preflights });
      default:
        return send(res, 404, { error: `no route ${route}` });
    }
  } catch (error) {
    return send(res, 400, { error: (error as Error).message });
  }
}

/** Requests per client: in all, in the last minute, and answered 429. */
function countByClient(backend: LiveBackend, now: number) {
  const counts: Record<string, { requests: number; lastMinute: number; rateLimited: number }> = {};
  for (const r of backend.requests()) {
    counts[r.client] ??= { requests: 0, lastMinute: 0, rateLimited: 0 };
    const count = counts[r.client]!;
    count.requests++;
    if (r.at >= now - 60_000) count.lastMinute++;
    if (r.status === 429) count.rateLimited++;
  }
  return counts;
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
      try {
        resolve(text === '' ? {} : JSON.parse(text));
      } catch {
        reject(new TypeError(`body is not JSON: ${text.slice(0, 80)}`));
      }
    });
    req.on('error', reject);
  });
}
