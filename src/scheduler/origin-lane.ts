import type { TimerHandle } from '../environment/clock.js';
import type { PollEntry } from './poll-entry.js';

/**
 * The polls of one origin waiting to run, and how many run now. Caps concurrent runs per
 * origin so that a tick with many due polls never bursts, and lets every start re-check the
 * gates (a 429 that arrives mid-sweep stops the rest of the sweep).
 */
export class OriginLane {
  running = 0;
  /** Subscribed polls of this origin; the lane is dropped when it reaches 0. */
  members = 0;
  /** Wakes the lane when its origin's budget lets the next paced poll start. */
  timer: TimerHandle | null = null;
  #queue: PollEntry[] = [];

  constructor(
    readonly origin: string,
    readonly limit: number,
  ) {}

  get waiting(): number {
    return this.#queue.length;
  }

  /** Queues due polls, stalest data first, so that a rationed origin serves everyone in turn. */
  enqueue(entries: readonly PollEntry[]): void {
    for (const entry of entries) entry.queued = true;
    this.#queue = this.#queue
      .concat(entries)
      .sort((a, b) => a.freshAt - b.freshAt || a.seq - b.seq);
  }

  /** The poll that starts next. */
  peek(): PollEntry | undefined {
    return this.#queue[0];
  }

  next(): PollEntry | undefined {
    const entry = this.#queue.shift();
    if (entry !== undefined) entry.queued = false;
    return entry;
  }

  /** Empties the queue; the polls stay due and return on a later tick. */
  drain(): PollEntry[] {
    const drained = this.#queue;
    for (const entry of drained) entry.queued = false;
    this.#queue = [];
    return drained;
  }
}
