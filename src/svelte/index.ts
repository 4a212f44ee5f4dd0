// "pollwise/svelte": stores over the poller's subscriptions, for `$store` in Svelte 4 and 5.
// The store contract needs nothing from Svelte, so this entry imports nothing at all.
import {
  type PollTarget,
  pollSource,
  resourceSource,
  type SnapshotSource,
} from '../adapters/snapshot-source.js';
import type { DataOf, Poller } from '../poller.js';
import type { TaskPollOptions, UrlPollOptions } from '../query/poll-arguments.js';
import type { PollTask } from '../query/poll-context.js';
import type { Snapshot } from '../query/snapshot.js';
import type { StandardSchemaV1 } from '../query/standard-schema.js';
import type { Resource, SubscribeOptions } from '../resource/types.js';

/** A readable store of a snapshot (Svelte's store contract), plus `refresh()`. */
export interface SnapshotStore<T> {
  /** Calls `run` now and on every change; returns its unsubscribe. */
  subscribe(run: (snapshot: Snapshot<T>) => void): () => void;
  refresh(): void;
}

/**
 * A store of `poller.poll(url, options)`: the poll starts with the store's first subscriber
 * and stops (its request aborted) when the last one leaves.
 */
export function pollStore<
  S extends StandardSchemaV1 | undefined = undefined,
  TSelected = DataOf<S>,
>(
  poller: Poller,
  url: string | URL,
  options?: UrlPollOptions<DataOf<S>, TSelected> & { schema?: S },
): SnapshotStore<TSelected>;
export function pollStore<T, TSelected = T>(
  poller: Poller,
  url: string | URL,
  options?: UrlPollOptions<T, TSelected>,
): SnapshotStore<TSelected>;
export function pollStore<T, TSelected = T>(
  poller: Poller,
  task: PollTask<T>,
  options: TaskPollOptions<T, TSelected>,
): SnapshotStore<TSelected>;
export function pollStore(poller: Poller, target: PollTarget, options?: object) {
  return sourceStore(() => pollSource(poller, target, options));
}

/** A store of one key of a resource, subscribed while the store has subscribers. */
export function resourceStore<K, T>(
  resource: Resource<K, T>,
  key: K,
  options?: SubscribeOptions,
): SnapshotStore<T> {
  return sourceStore(() => resourceSource(resource, key, options));
}

function sourceStore<T>(open: () => SnapshotSource<T>): SnapshotStore<T> {
  let source: SnapshotSource<T> | undefined;
  let stopListening: (() => void) | undefined;
  const runs = new Set<{ run: (snapshot: Snapshot<T>) => void }>();
  return {
    subscribe(run) {
      if (source === undefined) {
        const opened = open();
        source = opened;
        stopListening = opened.subscribe((snapshot) => {
          // A copy, but each still subscribed: one may unsubscribe another during the change.
          for (const entry of [...runs]) if (runs.has(entry)) entry.run(snapshot);
        });
      }
      const entry = { run };
      runs.add(entry);
      const unsubscribe = () => {
        if (!runs.delete(entry) || runs.size > 0) return;
        stopListening?.();
        source?.unsubscribe();
        source = undefined;
      };
      try {
        run(source.getSnapshot());
      } catch (error) {
        // No unsubscribe reaches the caller: leave nothing polling for it.
        unsubscribe();
        throw error;
      }
      return unsubscribe;
    },
    refresh: () => source?.refresh(),
  };
}
