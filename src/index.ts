export type { ItemSnapshot, ItemStatus } from './batching/item-store.js';
export type {
  BatchEndpoint,
  Resource,
  ResourceOptions,
  ResourceSubscription,
} from './batching/resource.js';
export type { InferOutput, StandardSchemaV1 } from './batching/standard-schema.js';
export type { CooldownStart } from './cooldown/cooldown-registry.js';
export { parseRetryAfter } from './cooldown/retry-after.js';
export { DEFAULTS } from './defaults.js';
export type { Clock, TimerHandle } from './environment/clock.js';
export type { OnlineSource } from './environment/online.js';
export { alwaysOnline, navigatorOnline } from './environment/online.js';
export type { VisibilitySource } from './environment/visibility.js';
export { alwaysVisible, documentVisibility } from './environment/visibility.js';
export {
  BreakerOpenError,
  CooldownError,
  InvalidOptionsError,
  isCooldownError,
  isRefusal,
  MissingItemError,
  type OptionIssue,
  PollerDisposedError,
  PollwiseError,
  RequestRefusedError,
  type SchemaIssue,
  UnexpectedResponseError,
  ValidationError,
} from './errors.js';
export type { EventHandler, PollerEvents } from './events.js';
export type { HostPolicy, ResolvedPolicy } from './policy/host-policies.js';
export type {
  Poller,
  PollerInspection,
  PollerOptions,
  PollOptions,
  Subscription,
} from './poller.js';
export { createPoller } from './poller.js';
export type { PollContext, PollTask } from './scheduler/poll-entry.js';
export type { PollerStats, SkipReason } from './stats.js';
export type { PoliteKyHooks } from './transport/ky-hooks.js';
export type { FetchFunction } from './transport/polite-fetch.js';
