import type { Clock, TimerHandle } from '../environment/clock.js';

interface Deadline {
  readonly at: number;
  readonly expire: () => void;
}

/**
 * The deadlines of a door's requests, on one timer. Every request gets the same timeout, so
 * deadlines expire in the order requests started: a set in insertion order, its first the next
 * to expire, instead of a timer per request.
 */
export class Deadlines {
  readonly #pending = new Set<Deadline>();
  #timer: TimerHandle | null = null;

  constructor(
    private readonly clock: Clock,
    readonly timeoutMs: number,
  ) {}

  /** Calls `expire` in `timeoutMs` unless the returned function is called first. */
  start(expire: () => void): () => void {
    const deadline: Deadline = { at: this.clock.now() + this.timeoutMs, expire };
    this.#pending.add(deadline);
    if (this.#timer === null) this.#arm();
    return () => {
      // Nothing left to time: no timer lingers after the last request.
      if (this.#pending.delete(deadline) && this.#pending.size === 0) this.clear();
    };
  }

  #arm(): void {
    const [next] = this.#pending;
    if (next === undefined) return;
    const wait = Math.max(0, next.at - this.clock.now());
    this.#timer = this.clock.setTimeout(() => this.#fire(), wait);
  }

  #fire(): void {
    this.#timer = null;
    const now = this.clock.now();
    for (const deadline of this.#pending) {
      if (deadline.at > now) break;
      this.#pending.delete(deadline);
      deadline.expire();
    }
    // An expiry that started a deadline has armed the timer already.
    if (this.#timer === null) this.#arm();
  }

  clear(): void {
    if (this.#timer !== null) this.clock.clearTimeout(this.#timer);
    this.#timer = null;
  }
}
