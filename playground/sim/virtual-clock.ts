import type { Clock, TimerHandle } from '../../src/index.js';

/** One pending timer. Intervals are re-queued with a new `seq` after each run. */
interface Timer {
  readonly id: number;
  at: number;
  /** Scheduling order: timers due at the same time fire first-scheduled first. */
  seq: number;
  readonly callback: () => void;
  /** Period of an interval; null for a one-shot timeout. */
  readonly every: number | null;
}

const before = (a: Timer, b: Timer) => a.at < b.at || (a.at === b.at && a.seq < b.seq);

/** Binary min-heap of timers ordered by (at, seq). */
class TimerHeap {
  readonly #items: Timer[] = [];

  get size(): number {
    return this.#items.length;
  }

  peek(): Timer | undefined {
    return this.#items[0];
  }

  push(timer: Timer): void {
    const items = this.#items;
    items.push(timer);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(items[i]!, items[parent]!)) break;
      [items[i], items[parent]] = [items[parent]!, items[i]!];
      i = parent;
    }
  }

  pop(): Timer | undefined {
    const items = this.#items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    items[0] = last;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < items.length && before(items[left]!, items[smallest]!)) smallest = left;
      if (right < items.length && before(items[right]!, items[smallest]!)) smallest = right;
      if (smallest === i) break;
      [items[i], items[smallest]] = [items[smallest]!, items[i]!];
      i = smallest;
    }
    return top;
  }

  clear(): void {
    this.#items.length = 0;
  }
}

export interface RunOptions {
  /** Also fire timers due exactly at the target time (default true). */
  inclusive?: boolean;
}

/** One real macrotask: by the time it runs, every pending promise reaction has run. */
const macrotask = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * A discrete-event clock for simulations: pollwise's `Clock` plus `setInterval`. Time stands
 * still until `runUntil()` moves it; timers then fire in (due time, scheduling order), each at
 * its own virtual time, with promise reactions drained in between, so async code (fetch, ky,
 * the scheduler) sees the virtual time at which its work would really happen.
 */
export class VirtualClock implements Clock {
  readonly #heap = new TimerHeap();
  /** Live timers by id; cleared ones stay in the heap and are skipped when popped. */
  readonly #live = new Map<number, Timer>();
  #now: number;
  #seq = 0;
  #nextId = 1;
  #running = false;
  /** Timer callbacks fired so far. */
  fired = 0;
  /** Errors thrown by timer callbacks during the current run. */
  #errors: unknown[] = [];

  constructor(
    start = 0,
    /** Microtask turns granted after each callback before the next one due at the same time. */
    private readonly microtaskTurns = 4,
  ) {
    this.#now = start;
  }

  now = (): number => this.#now;

  setTimeout = (callback: () => void, ms: number): TimerHandle =>
    this.#schedule(callback, ms, null);

  clearTimeout = (handle: TimerHandle): void => {
    if (typeof handle === 'number') this.#live.delete(handle);
  };

  /** Repeats every `ms` (at least 1 ms), first run `ms` from now, like the browser's. */
  setInterval = (callback: () => void, ms: number): TimerHandle =>
    this.#schedule(callback, ms, Math.max(1, sanitize(ms)));

  clearInterval = (handle: TimerHandle): void => this.clearTimeout(handle);

  /** Timers scheduled and not yet fired or cleared. */
  get pending(): number {
    return this.#live.size;
  }

  /** Due time of the next live timer, or undefined when none is pending. */
  nextAt(): number | undefined {
    this.#dropDead();
    return this.#heap.peek()?.at;
  }

  /**
   * Fires every timer due up to `target` in time order, draining promise reactions between
   * callbacks, then leaves the clock at `target`. Timers scheduled while running fire too when
   * they fall in the range. With `inclusive: false`, timers due exactly at `target` stay pending.
   */
  async runUntil(target: number, options: RunOptions = {}): Promise<void> {
    if (this.#running) throw new Error('VirtualClock.runUntil() is already running');
    if (target < this.#now) throw new RangeError(`cannot go back in time to ${target}`);
    const inclusive = options.inclusive ?? true;
    const inRange = (at: number) => (inclusive ? at <= target : at < target);
    this.#running = true;
    this.#errors = [];
    try {
      await macrotask(); // settle whatever the caller started before time moves
      for (;;) {
        this.#dropDead();
        const next = this.#heap.peek();
        if (next === undefined || !inRange(next.at)) break;
        const at = next.at;
        this.#now = at;
        // Every timer due at this instant, then a full drain before time moves on.
        for (let timer = this.#heap.peek(); timer?.at === at; timer = this.#heap.peek()) {
          this.#heap.pop();
          if (this.#live.get(timer.id) !== timer) continue; // cleared
          this.#fire(timer);
          for (let i = 0; i < this.microtaskTurns; i++) await Promise.resolve();
        }
        await macrotask();
      }
      this.#now = target;
    } finally {
      this.#running = false;
    }
    // Every timer still ran, like in a browser; the caller learns what went wrong.
    const errors = this.#errors;
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1)
      throw new AggregateError(errors, `${errors.length} timer callbacks threw`);
  }

  /** `runUntil(now + ms)`. */
  advanceBy(ms: number, options?: RunOptions): Promise<void> {
    return this.runUntil(this.#now + ms, options);
  }

  /** Forgets every pending timer. */
  reset(): void {
    this.#heap.clear();
    this.#live.clear();
  }

  #schedule(callback: () => void, ms: number, every: number | null): number {
    const id = this.#nextId++;
    const timer: Timer = { id, at: this.#now + sanitize(ms), seq: this.#seq++, callback, every };
    this.#live.set(id, timer);
    this.#heap.push(timer);
    return id;
  }

  #fire(timer: Timer): void {
    if (timer.every === null) this.#live.delete(timer.id);
    this.fired++;
    try {
      timer.callback();
    } catch (error) {
      this.#errors.push(error);
    }
    if (timer.every !== null && this.#live.get(timer.id) === timer) {
      timer.at += timer.every;
      timer.seq = this.#seq++;
      this.#heap.push(timer);
    }
  }

  #dropDead(): void {
    for (let top = this.#heap.peek(); top !== undefined; top = this.#heap.peek()) {
      if (this.#live.get(top.id) === top) return;
      this.#heap.pop();
    }
  }
}

/** Negative, NaN or infinite delays run at once, like the browser's timers. */
function sanitize(ms: number): number {
  return Number.isFinite(ms) && ms > 0 ? ms : 0;
}
