import type { PollerCore, ScheduledRun } from '../core/poller-core.js';
import { MAX_TIMER_MS } from '../defaults.js';
import type { TimerHandle } from '../environment/clock.js';
import type { Batcher, SweepRef } from './batcher.js';
import type { ItemCache, ItemRecord } from './item-cache.js';
import type { ReadFlow } from './key-reader.js';
import type { SubscribeOptions } from './types.js';

/** The least slack a sweep allows, as a fraction of the interval: timers fire a ms early or late. */
const TIMER_SLACK = 0.02;

/** Keys of one (origin, interval, hidden interval), polled by one scheduler run. */
interface KeyGroup extends SweepRef {
  readonly name: string;
  readonly interval: number;
  /** Subscription count per key id. */
  readonly ids: Map<string, number>;
  readonly run: ScheduledRun;
  /** A sweep has started: its ticks are a schedule that refreshes keep. */
  started: boolean;
  /** Its next sweep is an extra one, between its ticks (a refresh that kept the schedule). */
  extra: boolean;
  /** When its last regular sweep started; the keys it read (or earlier) are due at the next. */
  tickAt: number;
  /** Its sweep is under way: the scheduler starts no other until it ends. */
  sweeping: boolean;
  /** Keys were made due while it swept and could not go out then: sweep again once it ends. */
  refreshAfter: boolean;
  /** When the origin's budget lets the keys a paced sweep left go on; null when none wait. */
  pacedUntil: number | null;
  /** Sweeps again at `pacedUntil`. */
  resumeTimer: TimerHandle | null;
  /** Its next sweep carries on a paced one: its keys belong to the tick that one served. */
  resuming: boolean;
}

export interface SweeperDeps<K, T> {
  core: Pick<
    PollerCore,
    'clock' | 'jitter' | 'schedule' | 'canSend' | 'take' | 'concurrency' | 'resolvePolicy'
  >;
  cache: ItemCache<K, T>;
  batcher: Batcher<K, T>;
  /** Reads claimed records; resolves with the error that should back the poll off. */
  read: (
    records: ItemRecord<K, T>[],
    signal: AbortSignal,
    flow: ReadFlow,
    startedAt: number,
  ) => Promise<unknown>;
  /** The origin of a key's item (throws when its URL cannot be built). */
  originOf: (key: K) => string;
  /** The resource's own interval options, over the host policy's. */
  interval: number | undefined;
  hiddenInterval: number | false | undefined;
}

/** A key's place in a group: `release()` gives it back (idempotent is the caller's job). */
export interface GroupMembership {
  release(): void;
  /** The key is due now: the group sweeps on its next tick, its regular ticks stay. */
  refresh(): void;
}

/**
 * Turns subscribed keys into scheduler runs: one run per key group, each run (a sweep) reading
 * the group's due keys, stalest first, in one read.
 */
export class Sweeper<K, T> {
  readonly #groups = new Map<string, KeyGroup>();

  constructor(private readonly deps: SweeperDeps<K, T>) {}

  /** Adds one subscription of `record` to its group; a key never read makes the group due. */
  join(record: ItemRecord<K, T>, options?: SubscribeOptions): GroupMembership {
    const { id } = record;
    const group = this.#groupFor(record.key, options);
    group.ids.set(id, (group.ids.get(id) ?? 0) + 1);
    if (record.requestedAt === Number.NEGATIVE_INFINITY) this.#refresh(group);
    return {
      release: () => this.#leave(group, id),
      refresh: () => {
        record.requestedAt = Number.NEGATIVE_INFINITY;
        this.#refresh(group);
      },
    };
  }

  /** Makes `only` (or every subscribed key) due now. */
  refresh(only?: string): void {
    const { store } = this.deps.cache;
    for (const group of this.#groups.values()) {
      if (only !== undefined && !group.ids.has(only)) continue;
      for (const id of only === undefined ? group.ids.keys() : [only]) {
        const record = store.get(id);
        if (record !== undefined) record.requestedAt = Number.NEGATIVE_INFINITY;
      }
      this.#refresh(group);
    }
  }

  #groupFor(key: K, options: SubscribeOptions | undefined): KeyGroup {
    const { core } = this.deps;
    const origin = this.deps.originOf(key);
    let interval = options?.interval ?? this.deps.interval;
    let hiddenInterval = options?.hiddenInterval ?? this.deps.hiddenInterval;
    if (interval === undefined || hiddenInterval === undefined) {
      const policy = core.resolvePolicy(new URL(origin));
      interval ??= policy.interval;
      hiddenInterval ??= policy.hiddenInterval;
    }
    const name = `${origin} ${interval} ${hiddenInterval}`;
    const existing = this.#groups.get(name);
    if (existing !== undefined) return existing;
    const sweep = (signal: AbortSignal) => this.#sweep(group, signal);
    const run = core.schedule({ origin, interval, hiddenInterval, run: sweep });
    const background = hiddenInterval !== false;
    const group: KeyGroup = {
      name,
      origin,
      interval,
      background,
      ids: new Map(),
      run,
      started: false,
      extra: false,
      tickAt: Number.NEGATIVE_INFINITY,
      sweeping: false,
      refreshAfter: false,
      pacedUntil: null,
      resumeTimer: null,
      resuming: false,
    };
    this.#groups.set(name, group);
    return group;
  }

  #leave(group: KeyGroup, id: string): void {
    const left = (group.ids.get(id) ?? 1) - 1;
    if (left > 0) group.ids.set(id, left);
    else group.ids.delete(id);
    if (group.ids.size > 0) return;
    group.run.unsubscribe();
    this.#clearResume(group);
    this.deps.batcher.cancelSweep(group);
    this.#groups.delete(group.name);
  }

  #clearResume(group: KeyGroup): void {
    if (group.resumeTimer === null) return;
    this.deps.core.clock.clearTimeout(group.resumeTimer);
    group.resumeTimer = null;
  }

  /** The budget of `origin` relaxed: sweeps it held go on now, not at the old wake time. */
  relaxed(origin: string): void {
    for (const group of this.#groups.values()) {
      if (group.origin !== origin || group.resumeTimer === null) continue;
      this.#clearResume(group);
      group.resuming = true;
      this.#refresh(group);
    }
  }

  /** A sweep the budget paced stops; the keys it left go on when the budget allows. */
  #resumeAt(group: KeyGroup, at: number): void {
    const { clock } = this.deps.core;
    this.#clearResume(group);
    group.resumeTimer = clock.setTimeout(
      () => {
        group.resumeTimer = null;
        group.resuming = true;
        if (this.#groups.get(group.name) === group) this.#refresh(group);
      },
      // A longer wait would fire at once: wake at the limit, and be held again if need be.
      Math.min(Math.max(0, at - clock.now()), MAX_TIMER_MS),
    );
  }

  /**
   * How a sweep spends requests: stalest first, each one asked of the origin's budget; a request
   * the budget holds back stops the sweep, which resumes when it may go.
   */
  #flow(group: KeyGroup, signal: AbortSignal): ReadFlow {
    const { core } = this.deps;
    const { origin } = group;
    return {
      canContinue: (freshAt, waiting) => {
        if (signal.aborted || !core.canSend(origin, group.background)) return false;
        // The whole group shares the budget, not only the keys due now.
        const wake = core.take(
          origin,
          core.clock.now() - freshAt,
          Math.max(waiting, group.ids.size),
        );
        if (wake === 0) return true;
        group.pacedUntil = wake;
        return false;
      },
      concurrency: (configured) => core.concurrency(origin, configured),
    };
  }

  /** The group sweeps on its next tick; its regular ticks, once it has any, stay where they were. */
  #refresh(group: KeyGroup): void {
    const { core, batcher } = this.deps;
    if (!group.sweeping) {
      batcher.expectSweep(group);
      // A group's ticks start with its first sweep, whenever it starts (a busy lane, a hidden
      // tab): its keys are stamped then, and a schedule from before would skip them an interval.
      group.extra = group.started;
      group.run.refresh(group.started);
    } else {
      // Its sweep may wait on a body that never ends (until its deadline): the keys due now go
      // out with the window's reads, if the gates are open then. Keys under way stay under way;
      // those the gates hold go with the sweep that follows this one.
      if (core.canSend(group.origin, group.background)) {
        for (const record of this.#due(group, core.clock.now(), false))
          void batcher.load(record.id, record.key, group);
      }
      group.refreshAfter = true;
    }
  }

  /**
   * The group's records not being read and due by `now`, stalest first. On a `regular` tick,
   * the keys its last regular sweep read are due: the scheduler's period began at its own
   * reading of the clock, which a busy machine may take well before ours. A run sooner than
   * half a period after that sweep is no tick (a rerun once a cooldown ends, or after a freeze).
   */
  #due(group: KeyGroup, now: number, regular: boolean): ItemRecord<K, T>[] {
    const { core, cache } = this.deps;
    const { interval, tickAt } = group;
    // Keys read in between (fetch(), a refresh) are due one interval after their read, within
    // the tick's slack: ticks land up to `jitter` of an interval late, timers a ms early.
    const dueBy = now + interval * Math.max(core.jitter, TIMER_SLACK);
    const inStep = regular && now - tickAt >= interval / 2 ? tickAt : Number.NEGATIVE_INFINITY;
    const due: ItemRecord<K, T>[] = [];
    for (const id of group.ids.keys()) {
      const record = cache.store.get(id);
      if (record === undefined || cache.pending.has(id)) continue;
      const { requestedAt } = record;
      if (requestedAt <= inStep || requestedAt + interval <= dueBy) due.push(record);
    }
    return due.sort((a, b) => a.freshAt - b.freshAt);
  }

  /** One scheduler run: reads the group's due keys, stalest first, with the window's keys. */
  async #sweep(group: KeyGroup, signal: AbortSignal): Promise<void> {
    const { core, cache, batcher } = this.deps;
    const now = core.clock.now();
    const regular = !group.extra;
    const stamp = group.resuming && !regular && Number.isFinite(group.tickAt) ? group.tickAt : now;
    group.resuming = false;
    group.started = true;
    group.extra = false;
    cache.collect(now);
    const records = batcher.startSweep(group, this.#due(group, now, regular));
    if (regular) group.tickAt = now;
    if (records.length === 0) return;
    // An unsubscribed sweep starts nothing more; a closed gate stops it too.
    group.sweeping = true;
    group.pacedUntil = null;
    let failure: unknown;
    try {
      // Stamped with this sweep's start, the very time `tickAt` holds; a sweep that carries on
      // a paced one with the tick it serves, or its keys would fall a period behind.
      failure = await this.deps.read(records, signal, this.#flow(group, signal), stamp);
    } finally {
      group.sweeping = false;
      if (group.pacedUntil !== null && !signal.aborted) this.#resumeAt(group, group.pacedUntil);
      if (group.refreshAfter && this.#groups.get(group.name) === group) {
        group.refreshAfter = false;
        this.#refresh(group);
      }
    }
    if (failure !== undefined) throw failure; // a whole batch failed: the poll backs off
  }

  /** Key groups (diagnostics). */
  get size(): number {
    return this.#groups.size;
  }

  dispose(): void {
    for (const group of this.#groups.values()) {
      group.run.unsubscribe();
      this.#clearResume(group);
    }
    this.#groups.clear();
  }
}
