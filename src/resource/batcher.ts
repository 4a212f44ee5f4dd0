import type { Clock } from '../environment/clock.js';
import type { ItemCache, ItemRecord } from './item-cache.js';

/** A sweep the batcher may wait for: one scheduler run of a key group. */
export interface SweepRef {
  readonly origin: string;
  readonly background: boolean;
}

export interface BatcherDeps<K, T> {
  clock: Clock;
  /** How long `load()` calls collect before one read goes out (ms); 0: the same macrotask. */
  window: number;
  cache: ItemCache<K, T>;
  /** Reads records already claimed. */
  read: (records: ItemRecord<K, T>[]) => Promise<unknown>;
  canSend: (origin: string, background: boolean) => boolean;
}

/**
 * DataLoader-shaped: `load(key)` calls made within one window go out as one read, a key is
 * never read twice at once, and a sweep about to run takes the window's keys along (one batch,
 * not two). Chunking by `maxSize` happens in the read.
 */
export class Batcher<K, T> {
  /** Keys `load()` asked for, waiting for the window (or for a sweep about to run). */
  #queued = new Map<string, K>();
  #timer: unknown = null;
  /** Sweeps made due for a new key that have not started yet. */
  readonly #expected = new Set<SweepRef>();
  /** The sweep whose gates a queued key obeys (a subscribed key; `fetch()` keys obey none). */
  readonly #gates = new Map<string, SweepRef>();
  /** Keys whose gates were closed when the window closed: they wait for that sweep's next run. */
  readonly #held = new Map<SweepRef, Map<string, K>>();

  constructor(private readonly deps: BatcherDeps<K, T>) {}

  /**
   * Queues a read of `key` for the window, or returns the read already queued or under way. With
   * `gate`, the key goes out only if that sweep's gates are open when the window closes.
   */
  load(id: string, key: K, gate?: SweepRef): Promise<T> {
    const { promise, created } = this.deps.cache.pending.claim(id);
    if (created) {
      this.#queued.set(id, key);
      if (gate !== undefined) this.#gates.set(id, gate);
      this.#arm();
    }
    return promise;
  }

  /** `sweep` will run soon: the window's keys wait for it instead of going out alone. */
  expectSweep(sweep: SweepRef): void {
    this.#expected.add(sweep);
  }

  /** `sweep` will not run (its last key left): the keys that waited for it go out on their own. */
  cancelSweep(sweep: SweepRef): void {
    const held = this.#held.get(sweep);
    this.#held.delete(sweep);
    for (const [id, key] of held ?? []) this.#queued.set(id, key);
    if ((this.#expected.delete(sweep) || held !== undefined) && this.#queued.size > 0) this.#arm();
  }

  /**
   * A sweep starts with its `due` records (stalest first): claims them, and adds the keys the
   * window collected. Returns what the sweep reads.
   */
  startSweep(sweep: SweepRef, due: readonly ItemRecord<K, T>[]): ItemRecord<K, T>[] {
    this.#expected.delete(sweep);
    for (const record of due) this.deps.cache.pending.claim(record.id);
    const held = this.#held.get(sweep);
    this.#held.delete(sweep);
    for (const [id, key] of held ?? []) this.#queued.set(id, key);
    return [...due, ...this.#take()];
  }

  /** Takes the queued keys, for a read that goes out now. */
  #take(): ItemRecord<K, T>[] {
    if (this.#queued.size === 0) return [];
    const now = this.deps.clock.now();
    const { store } = this.deps.cache;
    const records = [...this.#queued].map(([id, key]) => store.ensure(id, key, now));
    this.#queued = new Map();
    this.#gates.clear();
    this.#disarm();
    return records;
  }

  #arm(): void {
    this.#timer ??= this.deps.clock.setTimeout(() => this.#flush(), this.deps.window);
  }

  #disarm(): void {
    if (this.#timer !== null) this.deps.clock.clearTimeout(this.#timer);
    this.#timer = null;
  }

  /** The window closed: the queued keys go out together, unless a sweep will take them. */
  #flush(): void {
    this.#timer = null;
    const { canSend, read } = this.deps;
    for (const sweep of this.#expected) if (canSend(sweep.origin, sweep.background)) return;
    for (const [id, gate] of this.#gates) {
      if (canSend(gate.origin, gate.background)) continue;
      const held = this.#held.get(gate) ?? new Map<string, K>();
      this.#held.set(gate, held.set(id, this.#queued.get(id) as K));
      this.#queued.delete(id);
    }
    if (this.#queued.size > 0) void read(this.#take()).catch(() => {});
  }

  /** Keys waiting for the window (diagnostics). */
  get queued(): number {
    return this.#queued.size;
  }

  dispose(): void {
    this.#disarm();
    this.#queued.clear();
    this.#expected.clear();
    this.#gates.clear();
    this.#held.clear();
  }
}
