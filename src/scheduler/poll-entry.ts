/** What the scheduler runs: one poll run, cancelled through `signal`. */
export type PollRun<T> = (signal: AbortSignal) => Promise<T> | T;

/** One poll as the scheduler keeps it. */
export interface PollEntry<T = unknown> {
  readonly key: string | undefined;
  readonly origin: string;
  /** Changed only through `Scheduler.retime`, which moves the entry between groups. */
  interval: number;
  hiddenInterval: number | false;
  readonly task: PollRun<T>;
  readonly onData?: ((data: T) => void) | undefined;
  readonly onError?: ((error: unknown) => void) | undefined;
  /** Start of the current period: the last run's start, or the last skipped tick. */
  anchor: number;
  /** Time after `anchor` at which the next run is due: the interval, or a longer backoff. */
  delay: number;
  /** Consecutive failed runs. */
  failures: number;
  /**
   * Least delay after the run under way, set by the run itself (a server's X-Poll-Interval):
   * a successful run waits max(interval, floorDelay); the next run starts from 0 again.
   */
  floorDelay: number;
  /** The run under way, if any; it holds one of its origin lane's slots. */
  running: object | null;
  /** When the run under way started. */
  startedAt: number;
  /** Aborts the entry's run when it is removed; created on the first run, kept for its life. */
  controller: AbortController | null;
  /** Waiting in its origin lane for a free slot. */
  queued: boolean;
  /** When the poll last delivered data; lanes serve the stalest first. */
  freshAt: number;
  /** When the poll was created: one that never delivered is as stale as it is old (pacing). */
  readonly createdAt: number;
  /** Set by a refresh that keeps the schedule: the period the run started in resumes after it. */
  resumeAnchor: number | null;
  /** Subscription order: breaks ties between equally stale polls. */
  readonly seq: number;
  /** Each start asks the origin's budget (false: the run paces its own requests, a sweep). */
  readonly paced: boolean;
  removed: boolean;
}

/** An anchor that makes an entry due at once; also a freshness older than any. */
export const DUE_NOW = Number.NEGATIVE_INFINITY;
/** When a parked entry is due: never, until something re-arms it. */
export const NEVER = Number.POSITIVE_INFINITY;

/** When the entry is next due, given the page's visibility; Infinity while parked. */
export function dueAt(entry: PollEntry, visible: boolean): number {
  if (entry.queued) return NEVER; // its lane will start it
  if (visible) return entry.anchor + entry.delay;
  if (entry.hiddenInterval === false) return NEVER;
  return entry.anchor + Math.max(entry.hiddenInterval, entry.delay);
}

/** What an entry is made from; the rest is the scheduler's bookkeeping. */
export interface EntrySpec<T> {
  key: string | undefined;
  origin: string;
  interval: number;
  hiddenInterval: number | false;
  task: PollRun<T>;
  onData?: ((data: T) => void) | undefined;
  onError?: ((error: unknown) => void) | undefined;
  /** Due at once, or one interval after `now`. */
  immediate: boolean;
  /** Whether each start asks the origin's budget. Default true. */
  paced?: boolean;
}

/** The entry of `spec` (its fields as given), due at once or one interval after `now`. */
export function createEntry<T>(spec: EntrySpec<T>, now: number, seq: number): PollEntry<T> {
  // Every field named, in one order: entries share one shape (a spread of specs with differing
  // optional fields gave each its own, and V8 fell back to slow dictionary objects).
  return {
    key: spec.key,
    origin: spec.origin,
    interval: spec.interval,
    hiddenInterval: spec.hiddenInterval,
    task: spec.task,
    onData: spec.onData,
    onError: spec.onError,
    anchor: spec.immediate ? DUE_NOW : now,
    delay: spec.interval,
    failures: 0,
    floorDelay: 0,
    running: null,
    startedAt: 0,
    controller: null,
    queued: false,
    freshAt: DUE_NOW,
    createdAt: now,
    resumeAnchor: null,
    seq,
    paced: spec.paced ?? true,
    removed: false,
  };
}
