import { resourceIdentity } from '../adapters/live-options.js';
import { resourceSource } from '../adapters/snapshot-source.js';
import type { Snapshot } from '../query/snapshot.js';
import type { Resource, SubscribeOptions } from '../resource/types.js';
import { useSource } from './use-source.js';

export interface UseResourceOptions extends SubscribeOptions {
  /**
   * The key's identity, when `JSON.stringify` does not name it (give the resource's own
   * `keyId`). Default: the key as JSON.
   */
  keyId?: (key: never) => string;
}

/**
 * Subscribes to `key` of `resource` while the component is mounted and returns its snapshot.
 * A key written inline (a new object each render) is the same key while it names the same
 * item; `null` or `undefined` subscribes to nothing (pending).
 */
export function useResource<K, T>(
  resource: Resource<K, T>,
  key: K | null | undefined,
  options: UseResourceOptions = {},
): Snapshot<T> {
  const { keyId, ...intervals } = options;
  const identity =
    key === null || key === undefined
      ? undefined
      : resourceIdentity(resource, key, keyId as ((key: K) => string) | undefined, intervals);
  return useSource(identity, () => resourceSource(resource, key as K, intervals));
}
