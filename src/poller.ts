import { BreakerRegistry } from './breaker/breaker-registry.js';
import { CooldownRegistry } from './cooldown/cooldown-registry.js';
import { CORE_KEY, type PollerCore, type ResourceCounts } from './core/poller-core.js';
import { PollerDisposedError } from './errors.js';
import { createEventBus, type EventHandler, type PollerEvents } from './events.js';
import { type PollerOptions, pollerSettings } from './options/poller-settings.js';
import { type BudgetView, Pacer } from './pacing/pacer.js';
import { createPolicyResolver } from './policy/host-policies.js';
import { createPoll } from './query/poll.js';
import type { TaskPollOptions, UrlPollOptions } from './query/poll-arguments.js';
import type { PollTask } from './query/poll-context.js';
import { PollQueries, type Subscription } from './query/poll-query.js';
import type { InferOutput, StandardSchemaV1 } from './query/standard-schema.js';
import type { PollEntry } from './scheduler/poll-entry.js';
import { Scheduler } from './scheduler/scheduler.js';
import { copyStats, createStats, type PollerStats } from './stats.js';
import { Door } from './transport/door.js';
import type { FetchFunction } from './transport/fetch-function.js';
import { OriginGate } from './transport/origin-gate.js';
import { requestUrl } from './transport/request-url.js';

export type { PollerOptions };

export interface Poller {
  /**
   * Polls `url` with GET and reads its JSON: revalidated with ETags, validated by `schema`,
   * shared with every other poll of the same URL (or `key`). Subscribers hear only changes.
   */
  poll<S extends StandardSchemaV1 | undefined = undefined, TSelected = DataOf<S>>(
    url: string | URL,
    options?: UrlPollOptions<DataOf<S>, TSelected> & { schema?: S },
  ): Subscription<TSelected>;
  /** Polls `url`, its data typed `T` by the caller (no schema checks it). */
  poll<T, TSelected = T>(
    url: string | URL,
    options?: UrlPollOptions<T, TSelected>,
  ): Subscription<TSelected>;
  /** Polls `task` on the interval of its host's policy (`url` or `origin` selects it). */
  poll<T, TSelected = T>(
    task: PollTask<T>,
    options: TaskPollOptions<T, TSelected>,
  ): Subscription<TSelected>;
  /** A drop-in `fetch` through this poller's door. Default: the configured fetch. */
  wrapFetch(fetch?: FetchFunction): FetchFunction;
  /** Adds an event handler; returns the function that removes it. */
  on<K extends keyof PollerEvents>(type: K, handler: EventHandler<K>): () => void;
  off<K extends keyof PollerEvents>(type: K, handler?: EventHandler<K>): void;
  /** Counters since creation, and what is known of each origin's budget. */
  stats(): PollerStats & { budgets: Record<string, BudgetView> };
  /** Counts of everything the poller holds right now (diagnostics and leak tests). */
  inspect(): PollerInspection;
  /** Epoch ms until which `url`'s origin cools down; 0 when it does not. */
  cooldownUntil(url: string | URL): number;
  /** Stops every poll from sending (the "realtime" switch); `resume()` catches up. */
  pause(): void;
  resume(): void;
  readonly paused: boolean;
  /** Clears every timer, listener and request under way. The poller is unusable after. */
  dispose(): void;
}

/** The data type a schema gives (unknown without one). */
export type DataOf<S> = S extends StandardSchemaV1 ? InferOutput<S> : unknown;

export interface PollerInspection {
  entries: number;
  groups: number;
  timers: number;
  lanes: number;
  running: number;
  queued: number;
  /** Queued polls waiting for their origin's budget. */
  paced: number;
  /** Polls shared by URL or key. */
  sharedPolls: number;
  requestsInFlight: number;
  environmentListeners: boolean;
  eventListeners: number;
  cooldownOrigins: number;
  breakerOrigins: number;
  budgetOrigins: number;
  resources: ResourceCounts;
}

/** The composition root: builds the parts, wires them, and returns the façade. */
export function createPoller(options?: PollerOptions): Poller {
  const parts = wire(pollerSettings(options));
  const poller = facade(parts);
  // Hidden from enumeration and JSON; the other entries reach it through coreOf().
  Object.defineProperty(poller, CORE_KEY, { value: coreOfParts(parts) });
  return Object.freeze(poller);
}

type Settings = ReturnType<typeof pollerSettings>;
type Parts = ReturnType<typeof wire>;

/** Every part of a poller, each built once and given what it depends on. */
function wire(settings: Settings) {
  const { clock } = settings;
  const stats = createStats();
  const events = createEventBus();
  const cooldowns = new CooldownRegistry(
    settings.cooldown,
    settings.random,
    settings.maxTrackedOrigins,
  );
  const breakers = new BreakerRegistry(settings.breaker, settings.maxTrackedOrigins);
  const resolvePolicy = createPolicyResolver(settings.hosts, settings.policyFallbacks);
  const pacer = new Pacer(settings.pacing, settings.maxTrackedOrigins, stats, events, (origin) => {
    scheduler.repump(origin);
    for (const relaxed of lifecycle.relaxers) relaxed(origin);
  });
  const gate = new OriginGate(clock, cooldowns, breakers, stats, events, pacer, (origin) =>
    scheduler.rearm(origin),
  );
  const scheduler = new Scheduler({
    ...settings,
    gate,
    stats,
    events,
    concurrencyFor: (origin) => resolvePolicy(new URL(origin)).maxConcurrent,
  });
  const door = new Door({ ...settings, gate, stats, events });
  const queries = new PollQueries({ scheduler, clock, events });
  const lifecycle = {
    disposed: false,
    disposers: [] as (() => void)[],
    relaxers: [] as ((origin: string) => void)[],
    resourceCounts: [] as (() => ResourceCounts)[],
  };
  const parts = { settings, stats, events, cooldowns, breakers, pacer, resolvePolicy, scheduler };
  return { ...parts, gate, door, politeFetch: door.wrap(), queries, lifecycle };
}

/** What `pollwise/resource` and `pollwise/ky` may use. */
function coreOfParts(parts: Parts): PollerCore {
  const { settings, scheduler, lifecycle } = parts;
  return {
    ...parts,
    clock: settings.clock,
    jitter: settings.jitter,
    baseUrl: settings.baseUrl,
    schedule(spec) {
      const entry = scheduler.schedule({
        ...spec,
        key: undefined,
        task: spec.run,
        immediate: false,
        // A sweep asks the budget before each of its requests, not once to start.
        paced: false,
      }) as PollEntry;
      return {
        unsubscribe: () => scheduler.remove(entry),
        refresh: (keepSchedule) => scheduler.refresh(entry, keepSchedule),
      };
    },
    canSend: (origin, background) => scheduler.canSend(origin, background),
    take: (origin, age, sharing) => parts.gate.take(origin, age, sharing),
    concurrency: (origin, configured) => parts.gate.concurrency(origin, configured),
    onDispose: (dispose) => lifecycle.disposers.push(dispose),
    onRelax: (relaxed) => lifecycle.relaxers.push(relaxed),
    onInspect: (counts) => lifecycle.resourceCounts.push(counts),
    isDisposed: () => lifecycle.disposed,
  };
}

function facade(parts: Parts): Poller {
  const { settings, scheduler, door, queries, events, cooldowns, lifecycle } = parts;
  const { clock, baseUrl } = settings;
  return {
    poll: createPoll({
      ...parts,
      baseUrl,
      isDisposed: () => lifecycle.disposed,
    }) as Poller['poll'],
    wrapFetch: (fetch) => (fetch === undefined ? parts.politeFetch : door.wrap(fetch)),
    on: (type, handler) => {
      if (lifecycle.disposed) throw new PollerDisposedError(); // as poll() does
      return events.on(type, handler);
    },
    off: events.off,
    stats: () => ({ ...copyStats(parts.stats), budgets: parts.pacer.views(clock.now()) }),
    inspect: () => ({
      ...scheduler.inspect(),
      sharedPolls: queries.size,
      requestsInFlight: door.inflight,
      eventListeners: events.listenerCount(),
      cooldownOrigins: cooldowns.size,
      breakerOrigins: parts.breakers.size,
      budgetOrigins: parts.pacer.size,
      resources: sumCounts(lifecycle.resourceCounts),
    }),
    cooldownUntil: (url) => {
      const until = cooldowns.until(requestUrl(url, baseUrl()).origin);
      return until > clock.now() ? until : 0;
    },
    pause: () => scheduler.pause(),
    resume: () => scheduler.resume(),
    get paused() {
      return scheduler.paused;
    },
    dispose: () => dispose(parts),
  };
}

function dispose(parts: Parts): void {
  const { lifecycle } = parts;
  if (lifecycle.disposed) return;
  lifecycle.disposed = true;
  // Door and scheduler first: a resource run removed below frees a lane slot, and nothing may
  // start in it.
  parts.door.dispose();
  parts.scheduler.dispose();
  for (const disposer of lifecycle.disposers.splice(0)) disposer();
  lifecycle.resourceCounts.length = 0;
  lifecycle.relaxers.length = 0;
  parts.queries.clear();
  parts.cooldowns.clear();
  parts.breakers.clear();
  parts.pacer.clear();
  parts.events.clear();
}

function sumCounts(all: readonly (() => ResourceCounts)[]): ResourceCounts {
  const sum = { items: 0, etags: 0, reads: 0, groups: 0 };
  for (const counts of all) {
    const c = counts();
    for (const name in sum) sum[name as keyof ResourceCounts] += c[name as keyof ResourceCounts];
  }
  return sum;
}
