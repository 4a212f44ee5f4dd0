import type { Clock, TimerHandle } from '../environment/clock.js';

interface Deadline {
  readonly at: number;
  readonly expire: () => void;
  done: boolean;
}

/**
 * The deadlines of a door's requests, on one timer. Every request gets the same timeout, so
 * deadlines expire in the order requests started: a queue, its head the next to expire, instead
 * of a timer per request.
 */
export class Deadlines {
  #queue: Deadline[] = [];
  #head = 0;
  #live = 0;
  #timer: TimerHandle | null = null;

  constructor(
    private readonly clock: Clock,
    readonly timeoutMs: number,
  ) {}

  /** Calls `expire` in `timeoutMs` unless the returned function is called first. */
  start(expire: () => void): () => void {
    const deadline: Deadline = { at: this.clock.now() + this.timeoutMs, expire, done: false };
    this.#queue.push(deadline);
    this.#live++;
    if (this.#timer === null) this.#arm();
    return () => {
      if (deadline.done) return;
      deadline.done = true;
      // Nothing left to time: no timer lingers after the last request.
      if (--this.#live === 0) this.clear();
    };
  }

  #arm(): void {
    while (this.#head < this.#queue.length && this.#queue[this.#head]?.done) this.#head++;
    const next = this.#queue[this.#head];
    if (next === undefined) {
      this.clear();
      return;
    }
    const wait = Math.max(0, next.at - this.clock.now());
    this.#timer = this.clock.setTimeout(() => this.#fire(), wait);
  }

  #fire(): void {
    this.#timer = null;
    const now = this.clock.now();
    for (
      let next = this.#queue[this.#head];
      next !== undefined && (next.done || next.at <= now);
    ) {
      this.#head++;
      if (!next.done) {
        next.done = true;
        this.#live--;
        next.expire();
      }
      next = this.#queue[this.#head];
    }
    // Compact now and then, so the queue does not grow with traffic.
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    // An expiry that started a deadline has armed the timer already.
    if (this.#timer === null) this.#arm();
  }

  clear(): void {
    if (this.#timer !== null) this.clock.clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#live === 0) {
      this.#queue = [];
      this.#head = 0;
    }
  }
}
