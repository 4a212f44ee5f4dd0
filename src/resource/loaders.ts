import { isRefusal, PollerDisposedError } from '../errors.js';
import type { Snapshot } from '../query/snapshot.js';

/**
 * What a batch request answered, as the resource sees it. A whole-batch failure (5xx, network,
 * timeout, invalid body, a loader that threw) is a rejection instead.
 */
export type BatchAnswer =
  | { kind: 'entries'; entries: readonly unknown[] }
  /** 404/405/501: there is no batch endpoint here (decided from the status, never a message). */
  | { kind: 'missing' }
  /** 413/414: fewer keys might pass; `error` is what a single key gets. */
  | { kind: 'too-large'; error: unknown };

/** One way of asking for many keys at once: HTTP (`batch.url`) or a function (`batch.load`). */
export interface BatchLoader<K> {
  /** The origin a batch of `keys` goes to (endpoint health, gates); throws if it cannot be built. */
  origin(keys: readonly K[]): string;
  /** GET batches are split by URL length too: the URL for `keys`. */
  readonly urlFor: ((keys: readonly K[]) => string) | undefined;
  load(keys: readonly K[], signal: AbortSignal | undefined): Promise<BatchAnswer>;
}

export const NOT_MODIFIED = Symbol('pollwise.resource.not-modified');

/** One way of asking for a single key: HTTP (`item.url`, with ETags) or a function (`item.load`). */
export interface ItemLoader<K> {
  /** The origin of `key`'s item (grouping, policy, gates); throws if it cannot be built. */
  origin(key: K): string;
  /** `key`'s data, or NOT_MODIFIED when the data in `snapshot` is still current. */
  load(key: K, snapshot: Snapshot<unknown>, signal: AbortSignal | undefined): Promise<unknown>;
  /** Drops what is kept for `key` (an ETag). */
  forget(key: K): void;
  /** ETags kept, for `poller.inspect()`. */
  readonly etags: number;
  clear(): void;
}

/**
 * Sends one request through `send` and counts it once if it went out: when it was answered
 * (`send` calls `answered`), or when it failed on the way (network, timeout). A refusal or a
 * disposed poller never reached the network.
 */
export async function countedSend<T>(
  count: () => void,
  send: (answered: () => void) => Promise<T>,
): Promise<T> {
  let counted = false;
  const once = () => {
    if (counted) return;
    counted = true;
    count();
  };
  try {
    return await send(once);
  } catch (error) {
    if (!isRefusal(error) && !(error instanceof PollerDisposedError)) once();
    throw error;
  }
}
