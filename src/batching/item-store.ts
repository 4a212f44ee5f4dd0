import { deepEqual } from './deep-equal.js';
import { LruMap } from './lru-map.js';

export type ItemStatus = 'pending' | 'success' | 'error';

/**
 * What a subscriber sees of one item. The object is replaced only when something a subscriber
 * cares about changes, so its identity is stable (fit for `useSyncExternalStore`).
 */
export interface ItemSnapshot<T> {
  readonly status: ItemStatus;
  /** The last good data; kept while a later read fails. */
  readonly data: T | undefined;
  /** Why the last read failed; undefined after a success. */
  readonly error: unknown;
  /** When `data` last changed (epoch ms); a 304 or equal data leave it as it was. */
  readonly updatedAt: number | null;
}

export const PENDING: ItemSnapshot<never> = Object.freeze({
  status: 'pending',
  data: undefined,
  error: undefined,
  updatedAt: null,
});

export interface ItemRecord<K, T> {
  readonly key: K;
  readonly id: string;
  snapshot: ItemSnapshot<T>;
  readonly listeners: Set<(snapshot: ItemSnapshot<T>) => void>;
  /** When the last read of this item went out; due times count from here. */
  requestedAt: number;
  /** Last good read (data or 304); sweeps serve the stalest first. */
  freshAt: number;
  /** Since when nobody subscribes; null while someone does. */
  idleSince: number | null;
}

export type ItemOutcome<T> =
  | { kind: 'data'; data: T }
  | { kind: 'not-modified' }
  | { kind: 'error'; error: unknown };

/** Failures that say the same thing do not notify again. */
function sameError(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (!(a instanceof Error) || !(b instanceof Error)) return false;
  return a.constructor === b.constructor && a.message === b.message;
}

/** The items of one resource: bounded (LRU over unsubscribed items) and swept after `gcMs` idle. */
export class ItemStore<K, T> {
  readonly #records: LruMap<string, ItemRecord<K, T>>;

  constructor(
    maxItems: number,
    private readonly gcMs: number,
    /** Told about each item the size bound evicts, so that its ETag goes with it. */
    onEvict: (record: ItemRecord<K, T>) => void = () => {},
  ) {
    this.#records = new LruMap(maxItems, (record) => record.listeners.size === 0, onEvict);
  }

  get(id: string): ItemRecord<K, T> | undefined {
    return this.#records.peek(id);
  }

  ensure(id: string, key: K, now: number): ItemRecord<K, T> {
    let record = this.#records.get(id);
    if (record === undefined) {
      record = {
        key,
        id,
        snapshot: PENDING,
        listeners: new Set(),
        requestedAt: Number.NEGATIVE_INFINITY,
        freshAt: Number.NEGATIVE_INFINITY,
        idleSince: now,
      };
      this.#records.set(id, record);
    }
    return record;
  }

  /** Applies a read's outcome; returns whether the snapshot changed. */
  apply(record: ItemRecord<K, T>, outcome: ItemOutcome<T>, now: number): boolean {
    const previous = record.snapshot;
    let next = previous;
    if (outcome.kind === 'error') {
      if (previous.status !== 'error' || !sameError(previous.error, outcome.error)) {
        next = { ...previous, status: 'error', error: outcome.error };
      }
    } else {
      record.freshAt = now;
      const data = outcome.kind === 'data' ? outcome.data : previous.data;
      const unchanged =
        previous.status !== 'pending' &&
        (outcome.kind === 'not-modified' || deepEqual(previous.data, data));
      if (!unchanged) next = { status: 'success', data, error: undefined, updatedAt: now };
      else if (previous.status === 'error')
        next = { ...previous, status: 'success', error: undefined };
    }
    if (next === previous) return false;
    record.snapshot = next;
    return true;
  }

  /** Drops items nobody has subscribed to for longer than the grace period; returns them. */
  collect(now: number, busy: (id: string) => boolean): ItemRecord<K, T>[] {
    const dropped: ItemRecord<K, T>[] = [];
    for (const [id, record] of [...this.#records.entries()]) {
      if (record.idleSince !== null && now - record.idleSince > this.gcMs && !busy(id)) {
        this.#records.delete(id);
        dropped.push(record);
      }
    }
    return dropped;
  }

  get size(): number {
    return this.#records.size;
  }

  clear(): void {
    this.#records.clear();
  }
}
