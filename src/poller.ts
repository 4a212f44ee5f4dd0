import ky, { type KyInstance } from 'ky';
import {
  createResource,
  type Resource,
  type ResourceCounts,
  type ResourceOptions,
} from './batching/resource.js';
import { BreakerRegistry } from './breaker/breaker-registry.js';
import { CooldownRegistry } from './cooldown/cooldown-registry.js';
import { DEFAULTS } from './defaults.js';
import { type Clock, systemClock } from './environment/clock.js';
import { alwaysOnline, navigatorOnline, type OnlineSource } from './environment/online.js';
import {
  alwaysVisible,
  documentVisibility,
  type VisibilitySource,
} from './environment/visibility.js';
import { InvalidOptionsError, PollerDisposedError } from './errors.js';
import { createEventBus, type EventHandler, type PollerEvents } from './events.js';
import {
  pollerOptionsSchema,
  pollOptionsSchema,
  resourceOptionsSchema,
} from './options/options-schema.js';
import { validateOptions } from './options/validate.js';
import { createPolicyResolver, type HostPolicy } from './policy/host-policies.js';
import type { PollContext, PollEntry, PollTask } from './scheduler/poll-entry.js';
import { Scheduler } from './scheduler/scheduler.js';
import { copyStats, createStats, type PollerStats } from './stats.js';
import { anySignal, InflightRequests } from './transport/inflight.js';
import { createKyHooks, type PoliteKyHooks } from './transport/ky-hooks.js';
import { OriginGate } from './transport/origin-gate.js';
import { createPoliteFetch, type FetchFunction } from './transport/polite-fetch.js';
import { readJson } from './transport/read-json.js';
import { pageUrl, requestUrl } from './transport/request-url.js';

/** Options of `createPoller()`. Every default is in `defaults.ts` and the README. */
export interface PollerOptions {
  /** Interval (ms) for hosts no policy matches. Default 2000. */
  interval?: number;
  /** Interval (ms) for loopback hosts (localhost, 127.0.0.0/8, [::1]). Default 1000. */
  loopbackInterval?: number;
  /** Interval while the tab is hidden, or `false` to send nothing while hidden. Default false. */
  hiddenInterval?: number | false;
  /** Per-host policies; the most specific match wins. */
  hosts?: HostPolicy[];
  /** Fraction of an interval each tick may land late at random (0–1). Default 0.1. */
  jitter?: number;
  /** Timeout (ms) of requests made through `http` / URL polls, or false. Default 10000. */
  timeout?: number | false;
  /** Base for relative URLs. Default: the page's `location.href`. */
  baseUrl?: string;
  cooldown?: { defaultMs?: number; maxMs?: number; jitter?: number };
  backoff?: { baseMs?: number; capMs?: number };
  /** Per-origin circuit breaker (see `DEFAULTS.breaker`), or false to never open one. */
  breaker?:
    | false
    | {
        windowSize?: number;
        windowMs?: number;
        minRequests?: number;
        failureRatio?: number;
        openMs?: number;
      };
  /** Poll runs in flight at once per origin; more due polls wait, stalest first. Default 6. */
  maxConcurrent?: number;
  /** Most origins the cooldown registry tracks at once. Default 256. */
  maxTrackedOrigins?: number;
  /** Transport. Default: the global `fetch`, looked up at call time. */
  fetch?: FetchFunction;
  /** Time and timers. Default: `Date.now` and the global timers. */
  clock?: Clock;
  /** Page visibility, or `false` to poll whatever the visibility. Default: `document`. */
  visibility?: VisibilitySource | false;
  /** Online state, or `false` to ignore it. Default: `navigator.onLine` and its events. */
  online?: OnlineSource | false;
  /** Random source in [0, 1) for jitter. Default `Math.random`. */
  random?: () => number;
}

/** Options of `poller.poll()`. Give `url` or `origin` so the poll knows its host's policy. */
export interface PollOptions<T> {
  /** The URL polled; its origin selects the host policy and cooldown. */
  url?: string | URL;
  /** The origin polled, when the task builds its own URLs. */
  origin?: string;
  /** A name for this poll in events. */
  key?: string;
  /** Overrides the host policy's interval (ms). */
  interval?: number;
  /** Overrides the hidden-tab behaviour: an interval (ms), or false to pause while hidden. */
  hiddenInterval?: number | false;
  /** Run at once (true, default) or one interval from now (false). */
  immediate?: boolean;
  onData?: (data: T) => void;
  onError?: (error: unknown) => void;
}

export interface Subscription {
  /** Stops the poll and aborts its request under way. */
  unsubscribe(): void;
  /** Runs the poll as soon as visibility, connectivity and cooldowns allow. */
  refresh(): void;
}

export interface Poller {
  /** Polls `task` on the interval of its host's policy. */
  poll<T>(task: PollTask<T>, options: PollOptions<T>): Subscription;
  /** Polls `url` with GET and parses the JSON body (through ky). */
  poll<T = unknown>(
    url: string | URL,
    options?: Omit<PollOptions<T>, 'url' | 'origin'>,
  ): Subscription;
  /**
   * A polled resource of many keys: due keys are coalesced into batch requests (falling back to
   * per-item requests where the batch endpoint is missing), validated, and cached per key.
   */
  resource<K, T = unknown>(options: ResourceOptions<K, T>): Resource<K, T>;
  /** A drop-in `fetch` that obeys and feeds this poller's cooldowns. Default: the configured fetch. */
  wrapFetch(fetch?: FetchFunction): FetchFunction;
  /** A ky instance that goes through the polite fetch: timeout as configured, no retry. */
  readonly http: KyInstance;
  /** Hooks for an existing ky instance: `myKy.extend({ hooks: poller.kyHooks() })`. */
  kyHooks(): PoliteKyHooks;
  on<K extends keyof PollerEvents>(type: K, handler: EventHandler<K>): void;
  off<K extends keyof PollerEvents>(type: K, handler?: EventHandler<K>): void;
  stats(): PollerStats;
  /**
   * Counts of everything the poller holds right now (diagnostics and leak tests): scheduler
   * entries, groups, timers, lanes, runs and requests under way, tracked origins, resource caches.
   */
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

export interface PollerInspection {
  entries: number;
  groups: number;
  timers: number;
  lanes: number;
  running: number;
  queued: number;
  requestsInFlight: number;
  environmentListeners: boolean;
  eventListeners: number;
  cooldownOrigins: number;
  breakerOrigins: number;
  resources: { items: number; etags: number; reads: number; groups: number };
}

type ValidatedPollOptions = Omit<PollOptions<unknown>, 'url'> & { url?: string | URL };

export function createPoller(options?: PollerOptions): Poller {
  const o = validateOptions(pollerOptionsSchema, options) as PollerOptions;
  const cooldownSettings = { ...DEFAULTS.cooldown, ...o.cooldown };
  const backoff = { ...DEFAULTS.backoff, ...o.backoff };
  const random = o.random ?? Math.random;
  const clock = o.clock ?? systemClock;
  const timeout = o.timeout ?? DEFAULTS.timeout;
  const baseUrl = () => o.baseUrl ?? pageUrl();
  const transport = (): FetchFunction =>
    o.fetch ?? ((input, init) => globalThis.fetch(input, init));

  const stats = createStats();
  const events = createEventBus();
  const cooldowns = new CooldownRegistry(
    cooldownSettings,
    random,
    o.maxTrackedOrigins ?? DEFAULTS.maxTrackedOrigins,
  );
  const breakers = new BreakerRegistry(
    // Disabled: a breaker that would need infinitely many samples never opens.
    o.breaker === false
      ? { ...DEFAULTS.breaker, minRequests: Number.POSITIVE_INFINITY }
      : { ...DEFAULTS.breaker, ...o.breaker },
    o.maxTrackedOrigins ?? DEFAULTS.maxTrackedOrigins,
  );
  const gate = new OriginGate(clock, cooldowns, breakers, stats, events);
  const inflight = new InflightRequests();
  let disposed = false;
  let subscriptions = 0;
  const isDisposed = () => disposed;
  const wrapFetch = (fetch?: FetchFunction) =>
    createPoliteFetch(fetch ? () => fetch : transport, { gate, inflight, baseUrl, isDisposed });
  const politeFetch = wrapFetch();
  const http = ky.create({
    fetch: politeFetch,
    retry: 0,
    timeout,
    // The one place a ky timeout is seen as such (the transport only sees an abort).
    hooks: { beforeError: createKyHooks(gate, baseUrl).beforeError },
    ...(o.baseUrl === undefined ? {} : { baseUrl: o.baseUrl }),
  });
  const resolvePolicy = createPolicyResolver(o.hosts ?? [], {
    interval: o.interval ?? DEFAULTS.interval,
    loopbackInterval: o.loopbackInterval ?? DEFAULTS.loopbackInterval,
    hiddenInterval: o.hiddenInterval ?? DEFAULTS.hiddenInterval,
    maxConcurrent: o.maxConcurrent ?? DEFAULTS.maxConcurrent,
  });

  const context = (signal: AbortSignal): PollContext => {
    let bound: KyInstance | undefined;
    return {
      signal,
      fetch: (input, init) => {
        // init.signal replaces a Request's own signal in fetch(), so keep both alive.
        const own = init?.signal ?? (input instanceof Request ? input.signal : undefined);
        return politeFetch(input, { ...init, signal: anySignal([signal, own]) });
      },
      // ky instances cost an allocation; only tasks that use one pay for it.
      get http() {
        bound ??= http.extend({ signal });
        return bound;
      },
    };
  };

  const scheduler = new Scheduler({
    clock,
    random,
    jitter: o.jitter ?? DEFAULTS.jitter,
    backoff,
    visibility: o.visibility === false ? alwaysVisible : (o.visibility ?? documentVisibility()),
    online: o.online === false ? alwaysOnline : (o.online ?? navigatorOnline()),
    gate,
    stats,
    events,
    context,
    concurrencyFor: (origin) => resolvePolicy(new URL(origin)).maxConcurrent,
  });

  gate.onBreakerChange = (origin) => scheduler.rearm(origin);

  function poll<T>(
    taskOrUrl: PollTask<T> | string | URL,
    rawOptions?: PollOptions<T>,
  ): Subscription {
    if (disposed) throw new PollerDisposedError();
    const isUrl = typeof taskOrUrl === 'string' || taskOrUrl instanceof URL;
    if (!isUrl && typeof taskOrUrl !== 'function') {
      throw new InvalidOptionsError([
        { option: 'task', value: taskOrUrl, message: 'must be a function or a URL' },
      ]);
    }
    const opts = validateOptions(pollOptionsSchema, rawOptions, 'poll') as ValidatedPollOptions;
    if (isUrl && (opts.url !== undefined || opts.origin !== undefined)) {
      throw new InvalidOptionsError([
        {
          option: 'poll.url',
          value: opts.url ?? opts.origin,
          message: 'is given twice (first argument and option)',
        },
      ]);
    }
    const target = isUrl ? taskOrUrl : (opts.url ?? opts.origin);
    if (target === undefined) {
      throw new InvalidOptionsError([
        {
          option: 'poll.url',
          value: undefined,
          message: 'is required (or poll.origin): it selects the host policy and cooldown',
        },
      ]);
    }
    let url: URL;
    try {
      url = requestUrl(target, baseUrl());
    } catch (error) {
      throw new InvalidOptionsError([
        {
          option: isUrl ? 'url' : opts.url !== undefined ? 'poll.url' : 'poll.origin',
          value: String(target),
          message: (error as Error).message,
        },
      ]);
    }
    const policy = resolvePolicy(url);
    const task: PollTask<T> = isUrl
      ? async ({ http: client }) => {
          const response = await client.get(url, { headers: { accept: 'application/json' } });
          return (await readJson(response, url.href)) as T;
        }
      : (taskOrUrl as PollTask<T>);
    return schedule({
      key: opts.key,
      origin: url.origin,
      interval: opts.interval ?? policy.interval,
      hiddenInterval: opts.hiddenInterval ?? policy.hiddenInterval,
      immediate: opts.immediate !== false,
      task,
      onData: opts.onData as ((data: T) => void) | undefined,
      onError: opts.onError,
    });
  }

  /** Adds one entry to the scheduler: the single path for polls and resource sweeps. */
  function schedule<T>(spec: {
    key?: string | undefined;
    origin: string;
    interval: number;
    hiddenInterval: number | false;
    immediate: boolean;
    task: PollTask<T>;
    onData?: ((data: T) => void) | undefined;
    onError?: ((error: unknown) => void) | undefined;
  }): Subscription & { refresh(keepSchedule?: boolean): void } {
    const entry: PollEntry<T> = {
      key: spec.key,
      origin: spec.origin,
      interval: spec.interval,
      hiddenInterval: spec.hiddenInterval,
      task: spec.task,
      onData: spec.onData,
      onError: spec.onError,
      anchor: spec.immediate ? Number.NEGATIVE_INFINITY : clock.now(),
      delay: spec.interval,
      failures: 0,
      running: null,
      queued: false,
      freshAt: Number.NEGATIVE_INFINITY,
      resumeAnchor: null,
      seq: ++subscriptions,
      removed: false,
    };
    scheduler.add(entry as PollEntry);
    return {
      unsubscribe: () => scheduler.remove(entry as PollEntry),
      refresh: (keepSchedule?: boolean) => scheduler.refresh(entry as PollEntry, keepSchedule),
    };
  }

  const disposers: (() => void)[] = [];
  const resourceCounts: (() => ResourceCounts)[] = [];

  function resource<K, T>(rawOptions: ResourceOptions<K, T>): Resource<K, T> {
    if (disposed) throw new PollerDisposedError();
    const options = validateOptions(
      resourceOptionsSchema,
      rawOptions,
      'resource',
    ) as ResourceOptions<K, T>;
    const d = DEFAULTS.resource;
    return createResource(
      {
        clock,
        http,
        stats,
        events,
        jitter: o.jitter ?? DEFAULTS.jitter,
        baseUrl,
        resolveInterval: resolvePolicy,
        schedule: (spec) => schedule({ ...spec, immediate: false }),
        canSend: (origin, background) => scheduler.canSend(origin, background),
        onDispose: (dispose) => disposers.push(dispose),
        onInspect: (counts) => resourceCounts.push(counts),
      },
      options,
      {
        window: options.window ?? d.window,
        concurrency: options.concurrency ?? d.concurrency,
        reprobeAfter: options.reprobeAfter ?? d.reprobeAfter,
        maxItems: options.maxItems ?? d.maxItems,
        gcTime: options.gcTime ?? d.gcTime,
        maxSize: options.batch?.maxSize ?? d.maxSize,
        maxUrlLength: options.batch?.maxUrlLength ?? d.maxUrlLength,
      },
    );
  }

  return {
    poll: poll as Poller['poll'],
    resource,
    wrapFetch,
    http,
    kyHooks: () => createKyHooks(gate, baseUrl),
    on: events.on,
    off: events.off,
    stats: () => copyStats(stats),
    inspect() {
      const resources = { items: 0, etags: 0, reads: 0, groups: 0 };
      for (const counts of resourceCounts) {
        const c = counts();
        resources.items += c.items;
        resources.etags += c.etags;
        resources.reads += c.reads;
        resources.groups += c.groups;
      }
      return {
        ...scheduler.inspect(),
        timers: scheduler.pendingTimers,
        requestsInFlight: inflight.size,
        eventListeners: events.listenerCount(),
        cooldownOrigins: cooldowns.size,
        breakerOrigins: breakers.size,
        resources,
      };
    },
    cooldownUntil: (url) => {
      const until = cooldowns.until(requestUrl(url, baseUrl()).origin);
      return until > clock.now() ? until : 0;
    },
    pause: () => scheduler.pause(),
    resume: () => scheduler.resume(),
    get paused() {
      return scheduler.paused;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const dispose of disposers.splice(0)) dispose();
      resourceCounts.length = 0;
      scheduler.dispose();
      inflight.abortAll(new DOMException('The poller was disposed', 'AbortError'));
      cooldowns.clear();
      breakers.clear();
      events.clear();
    },
  };
}
