import type { Clock, FetchFunction } from '../../src/index.js';
import { type AnnouncedWindow, AnnouncedWindows } from './announced-windows.js';
import { type Admission, RateLimiter, type WindowMode } from './rate-limiter.js';

export interface SimulatedServerOptions {
  /** Virtual time: request times, latency and the rate-limit window all use it. */
  clock: Clock;
  /** Time from request to response (ms). Default 50. */
  latencyMs?: number;
  /** Requests accepted per client per window. Default 120. */
  limit?: number;
  /** Length of the window (ms). Default 60 000. */
  windowMs?: number;
  /**
   * `rolling` (default): the last `windowMs` before each request counts; `fixed`: windows
   * [k·W, (k+1)·W) of virtual time, the whole budget back at each boundary.
   */
  window?: WindowMode;
  /**
   * Whether a 429 carries a `Retry-After` the client can read (default true). `false` plays a
   * cross-origin page whose server does not expose the header (CORS hides it).
   */
  retryAfter?: boolean;
  /**
   * `'draft-11'`: every response carries `RateLimit-Policy: "default";q=<limit>;w=<window s>`
   * and `RateLimit: "default";r=<remaining>;t=<s until reset>` (IETF draft-11). Default false.
   */
  rateLimitHeaders?: false | 'draft-11';
  /** Items served at `/api/items/0` … `/api/items/{items-1}`, and runs `run_id` 0 … items-1. Default 200. */
  items?: number;
  /**
   * Whether `POST /api/get_logs_batch` exists (default true). `false` plays an older backend:
   * the route answers 404 like any unknown path, while the per-run `GET /api/get_logs` works.
   */
  batchEndpoint?: boolean;
  /** Most runs one batch request may ask for; more get 413. Default 64. */
  maxBatchSize?: number;
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
  /** The answer's status; a batch's is set once its body was read, before the answer arrives. */
  status: number;
  /** Whether the tab was hidden when the request was sent. */
  hidden: boolean;
  /** Runs a `POST /api/get_logs_batch` asked for; absent for other requests (and 429s). */
  runs?: number;
  /**
   * Whether the request arrived inside a Retry-After window announced to its client by a 429
   * already delivered (see `SimulatedServer.announced`).
   */
  insideAnnounced: boolean;
}

/** The body of `GET /api/items/:id`. */
export interface Item {
  id: number;
  value: number;
  /** Bumps every second: data that is never refetched goes stale. */
  version: number;
}

/** The body of `GET /api/summary`. */
export interface Summary {
  items: number;
  /** The current second: bumps every second, like `Item.version`. */
  step: number;
}

/** Summary of the dashboard: the route an app's own `fetch` calls read. */
export const SUMMARY_PATH = '/api/summary';

/** One run of the batch API, as the client names it (the seed's `{ run, run_id }`). */
export interface RunRef {
  run: string;
  run_id: number;
}

/** One logged point of a run. */
export interface LogRow {
  /** The second the value was logged at: bumps every second, like `Item.version`. */
  step: number;
  value: number;
}

/** One run's logs: an element of the batch answer and the body of `GET /api/get_logs`. */
export interface RunLogs extends RunRef {
  /** The latest logged point (one row keeps long simulations cheap). */
  logs: LogRow[];
}

/** The body of `POST /api/get_logs_batch`. */
export interface LogsBatchRequest {
  project: string;
  runs: RunRef[];
}

/** Header naming the client; requests without it share one budget as `anonymous`. */
export const CLIENT_HEADER = 'x-client-id';

/** The batch route (seed 000): one request, the logs of up to 64 runs. */
export const BATCH_PATH = '/api/get_logs_batch';
/** The per-run route the batch replaced, and a batch client's fallback. */
export const LOGS_PATH = '/api/get_logs';

const JSON_HEADERS: HeadersInit = [['content-type', 'application/json']];

/**
 * A fake backend behind a `fetch`-compatible function, in virtual time. Every client gets
 * `limit` requests per window (rolling or fixed); beyond that it answers 429 with `Retry-After`:
 * the whole seconds until the budget frees (at least 1), unless `retryAfter` is false. Refused
 * requests do not use up the budget; a batch request is one request, whatever it asks for. With
 * `rateLimitHeaders`, every response announces the quota. Responses arrive `latencyMs` after the
 * request, on the virtual clock; an aborted request rejects with the signal's reason, like fetch.
 *
 * Routes:
 * - `GET /api/items/:id` → `Item`;
 * - `GET /api/summary` → `Summary` (what an app's own, non-polling call might read);
 * - `GET /api/get_logs?project=P&run=R&run_id=N` → `RunLogs` (404 for an unknown run, 400
 *   without `project` or a numeric `run_id`);
 * - `POST /api/get_logs_batch` with `{ project, runs: [{ run, run_id }] }` → `RunLogs[]`, in
 *   request order, leaving out unknown runs; 413 beyond `maxBatchSize` runs, 400 for a
 *   malformed body, 405 for other methods, 404 when `batchEndpoint` is false.
 */
export class SimulatedServer {
  readonly latencyMs: number;
  readonly limit: number;
  readonly windowMs: number;
  readonly window: WindowMode;
  readonly retryAfter: boolean;
  readonly rateLimitHeaders: false | 'draft-11';
  readonly items: number;
  readonly batchEndpoint: boolean;
  readonly maxBatchSize: number;
  /** Every request, in arrival order. */
  readonly requests: ServedRequest[] = [];
  /** The requests answered 429. */
  readonly rateLimited: ServedRequest[] = [];
  /**
   * The Retry-After windows announced to each client: from a 429's delivery to delivery +
   * Retry-After (rolling), or to the fixed window's end (fixed). None when `retryAfter` is false.
   */
  readonly announced = new AnnouncedWindows();
  readonly #limiter: RateLimiter;
  readonly #clock: Clock;
  readonly #isHidden: () => boolean;

  constructor(options: SimulatedServerOptions) {
    this.#clock = options.clock;
    this.latencyMs = options.latencyMs ?? 50;
    this.limit = options.limit ?? 120;
    this.windowMs = options.windowMs ?? 60_000;
    this.window = options.window ?? 'rolling';
    this.retryAfter = options.retryAfter ?? true;
    this.rateLimitHeaders = options.rateLimitHeaders ?? false;
    this.items = options.items ?? 200;
    this.batchEndpoint = options.batchEndpoint ?? true;
    this.maxBatchSize = options.maxBatchSize ?? 64;
    this.#isHidden = options.isHidden ?? (() => false);
    this.#limiter = new RateLimiter({
      limit: this.limit,
      windowMs: this.windowMs,
      mode: this.window,
    });
  }

  /** Requests answered with `status`, or all requests. */
  count(status?: number): number {
    if (status === undefined) return this.requests.length;
    return this.requests.filter((r) => r.status === status).length;
  }

  /** Requests that arrived inside a Retry-After window their client had received. */
  get insideAnnounced(): number {
    return this.requests.filter((r) => r.insideAnnounced).length;
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
    const record: ServedRequest = {
      at,
      method,
      path: url.pathname + url.search,
      client,
      status: 0,
      hidden: this.#isHidden(),
      insideAnnounced: this.announced.covers(client, at),
    };
    this.requests.push(record);
    // The budget is decided on arrival; only a batch's body is read asynchronously.
    const admission = this.#limiter.admit(client, at);
    const answer = admission.accepted
      ? this.#handle(record, url, () => readBody(init?.body, request))
      : this.#refuse(admission);
    const deliveredAt = at + this.latencyMs;
    let response: Promise<Response>;
    if (answer instanceof Response) {
      record.status = answer.status;
      response = Promise.resolve(this.#announce(answer, admission));
    } else {
      response = answer.then((r) => {
        record.status = r.status;
        return this.#announce(r, admission);
      });
    }
    let window: AnnouncedWindow | undefined;
    if (record.status === 429) {
      this.rateLimited.push(record);
      if (this.retryAfter) {
        const to =
          this.window === 'fixed' ? admission.resetAt : deliveredAt + admission.resetSeconds * 1000;
        window = this.announced.announce(client, deliveredAt, to);
      }
    }

    return new Promise<Response>((resolve, reject) => {
      const onAbort = () => {
        this.#clock.clearTimeout(timer);
        if (window !== undefined) window.undelivered = true;
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
    return this.#limiter.retryAfterSeconds(client, now);
  }

  /** The logs of run `id` at virtual time `now`; the same numbers as `Item` id `id`. */
  runLogs(ref: RunRef, now: number): RunLogs {
    const id = ref.run_id;
    return {
      run: ref.run,
      run_id: id,
      logs: [{ step: Math.floor(now / 1000), value: itemValue(id, now) }],
    };
  }

  #handle(
    record: ServedRequest,
    url: URL,
    body: () => Promise<string>,
  ): Response | Promise<Response> {
    const { method, at: now } = record;
    const isGet = method === 'GET' || method === 'HEAD';
    if (url.pathname === BATCH_PATH && this.batchEndpoint) {
      if (method !== 'POST') {
        return new Response(null, { status: 405, headers: { allow: 'POST' } });
      }
      return body().then(
        (text) => this.#batch(record, text, now),
        () => new Response(null, { status: 400 }), // an unreadable body
      );
    }
    if (url.pathname === LOGS_PATH) {
      if (!isGet) return new Response(null, { status: 405, headers: { allow: 'GET, HEAD' } });
      const project = url.searchParams.get('project');
      const runId = url.searchParams.get('run_id');
      const id = runId === null || !/^\d+$/.test(runId) ? Number.NaN : Number(runId);
      if (!project || Number.isNaN(id)) return new Response(null, { status: 400 });
      if (id >= this.items) return new Response(null, { status: 404 });
      const ref = { run: url.searchParams.get('run') ?? `run-${id}`, run_id: id };
      return json(this.runLogs(ref, now));
    }
    if (url.pathname === SUMMARY_PATH) {
      if (!isGet) return new Response(null, { status: 405, headers: { allow: 'GET, HEAD' } });
      const summary: Summary = { items: this.items, step: Math.floor(now / 1000) };
      return json(summary);
    }
    const match = /^\/api\/items\/(\d+)$/.exec(url.pathname);
    const id = match ? Number(match[1]) : -1;
    if (id < 0 || id >= this.items) return new Response(null, { status: 404 });
    if (!isGet) return new Response(null, { status: 405, headers: { allow: 'GET, HEAD' } });
    const item: Item = { id, value: itemValue(id, now), version: Math.floor(now / 1000) };
    return json(item);
  }

  /** `POST /api/get_logs_batch`: the logs of every known run asked for, in request order. */
  #batch(record: ServedRequest, text: string, now: number): Response {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return new Response(null, { status: 400 });
    }
    if (!isBatchRequest(parsed)) return new Response(null, { status: 400 });
    record.runs = parsed.runs.length;
    if (parsed.runs.length > this.maxBatchSize) return new Response(null, { status: 413 });
    const known = parsed.runs.filter(
      (ref) => Number.isInteger(ref.run_id) && ref.run_id >= 0 && ref.run_id < this.items,
    );
    return json(known.map((ref) => this.runLogs(ref, now)));
  }

  /** A 429; no body, so it is cheap to build, which keeps 100 000-request runs fast. */
  #refuse(admission: Admission): Response {
    const headers: [string, string][] = this.retryAfter
      ? [['retry-after', String(admission.resetSeconds)]]
      : [];
    return new Response(null, { status: 429, headers });
  }

  /** Adds the draft-11 RateLimit fields to any answer, when the server announces its quota. */
  #announce(response: Response, admission: Admission): Response {
    if (this.rateLimitHeaders === false) return response;
    const windowSeconds = Math.ceil(this.windowMs / 1000);
    response.headers.set('ratelimit-policy', `"default";q=${this.limit};w=${windowSeconds}`);
    response.headers.set(
      'ratelimit',
      `"default";r=${admission.remaining};t=${admission.resetSeconds}`,
    );
    return response;
  }
}

function json(body: unknown): Response {
  return new Response(JSON.stringify(body), { status: 200, headers: JSON_HEADERS });
}

function isBatchRequest(value: unknown): value is LogsBatchRequest {
  if (typeof value !== 'object' || value === null) return false;
  const { project, runs } = value as Partial<LogsBatchRequest>;
  return (
    typeof project === 'string' &&
    project !== '' &&
    Array.isArray(runs) &&
    runs.every(
      (ref: unknown) =>
        typeof ref === 'object' &&
        ref !== null &&
        typeof (ref as RunRef).run === 'string' &&
        typeof (ref as RunRef).run_id === 'number',
    )
  );
}

/** The request body as text: from `init.body` when given (it wins, as in fetch), else the Request's. */
function readBody(
  body: BodyInit | null | undefined,
  request: Request | undefined,
): Promise<string> {
  if (typeof body === 'string') return Promise.resolve(body);
  if (body !== undefined && body !== null) return new Response(body).text();
  return request === undefined ? Promise.resolve('') : request.text();
}

function readHeader(headers: HeadersInit | Headers | undefined, name: string): string | undefined {
  if (headers === undefined) return undefined;
  return new Headers(headers).get(name) ?? undefined;
}

/** A deterministic value that changes every second: a sensor reading, a price, a counter. */
function itemValue(id: number, now: number): number {
  return Math.round(500 + 400 * Math.sin(id * 0.7 + Math.floor(now / 1000) * 0.05));
}
