import { coreOf } from '../core/poller-core.js';
import { PollerDisposedError } from '../errors.js';
import type { Snapshot } from '../query/snapshot.js';
import { Batcher } from './batcher.js';
import { EndpointHealth } from './endpoint-health.js';
import { httpBatchLoader, httpItemLoader } from './http-loaders.js';
import { ItemCache } from './item-cache.js';
import { KeyReader } from './key-reader.js';
import { batchLoaderFunction, itemLoaderFunction } from './loader-functions.js';
import type { BatchLoader, ItemLoader } from './loaders.js';
import { resolveResourceOptions } from './options.js';
import { Sweeper } from './sweeper.js';
import type { Resource, ResourceOptions } from './types.js';

const defaultKeyId = (key: unknown) => (typeof key === 'string' ? key : JSON.stringify(key));

/**
 * A polled resource of many keys on `poller`: the keys due in a tick, and the `fetch()` calls of
 * one window, go out as batch requests (falling back to per-item requests where the batch
 * endpoint is missing), each key with its own data or error, validated and cached.
 *
 * @throws InvalidOptionsError naming every bad `resource.*` option.
 * @throws PollerDisposedError when `poller` is disposed.
 */
export function createResource<K, T = unknown>(
  poller: unknown,
  input: ResourceOptions<K, T>,
): Resource<K, T> {
  const core = coreOf(poller);
  const { options, settings } = resolveResourceOptions(input);
  const { item, batch, origin = '' } = options;
  const keyId = options.keyId ?? defaultKeyId;

  const itemLoader: ItemLoader<K> =
    item.load === undefined
      ? httpItemLoader(item, core, settings.maxItems)
      : itemLoaderFunction(item, origin, keyId, core);
  let batchLoader: BatchLoader<K> | undefined;
  if (batch !== undefined) {
    batchLoader =
      batch.load === undefined
        ? httpBatchLoader(batch, core)
        : batchLoaderFunction(batch, origin, core);
  }
  const { clock, stats, events } = core;
  const cache = new ItemCache<K, T>({
    clock,
    stats,
    events,
    maxItems: settings.maxItems,
    gcTime: settings.gcTime,
    schema: item.schema,
    originOf: (key) => itemLoader.origin(key),
    forget: (key) => itemLoader.forget(key),
  });
  const reader = new KeyReader<K, T>({
    clock,
    stats,
    cache,
    settings,
    keyId,
    health: new EndpointHealth(core, settings.reprobeAfter),
    item: itemLoader,
    itemSelect: item.select,
    batch: batchLoader && batch && { loader: batchLoader, key: batch.key, data: batch.data },
  });
  const read = reader.read.bind(reader);
  const canSend = (o: string, background: boolean) => core.canSend(o, background);
  const batcher = new Batcher<K, T>({ clock, window: settings.window, cache, read, canSend });
  const sweeper = new Sweeper<K, T>({
    core,
    cache,
    batcher,
    read,
    originOf: (key) => itemLoader.origin(key),
    interval: options.interval,
    hiddenInterval: options.hiddenInterval,
  });

  core.onInspect(() => ({
    items: cache.store.size,
    etags: itemLoader.etags,
    reads: cache.pending.size,
    groups: sweeper.size,
  }));
  core.onDispose(() => {
    batcher.dispose();
    sweeper.dispose();
    cache.dispose();
    itemLoader.clear();
  });

  return {
    subscribe(key, listener, subscribeOptions) {
      const id = keyId(key);
      const now = core.clock.now();
      cache.collect(now);
      const record = cache.store.ensure(id, key, now);
      const membership = sweeper.join(id, key, subscribeOptions);
      const own = (snapshot: Snapshot<T>) => listener(snapshot);
      record.listeners.add(own);
      record.idleSince = null;
      let active = true;
      return {
        unsubscribe() {
          if (!active) return;
          active = false;
          record.listeners.delete(own);
          if (record.listeners.size === 0) record.idleSince = core.clock.now();
          cache.collect(core.clock.now());
          membership.release();
        },
        refresh() {
          if (active) membership.refresh();
        },
      };
    },
    get: (key) => cache.snapshot(keyId(key)),
    fetch(key) {
      if (core.isDisposed()) return Promise.reject(new PollerDisposedError());
      cache.collect(core.clock.now());
      return batcher.load(keyId(key), key);
    },
    refresh(key) {
      if (!core.isDisposed()) sweeper.refresh(key === undefined ? undefined : keyId(key));
    },
  };
}
