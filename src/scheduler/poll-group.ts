import type { TimerHandle } from '../environment/clock.js';
import type { PollEntry } from './poll-entry.js';

/** Polls sharing an origin and an interval: they tick together on one timer. */
export class PollGroup {
  readonly entries = new Set<PollEntry>();
  timer: TimerHandle | null = null;
  /** When the armed timer fires (epoch ms); meaningful only while `timer` is set. */
  timerAt = 0;

  constructor(
    readonly key: string,
    readonly origin: string,
    readonly interval: number,
    /** Polls due within this much of a tick run in it; also the tick's random lateness. */
    readonly slack: number,
  ) {}
}
