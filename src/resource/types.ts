import type { Snapshot } from '../query/snapshot.js';
import type { StandardSchemaV1 } from '../query/standard-schema.js';

/** What a loader function is given: abort when the read is cut short or times out. */
export interface LoadContext {
  /** Aborts on the poller's timeout, on unsubscribe and on dispose. */
  signal: AbortSignal;
}

/** How the entries of a batch answer are matched with the keys asked for. */
interface BatchEntries<K> {
  /** The key an entry answers for. */
  key: (entry: unknown) => K;
  /** An entry's item data. Default: the entry. */
  data?: (entry: unknown) => unknown;
  /** Most keys per request. Default 64. */
  maxSize?: number;
}

/** A batch HTTP endpoint answering for many keys at once. */
export interface HttpBatchEndpoint<K> extends BatchEntries<K> {
  /** The batch URL, or a function of the keys (GET batches: `/items?ids=a,b,c`). */
  url: string | URL | ((keys: readonly K[]) => string | URL);
  load?: undefined;
  /** Default: POST when `body` is given, else GET. */
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH';
  /** JSON body for the keys, e.g. `{ project, runs: keys }`. */
  body?: (keys: readonly K[]) => unknown;
  /** The entries of the response. Default: the response itself, which must be an array. */
  select?: (json: unknown) => readonly unknown[];
  /** For GET batches, longest URL before a batch is split. Default 2048. */
  maxUrlLength?: number;
}

/**
 * A batch loader function (GraphQL, tRPC, an SDK client): returns the entries for `keys`, in any
 * order, matched with `key(entry)` as for HTTP. The resource's `origin` gates and paces it.
 */
export interface BatchLoaderEndpoint<K> extends BatchEntries<K> {
  load: (keys: readonly K[], context: LoadContext) => Promise<readonly unknown[]>;
  url?: undefined;
}

export type BatchEndpoint<K> = HttpBatchEndpoint<K> | BatchLoaderEndpoint<K>;

interface ItemData<K, T> {
  /** Any Standard Schema (zod 4, valibot, arktype); `data` is typed from it. */
  schema?: StandardSchemaV1<unknown, T>;
  /** The item data in a per-item answer. Default: the answer. */
  select?: (json: unknown, key: K) => unknown;
}

/** The per-item HTTP endpoint (GET, revalidated with ETags). */
export interface HttpItemEndpoint<K, T> extends ItemData<K, T> {
  url: (key: K) => string | URL;
  load?: undefined;
}

/** A per-item loader function; the resource's `origin` gates and paces it. */
export interface ItemLoaderEndpoint<K, T> extends ItemData<K, T> {
  load: (key: K, context: LoadContext) => Promise<unknown>;
  url?: undefined;
}

export type ItemEndpoint<K, T> = HttpItemEndpoint<K, T> | ItemLoaderEndpoint<K, T>;

export interface ResourceOptions<K, T> {
  /** How one item is read: always required, it is the fallback when the batch endpoint is missing. */
  item: ItemEndpoint<K, T>;
  batch?: BatchEndpoint<K>;
  /**
   * The origin loader functions talk to, e.g. `'https://api.example.com'`: its host policy,
   * cooldown and breaker apply to them. Required with `item.load` or `batch.load`.
   */
  origin?: string;
  /** Identity of a key in caches and responses. Default: strings as they are, others as JSON. */
  keyId?: (key: K) => string;
  /** Poll interval (ms). Default: the host policy's. */
  interval?: number;
  hiddenInterval?: number | false;
  /** How long `fetch()` calls collect before one request goes out (ms). Default 0: same macrotask. */
  window?: number;
  /** Requests in flight at once within one read (batch chunks, or per-item requests). Default 6. */
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

/** Per-subscription overrides of the resource's interval. */
export interface SubscribeOptions {
  interval?: number;
  hiddenInterval?: number | false;
}

export interface Resource<K, T> {
  /** Polls `key` and calls `listener` whenever its snapshot changes. */
  subscribe(
    key: K,
    listener: (snapshot: Snapshot<T>) => void,
    options?: SubscribeOptions,
  ): ResourceSubscription;
  /** The current snapshot; the same object until something changes. */
  get(key: K): Snapshot<T>;
  /** One read, coalesced with every other read in the same window; shares a read under way. */
  fetch(key: K): Promise<T>;
  /** Reads `key` again (or every subscribed key) as soon as the gates allow. */
  refresh(key?: K): void;
}
