import type { Clock, FetchFunction } from '../../src/index.js';

export interface SimulatedServerOptions {
  /** Virtual time: request times, latency and the rate-limit window all use it. */
  clock: Clock;
  /** Time from request to response (ms). Default 50. */
  latencyMs?: number;
  /** Requests accepted per client per rolling window. Default 120. */
  limit?: number;
  /** Length of the rolling window (ms). Default 60 000. */
  windowMs?: number;
  /** Items served at `/api/items/0` … `/api/items/{items-1}`. Default 200. */
  items?: number;
  /** Whether the simulated tab is hidden right now; recorded with each request. */
  isHidden?: () => boolean;
}

/** One request as the server saw it. */
export interface ServedRequest {
  /** Virtual time the request arrived. */
  at: number;
  method: string;
  /** Path and query, e.g. `/api/items/7`. */
  path: string;
  client: string;
  status: number;
  /** Whether the tab was hidden when the request was sent. */
  hidden: boolean;
}

/** The body of `GET /api/items/:id`. */
export interface Item {
  id: number;
  value: number;
  /** Bumps every second: data that is never refetched goes stale. */
  version: number;
}

/** Header naming the client; requests without it share one budget as `anonymous`. */
export const CLIENT_HEADER = 'x-client-id';

const JSON_HEADERS: HeadersInit = [['content-type', 'application/json']];

/**
 * A fake backend behind a `fetch`-compatible function, in virtual time. Every client gets
 * `limit` requests per rolling `windowMs`; beyond that it answers 429 with `Retry-After`: the
 * whole seconds until the oldest accepted request leaves the window (at least 1). Refused
 * requests do not use up the budget. Responses arrive `latencyMs` after the request, on the
 * virtual clock; an aborted request rejects with the signal's reason, like fetch.
 */
export class SimulatedServer {
  readonly latencyMs: number;
  readonly limit: number;
  readonly windowMs: number;
  readonly items: number;
  /** Every request, in arrival order. */
  readonly requests: ServedRequest[] = [];
  /** The requests answered 429. */
  readonly rateLimited: ServedRequest[] = [];
  /** Accepted request times per client: a queue, oldest first, from `head` on. */
  readonly #accepted = new Map<string, { times: number[]; head: number }>();
  readonly #clock: Clock;
  readonly #isHidden: () => boolean;

  constructor(options: SimulatedServerOptions) {
    this.#clock = options.clock;
    this.latencyMs = options.latencyMs ?? 50;
    this.limit = options.limit ?? 120;
    this.windowMs = options.windowMs ?? 60_000;
    this.items = options.items ?? 200;
    this.#isHidden = options.isHidden ?? (() => false);
  }

  /** Requests answered with `status`, or all requests. */
  count(status?: number): number {
    if (status === undefined) return this.requests.length;
    return this.requests.filter((r) => r.status === status).length;
  }

  /** The `fetch` clients use to reach this server (any origin; only the path matters). */
  readonly fetch: FetchFunction = (input, init) => {
    const request = typeof input === 'object' && !(input instanceof URL) ? input : undefined;
    const signal = init?.signal ?? request?.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const href = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const url = new URL(href);
    const method = (init?.method ?? request?.method ?? 'GET').toUpperCase();
    const client =
      readHeader(init?.headers, CLIENT_HEADER) ??
      readHeader(request?.headers, CLIENT_HEADER) ??
      'anonymous';
    const at = this.#clock.now();
    const response = this.#handle(method, url, client, at);
    const record: ServedRequest = {
      at,
      method,
      path: url.pathname + url.search,
      client,
      status: response.status,
      hidden: this.#isHidden(),
    };
    this.requests.push(record);
    if (response.status === 429) this.rateLimited.push(record);

    return new Promise<Response>((resolve, reject) => {
      const onAbort = () => {
        this.#clock.clearTimeout(timer);
        reject(signal?.reason);
      };
      const timer = this.#clock.setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve(response);
      }, this.latencyMs);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  };

  /** Seconds a client must wait before a request would be accepted; 0 when one would be now. */
  retryAfterSeconds(client: string, now: number): number {
    const window = this.#window(client, now);
    if (window.times.length - window.head < this.limit) return 0;
    const oldest = window.times[window.head]!;
    return Math.max(1, Math.ceil((oldest + this.windowMs - now) / 1000));
  }

  #handle(method: string, url: URL, client: string, now: number): Response {
    const retryAfter = this.retryAfterSeconds(client, now);
    if (retryAfter > 0) {
      // No body: a 429 is cheap to build, which keeps 100 000-request runs fast.
      return new Response(null, { status: 429, headers: { 'retry-after': String(retryAfter) } });
    }
    this.#window(client, now).times.push(now);
    const match = /^\/api\/items\/(\d+)$/.exec(url.pathname);
    const id = match ? Number(match[1]) : -1;
    if (id < 0 || id >= this.items) return new Response(null, { status: 404 });
    if (method !== 'GET' && method !== 'HEAD') {
      return new Response(null, { status: 405, headers: { allow: 'GET, HEAD' } });
    }
    const body: Item = { id, value: itemValue(id, now), version: Math.floor(now / 1000) };
    return new Response(JSON.stringify(body), { status: 200, headers: JSON_HEADERS });
  }

  /** The client's accepted requests still inside the window ending at `now`. */
  #window(client: string, now: number) {
    let window = this.#accepted.get(client);
    if (window === undefined) {
      window = { times: [], head: 0 };
      this.#accepted.set(client, window);
    }
    const { times } = window;
    while (window.head < times.length && times[window.head]! + this.windowMs <= now) window.head++;
    if (window.head > 1024 && window.head * 2 > times.length) {
      times.splice(0, window.head);
      window.head = 0;
    }
    return window;
  }
}

function readHeader(headers: HeadersInit | Headers | undefined, name: string): string | undefined {
  if (headers === undefined) return undefined;
  return new Headers(headers).get(name) ?? undefined;
}

/** A deterministic value that changes every second: a sensor reading, a price, a counter. */
function itemValue(id: number, now: number): number {
  return Math.round(500 + 400 * Math.sin(id * 0.7 + Math.floor(now / 1000) * 0.05));
}
