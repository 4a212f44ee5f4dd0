import { coreOf, type PollerCore } from '../core/poller-core.js';
import { PollerDisposedError } from '../errors.js';
import type { Poller } from '../poller.js';
import { BatchLimits } from './batch-limits.js';
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

function defaultKeyId(key: unknown): string {
  if (typeof key === 'string') return key;
  let id: string | undefined;
  let cause: unknown;
  try {
    id = JSON.stringify(key);
  } catch (error) {
    cause = error; // a cyclic or BigInt key
  }
  // No text (undefined, a function, a symbol): such keys would all share one id.
  if (id !== undefined) return id;
  throw new TypeError('pollwise: this key cannot be written as JSON; give the resource a keyId', {
    cause,
  });
}

type Settings = ReturnType<typeof resolveResourceOptions>['settings'];

/** HTTP or function loaders, as the options say; loader functions talk to `origin`. */
function loadersOf<K, T>(
  core: PollerCore,
  options: ResourceOptions<K, T>,
  settings: Settings,
  keyId: (key: K) => string,
): { item: ItemLoader<K>; batch: BatchLoader<K> | undefined } {
  const { item, batch, origin = '' } = options;
  return {
    item:
      item.load === undefined
        ? httpItemLoader(item, core, settings.maxItems)
        : itemLoaderFunction(item, origin, keyId, core),
    batch:
      batch === undefined
        ? undefined
        : batch.load === undefined
          ? httpBatchLoader(batch, core)
          : batchLoaderFunction(batch, origin, core),
  };
}

/** Builds the parts of one resource and wires them to each other and to the poller's core. */
function wire<K, T>(core: PollerCore, options: ResourceOptions<K, T>, settings: Settings) {
  const { clock, stats, events } = core;
  const keyId = options.keyId ?? defaultKeyId;
  const loaders = loadersOf(core, options, settings, keyId);
  const itemLoader = loaders.item;
  const originOf = (key: K) => itemLoader.origin(key);
  const { item, batch } = options;
  const cache = new ItemCache<K, T>({
    clock,
    stats,
    events,
    originOf,
    schema: item.schema,
    maxItems: settings.maxItems,
    gcTime: settings.gcTime,
    forget: (key) => itemLoader.forget(key),
  });
  const reader = new KeyReader<K, T>({
    clock,
    stats,
    cache,
    settings,
    keyId,
    item: itemLoader,
    itemSelect: item.select,
    health: new EndpointHealth(core, settings.reprobeAfter),
    limits: new BatchLimits(settings.maxSize),
    batch: loaders.batch && batch && { loader: loaders.batch, key: batch.key, data: batch.data },
  });
  const read = reader.read.bind(reader);
  const canSend = (origin: string, background: boolean) => core.canSend(origin, background);
  const batcher = new Batcher<K, T>({ clock, window: settings.window, cache, read, canSend });
  const { interval, hiddenInterval } = options;
  const sweeper = new Sweeper<K, T>({
    core,
    cache,
    batcher,
    read,
    originOf,
    interval,
    hiddenInterval,
  });
  core.onRelax((origin) => sweeper.relaxed(origin));
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
  return { keyId, cache, batcher, sweeper };
}

/**
 * A polled resource of many keys on `poller`: the keys due in a tick, and the `fetch()` calls of
 * one window, go out as batch requests (falling back to per-item requests where the batch
 * endpoint is missing), each key with its own data or error, validated and cached.
 *
 * @throws InvalidOptionsError naming every bad `resource.*` option.
 * @throws PollerDisposedError when `poller` is disposed.
 */
export function createResource<K, T = unknown>(
  poller: Poller,
  input: ResourceOptions<K, T>,
): Resource<K, T> {
  const core = coreOf(poller);
  const { options, settings } = resolveResourceOptions(input);
  const { keyId, cache, batcher, sweeper } = wire(core, options, settings);
  const resource: Resource<K, T> = {
    subscribe(key, listener, subscribeOptions) {
      const id = keyId(key);
      const record = cache.ensure(id, key);
      const membership = sweeper.join(record, subscribeOptions);
      const stopListening = cache.listen(record, listener);
      let active = true;
      return Object.freeze({
        unsubscribe() {
          if (!active) return;
          active = false;
          stopListening();
          membership.release();
        },
        refresh() {
          if (active) membership.refresh();
        },
      });
    },
    get: (key) => cache.snapshot(keyId(key)),
    fetch(key) {
      if (core.isDisposed()) return Promise.reject(new PollerDisposedError());
      try {
        cache.collect(core.clock.now());
        return batcher.load(keyId(key), key);
      } catch (error) {
        return Promise.reject(error); // a throwing keyId: a promise API rejects, never throws
      }
    },
    refresh(key) {
      if (!core.isDisposed()) sweeper.refresh(key === undefined ? undefined : keyId(key));
    },
  };
  return Object.freeze(resource);
}
