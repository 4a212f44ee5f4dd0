import { vi } from 'vitest';
import { createPoller, type Poller, type PollerOptions } from '../../src/index.js';
import type { HttpBatchEndpoint, ResourceOptions } from '../../src/resource/index.js';
import { flushRealMacrotask, T0 } from '../scheduler/harness.js';
import { manualOnline, manualVisibility } from '../support/fake-environment.js';

export { elapsed, flushRealMacrotask, T0, useFakeClock } from '../scheduler/harness.js';

/** Bumped whenever a fake API request starts or ends: `settle()` waits until it stops moving. */
let activity = 0;

/** The origin of the fake API. */
export const API = 'http://api.test';

/** What the fake API saw of one request. */
export interface ApiRequest {
  method: string;
  url: URL;
  /** The parsed JSON body (undefined for GET). */
  body: unknown;
  headers: Headers;
  /** Ms since T0 on the fake clock. */
  at: number;
  /** `batch` for /batch, `item` for /items/:id, `other` otherwise. */
  kind: 'batch' | 'item' | 'other';
  /** Keys asked for: the batch body's ids or the item URL's id. */
  keys: string[];
}

export interface Entry {
  id: string;
  value: unknown;
}

/**
 * A fake HTTP API in the fetch's clothes. `POST /batch {ids}` answers `[{id, value}]` for every
 * id it knows; `GET /items/:id` answers `{id, value}` with an ETag (`"id:version"`) and honours
 * If-None-Match with a 304. Knobs change its answers; every request is logged, and the number in
 * flight is tracked (responses can be delayed on the fake clock).
 */
export function fakeApi() {
  const requests: ApiRequest[] = [];
  const api = {
    requests,
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
    inFlight: 0,
    maxInFlight: 0,
    set(key: string, value: unknown) {
      api.values.set(key, value);
      api.versions.set(key, (api.versions.get(key) ?? 0) + 1);
    },
    fill(keys: readonly string[], value: (key: string) => unknown = (k) => `v-${k}`) {
      for (const key of keys) api.set(key, value(key));
    },
    batches: () => requests.filter((r) => r.kind === 'batch'),
    items: () => requests.filter((r) => r.kind === 'item'),
    /** Sizes of the batch requests, in order. */
    batchSizes: () => api.batches().map((r) => r.keys.length),
    reset() {
      requests.length = 0;
      api.maxInFlight = api.inFlight;
    },
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
    fetch: async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
      const request = new Request(input, init);
      const url = new URL(request.url);
      const kind =
        url.pathname === '/batch' ? 'batch' : url.pathname.startsWith('/items/') ? 'item' : 'other';
      const record: ApiRequest = {
        method: request.method,
        url,
        body: undefined,
        headers: request.headers,
        at: Date.now() - T0,
        kind,
        keys: kind === 'item' ? [decodeURIComponent(url.pathname.slice('/items/'.length))] : [],
      };
      requests.push(record);
      activity++;
      const signal = init?.signal ?? request.signal;
      api.inFlight++;
      api.maxInFlight = Math.max(api.maxInFlight, api.inFlight);
      try {
        if (signal?.aborted) throw signal.reason;
        if (request.method !== 'GET') {
          const text = await request.text();
          record.body = text === '' ? undefined : JSON.parse(text);
          if (kind === 'batch') record.keys = [...(record.body as { ids: string[] }).ids];
        } else if (kind === 'batch') {
          record.keys = url.searchParams.get('ids')?.split(',') ?? [];
        }
        const { delay } = api;
        if (delay === 'macrotask') await flushRealMacrotask();
        else if (delay !== undefined) {
          await new Promise<void>((resolve, reject) => {
            const timer = setTimeout(resolve, delay);
            signal?.addEventListener('abort', () => {
              clearTimeout(timer);
              reject(signal.reason);
            });
          });
        }
        return api.route(record);
      } finally {
        api.inFlight--;
        activity++;
      }
    },
  };
  return api;
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
 * A poller on the default (faked) clock with manual visibility/online, talking to a fake API,
 * with exact timing: no tick jitter, no cooldown jitter, random() = 0 unless overridden.
 */
export function setup(options: PollerOptions = {}) {
  const api = fakeApi();
  const visibility = manualVisibility();
  const online = manualOnline();
  const poller: Poller = createPoller({
    fetch: api.fetch,
    visibility: visibility.source,
    online: online.source,
    jitter: 0,
    random: () => 0,
    cooldown: { jitter: 0 },
    ...options,
  });
  return { api, poller, visibility, online };
}

/** `n` keys: k000, k001, ... */
export const keys = (n: number, prefix = 'k') =>
  Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(3, '0')}`);

/**
 * Runs what is due now on the fake clock (zero-delay timers included, over and over) and lets
 * every promise chain it started finish: until the fake API has seen no request start or end
 * for several rounds. Time does not move.
 */
export async function settle(): Promise<void> {
  let quiet = 0;
  for (let round = 0; round < 1000 && quiet < 5; round++) {
    const before = activity;
    await vi.advanceTimersByTimeAsync(0);
    await flushRealMacrotask();
    quiet = activity === before ? quiet + 1 : 0;
  }
}
