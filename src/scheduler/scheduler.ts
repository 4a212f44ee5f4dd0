import { MAX_TIMER_MS } from '../defaults.js';
import type { Clock, TimerHandle } from '../environment/clock.js';
import type { OnlineSource } from '../environment/online.js';
import type { VisibilitySource } from '../environment/visibility.js';
import { isRefusal, PollerDisposedError } from '../errors.js';
import { type EventBus, reportUncaught } from '../events.js';
import type { PollerStats, SkipReason } from '../stats.js';
import type { Gate } from '../transport/origin-gate.js';
import { type BackoffSettings, fullJitterBackoff } from './backoff.js';
import { OriginLane } from './origin-lane.js';
import {
  createEntry,
  DUE_NOW,
  dueAt,
  type EntrySpec,
  NEVER,
  type PollEntry,
} from './poll-entry.js';
import { PollGroup } from './poll-group.js';

export interface SchedulerDeps {
  clock: Clock;
  random: () => number;
  /** Fraction of the interval a tick may land late; also the window in which due polls coalesce. */
  jitter: number;
  backoff: BackoffSettings;
  visibility: VisibilitySource;
  online: OnlineSource;
  gate: Gate;
  stats: PollerStats;
  events: EventBus;
  /** Most runs in flight at once for one origin. */
  concurrencyFor: (origin: string) => number;
}

/**
 * Owns every poll of a poller. Polls are grouped by (origin, interval), one timer per group.
 * Due polls queue in their origin's lane, which starts at most N at once, stalest first.
 * Due times come from the clock; visibility, online state and cooldowns are read when a tick
 * fires and again before each run starts.
 */
export class Scheduler {
  readonly #groups = new Map<string, PollGroup>();
  readonly #lanes = new Map<string, OriginLane>();
  readonly #groupOf = new WeakMap<PollEntry, PollGroup>();
  #paused = false;
  /** Subscription order, for ties between equally stale polls. */
  #seq = 0;
  #disposed = false;
  #visible = true;
  /** When the page last hid. */
  #hiddenSince = 0;
  #detachEnvironment: (() => void) | null = null;
  /** Inside `poll()`: what throws is that call's error (and the poll is rolled back). */
  #adding = false;
  /** A timer could not be armed: the next settle arms every group left without one. */
  #stalled = false;
  /** The clock's last reading, for the reads it throws on. */
  #lastNow = 0;

  constructor(private readonly deps: SchedulerDeps) {}

  /** Creates an entry and adds it; `remove()` takes it out. */
  schedule<T>(spec: EntrySpec<T>): PollEntry<T> {
    // A resource holds the core past dispose(): nothing may attach or arm again.
    if (this.#disposed) throw new PollerDisposedError();
    this.#lastNow = this.deps.clock.now();
    const entry = createEntry(spec, this.#lastNow, ++this.#seq);
    this.#add(entry as PollEntry);
    return entry;
  }

  #add(entry: PollEntry): void {
    const { origin } = entry;
    let lane = this.#lanes.get(origin);
    if (lane === undefined) {
      lane = new OriginLane(origin, this.deps.concurrencyFor(origin));
      this.#lanes.set(origin, lane);
    }
    lane.members++;
    try {
      this.#adding = true;
      // Sources first: a poll is armed only once it hears visibility and online changes.
      this.#attachEnvironment();
      this.#join(entry);
    } catch (error) {
      // A source or the clock threw: the poll never existed (nothing armed, nothing attached).
      this.#adding = false;
      this.remove(entry);
      throw error;
    }
    this.#adding = false;
  }

  /**
   * `read()` of a source, the clock or the gate, or `fallback` when it throws. Inside `poll()`
   * the error is that call's; anywhere else (a timer, a settle, an event, a refresh) nobody can
   * take it, so it is reported and polling goes on: visible, online, open (the door still asks
   * the gate itself), and the clock's last reading, so that time stands still and nothing spins.
   */
  #read<T>(read: () => T, fallback: T): T {
    try {
      return read();
    } catch (error) {
      if (this.#adding) throw error;
      reportUncaught(error);
      return fallback;
    }
  }

  #isVisible(): boolean {
    return this.#read(() => this.deps.visibility.isVisible(), true);
  }

  #isOnline(): boolean {
    return this.#read(() => this.deps.online.isOnline(), true);
  }

  #now(): number {
    this.#lastNow = this.#read(() => this.deps.clock.now(), this.#lastNow);
    return this.#lastNow;
  }

  #blocked(origin: string) {
    return this.#read(() => this.deps.gate.blocked(origin), null);
  }

  /** Moves an entry to a new interval (its subscribers changed); its period keeps its anchor. */
  retime(entry: PollEntry, interval: number, hiddenInterval: number | false): void {
    if (entry.removed) return;
    if (entry.interval === interval) {
      entry.hiddenInterval = hiddenInterval;
      const group = this.#groupOf.get(entry);
      if (group !== undefined) this.#arm(group);
      return;
    }
    this.#leave(entry);
    // A backoff or a server's floor stays, unless the new interval is longer still.
    entry.delay = entry.delay === entry.interval ? interval : Math.max(entry.delay, interval);
    entry.interval = interval;
    entry.hiddenInterval = hiddenInterval;
    this.#join(entry);
  }

  #join(entry: PollEntry): void {
    const { origin, interval } = entry;
    const key = `${origin} ${interval}`;
    let group = this.#groups.get(key);
    if (group === undefined) {
      group = new PollGroup(key, origin, interval, interval * this.deps.jitter);
      this.#groups.set(key, group);
    }
    group.entries.add(entry);
    this.#groupOf.set(entry, group);
    this.#armIfEarlier(group, entry);
  }

  #leave(entry: PollEntry): void {
    const group = this.#groupOf.get(entry);
    if (group === undefined) return;
    group.entries.delete(entry);
    if (group.entries.size === 0) {
      this.#clearTimer(group);
      this.#groups.delete(group.key);
    }
  }

  remove(entry: PollEntry): void {
    if (entry.removed) return;
    entry.removed = true; // a queued entry is dropped when its lane reaches it
    const lane = this.#lanes.get(entry.origin);
    this.#abort(entry, lane);
    this.#leave(entry);
    if (lane !== undefined) {
      if (--lane.members > 0) this.#pump(lane);
      else {
        lane.drain();
        this.#clearLaneTimer(lane);
        this.#lanes.delete(lane.origin);
      }
    }
    if (this.#groups.size === 0) this.#detach();
  }

  /**
   * Makes the entry due now; it runs on the next tick the gates allow. With `keepSchedule`, that
   * extra run does not restart the entry's period: its regular ticks stay where they were.
   */
  refresh(entry: PollEntry, keepSchedule = false): void {
    if (entry.removed || this.#disposed) return;
    if (keepSchedule && entry.anchor !== DUE_NOW) {
      entry.resumeAnchor ??= entry.anchor;
    } else if (!keepSchedule) entry.resumeAnchor = null;
    entry.anchor = DUE_NOW;
    const group = this.#groupOf.get(entry);
    if (group !== undefined) this.#armIfEarlier(group, entry);
  }

  /** The budget of `origin` relaxed: its lane stops waiting for the old wake time and asks again. */
  repump(origin: string): void {
    const lane = this.#lanes.get(origin);
    if (lane === undefined || lane.timer === null) return;
    this.#clearLaneTimer(lane);
    this.#pump(lane);
  }

  /** Re-arms the groups of `origin`: its breaker changed state. Other origins stay untouched. */
  rearm(origin: string): void {
    for (const group of this.#groups.values()) if (group.origin === origin) this.#arm(group);
  }

  pause(): void {
    this.#paused = true;
    // Queued polls are drained by the next settle, which finds the lane closed.
    for (const group of this.#groups.values()) this.#clearTimer(group);
  }

  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#armAll();
  }

  get paused(): boolean {
    return this.#paused;
  }

  /** Counts of what the scheduler holds, for `poller.inspect()`. */
  inspect(): {
    entries: number;
    groups: number;
    /** Armed timers: at most one per group, and one per paced lane. */
    timers: number;
    lanes: number;
    running: number;
    queued: number;
    /** Queued polls that wait for their origin's budget (a lane timer wakes them). */
    paced: number;
    environmentListeners: boolean;
  } {
    let entries = 0;
    let timers = 0;
    for (const group of this.#groups.values()) {
      entries += group.entries.size;
      if (group.timer !== null) timers++;
    }
    let running = 0;
    let queued = 0;
    let paced = 0;
    for (const lane of this.#lanes.values()) {
      running += lane.running;
      queued += lane.waiting;
      if (lane.timer !== null) {
        timers++;
        paced += lane.waiting;
      }
    }
    return {
      entries,
      groups: this.#groups.size,
      timers,
      lanes: this.#lanes.size,
      running,
      queued,
      paced,
      environmentListeners: this.#detachEnvironment !== null,
    };
  }

  dispose(): void {
    this.#disposed = true;
    for (const group of this.#groups.values()) {
      this.#clearTimer(group);
      for (const entry of group.entries) {
        entry.removed = true;
        this.#abort(entry, undefined);
      }
    }
    for (const lane of this.#lanes.values()) {
      lane.drain();
      this.#clearLaneTimer(lane);
    }
    this.#groups.clear();
    this.#lanes.clear();
    this.#detach();
  }

  #abort(entry: PollEntry, lane: OriginLane | undefined): void {
    if (entry.running === null) return;
    // The run ends for good: its signal aborts, and a later run of the entry gets a new one.
    entry.controller?.abort();
    entry.controller = null;
    entry.running = null;
    entry.floorDelay = 0; // what a run cut short learned does not outlive it
    // Free the slot now: a task that ignores its signal must not hold its origin hostage.
    if (lane !== undefined) lane.running--;
  }

  /**
   * A frozen or backgrounded page may never get the answer to a request it had in flight
   * (Chromium's freeze, mobile browsers dropping background sockets): on return, such runs are
   * aborted (not failures) and their polls are due at once.
   */
  #abandonRunsFrom(hiddenSince: number): void {
    for (const group of this.#groups.values()) {
      for (const entry of group.entries) {
        if (entry.running === null || entry.startedAt > hiddenSince) continue;
        this.#abort(entry, this.#lanes.get(entry.origin));
        entry.anchor = DUE_NOW;
      }
    }
  }

  #attachEnvironment(): void {
    if (this.#detachEnvironment !== null) return;
    const { visibility, online, events } = this.deps;
    // Set first, so that a source throwing half-way is detached from what it did attach.
    const stops: ((() => void) | undefined)[] = [];
    this.#detachEnvironment = () => {
      for (const stop of stops) {
        // A source's unsubscribe may be missing or throw: the others still run, dispose finishes.
        try {
          stop?.();
        } catch (error) {
          reportUncaught(error);
        }
      }
    };
    this.#visible = visibility.isVisible();
    stops.push(
      visibility.subscribe((visible) => {
        if (visible === this.#visible) return; // freeze/resume of a hidden page changes nothing
        this.#visible = visible;
        events.emit('visibility', { visible });
        if (!visible) this.#hiddenSince = this.#now();
        if (!visible) return;
        this.#abandonRunsFrom(this.#hiddenSince);
        // Becoming visible: whatever is overdue runs at once, the rest keeps its schedule.
        this.#armAll();
      }),
    );
    stops.push(
      online.subscribe((isOnline) => {
        events.emit('online', { online: isOnline });
        if (isOnline) this.#armAll();
      }),
    );
  }

  #detach(): void {
    this.#detachEnvironment?.();
    this.#detachEnvironment = null;
  }

  #armAll(): void {
    for (const group of this.#groups.values()) this.#arm(group);
  }

  /** Re-arms only when `entry` is due before the group's timer: O(1) for most adds and settles. */
  #armIfEarlier(group: PollGroup, entry: PollEntry): void {
    if (group.timer !== null) {
      const due = Math.max(dueAt(entry, this.#isVisible()), this.#now());
      if (due >= group.targetAt) return;
    }
    this.#arm(group);
  }

  #clearTimer(group: PollGroup): void {
    if (group.timer === null) return;
    this.deps.clock.clearTimeout(group.timer);
    group.timer = null;
  }

  #arm(group: PollGroup): void {
    // The new timer first: a clock that throws inside poll() leaves the group's timer as it was.
    const timer = this.#nextTick(group);
    this.#clearTimer(group);
    group.timer = timer;
  }

  /** A timer for the group's next tick; null when nothing is due or no timer could be armed. */
  #nextTick(group: PollGroup): TimerHandle | null {
    if (this.#disposed || this.#paused || group.entries.size === 0 || !this.#isOnline()) {
      return null;
    }
    const { clock, random } = this.deps;
    const visible = this.#isVisible();
    let earliest = NEVER;
    for (const entry of group.entries) earliest = Math.min(earliest, dueAt(entry, visible));
    if (earliest === NEVER) return null; // parked until visible again
    const now = this.#now();
    const at = Math.max(earliest, this.#blocked(group.origin)?.until ?? 0);
    // Overdue work runs at once; waiting work lands a little late at random (never early).
    const wait = at > now ? at - now + random() * group.slack : 0;
    // A longer wait would fire at once: wake at the limit, find nothing due, and arm again.
    const tick = () => this.#tick(group);
    const timer = this.#read(() => clock.setTimeout(tick, Math.min(wait, MAX_TIMER_MS)), null);
    // No timer: the group waits, whole, for the next settle or event to arm it.
    if (timer === null) this.#stalled = true;
    group.targetAt = Math.max(at, now);
    return timer;
  }

  #tick(group: PollGroup): void {
    group.timer = null;
    if (this.#disposed || this.#paused) return;
    const now = this.#now();
    const visible = this.#isVisible();
    const horizon = now + group.slack;
    const due: PollEntry[] = [];
    let hidden = 0;
    for (const entry of group.entries) {
      if (dueAt(entry, visible) <= horizon) due.push(entry);
      else if (!visible && !entry.queued && dueAt(entry, true) <= horizon) hidden++;
    }
    this.#skip(group.origin, 'hidden', hidden);
    if (!this.#isOnline()) {
      // Parked: the `online` event re-arms.
      this.#skip(group.origin, 'offline', due.length);
      return;
    }
    const blocked = due.length > 0 ? this.#blocked(group.origin) : null;
    if (blocked !== null) {
      // Skipped ticks are not queued: the polls stay due and run once when the origin reopens.
      this.#skip(group.origin, blocked.reason, due.length);
    } else if (due.length > 0) {
      const ready: PollEntry[] = [];
      for (const entry of due) {
        if (entry.running === null) ready.push(entry);
        else entry.anchor = now; // no overlap: the next chance is one period later
      }
      this.#skip(group.origin, 'in-flight', due.length - ready.length);
      const lane = this.#lanes.get(group.origin);
      if (lane !== undefined) {
        lane.enqueue(ready);
        this.#pump(lane);
      }
    }
    this.#arm(group);
  }

  /**
   * Whether a request for `origin` may go out now: for work that runs long inside one poll run
   * (a resource's per-item sweep), so that it stops when the gates close mid-sweep.
   */
  canSend(origin: string, background: boolean): boolean {
    if (this.#disposed || this.#closed(origin) !== null) return false;
    return background || this.#isVisible();
  }

  /** Why nothing may start for `origin` right now, or null. */
  #closed(origin: string): SkipReason | null {
    if (this.#paused) return 'paused';
    if (!this.#isOnline()) return 'offline';
    return this.#blocked(origin)?.reason ?? null;
  }

  /**
   * Starts queued polls while slots are free, stalest first, re-checking the gates before each
   * start. The origin's budget paces them: a poll it holds back waits in the lane, which wakes
   * when the budget lets it go.
   */
  #pump(lane: OriginLane): void {
    if (this.#disposed) return;
    const parked = new Set<PollGroup>();
    let hidden = 0;
    const { gate } = this.deps;
    const limit = this.#read(() => gate.concurrency(lane.origin, lane.limit), lane.limit);
    while (lane.running < limit && lane.waiting > 0) {
      const reason = this.#closed(lane.origin);
      if (reason !== null) {
        const drained = lane.drain().filter((entry) => !entry.removed);
        this.#skip(lane.origin, reason, drained.length);
        for (const entry of drained) this.#addGroupOf(parked, entry);
        break;
      }
      const entry = lane.peek() as PollEntry;
      if (entry.removed || (!this.#isVisible() && entry.hiddenInterval === false)) {
        lane.next();
        if (entry.removed) continue;
        // The tab hid while it waited: it stays due and runs when the tab returns.
        hidden++;
        this.#addGroupOf(parked, entry);
        continue;
      }
      const now = this.#now();
      // Since its data, or its creation, or its last try: a poll that keeps failing is not
      // "stale" for the burst rule on every run.
      const age = now - Math.max(entry.freshAt, entry.createdAt, entry.startedAt);
      // Every poll of the origin shares its budget, not only the ones due now.
      const sharing = Math.max(lane.waiting, lane.members);
      const wake = entry.paced ? this.#read(() => gate.take(lane.origin, age, sharing), 0) : 0;
      if (wake > now) {
        this.#armLane(lane, wake - now);
        break;
      }
      lane.next();
      this.#start(entry, lane);
    }
    this.#skip(lane.origin, 'hidden', hidden);
    for (const group of parked) this.#arm(group);
  }

  /** Wakes `lane` in `wait` ms (its budget's next paced start). */
  #armLane(lane: OriginLane, wait: number): void {
    const wake = () => {
      lane.timer = null;
      this.#pump(lane);
    };
    const timer = this.#read(
      () => this.deps.clock.setTimeout(wake, Math.min(wait, MAX_TIMER_MS)),
      null,
    );
    this.#clearLaneTimer(lane);
    lane.timer = timer;
  }

  #clearLaneTimer(lane: OriginLane): void {
    if (lane.timer === null) return;
    this.deps.clock.clearTimeout(lane.timer);
    lane.timer = null;
  }

  #addGroupOf(groups: Set<PollGroup>, entry: PollEntry): void {
    const group = this.#groupOf.get(entry);
    if (group !== undefined) groups.add(group);
  }

  #skip(origin: string, reason: SkipReason, count: number): void {
    if (count === 0) return;
    this.deps.stats.skipped[reason] += count;
    this.deps.events.emit('skip', { origin, reason, count });
  }

  #start(entry: PollEntry, lane: OriginLane): void {
    // One controller for the entry's life (it aborts only on removal): no allocation per run.
    entry.controller ??= new AbortController();
    const run = {};
    entry.running = run;
    entry.startedAt = this.#now();
    entry.anchor = entry.resumeAnchor ?? entry.startedAt;
    entry.resumeAnchor = null;
    lane.running++;
    this.deps.stats.runs++;
    const { signal } = entry.controller;
    // A task that throws at once fails its run like one that rejects.
    new Promise((resolve) => resolve(entry.task(signal))).then(
      (data) => this.#settle(entry, run, true, data),
      (error: unknown) => this.#settle(entry, run, false, error),
    );
  }

  #settle(entry: PollEntry, run: object, ok: boolean, value: unknown): void {
    if (entry.running !== run) return; // aborted by unsubscribe/dispose: slot already freed
    entry.running = null;
    const lane = this.#lanes.get(entry.origin);
    if (lane !== undefined) lane.running--;
    const { stats, backoff, random } = this.deps;
    const floor = entry.floorDelay;
    entry.floorDelay = 0;
    if (ok) {
      entry.failures = 0;
      entry.delay = Math.max(entry.interval, floor);
      entry.freshAt = this.#now();
      stats.succeeded++;
      this.#deliver(entry, 'data', value);
    } else if (isRefusal(value)) {
      // Refused before the network: the cooldown or breaker, not backoff, decides when to retry.
      entry.delay = entry.interval;
      // Its own origin reopening makes it due at once (the gate holds it until then); a refusal
      // from another origin must not, or it would spin.
      if (value.origin === entry.origin) entry.anchor = DUE_NOW;
      stats.skipped[value.code === 'cooldown' ? 'cooldown' : 'breaker']++;
    } else {
      // A failure while the origin is blocked (its 429, or the failure that opened the breaker)
      // waits for the origin to reopen, not for backoff.
      const cooling = (this.#blocked(entry.origin)?.until ?? 0) > this.#now();
      if (!cooling) entry.failures++;
      entry.delay = cooling
        ? Math.max(entry.interval, floor)
        : Math.max(entry.interval, floor, fullJitterBackoff(backoff, entry.failures, random));
      stats.errors++;
      this.#deliver(entry, 'error', value);
    }
    const group = this.#groupOf.get(entry);
    if (group !== undefined) this.#armIfEarlier(group, entry);
    if (this.#stalled) {
      this.#stalled = false;
      for (const other of this.#groups.values()) if (other.timer === null) this.#arm(other);
    }
    if (lane !== undefined) this.#pump(lane);
  }

  #deliver(entry: PollEntry, kind: 'data' | 'error', value: unknown): void {
    const { events } = this.deps;
    const { key, origin } = entry;
    try {
      if (kind === 'data') entry.onData?.(value);
      else entry.onError?.(value);
    } catch (error) {
      events.emit('error', { key, origin, error, source: 'callback' });
    }
    // Data events come from the poll's owner, which knows what the value means (a 304, say).
    if (kind === 'error') events.emit('error', { key, origin, error: value, source: 'poll' });
  }
}
