import type { Clock } from '../../src/environment/clock.js';
import { systemClock } from '../../src/environment/clock.js';
import {
  BATCH_PATH,
  CLIENT_HEADER,
  LOGS_PATH,
  SimulatedServer,
  SUMMARY_PATH,
} from '../sim/simulated-server.js';
import {
  type BackendSettings,
  DEFAULT_SETTINGS,
  ITEM_COUNT,
  MAX_FORCED_RETRY_AFTER_S,
  mergeSettings,
} from './settings.js';

/** Which route a request took, as the page's timeline tells them apart. */
export type Route = 'batch' | 'item' | 'summary' | 'other';

/** One request as the playground's backend counted it. */
export interface CountedRequest {
  /** Arrival order, from 1. */
  seq: number;
  /** Arrival time, epoch ms (the server's clock). */
  at: number;
  client: string;
  method: string;
  /** Path and query as the client sent it, e.g. `/c/pollwise/api/get_logs_batch`. */
  url: string;
  route: Route;
  /** 0 until answered. */
  status: number;
  /** Runs a batch asked for. */
  keys?: number;
  /** `page` (the Vite origin) or `api` (the cross-origin API port). */
  listener: 'page' | 'api';
  /** The page's number for it (`x-playground-seq`, same-origin requests only). */
  pageSeq?: number;
}

/** What the HTTP bridge hands the backend. */
export interface BackendCall {
  client: string;
  method: string;
  /** Path and query without the `/c/<client>` prefix, e.g. `/api/items/3`. */
  path: string;
  /** Path and query as sent. */
  url: string;
  headers: Headers;
  body: string | undefined;
  signal: AbortSignal;
  listener: 'page' | 'api';
}

/** Requests kept in the log: the timeline shows one minute, tests look back a little further. */
const LOG_KEEP_MS = 10 * 60_000;
/** The simulator's own request records are only trimmed: the log above is the one read. */
const SIM_RECORDS_KEPT = 2000;

/**
 * The playground's backend: the demo's simulated server (items that gain a point every second,
 * a batch and a per-item route, a per-client rolling rate limit answering 429 + Retry-After) on
 * the real clock, with switches that change at run time, injected errors and forced 429s, and a
 * log of every request it counted. Changing the limit, latency, batch route or headers starts a
 * fresh limiter: every client's budget is whole again.
 */
export class LiveBackend {
  #settings: BackendSettings;
  #sim: SimulatedServer;
  readonly #log: CountedRequest[] = [];
  #seq = 0;
  /** Forced 429s: client ('*' for any) → Retry-After seconds of its next request. */
  readonly #forced = new Map<string, number>();
  /** Per client, every arrival time (never trimmed, unlike the log) and the 429s answered. */
  readonly #totals = new Map<string, { arrivals: number[]; rateLimited: number }>();
  /** CORS preflights the API port answered; the browser sends them, pollwise does not. */
  preflights = 0;

  constructor(
    settings: Partial<BackendSettings> = {},
    private readonly random: () => number = Math.random,
    private readonly clock: Clock = systemClock,
  ) {
    this.#settings = mergeSettings({ ...DEFAULT_SETTINGS }, settings);
    this.#sim = this.#build();
  }

  get settings(): Readonly<BackendSettings> {
    return this.#settings;
  }

  /** Applies the valid switches of `patch` (throws, changing nothing, on a bad one). */
  update(patch: unknown): Readonly<BackendSettings> {
    const next = mergeSettings(this.#settings, patch);
    const rebuild = (
      ['batchEndpoint', 'limitPerMinute', 'latencyMs', 'rateLimitHeaders'] as const
    ).some((name) => next[name] !== this.#settings[name]);
    this.#settings = next;
    if (rebuild) this.#sim = this.#build();
    return next;
  }

  /** The next request of `client` (any client with '*') is answered 429 + `Retry-After`. */
  force429(client: string, retryAfterSeconds: number): void {
    if (
      !Number.isInteger(retryAfterSeconds) ||
      retryAfterSeconds < 1 ||
      retryAfterSeconds > MAX_FORCED_RETRY_AFTER_S
    ) {
      throw new TypeError(`retryAfter: bad value ${JSON.stringify(retryAfterSeconds)}`);
    }
    this.#forced.set(client, retryAfterSeconds);
  }

  /** Counted requests, oldest first; of one client and from `since` (epoch ms) when given. */
  requests(filter: { client?: string; since?: number } = {}): CountedRequest[] {
    return this.#log.filter(
      (r) =>
        (filter.client === undefined || r.client === filter.client) &&
        (filter.since === undefined || r.at >= filter.since),
    );
  }

  /**
   * Per client: requests counted since `since` (epoch ms; all when undefined), of them in the
   * minute before `now`, and 429s answered in all. Not limited to the log's 10 minutes.
   */
  counts(now: number, since = 0) {
    const counts: Record<string, { requests: number; lastMinute: number; rateLimited: number }> =
      {};
    for (const [client, { arrivals, rateLimited }] of this.#totals) {
      counts[client] = {
        requests: arrivals.length - firstAtOrAfter(arrivals, since),
        lastMinute: arrivals.length - firstAtOrAfter(arrivals, now - 60_000),
        rateLimited,
      };
    }
    return counts;
  }

  /** Answers one request; never rejects (an aborted request gets a 499 nobody reads). */
  async handle(call: BackendCall): Promise<Response> {
    const record = this.#count(call);
    const response = await this.#answer(call, record).catch(
      () => new Response(null, { status: 499 }),
    );
    record.status = response.status;
    if (response.status === 429) this.#totalsOf(call.client).rateLimited++;
    return response;
  }

  #answer(call: BackendCall, record: CountedRequest): Promise<Response> {
    if (call.signal.aborted) return Promise.reject(call.signal.reason);
    const forced = this.#takeForced(call.client);
    if (forced !== undefined) {
      return this.#later(
        call.signal,
        () =>
          new Response(null, {
            status: 429,
            headers: { 'retry-after': String(forced) },
          }),
      );
    }
    if (this.random() < this.#settings.errorRate) {
      return this.#later(call.signal, () => new Response(null, { status: 500 }));
    }
    const headers = new Headers(call.headers);
    headers.set(CLIENT_HEADER, call.client);
    const sim = this.#sim;
    const answer = sim.fetch(`http://backend${call.path}`, {
      method: call.method,
      headers,
      body: call.body,
      signal: call.signal,
    });
    // The simulator records the request synchronously; a batch's run count comes with its body.
    const served = sim.requests.at(-1);
    return answer.then((response) => {
      if (served?.runs !== undefined) record.keys = served.runs;
      this.#trimSim(sim);
      return response;
    });
  }

  #count(call: BackendCall): CountedRequest {
    const at = this.clock.now();
    const record: CountedRequest = {
      seq: ++this.#seq,
      at,
      client: call.client,
      method: call.method,
      url: call.url,
      route: routeOf(call.path),
      status: 0,
      listener: call.listener,
    };
    const pageSeq = Number(call.headers.get('x-playground-seq') ?? Number.NaN);
    if (Number.isInteger(pageSeq)) record.pageSeq = pageSeq;
    this.#log.push(record);
    this.#totalsOf(call.client).arrivals.push(at);
    let drop = 0;
    while (drop < this.#log.length && this.#log[drop]!.at < at - LOG_KEEP_MS) drop++;
    if (drop > 0) this.#log.splice(0, drop);
    return record;
  }

  #totalsOf(client: string) {
    let totals = this.#totals.get(client);
    if (totals === undefined) {
      totals = { arrivals: [], rateLimited: 0 };
      this.#totals.set(client, totals);
    }
    return totals;
  }

  #takeForced(client: string): number | undefined {
    for (const key of [client, '*']) {
      const seconds = this.#forced.get(key);
      if (seconds !== undefined) {
        this.#forced.delete(key);
        return seconds;
      }
    }
    return undefined;
  }

  /** An answer after the configured latency, or a rejection when the client gives up. */
  #later(signal: AbortSignal, make: () => Response): Promise<Response> {
    return new Promise((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve(make());
      }, this.#settings.latencyMs);
      const onAbort = () => {
        this.clock.clearTimeout(timer);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  #build(): SimulatedServer {
    const s = this.#settings;
    return new SimulatedServer({
      clock: this.clock,
      latencyMs: s.latencyMs,
      limit: s.limitPerMinute,
      windowMs: 60_000,
      window: 'rolling',
      retryAfter: true,
      rateLimitHeaders: s.rateLimitHeaders ? 'draft-11' : false,
      items: ITEM_COUNT,
      batchEndpoint: s.batchEndpoint,
    });
  }

  #trimSim(sim: SimulatedServer) {
    for (const list of [sim.requests, sim.rateLimited]) {
      if (list.length > SIM_RECORDS_KEPT * 2) list.splice(0, list.length - SIM_RECORDS_KEPT);
    }
  }
}

function routeOf(path: string): Route {
  const pathname = path.split('?')[0];
  if (pathname === BATCH_PATH) return 'batch';
  if (pathname === SUMMARY_PATH) return 'summary';
  if (pathname === LOGS_PATH || pathname?.startsWith('/api/items/')) return 'item';
  return 'other';
}

/** Index of the first time at or after `at` in ascending `times` (binary search). */
function firstAtOrAfter(times: readonly number[], at: number): number {
  let low = 0;
  let high = times.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (times[mid]! < at) low = mid + 1;
    else high = mid;
  }
  return low;
}
