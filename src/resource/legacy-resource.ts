import { isHTTPError, type KyInstance } from 'ky';
import type { Clock } from '../environment/clock.js';
import {
  isRefusal,
  MissingItemError,
  PollerDisposedError,
  UnexpectedResponseError,
  ValidationError,
} from '../errors.js';
import type { EventBus } from '../events.js';
import type { PollContext } from '../scheduler/poll-entry.js';
import type { PollerStats } from '../stats.js';
import { readJson } from '../transport/read-json.js';
import { chunkKeys } from './chunk-keys.js';
import {
  type ItemOutcome,
  type ItemRecord,
  type ItemSnapshot,
  ItemStore,
  PENDING,
} from './item-store.js';
import { LruMap } from './lru-map.js';
import { runLimited } from './run-limited.js';
import { type StandardSchemaV1, validate } from './standard-schema.js';

/** A batch endpoint answering for many keys at once. */
export interface BatchEndpoint<K> {
  /** The batch URL, or a function of the keys (GET batches: `/items?ids=a,b,c`). */
  url: string | URL | ((keys: readonly K[]) => string | URL);
  /** Default: POST when `body` is given, else GET. */
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH';
  /** JSON body for the keys, e.g. `{ project, runs: keys }`. */
  body?: (keys: readonly K[]) => unknown;
  /** The entries of the response. Default: the response itself, which must be an array. */
  select?: (json: unknown) => readonly unknown[];
  /** The key an entry answers for. */
  key: (entry: unknown) => K;
  /** An entry's item data. Default: the entry. */
  data?: (entry: unknown) => unknown;
  /** Most keys per request. Default 64. */
  maxSize?: number;
  /** For GET batches, longest URL before a batch is split. Default 2048. */
  maxUrlLength?: number;
}

export interface ResourceOptions<K, T> {
  /** The per-item endpoint: always required, it is the fallback when the batch endpoint is missing. */
  item: {
    url: (key: K) => string | URL;
    /** Any Standard Schema (zod 4, valibot, arktype); `data` is typed from it. */
    schema?: StandardSchemaV1<unknown, T>;
    /** The item data in a per-item response. Default: the response. */
    select?: (json: unknown, key: K) => unknown;
  };
  batch?: BatchEndpoint<K>;
  /** Identity of a key in caches and responses. Default: strings as they are, others as JSON. */
  keyId?: (key: K) => string;
  /** Poll interval (ms). Default: the host policy's. */
  interval?: number;
  hiddenInterval?: number | false;
  /** How long `fetch()` calls collect before one request goes out (ms). Default 0: same macrotask. */
  window?: number;
  /** Per-item requests in flight at once, when the batch endpoint is missing. Default 6. */
  concurrency?: number;
  /** How long a missing batch endpoint (404/405/501) is remembered before one probe (ms). Default 10 min. */
  reprobeAfter?: number;
  /** Items kept at most (least recently used unsubscribed ones go first). Default 1000. */
  maxItems?: number;
  /** Unsubscribed items are dropped after this long (ms). Default 5 min. */
  gcTime?: number;
}

export interface ResourceSubscription {
  unsubscribe(): void;
  /** Reads this key again as soon as the gates allow. */
  refresh(): void;
}

/** Counts of what a resource holds, for `poller.inspect()`. */
export interface ResourceCounts {
  items: number;
  etags: number;
  reads: number;
  groups: number;
}

export interface Resource<K, T> {
  /** Polls `key` and calls `listener` whenever its snapshot changes. */
  subscribe(
    key: K,
    listener: (snapshot: ItemSnapshot<T>) => void,
    options?: { interval?: number; hiddenInterval?: number | false },
  ): ResourceSubscription;
  /** The current snapshot; the same object until something changes. */
  get(key: K): ItemSnapshot<T>;
  /** One read, coalesced with every other read in the same window; shares a read under way. */
  fetch(key: K): Promise<T>;
  /** Reads `key` again (or every subscribed key) as soon as the gates allow. */
  refresh(key?: K): void;
}

/** What a resource needs from its poller. */
export interface ResourceHost {
  clock: Clock;
  http: KyInstance;
  stats: PollerStats;
  events: EventBus;
  jitter: number;
  baseUrl: () => string | undefined;
  resolveInterval: (url: URL) => { interval: number; hiddenInterval: number | false };
  schedule: (entry: {
    origin: string;
    interval: number;
    hiddenInterval: number | false;
    task: (context: PollContext) => Promise<void>;
  }) => { unsubscribe(): void; refresh(keepSchedule?: boolean): void };
  canSend: (origin: string, background: boolean) => boolean;
  onDispose: (dispose: () => void) => void;
  /** Registers the resource's counts for `poller.inspect()`. */
  onInspect: (counts: () => ResourceCounts) => void;
}

/** Settings with every default applied. */
export interface ResourceSettings {
  window: number;
  concurrency: number;
  reprobeAfter: number;
  maxItems: number;
  gcTime: number;
  maxSize: number;
  maxUrlLength: number;
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {}); // a sweep's reads may have no reader: never an unhandled rejection
  return { promise, resolve, reject };
}

/** Keys of one (origin, interval), polled by one scheduler entry. */
interface PollGroup {
  readonly origin: string;
  readonly interval: number;
  readonly background: boolean;
  /** Subscription count per key id. */
  readonly ids: Map<string, number>;
  readonly entry: { unsubscribe(): void; refresh(keepSchedule?: boolean): void };
}

const MISSING_ENDPOINT = [404, 405, 501];
const TOO_LARGE = [413, 414];

const defaultKeyId = (key: unknown) => (typeof key === 'string' ? key : JSON.stringify(key));

export function createResource<K, T>(
  host: ResourceHost,
  options: ResourceOptions<K, T>,
  settings: ResourceSettings,
): Resource<K, T> {
  const { clock, http, stats, events } = host;
  const { item, batch } = options;
  const keyId = options.keyId ?? defaultKeyId;
  const store = new ItemStore<K, T>(settings.maxItems, settings.gcTime, (evicted) =>
    forgetEtag(evicted),
  );
  const etags = new LruMap<string, string>(settings.maxItems);
  /** Reads queued or under way, by key id: a key is never requested twice at once. */
  const reads = new Map<string, Deferred<T>>();
  /** Per batch origin: until when the batch endpoint counts as missing; 0 once it answered. */
  const batchMissingUntil = new Map<string, number>();
  const groups = new Map<string, PollGroup>();
  /** Keys fetch() asked for, waiting for the window (or for a sweep about to run). */
  let queued = new Map<string, K>();
  /** Groups refreshed for a new key whose sweep has not started yet. */
  const sweepsDue = new Set<PollGroup>();
  let flushTimer: unknown = null;
  let disposed = false;

  const resolve = (url: string | URL) => new URL(url, host.baseUrl());
  const batchUrl = (keys: readonly K[]) =>
    batch === undefined
      ? undefined
      : resolve(typeof batch.url === 'function' ? batch.url(keys) : batch.url);

  function notify(record: ItemRecord<K, T>): void {
    for (const listener of [...record.listeners]) {
      try {
        listener(record.snapshot);
      } catch (error) {
        let origin = '';
        try {
          origin = resolve(item.url(record.key)).origin;
        } catch {
          // The key's URL itself is broken; the callback error still gets reported.
        }
        events.emit('error', { key: record.id, origin, error, source: 'callback' });
      }
    }
  }

  function settle(record: ItemRecord<K, T>, outcome: ItemOutcome<T>): void {
    if (disposed) return;
    if (outcome.kind === 'error' && isRefusal(outcome.error)) {
      // Refused before the network: nothing was learned about the item, which stays due.
      record.requestedAt = Number.NEGATIVE_INFINITY;
    } else if (store.apply(record, outcome, clock.now())) notify(record);
    const read = reads.get(record.id);
    reads.delete(record.id);
    if (read === undefined) return;
    if (outcome.kind === 'error') read.reject(outcome.error);
    else read.resolve(record.snapshot.data as T);
  }

  /** Validates one item's data and settles it. */
  async function deliver(record: ItemRecord<K, T>, data: unknown): Promise<void> {
    if (item.schema === undefined) return settle(record, { kind: 'data', data: data as T });
    const result = await validate(item.schema, data);
    if (result.ok) settle(record, { kind: 'data', data: result.value });
    else {
      stats.invalidItems++;
      settle(record, { kind: 'error', error: new ValidationError(record.key, result.issues) });
    }
  }

  const aborted = (signal: AbortSignal | undefined) => signal?.aborted === true;

  /** One per-item GET, revalidated with the item URL's ETag. */
  /** Reads one item; returns the error it failed with, or undefined (data, 304, aborted). */
  async function readItem(
    record: ItemRecord<K, T>,
    startedAt: number,
    signal?: AbortSignal,
  ): Promise<unknown> {
    let url: URL;
    try {
      url = resolve(item.url(record.key));
    } catch (error) {
      settle(record, { kind: 'error', error });
      return error;
    }
    const etag = record.snapshot.data === undefined ? undefined : etags.get(url.href);
    record.requestedAt = startedAt; // all keys of one read share its start: they stay in step
    try {
      const response = await http.get(url, {
        ...(signal ? { signal } : {}),
        ...(etag ? { headers: { 'if-none-match': etag } } : {}),
        throwHttpErrors: (status) => status !== 304,
      });
      stats.itemRequests++;
      if (response.status === 304) {
        stats.notModified++;
        settle(record, { kind: 'not-modified' });
        return undefined;
      }
      const fresh = response.headers.get('etag');
      if (fresh) etags.set(url.href, fresh);
      else etags.delete(url.href);
      const json = await readJson(response, url.href);
      await deliver(record, item.select ? item.select(json, record.key) : json);
      return undefined; // a schema failure is that item's problem, not the host's
    } catch (error) {
      if (isHTTPError(error)) stats.itemRequests++; // sent and answered; refusals never left
      if (aborted(signal)) {
        skip([record]);
        return undefined;
      }
      settle(record, { kind: 'error', error }); // a refusal leaves the item alone and due
      return isRefusal(error) ? undefined : error;
    }
  }

  function countBatch(keys: number): void {
    stats.batches++;
    stats.batchedKeys += keys;
  }

  type BatchResult = 'done' | 'missing' | { failed: unknown };

  /** One batch request for `chunk`; 413/414 split it in halves. */
  async function readBatch(
    endpoint: BatchEndpoint<K>,
    chunk: ItemRecord<K, T>[],
    startedAt: number,
    signal?: AbortSignal,
  ): Promise<BatchResult> {
    const keys = chunk.map((r) => r.key);
    let url = '';
    let response: Response;
    try {
      url = (batchUrl(keys) as URL).href;
      const method = endpoint.method ?? (endpoint.body ? 'POST' : 'GET');
      for (const record of chunk) record.requestedAt = startedAt;
      response = await http(url, {
        method,
        ...(endpoint.body ? { json: endpoint.body(keys) } : {}),
        ...(signal ? { signal } : {}),
        throwHttpErrors: (status) =>
          !MISSING_ENDPOINT.includes(status) && !TOO_LARGE.includes(status),
      });
    } catch (error) {
      if (!isRefusal(error)) countBatch(chunk.length); // it went out (or failed on the wire)
      if (isHTTPError(error))
        events.emit('batch', { url, keys: chunk.length, status: error.response.status });
      if (aborted(signal)) {
        skip(chunk); // cut short by unsubscribe: nothing was learned, nothing stays registered
        return 'done';
      }
      for (const record of chunk) settle(record, { kind: 'error', error });
      return { failed: error };
    }
    const { status } = response;
    countBatch(chunk.length);
    events.emit('batch', { url, keys: chunk.length, status });
    if (MISSING_ENDPOINT.includes(status)) return 'missing'; // the status, never a message
    if (TOO_LARGE.includes(status)) {
      if (chunk.length === 1) {
        const error = new UnexpectedResponseError(url, status, 'one key is already too large');
        settle(chunk[0] as ItemRecord<K, T>, { kind: 'error', error });
        return 'done';
      }
      const half = Math.ceil(chunk.length / 2);
      const parts = await Promise.all([
        readBatch(endpoint, chunk.slice(0, half), startedAt, signal),
        readBatch(endpoint, chunk.slice(half), startedAt, signal),
      ]);
      return parts.find((p) => p !== 'done') ?? 'done';
    }
    let entries: readonly unknown[];
    try {
      const json = await readJson(response, url);
      const selected = endpoint.select ? endpoint.select(json) : json;
      if (!Array.isArray(selected))
        throw new UnexpectedResponseError(url, status, 'entries are not an array');
      entries = selected;
    } catch (error) {
      for (const record of chunk) settle(record, { kind: 'error', error });
      return { failed: error };
    }
    const byId = new Map<string, unknown>();
    for (const entry of entries) {
      try {
        byId.set(keyId(endpoint.key(entry)), entry);
      } catch {
        // An entry whose key cannot be read answers for nobody.
      }
    }
    await Promise.all(
      chunk.map((record) => {
        if (!byId.has(record.id)) {
          stats.missingItems++;
          settle(record, { kind: 'error', error: new MissingItemError(record.key) });
          return undefined;
        }
        const entry = byId.get(record.id);
        try {
          return deliver(record, endpoint.data ? endpoint.data(entry) : entry);
        } catch (error) {
          settle(record, { kind: 'error', error });
          return undefined;
        }
      }),
    );
    return 'done';
  }

  /** The batch endpoint of `origin` is missing: per item until the re-probe time. */
  function fallBack(origin: string, keys: number): void {
    const until = clock.now() + settings.reprobeAfter;
    batchMissingUntil.set(origin, until);
    stats.fallbacks++;
    events.emit('fallback', { origin, until, keys });
  }

  /**
   * Reads `records` (already registered in `reads`): batched while the batch endpoint exists,
   * per item otherwise, asking `canContinue` before each request. Returns the error that failed
   * a whole batch, if any, so that the poll backs off.
   */
  async function read(
    records: ItemRecord<K, T>[],
    signal?: AbortSignal,
    canContinue: () => boolean = () => true,
    startedAt: number = clock.now(),
  ): Promise<unknown> {
    let perItem = records;
    let failure: unknown;
    const endpoint = batch;
    if (endpoint !== undefined && records.length > 0) {
      const origin = (batchUrl(records.map((r) => r.key)) as URL).origin;
      const missingUntil = batchMissingUntil.get(origin);
      // undefined: never tried; 0: it answers; later than now: known missing.
      if (missingUntil === undefined || missingUntil <= clock.now()) {
        perItem = [];
        const isGet = (endpoint.method ?? (endpoint.body ? 'POST' : 'GET')) === 'GET';
        const urlFor = (rs: readonly ItemRecord<K, T>[]) =>
          (batchUrl(rs.map((r) => r.key)) as URL).href;
        let chunks = chunkKeys(
          records,
          settings.maxSize,
          isGet ? urlFor : undefined,
          settings.maxUrlLength,
        );
        if (missingUntil !== 0) {
          // Until the endpoint has answered, one chunk probes it alone: a missing one costs one request.
          const [probe, ...rest] = chunks as [ItemRecord<K, T>[], ...ItemRecord<K, T>[][]];
          chunks = [];
          const result = canContinue()
            ? await readBatch(endpoint, probe, startedAt, signal)
            : 'skipped';
          if (result === 'skipped') skip(records);
          else if (result === 'missing') {
            fallBack(origin, records.length);
            perItem = records;
          } else if (result !== 'done') {
            // The endpoint exists but fails: the other keys of this read fail alike, no fallback.
            failure = result.failed;
            for (const record of rest.flat()) settle(record, { kind: 'error', error: failure });
          } else {
            batchMissingUntil.set(origin, 0);
            chunks = rest;
          }
        }
        const missing: ItemRecord<K, T>[] = [];
        const left = await runLimited(
          chunks,
          settings.concurrency,
          async (chunk) => {
            const result = await readBatch(endpoint, chunk, startedAt, signal);
            if (result === 'missing') missing.push(...chunk);
            else if (result !== 'done') failure ??= result.failed;
          },
          canContinue,
        );
        skip(left.flat());
        if (missing.length > 0) {
          fallBack(origin, missing.length); // the endpoint went away since it last answered
          perItem = missing;
        }
      }
    }
    if (perItem.length > 0) {
      let succeeded = false;
      let firstError: unknown;
      const rest = await runLimited(
        perItem,
        settings.concurrency,
        async (r) => {
          const error = await readItem(r, startedAt, signal);
          if (error === undefined) succeeded = true;
          else firstError ??= error;
        },
        canContinue,
      );
      skip(rest);
      // Every item failed: the host is failing, not the items, so the poll backs off.
      if (!succeeded && firstError !== undefined) failure ??= firstError;
    }
    return failure;
  }

  /** Reads that did not go out or were cut short leave the items as they were, and due. */
  function skip(records: ItemRecord<K, T>[]): void {
    for (const record of records) {
      record.requestedAt = Number.NEGATIVE_INFINITY;
      const pending = reads.get(record.id);
      reads.delete(record.id);
      pending?.reject(
        new Error('pollwise: read skipped (paused, hidden, offline or cooling down)'),
      );
    }
  }

  /** An ETag without its item's data is useless (and a 304 to it would have nothing to reuse). */
  function forgetEtag(record: ItemRecord<K, T>): void {
    try {
      etags.delete(resolve(item.url(record.key)).href);
    } catch {
      // A key whose URL cannot be built never had an ETag.
    }
  }

  let collectedAt = Number.NEGATIVE_INFINITY;
  /** Drops items idle past their grace period (at most 4 times per grace period: O(items)). */
  function collect(now: number): void {
    if (now - collectedAt < settings.gcTime / 4) return;
    collectedAt = now;
    for (const dropped of store.collect(now, (id) => reads.has(id))) forgetEtag(dropped);
  }

  /** A poll run: reads the group's due keys, stalest first, batched. */
  async function sweep(group: PollGroup, context: PollContext): Promise<void> {
    const now = clock.now();
    collect(now);
    const dueBy = now + group.interval * host.jitter;
    const due: ItemRecord<K, T>[] = [];
    for (const id of group.ids.keys()) {
      const record = store.get(id);
      if (record === undefined || reads.has(id) || record.requestedAt + group.interval > dueBy)
        continue;
      due.push(record);
    }
    sweepsDue.delete(group);
    due.sort((a, b) => a.freshAt - b.freshAt);
    for (const record of due) reads.set(record.id, deferred<T>());
    due.push(...takeQueued()); // fetch() calls of this window ride along (already registered)
    if (due.length === 0) return;
    // An unsubscribed sweep starts nothing more; a closed gate stops it too.
    const failure = await read(
      due,
      context.signal,
      () => !context.signal.aborted && host.canSend(group.origin, group.background),
    );
    if (failure !== undefined) throw failure; // the whole batch failed: the poll backs off
  }

  /** Queues a read of `key` for the window, or returns the read already queued or under way. */
  function enqueue(id: string, key: K): Deferred<T> {
    const existing = reads.get(id);
    if (existing !== undefined) return existing;
    const pending = deferred<T>();
    reads.set(id, pending);
    queued.set(id, key);
    flushTimer ??= clock.setTimeout(flush, settings.window);
    return pending;
  }

  /** Takes the queued fetch() keys, for a read that goes out now. */
  function takeQueued(): ItemRecord<K, T>[] {
    const now = clock.now();
    const records = [...queued].map(([id, key]) => store.ensure(id, key, now));
    queued = new Map();
    if (flushTimer !== null) clock.clearTimeout(flushTimer);
    flushTimer = null;
    return records;
  }

  /** The window closed: the queued keys go out together, batched. */
  function flush(): void {
    flushTimer = null;
    // A sweep about to run in this tick takes the queued keys along: one batch, not two.
    for (const group of sweepsDue) {
      if (host.canSend(group.origin, group.background)) return;
    }
    void read(takeQueued()).catch(() => {});
  }

  function groupFor(
    key: K,
    options?: { interval?: number; hiddenInterval?: number | false },
  ): PollGroup {
    const url = resolve(item.url(key));
    const policy = host.resolveInterval(url);
    const interval = options?.interval ?? settingsInterval ?? policy.interval;
    const hiddenInterval = options?.hiddenInterval ?? settingsHidden ?? policy.hiddenInterval;
    const id = `${url.origin} ${interval} ${hiddenInterval}`;
    let group = groups.get(id);
    if (group === undefined) {
      const created: PollGroup = {
        origin: url.origin,
        interval,
        background: hiddenInterval !== false,
        ids: new Map(),
        entry: host.schedule({
          origin: url.origin,
          interval,
          hiddenInterval,
          task: (context) => sweep(created, context),
        }),
      };
      group = created;
      groups.set(id, group);
    }
    return group;
  }
  /** Makes the group sweep on its next tick; its regular ticks stay where they were. */
  function refreshGroup(group: PollGroup): void {
    sweepsDue.add(group);
    group.entry.refresh(true);
  }

  const settingsInterval = options.interval;
  const settingsHidden = options.hiddenInterval;

  host.onInspect(() => ({
    items: store.size,
    etags: etags.size,
    reads: reads.size,
    groups: groups.size,
  }));

  host.onDispose(() => {
    disposed = true;
    if (flushTimer !== null) clock.clearTimeout(flushTimer);
    for (const group of groups.values()) group.entry.unsubscribe();
    groups.clear();
    const orphaned = new PollerDisposedError();
    for (const pending of reads.values()) pending.reject(orphaned); // nobody waits forever
    reads.clear();
    queued.clear();
    sweepsDue.clear();
    store.clear();
    etags.clear();
  });

  return {
    subscribe(key, listener, subscribeOptions) {
      const id = keyId(key);
      const now = clock.now();
      collect(now);
      const record = store.ensure(id, key, now);
      const group = groupFor(key, subscribeOptions);
      const own = (snapshot: ItemSnapshot<T>) => listener(snapshot);
      record.listeners.add(own);
      record.idleSince = null;
      group.ids.set(id, (group.ids.get(id) ?? 0) + 1);
      // A key not read yet is due now; the group's next tick batches it with any others.
      // A key never read makes its group sweep on the next tick, with every other due key.
      if (record.requestedAt === Number.NEGATIVE_INFINITY) refreshGroup(group);
      let active = true;
      return {
        unsubscribe() {
          if (!active) return;
          active = false;
          record.listeners.delete(own);
          if (record.listeners.size === 0) record.idleSince = clock.now();
          collect(clock.now());
          const left = (group.ids.get(id) ?? 1) - 1;
          if (left > 0) group.ids.set(id, left);
          else group.ids.delete(id);
          if (group.ids.size === 0) {
            group.entry.unsubscribe();
            // fetch() keys that waited for this group's sweep go out on their own.
            if (sweepsDue.delete(group) && queued.size > 0) {
              flushTimer ??= clock.setTimeout(flush, settings.window);
            }
            for (const [name, g] of groups) if (g === group) groups.delete(name);
          }
        },
        refresh() {
          if (!active) return;
          record.requestedAt = Number.NEGATIVE_INFINITY;
          refreshGroup(group);
        },
      };
    },
    get(key) {
      return store.get(keyId(key))?.snapshot ?? PENDING;
    },
    fetch(key) {
      if (disposed) return Promise.reject(new PollerDisposedError());
      collect(clock.now());
      return enqueue(keyId(key), key).promise;
    },
    refresh(key) {
      if (disposed) return;
      const only = key === undefined ? undefined : keyId(key);
      for (const group of groups.values()) {
        if (only !== undefined && !group.ids.has(only)) continue;
        for (const id of group.ids.keys()) {
          const record = only === undefined || id === only ? store.get(id) : undefined;
          if (record) record.requestedAt = Number.NEGATIVE_INFINITY;
        }
        refreshGroup(group);
      }
    },
  };
}
