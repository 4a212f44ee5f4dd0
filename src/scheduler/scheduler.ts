import type { Clock } from '../environment/clock.js';
import type { OnlineSource } from '../environment/online.js';
import type { VisibilitySource } from '../environment/visibility.js';
import { isCooldownError } from '../errors.js';
import type { EventBus } from '../events.js';
import type { PollerStats, SkipReason } from '../stats.js';
import type { OriginGate } from '../transport/origin-gate.js';
import { type BackoffSettings, fullJitterBackoff } from './backoff.js';
import { dueAt, type PollContext, type PollEntry } from './poll-entry.js';
import { PollGroup } from './poll-group.js';

export interface SchedulerDeps {
  clock: Clock;
  random: () => number;
  /** Fraction of the interval a tick may land late; also the window in which due polls coalesce. */
  jitter: number;
  backoff: BackoffSettings;
  visibility: VisibilitySource;
  online: OnlineSource;
  gate: OriginGate;
  stats: PollerStats;
  events: EventBus;
  context: (signal: AbortSignal) => PollContext;
}

/**
 * Owns every poll of a poller. Polls are grouped by (origin, interval), one timer per group.
 * Due times come from the clock; visibility, online state and cooldowns are read when a tick
 * fires, not when it was armed.
 */
export class Scheduler {
  readonly #groups = new Map<string, PollGroup>();
  readonly #groupOf = new WeakMap<PollEntry, PollGroup>();
  #paused = false;
  #disposed = false;
  #detachEnvironment: (() => void) | null = null;

  constructor(private readonly deps: SchedulerDeps) {}

  add(entry: PollEntry): void {
    const key = `${entry.origin} ${entry.interval}`;
    let group = this.#groups.get(key);
    if (group === undefined) {
      group = new PollGroup(key, entry.origin, entry.interval, entry.interval * this.deps.jitter);
      this.#groups.set(key, group);
    }
    group.entries.add(entry);
    this.#groupOf.set(entry, group);
    this.#attachEnvironment();
    this.#armIfEarlier(group, entry);
  }

  remove(entry: PollEntry): void {
    if (entry.removed) return;
    entry.removed = true;
    entry.running?.abort();
    entry.running = null;
    const group = this.#groupOf.get(entry);
    if (group === undefined) return;
    group.entries.delete(entry);
    if (group.entries.size === 0) {
      this.#clearTimer(group);
      this.#groups.delete(group.key);
    }
    if (this.#groups.size === 0) this.#detach();
  }

  /** Makes the entry due now; it runs on the next tick the gates allow. */
  refresh(entry: PollEntry): void {
    if (entry.removed || this.#disposed) return;
    entry.anchor = Number.NEGATIVE_INFINITY;
    const group = this.#groupOf.get(entry);
    if (group !== undefined) this.#armIfEarlier(group, entry);
  }

  pause(): void {
    this.#paused = true;
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

  /** Armed timers: at most one per group. */
  get pendingTimers(): number {
    let count = 0;
    for (const group of this.#groups.values()) if (group.timer !== null) count++;
    return count;
  }

  get size(): number {
    let count = 0;
    for (const group of this.#groups.values()) count += group.entries.size;
    return count;
  }

  dispose(): void {
    this.#disposed = true;
    for (const group of this.#groups.values()) {
      this.#clearTimer(group);
      for (const entry of group.entries) {
        entry.removed = true;
        entry.running?.abort();
        entry.running = null;
      }
    }
    this.#groups.clear();
    this.#detach();
  }

  #attachEnvironment(): void {
    if (this.#detachEnvironment !== null) return;
    const { visibility, online, events } = this.deps;
    const stopVisibility = visibility.subscribe((visible) => {
      events.emit('visibility', { visible });
      // Becoming visible: whatever is overdue runs at once, the rest keeps its schedule.
      if (visible) this.#armAll();
    });
    const stopOnline = online.subscribe((isOnline) => {
      events.emit('online', { online: isOnline });
      if (isOnline) this.#armAll();
    });
    this.#detachEnvironment = () => {
      stopVisibility();
      stopOnline();
    };
  }

  #detach(): void {
    this.#detachEnvironment?.();
    this.#detachEnvironment = null;
  }

  #armAll(): void {
    for (const group of this.#groups.values()) this.#arm(group);
  }

  /** Re-arms only when `entry` is due before the group's timer: O(1) for most adds. */
  #armIfEarlier(group: PollGroup, entry: PollEntry): void {
    if (group.timer !== null) {
      const due = Math.max(dueAt(entry, this.deps.visibility.isVisible()), this.deps.clock.now());
      if (due >= group.timerAt) return;
    }
    this.#arm(group);
  }

  #clearTimer(group: PollGroup): void {
    if (group.timer === null) return;
    this.deps.clock.clearTimeout(group.timer);
    group.timer = null;
  }

  #arm(group: PollGroup): void {
    this.#clearTimer(group);
    const { clock, visibility, online, gate, random } = this.deps;
    if (this.#disposed || this.#paused || group.entries.size === 0 || !online.isOnline()) return;
    const visible = visibility.isVisible();
    let earliest = Number.POSITIVE_INFINITY;
    for (const entry of group.entries) earliest = Math.min(earliest, dueAt(entry, visible));
    if (earliest === Number.POSITIVE_INFINITY) return; // parked until visible again
    const now = clock.now();
    const at = Math.max(earliest, gate.blockedUntil(group.origin));
    // Overdue work runs at once; waiting work lands a little late at random (never early).
    const wait = at > now ? at - now + random() * group.slack : 0;
    group.timerAt = now + wait;
    group.timer = clock.setTimeout(() => this.#tick(group), wait);
  }

  #tick(group: PollGroup): void {
    group.timer = null;
    if (this.#disposed || this.#paused) return;
    const { clock, visibility, online, gate } = this.deps;
    const now = clock.now();
    const visible = visibility.isVisible();
    const horizon = now + group.slack;
    const due: PollEntry[] = [];
    let hidden = 0;
    for (const entry of group.entries) {
      if (dueAt(entry, visible) <= horizon) due.push(entry);
      else if (!visible && dueAt(entry, true) <= horizon) hidden++;
    }
    this.#skip(group, 'hidden', hidden);
    if (!online.isOnline()) {
      // Parked: the `online` event re-arms.
      this.#skip(group, 'offline', due.length);
      return;
    }
    if (due.length > 0 && gate.blockedUntil(group.origin) > now) {
      // Skipped ticks are not queued: the polls stay due and run once when the cooldown ends.
      this.#skip(group, 'cooldown', due.length);
    } else {
      let busy = 0;
      for (const entry of due) {
        if (entry.running !== null) {
          busy++;
          entry.anchor = now; // no overlap: the next chance is one period later
        } else {
          this.#start(entry, now);
        }
      }
      this.#skip(group, 'in-flight', busy);
    }
    this.#arm(group);
  }

  #skip(group: PollGroup, reason: SkipReason, count: number): void {
    if (count === 0) return;
    this.deps.stats.skipped[reason] += count;
    this.deps.events.emit('skip', { origin: group.origin, reason, count });
  }

  #start(entry: PollEntry, now: number): void {
    const controller = new AbortController();
    entry.running = controller;
    entry.anchor = now;
    this.deps.stats.runs++;
    let result: Promise<unknown>;
    try {
      result = Promise.resolve(entry.task(this.deps.context(controller.signal)));
    } catch (error) {
      result = Promise.reject(error);
    }
    result.then(
      (data) => this.#settle(entry, controller, true, data),
      (error: unknown) => this.#settle(entry, controller, false, error),
    );
  }

  #settle(entry: PollEntry, controller: AbortController, ok: boolean, value: unknown): void {
    if (entry.running === controller) entry.running = null;
    if (entry.removed || this.#disposed) return; // unsubscribed mid-flight: deliver nothing
    const { stats, backoff, random } = this.deps;
    if (ok) {
      entry.failures = 0;
      entry.delay = entry.interval;
      stats.succeeded++;
      this.#deliver(entry, 'data', value);
    } else if (isCooldownError(value)) {
      // The origin cooled down mid-run; the cooldown, not backoff, decides when to retry.
      entry.delay = entry.interval;
      stats.skipped.cooldown++;
    } else {
      entry.failures++;
      entry.delay = Math.max(entry.interval, fullJitterBackoff(backoff, entry.failures, random));
      stats.errors++;
      this.#deliver(entry, 'error', value);
    }
    const group = this.#groupOf.get(entry);
    if (group !== undefined) this.#armIfEarlier(group, entry);
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
    if (kind === 'data') events.emit('data', { key, origin, data: value });
    else events.emit('error', { key, origin, error: value, source: 'poll' });
  }
}
