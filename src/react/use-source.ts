import { useCallback, useState, useSyncExternalStore } from 'react';
import { PENDING_SNAPSHOT, type SnapshotSource } from '../adapters/snapshot-source.js';
import type { Snapshot } from '../query/snapshot.js';

/** A component's open source, the identity it was opened for, and how many listen to it. */
interface Holder<T> {
  /** The identity `source` was opened for. */
  id?: string | undefined;
  source?: SnapshotSource<T> | undefined;
  /** Listeners of `source`. */
  count: number;
}

/**
 * The snapshot of the source named `identity` (undefined: none, pending). The source opens when
 * the component subscribes (never during render, never on the server) and follows the
 * identity, not the objects passed each render. When its last listener leaves it closes a
 * microtask later, so StrictMode's unmount-and-mount-again reuses it: no second request.
 */
export function useSource<T>(
  identity: string | undefined,
  open: () => SnapshotSource<T>,
): Snapshot<T> {
  const [holder] = useState<Holder<T>>(() => ({ count: 0 }));
  // Memoised per identity: `open` is that of the committed render that named it (a render React
  // discards never changes what is subscribed).
  // biome-ignore lint/correctness/useExhaustiveDependencies: `open` follows the identity.
  const subscribe = useCallback(
    (onChange: () => void) => {
      if (identity === undefined) return () => {};
      if (holder.id !== identity) {
        holder.source?.unsubscribe();
        holder.source = open();
        holder.id = identity;
      }
      const source = holder.source as SnapshotSource<T>;
      const stop = source.subscribe(onChange);
      holder.count++;
      return () => {
        stop();
        holder.count--;
        queueMicrotask(() => {
          if (!holder.count && holder.source === source) {
            source.unsubscribe();
            holder.source = holder.id = undefined;
          }
        });
      };
    },
    [holder, identity],
  );
  const getSnapshot = () => {
    const snapshot = holder.id === identity ? holder.source?.getSnapshot() : undefined;
    // The core's own pending snapshot, before any data, is ours: no render for nothing.
    return snapshot === undefined || (snapshot.status === 'pending' && snapshot.updatedAt === null)
      ? (PENDING_SNAPSHOT as Snapshot<T>)
      : snapshot;
  };
  // On the server: pending, and nothing subscribes, so nothing polls.
  return useSyncExternalStore(subscribe, getSnapshot, () => PENDING_SNAPSHOT);
}
