import type { KyInstance } from 'ky';
import type { FetchFunction } from '../transport/polite-fetch.js';

/** What a poll task receives on each run. */
export interface PollContext {
  /** Aborts when the poll is unsubscribed or the poller disposed. */
  signal: AbortSignal;
  /** The poller's polite fetch, already bound to `signal`. */
  fetch: FetchFunction;
  /** A ky instance on the polite fetch, bound to `signal`, with the poller's timeout and no retry. */
  http: KyInstance;
}

export type PollTask<T> = (context: PollContext) => Promise<T> | T;

/** One poll as the scheduler keeps it. */
export interface PollEntry<T = unknown> {
  readonly key: string | undefined;
  readonly origin: string;
  readonly interval: number;
  readonly hiddenInterval: number | false;
  readonly task: PollTask<T>;
  readonly onData: ((data: T) => void) | undefined;
  readonly onError: ((error: unknown) => void) | undefined;
  /** Start of the current period: the last run's start, or the last skipped tick. */
  anchor: number;
  /** Time after `anchor` at which the next run is due: the interval, or a longer backoff. */
  delay: number;
  /** Consecutive failed runs. */
  failures: number;
  /** The run under way, if any; it holds one of its origin lane's slots. */
  running: AbortController | null;
  /** Waiting in its origin lane for a free slot. */
  queued: boolean;
  /** When the poll last delivered data; lanes serve the stalest first. */
  freshAt: number;
  /** Set by a refresh that keeps the schedule: the period the run started in resumes after it. */
  resumeAnchor: number | null;
  /** Subscription order: breaks ties between equally stale polls. */
  readonly seq: number;
  removed: boolean;
}

/** When the entry is next due, given the page's visibility; Infinity while parked. */
export function dueAt(entry: PollEntry, visible: boolean): number {
  if (entry.queued) return Number.POSITIVE_INFINITY; // its lane will start it
  if (visible) return entry.anchor + entry.delay;
  if (entry.hiddenInterval === false) return Number.POSITIVE_INFINITY;
  return entry.anchor + Math.max(entry.hiddenInterval, entry.delay);
}
