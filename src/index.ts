// "pollwise": the poller, polls, the fetch wrapper, errors and types. Resources are
// "pollwise/resource" and the ky integration "pollwise/ky", so apps pay only for what they use.

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
  HttpError,
  InvalidOptionsError,
  isCooldownError,
  isHttpError,
  isPollwiseError,
  isRefusal,
  isTimeoutError,
  MissingItemError,
  type OptionIssue,
  PollerDisposedError,
  PollwiseError,
  RequestRefusedError,
  type SchemaIssue,
  TimeoutError,
  UnexpectedResponseError,
  ValidationError,
} from './errors.js';
export type { EventHandler, PollerEvents } from './events.js';
export type { HostPolicy, ResolvedPolicy } from './policy/host-policies.js';
export type { DataOf, Poller, PollerInspection, PollerOptions } from './poller.js';
export { createPoller } from './poller.js';
export type {
  PollOptions,
  TaskPollOptions,
  UrlPollOptions,
} from './query/poll-arguments.js';
export type { PollContext, PollTask } from './query/poll-context.js';
export type { Subscription } from './query/poll-query.js';
export type { Snapshot, SnapshotStatus } from './query/snapshot.js';
export type { InferOutput, StandardSchemaV1 } from './query/standard-schema.js';
export type { HeadersOption } from './query/url-request.js';
export type { PollerStats, SkipReason } from './stats.js';
export type { FetchFunction } from './transport/fetch-function.js';
