import type { PollerCore } from '../core/poller-core.js';
import { UnexpectedResponseError } from '../errors.js';
import { type BatchLoader, countedSend, type ItemLoader } from './loaders.js';
import type { BatchLoaderEndpoint, ItemLoaderEndpoint } from './types.js';

type LoaderDeps = Pick<PollerCore, 'door' | 'stats'>;

/**
 * `batch.load(keys, { signal })` (GraphQL, tRPC, an SDK client), called through the door for
 * the resource's `origin`: the same gates, deadline and counts as an HTTP batch. It cannot be
 * "missing" the way an HTTP endpoint can: a loader that throws fails its keys.
 */
export function batchLoaderFunction<K>(
  endpoint: BatchLoaderEndpoint<K>,
  origin: string,
  deps: LoaderDeps,
): BatchLoader<K> {
  const { door, stats } = deps;
  return {
    origin: () => origin,
    urlFor: undefined,
    async load(keys, signal) {
      const label = `${origin} batch.load (${keys.length} keys)`;
      const count = () => {
        stats.batches++;
        stats.batchedKeys += keys.length;
      };
      const entries = await countedSend(count, async (answered) => {
        const value = await door.call(
          origin,
          label,
          (bound) => endpoint.load(keys, { signal: bound }),
          signal,
        );
        answered();
        return value;
      });
      if (!Array.isArray(entries)) {
        throw new UnexpectedResponseError(label, 0, 'batch.load did not return an array');
      }
      return { kind: 'entries', entries };
    },
  };
}

/** `item.load(key, { signal })`, called through the door for the resource's `origin`. */
export function itemLoaderFunction<K>(
  item: ItemLoaderEndpoint<K, unknown>,
  origin: string,
  keyId: (key: K) => string,
  deps: LoaderDeps,
): ItemLoader<K> {
  const { door, stats } = deps;
  const count = () => {
    stats.itemRequests++;
  };
  return {
    origin: () => origin,
    async load(key, _snapshot, signal) {
      const label = `${origin} item.load (${keyId(key)})`;
      return await countedSend(count, async (answered) => {
        const value = await door.call(
          origin,
          label,
          (bound) => item.load(key, { signal: bound }),
          signal,
        );
        answered();
        return value;
      });
    },
    forget() {},
    etags: 0,
    clear() {},
  };
}
