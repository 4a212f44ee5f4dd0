import type { Clock } from '../environment/clock.js';
import { invalid } from '../errors.js';
import type { EventBus } from '../events.js';
import type { PollEntry, PollRun } from '../scheduler/poll-entry.js';
import type { Scheduler } from '../scheduler/scheduler.js';
import {
  type Change,
  callInterval,
  changeOf,
  nextInterval,
  type StretchSettings,
} from './adaptive-interval.js';
import { deepEqual } from './deep-equal.js';
import { nextSnapshot, type Outcome, PENDING, type Snapshot } from './snapshot.js';
import { NOT_MODIFIED, type RevalidationState } from './url-request.js';

/** A running poll, as its subscriber holds it. */
export interface Subscription<T = unknown> {
  /** Stops this subscription; the poll stops (and its request is aborted) with its last one. */
  unsubscribe(): void;
  /** Runs the poll as soon as visibility, connectivity and cooldowns allow. */
  refresh(): void;
  /** The current snapshot: the same object until something this subscriber sees changes. */
  getSnapshot(): Snapshot<T>;
  /** Calls `listener` on every snapshot change; returns the function that stops it. */
  subscribe(listener: (snapshot: Snapshot<T>) => void): () => void;
}

/** What one subscriber asks of a poll. */
export interface SubscriberSpec<T> {
  /** The `interval` option, else the host policy's; what a function falls back on at first. */
  interval: number;
  /** The `interval` option when it is a function of the poll's snapshot. */
  intervalOf?: ((snapshot: Snapshot<never>) => number) | undefined;
  /** Lengthens the interval while the data comes back unchanged; undefined: off. */
  stretch?: StretchSettings | undefined;
  hiddenInterval: number | false;
  immediate: boolean;
  select?: ((data: never) => T) | undefined;
  /** Called when the data changes (deep equality), not on every response. */
  onData?: ((data: T) => void) | undefined;
  /** Called on every failed run. */
  onError?: ((error: unknown) => void) | undefined;
}

/** How to find or create the shared poll. */
export interface QuerySpec {
  /** Polls with the same id share one run per tick; undefined: never shared. */
  id: string | undefined;
  /** The user's `key`, reported in events. */
  key: string | undefined;
  origin: string;
  /** What the run does (URL and request options, or the task): polls sharing a key must agree. */
  fingerprint: string;
  /** Builds the run when the poll is created. */
  run: (state: RevalidationState) => PollRun<unknown>;
}

interface Subscriber {
  readonly spec: SubscriberSpec<unknown>;
  /** Its interval before stretching: `spec.interval`, or what `spec.intervalOf` last returned. */
  base: number;
  /** The interval it asks for now: `base`, stretched while the data stays the same. */
  interval: number;
  snapshot: Snapshot<unknown>;
  readonly listeners: Set<(snapshot: Snapshot<unknown>) => void>;
}

/** One shared poll: its scheduler entry, snapshot, ETag and subscribers. */
class PollQuery implements RevalidationState {
  snapshot: Snapshot<unknown> = PENDING;
  etag: string | undefined = undefined;
  readonly subscribers = new Set<Subscriber>();
  readonly entry: PollEntry<unknown>;

  /** `schedule` adds the poll's scheduler entry; its run may read this query's ETag state. */
  constructor(
    readonly spec: QuerySpec,
    schedule: (query: PollQuery) => PollEntry<unknown>,
  ) {
    this.entry = schedule(this);
  }

  hasData(): boolean {
    return this.snapshot.status !== 'pending' && this.snapshot.data !== undefined;
  }

  /** The run under way sets its entry's floor; the scheduler applies it once, to the next wait. */
  waitAtLeast(ms: number): void {
    this.entry.floorDelay = ms;
  }
}

export interface PollQueriesDeps {
  scheduler: Scheduler;
  clock: Clock;
  events: EventBus;
}

/** A subscriber's view: its `select` applied to the shared snapshot, stable while equal. */
function derive(sub: Subscriber, source: Snapshot<unknown>): Snapshot<unknown> {
  const select = sub.spec.select as ((data: unknown) => unknown) | undefined;
  if (select === undefined || source.status === 'pending') return source;
  const previous = sub.snapshot;
  let { status, error } = source;
  let { data, updatedAt } = previous;
  if (source.data !== undefined) {
    try {
      const selected = select(source.data);
      if (previous.status === 'pending' || !deepEqual(selected, previous.data)) {
        data = selected;
        updatedAt = source.updatedAt;
      }
    } catch (thrown) {
      status = 'error';
      error = thrown;
    }
  }
  const same =
    status === previous.status &&
    data === previous.data &&
    error === previous.error &&
    updatedAt === previous.updatedAt;
  return same ? previous : Object.freeze({ status, data, error, updatedAt });
}

/** The poller's polls by id: two subscriptions to one URL (or key) share one request per tick. */
export class PollQueries {
  readonly #shared = new Map<string, PollQuery>();
  constructor(private readonly deps: PollQueriesDeps) {}

  subscribe<T>(spec: QuerySpec, sub: SubscriberSpec<T>): Subscription<T> {
    const own = sub as SubscriberSpec<unknown>;
    let query = spec.id === undefined ? undefined : this.#shared.get(spec.id);
    if (query !== undefined && query.spec.fingerprint !== spec.fingerprint) {
      // One key, two different requests: sharing would send one poll's headers (a token) for
      // another, or hand data to a schema that never checked it.
      throw invalid(
        'poll.key',
        spec.key,
        'is already polled with another URL, task, headers, credentials or schema',
      );
    }
    const created = query === undefined;
    // An interval function is asked at once, with the snapshot the poll has (pending when new).
    const base =
      own.intervalOf === undefined
        ? own.interval
        : callInterval(own.intervalOf, query?.snapshot ?? PENDING, own.interval, (error) =>
            this.#report(spec, error),
          );
    const subscriber: Subscriber = {
      spec: own,
      base,
      interval: base,
      snapshot: PENDING,
      listeners: new Set(),
    };
    if (query === undefined) query = this.#create(spec, subscriber);
    subscriber.snapshot = derive(subscriber, query.snapshot);
    query.subscribers.add(subscriber);
    if (!created) this.#joined(query, subscriber);
    return this.#subscription(query, subscriber) as Subscription<T>;
  }

  #create(spec: QuerySpec, first: Subscriber): PollQuery {
    const query = new PollQuery(spec, (created) =>
      this.deps.scheduler.schedule({
        key: spec.key,
        origin: spec.origin,
        interval: first.interval,
        hiddenInterval: first.spec.hiddenInterval,
        immediate: first.spec.immediate,
        task: spec.run(created),
        onData: (value) =>
          this.#settle(
            created,
            value === NOT_MODIFIED ? { kind: 'not-modified' } : { kind: 'data', data: value },
          ),
        onError: (error) => this.#settle(created, { kind: 'error', error }),
      }),
    );
    if (spec.id !== undefined) this.#shared.set(spec.id, query);
    return query;
  }

  /** A later subscriber: the poll runs at the most eager interval any subscriber asks for. */
  #joined(query: PollQuery, subscriber: Subscriber): void {
    this.#retime(query);
    const { entry } = query;
    const { spec } = subscriber;
    if (spec.immediate && query.snapshot.status === 'pending' && entry.running === null) {
      this.deps.scheduler.refresh(entry, true);
    }
    // The data the poll already has is this subscriber's first data (after poll() returns).
    if (subscriber.snapshot.status === 'success' && spec.onData !== undefined) {
      const { data } = subscriber.snapshot;
      queueMicrotask(() => {
        if (query.subscribers.has(subscriber) && subscriber.snapshot.data === data) {
          this.#call(query, spec.onData, data);
        }
      });
    }
  }

  #retime(query: PollQuery): void {
    let interval = Number.POSITIVE_INFINITY;
    let hidden: number | false = false;
    for (const { spec, interval: asked } of query.subscribers) {
      interval = Math.min(interval, asked);
      if (spec.hiddenInterval !== false) {
        hidden = hidden === false ? spec.hiddenInterval : Math.min(hidden, spec.hiddenInterval);
      }
    }
    const { entry } = query;
    if (entry.interval !== interval || entry.hiddenInterval !== hidden) {
      this.deps.scheduler.retime(entry, interval, hidden);
    }
  }

  #subscription(query: PollQuery, subscriber: Subscriber): Subscription<unknown> {
    let active = true;
    return Object.freeze({
      unsubscribe: () => {
        if (!active) return;
        active = false;
        subscriber.listeners.clear();
        query.subscribers.delete(subscriber);
        if (query.subscribers.size > 0) return this.#retime(query);
        this.deps.scheduler.remove(query.entry);
        const { id } = query.spec;
        if (id !== undefined && this.#shared.get(id) === query) {
          this.#shared.delete(id);
        }
      },
      refresh: () => {
        if (active) this.deps.scheduler.refresh(query.entry);
      },
      getSnapshot: () => subscriber.snapshot,
      subscribe: (listener: (snapshot: Snapshot<unknown>) => void) => {
        if (!active) return () => {};
        const own = (snapshot: Snapshot<unknown>) => listener(snapshot);
        subscriber.listeners.add(own);
        return () => {
          subscriber.listeners.delete(own);
        };
      },
    });
  }

  /** Applies one run's outcome and tells each subscriber what changed for it. */
  #settle(query: PollQuery, outcome: Outcome<unknown>): void {
    const previous = query.snapshot;
    query.snapshot = nextSnapshot(previous, outcome, this.deps.clock.now());
    const changed = query.snapshot !== previous;
    const change = changeOf(previous, query.snapshot, outcome.kind === 'error');
    if (outcome.kind !== 'error' && this.deps.events.hasListeners('data')) {
      const { key, origin } = query.spec;
      this.deps.events.emit('data', { key, origin, data: query.snapshot.data });
    }
    for (const subscriber of [...query.subscribers]) {
      // Another subscriber's callback may have unsubscribed this one meanwhile.
      if (!query.subscribers.has(subscriber)) continue;
      if (changed) this.#update(query, subscriber, outcome.kind === 'error');
      if (outcome.kind === 'error' && query.subscribers.has(subscriber)) {
        this.#call(query, subscriber.spec.onError, outcome.error);
      }
    }
    this.#adapt(query, change);
  }

  /**
   * After a run: each subscriber's interval function is asked and its stretch applied (the shared
   * data decides what changed, not a subscriber's `select`); the poll runs at the shortest.
   */
  #adapt(query: PollQuery, change: Change): void {
    let adaptive = false;
    // A Set's iteration skips members removed meanwhile (an interval function may unsubscribe).
    for (const subscriber of query.subscribers) {
      const { intervalOf, stretch } = subscriber.spec;
      if (intervalOf === undefined && stretch === undefined) continue;
      adaptive = true;
      if (intervalOf !== undefined) {
        subscriber.base = callInterval(intervalOf, query.snapshot, subscriber.base, (error) =>
          this.#report(query.spec, error),
        );
      }
      subscriber.interval = nextInterval(subscriber.interval, subscriber.base, stretch, change);
    }
    if (adaptive && query.subscribers.size > 0) this.#retime(query);
  }

  #update(query: PollQuery, subscriber: Subscriber, failedRun: boolean): void {
    const before = subscriber.snapshot;
    const after = derive(subscriber, query.snapshot);
    if (after === before) return;
    subscriber.snapshot = after;
    // The run succeeded but this subscriber's select threw: its error, told like a failed run.
    if (!failedRun && after.status === 'error' && after.error !== before.error) {
      this.#call(query, subscriber.spec.onError, after.error);
    }
    const dataChanged =
      after.status === 'success' &&
      (before.status === 'pending' || after.updatedAt !== before.updatedAt);
    if (dataChanged) this.#call(query, subscriber.spec.onData, after.data);
    for (const listener of [...subscriber.listeners]) {
      if (subscriber.listeners.has(listener)) this.#call(query, listener, after);
    }
  }

  #call<V>(query: PollQuery, callback: ((value: V) => void) | undefined, value: V): void {
    if (callback === undefined) return;
    try {
      callback(value);
    } catch (error) {
      this.#report(query.spec, error);
    }
  }

  /** A subscriber's callback threw (or an interval function gave no interval): an `error` event. */
  #report({ key, origin }: QuerySpec, error: unknown): void {
    this.deps.events.emit('error', { key, origin, error, source: 'callback' });
  }

  /** Shared polls alive (diagnostics). */
  get size(): number {
    return this.#shared.size;
  }

  clear(): void {
    this.#shared.clear();
  }
}
