/**
 * `pollwise/resource`: polled resources of many keys, batched, on a poller from `pollwise`.
 * Its own entry, so that an app that only polls URLs never carries it.
 */
export { ReadSkippedError } from '../errors.js';
export type { Snapshot, SnapshotStatus } from '../query/snapshot.js';
export type { StandardSchemaV1 } from '../query/standard-schema.js';
export { createResource } from './create-resource.js';
export type {
  BatchEndpoint,
  BatchLoaderEndpoint,
  HttpBatchEndpoint,
  HttpItemEndpoint,
  ItemEndpoint,
  ItemLoaderEndpoint,
  LoadContext,
  Resource,
  ResourceOptions,
  ResourceSubscription,
  SubscribeOptions,
} from './types.js';
