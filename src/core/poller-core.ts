import type { Clock } from '../environment/clock.js';
import { InvalidOptionsError, PollerDisposedError } from '../errors.js';
import type { EventBus } from '../events.js';
import type { ResolvedPolicy } from '../policy/host-policies.js';
import type { PollRun } from '../scheduler/poll-entry.js';
import type { PollerStats } from '../stats.js';
import type { Door } from '../transport/door.js';

/**
 * Where a poller keeps its core for the other entries (`pollwise/resource`, `pollwise/ky`).
 * `Symbol.for`, so that two copies of pollwise (ESM and CJS) still find it.
 */
export const CORE_KEY = Symbol.for('pollwise.core');

/** A run the scheduler owns (a resource's sweep of one key group). */
export interface ScheduledRun {
  unsubscribe(): void;
  /** Due now; with `keepSchedule`, its regular ticks stay where they were. */
  refresh(keepSchedule?: boolean): void;
}

/** Counts a resource reports to `poller.inspect()`. */
export interface ResourceCounts {
  items: number;
  etags: number;
  reads: number;
  groups: number;
}

/** What the other entries may use of a poller: its parts, not its façade. */
export interface PollerCore {
  readonly clock: Clock;
  readonly stats: PollerStats;
  readonly events: EventBus;
  /** Fraction of an interval a tick may land late; also the window in which due work coalesces. */
  readonly jitter: number;
  readonly door: Door;
  baseUrl(): string | undefined;
  resolvePolicy(url: URL): ResolvedPolicy;
  /** Adds a run to the scheduler, first due one interval from now. */
  schedule(spec: {
    origin: string;
    interval: number;
    hiddenInterval: number | false;
    run: PollRun<unknown>;
  }): ScheduledRun;
  /** Whether a request for `origin` may start now (long runs ask before each request). */
  canSend(origin: string, background: boolean): boolean;
  /**
   * One paced request for an item `age` ms old with `sharing` items sharing its budget: 0 when the
   * origin's budget lets it go now (it is then counted), else when to ask again.
   */
  take(origin: string, age: number, sharing: number): number;
  /** Paced requests in flight at once for `origin`, given the configured number. */
  concurrency(origin: string, configured: number): number;
  /** Called (once) when the poller is disposed. */
  onDispose(dispose: () => void): void;
  /** Called when an origin's budget lets it send sooner than it did (sweeps held by it go on). */
  onRelax(listener: (origin: string) => void): void;
  onInspect(counts: () => ResourceCounts): void;
  isDisposed(): boolean;
}

/** The core of `poller`; a clear error for anything that is not a live poller. */
export function coreOf(poller: unknown): PollerCore {
  const core = (poller as Record<symbol, PollerCore> | null | undefined)?.[CORE_KEY];
  if (core === undefined) {
    throw new InvalidOptionsError([
      { option: 'poller', value: poller, message: 'must be a poller from createPoller()' },
    ]);
  }
  if (core.isDisposed()) throw new PollerDisposedError();
  return core;
}
