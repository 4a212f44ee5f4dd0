import type { PollerOptions } from '../../src/index.js';
import type { HttpBatchEndpoint, ResourceOptions } from '../../src/resource/index.js';
import { realTick } from '../support/clock.js';
import { type FakeCall, fakeNetwork } from '../support/fake-network.js';
import { fakePoller } from '../support/poller.js';

/** The origin of the fake API. */
export const API = 'http://api.test';

/** What the fake API saw of one request: the call, what it asked for and its parsed body. */
export interface ApiRequest extends FakeCall {
  /** `batch` for /batch, `item` for /items/:id, `other` otherwise. */
  kind: 'batch' | 'item' | 'other';
  /** Keys asked for: the batch body's ids (or `ids` query) or the item URL's id. */
  keys: string[];
  /** The parsed JSON body (undefined for GET). */
  body: unknown;
}

export interface Entry {
  id: string;
  value: unknown;
}

/** A call of the fake network, seen as a request to the fake API (what the URL alone says). */
function apiRequest(call: FakeCall): ApiRequest {
  const request = call as ApiRequest;
  if (request.kind !== undefined) return request;
  const { path } = call;
  request.kind = path === '/batch' ? 'batch' : path.startsWith('/items/') ? 'item' : 'other';
  request.keys = request.kind === 'item' ? [decodeURIComponent(path.slice('/items/'.length))] : [];
  request.body = undefined;
  return request;
}

/**
 * A fake HTTP API on the fake network. `POST /batch {ids}` answers `[{id, value}]` for every
 * id it knows; `GET /items/:id` answers `{id, value}` with an ETag (`"id:version"`) and honours
 * If-None-Match with a 304. Knobs change its answers; every request is logged, and the number in
 * flight is tracked (responses can be delayed on the fake clock).
 */
export function fakeApi() {
  const api = {
    /** Every request, in order. */
    get requests(): ApiRequest[] {
      return net.calls.map(apiRequest);
    },
    /** Item values by key; a key that is absent is unknown (batch: no entry; item: 404). */
    values: new Map<string, unknown>(),
    /** Bumped on every `set`: the ETag changes only when the value changes. */
    versions: new Map<string, number>(),
    /** Status the batch route answers with (200: the entries). */
    batchStatus: 200,
    batchStatusText: '',
    batchHeaders: {} as Record<string, string>,
    /** Answers instead of the routes when it returns a response. */
    override: undefined as ((request: ApiRequest) => Response | undefined) | undefined,
    /** Status per-item requests answer with when not 200. */
    itemStatus: 200,
    itemHeaders: {} as Record<string, string>,
    /** Batches with more ids than this answer 413. */
    maxBatch: Number.POSITIVE_INFINITY,
    /** Sends ETags and honours If-None-Match. */
    etags: true,
    /** Extra entries the batch answers with, for keys nobody asked for. */
    extraEntries: [] as Entry[],
    /**
     * How every response is delayed: ms on the fake clock; `'macrotask'`: one real macrotask, so
     * that requests overlap while the fake clock stands still; undefined: not at all.
     */
    delay: undefined as number | 'macrotask' | undefined,
    /** Requests in flight now, and the most at once since the last `reset()`. */
    get inFlight() {
      return net.inFlight;
    },
    get maxInFlight() {
      return net.maxInFlight;
    },
    set(key: string, value: unknown) {
      api.values.set(key, value);
      api.versions.set(key, (api.versions.get(key) ?? 0) + 1);
    },
    fill(keys: readonly string[], value: (key: string) => unknown = (k) => `v-${k}`) {
      for (const key of keys) api.set(key, value(key));
    },
    batches: () => api.requests.filter((r) => r.kind === 'batch'),
    items: () => api.requests.filter((r) => r.kind === 'item'),
    /** Sizes of the batch requests, in order. */
    batchSizes: () => api.batches().map((r) => r.keys.length),
    reset: () => net.reset(),
    route(request: ApiRequest): Response {
      const overridden = api.override?.(request);
      if (overridden !== undefined) return overridden;
      if (request.kind === 'batch') {
        if (api.batchStatus !== 200) {
          return Response.json(
            { error: 'batch says no' },
            {
              status: api.batchStatus,
              ...(api.batchStatusText ? { statusText: api.batchStatusText } : {}),
              headers: api.batchHeaders,
            },
          );
        }
        if (request.keys.length > api.maxBatch) return new Response('too large', { status: 413 });
        const entries: Entry[] = [];
        for (const id of request.keys) {
          if (api.values.has(id)) entries.push({ id, value: api.values.get(id) });
        }
        return Response.json([...entries, ...api.extraEntries]);
      }
      if (request.kind === 'item') {
        const id = request.keys[0] as string;
        if (api.itemStatus !== 200) {
          return Response.json(
            { error: 'item says no' },
            { status: api.itemStatus, headers: api.itemHeaders },
          );
        }
        if (!api.values.has(id)) return Response.json({ error: 'unknown' }, { status: 404 });
        const etag = `"${id}:${api.versions.get(id) ?? 0}"`;
        if (api.etags && request.headers.get('if-none-match') === etag) {
          return new Response(null, { status: 304, headers: { etag } });
        }
        return Response.json(
          { id, value: api.values.get(id) },
          { headers: api.etags ? { etag } : {} },
        );
      }
      return Response.json({ ok: true });
    },
    /** Answers a call of the fake network. */
    async respond(call: FakeCall): Promise<Response> {
      const request = apiRequest(call);
      if (request.method !== 'GET') {
        request.body = await call.json();
        if (request.kind === 'batch') request.keys = [...(request.body as { ids: string[] }).ids];
      } else if (request.kind === 'batch') {
        request.keys = call.query.get('ids')?.split(',') ?? [];
      }
      const { delay } = api;
      if (delay === 'macrotask') await realTick();
      else if (delay !== undefined) await call.sleep(delay);
      return api.route(request);
    },
  };
  const net = fakeNetwork((call) => api.respond(call));
  return Object.assign(api, { net, fetch: net.fetch });
}

export type FakeApi = ReturnType<typeof fakeApi>;

/** The fake API's POST batch endpoint, with `overrides`. */
export function apiBatch(
  overrides: Partial<HttpBatchEndpoint<string>> = {},
): HttpBatchEndpoint<string> {
  return {
    url: `${API}/batch`,
    body: (keys) => ({ ids: keys }),
    key: (entry) => (entry as Entry).id,
    ...overrides,
  };
}

/** Resource options for the fake API: a POST batch and a per-item GET, polled every second. */
export function apiResource(
  overrides: Partial<ResourceOptions<string, Entry>> = {},
): ResourceOptions<string, Entry> {
  return {
    item: { url: (key) => `${API}/items/${encodeURIComponent(key)}` },
    batch: apiBatch(),
    interval: 1000,
    ...overrides,
  };
}

/**
 * A poller on the fake clock (`fakePoller`: exact timing, manual visibility and online) whose
 * network is the fake API.
 */
export function setup(options: PollerOptions = {}) {
  const api = fakeApi();
  const { net: _, ...env } = fakePoller(options, api.net);
  return { api, ...env };
}

/** `n` keys: k000, k001, ... */
export const keys = (n: number, prefix = 'k') =>
  Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(3, '0')}`);
