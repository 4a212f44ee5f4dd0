import type { Poller } from '../poller.js';
import type { PollTask } from '../query/poll-context.js';
import type { Subscription } from '../query/poll-query.js';
import type { Snapshot } from '../query/snapshot.js';
import type { Resource, SubscribeOptions } from '../resource/types.js';

/**
 * The snapshot of a poll nobody subscribed to yet. The adapters keep their own copy (the same
 * shape as the core's), so that an adapter entry imports nothing from pollwise at run time.
 */
export const PENDING_SNAPSHOT: Snapshot<never> = Object.freeze({
  status: 'pending',
  data: undefined,
  error: undefined,
  updatedAt: null,
});

/** A pending snapshot without data, whichever copy: framework stores then see one value. */
export function samePending<T>(snapshot: Snapshot<T>): Snapshot<T> {
  return snapshot.status === 'pending' && snapshot.updatedAt === null && snapshot.data === undefined
    ? PENDING_SNAPSHOT
    : snapshot;
}

/** What the adapters bind to: a poll subscription or one key of a resource, alike. */
export interface SnapshotSource<T> {
  getSnapshot(): Snapshot<T>;
  /**
   * Calls `listener` on every snapshot change; returns the function that stops it. A source
   * serves one listener at a time (a resource key's source; a poll's serves any number).
   */
  subscribe(listener: (snapshot: Snapshot<T>) => void): () => void;
  refresh(): void;
  /** Ends the subscription: the poll stops (its request aborted) with its last subscriber. */
  unsubscribe(): void;
}

/** What a poll is of: a URL, or a task with its `url` or `origin` in the options. */
export type PollTarget = string | URL | PollTask<unknown>;

/** `poller.poll(target, options)`: a poll subscription is a source as it is. */
export function pollSource<T>(
  poller: Poller,
  target: PollTarget,
  options: object | undefined,
): SnapshotSource<T> {
  return poller.poll(target as string, options) as Subscription<T>;
}

/** One key of a resource as a source (one listener at a time: each adapter fans out itself). */
export function resourceSource<K, T>(
  resource: Resource<K, T>,
  key: K,
  options: SubscribeOptions | undefined,
): SnapshotSource<T> {
  let listener: ((snapshot: Snapshot<T>) => void) | undefined;
  const subscription = resource.subscribe(key, (snapshot) => listener?.(snapshot), options);
  return {
    getSnapshot: () => resource.get(key),
    subscribe(next) {
      listener = next;
      return () => {
        if (listener === next) listener = undefined;
      };
    },
    refresh: subscription.refresh,
    unsubscribe: subscription.unsubscribe,
  };
}
