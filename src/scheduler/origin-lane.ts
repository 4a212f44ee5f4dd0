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
  #queue: PollEntry[] = [];
  #head = 0;

  constructor(
    readonly origin: string,
    readonly limit: number,
  ) {}

  get waiting(): number {
    return this.#queue.length - this.#head;
  }

  /** Queues due polls, stalest data first, so that a rationed origin serves everyone in turn. */
  enqueue(entries: readonly PollEntry[]): void {
    if (entries.length === 0) return;
    for (const entry of entries) entry.queued = true;
    const queue = this.#queue.slice(this.#head).concat(entries);
    queue.sort((a, b) => a.freshAt - b.freshAt || a.seq - b.seq);
    this.#queue = queue;
    this.#head = 0;
  }

  next(): PollEntry | undefined {
    const entry = this.#queue[this.#head];
    if (entry === undefined) return undefined;
    this.#queue[this.#head++] = undefined as never; // let go of it
    if (this.#head === this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
    }
    entry.queued = false;
    return entry;
  }

  /** Empties the queue; the polls stay due and return on a later tick. */
  drain(): PollEntry[] {
    const drained = this.#queue.slice(this.#head);
    for (const entry of drained) entry.queued = false;
    this.#queue = [];
    this.#head = 0;
    return drained;
  }
}
