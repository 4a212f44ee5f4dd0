import type { TimerHandle } from '../environment/clock.js';
import type { PollEntry } from './poll-entry.js';

/** Polls sharing an origin and an interval: they tick together on one timer. */
export class PollGroup {
  readonly entries = new Set<PollEntry>();
  timer: TimerHandle | null = null;
  /** The due time the armed timer serves, before its random lateness; set with `timer`. */
  targetAt = 0;

  constructor(
    readonly key: string,
    readonly origin: string,
    readonly interval: number,
    /** Polls due within this much of a tick run in it; also the tick's random lateness. */
    readonly slack: number,
  ) {}
}
