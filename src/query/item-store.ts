import { LruMap } from './lru-map.js';
import {
  nextSnapshot,
  type Outcome,
  PENDING,
  type Snapshot,
  type SnapshotStatus,
} from './snapshot.js';

/** @deprecated Use `SnapshotStatus`. */
export type ItemStatus = SnapshotStatus;
/** @deprecated Use `Snapshot`. */
export type ItemSnapshot<T> = Snapshot<T>;
export { PENDING };

export interface ItemRecord<K, T> {
  readonly key: K;
  readonly id: string;
  snapshot: ItemSnapshot<T>;
  readonly listeners: Set<(snapshot: ItemSnapshot<T>) => void>;
  /** When the last read of this item went out; due times count from here. */
  requestedAt: number;
  /** Last good read (data or 304); sweeps serve the stalest first. */
  freshAt: number;
  /** When the record was made: an item never read is as stale as it is old (pacing). */
  readonly createdAt: number;
  /** Since when nobody subscribes; null while someone does. */
  idleSince: number | null;
}

export type ItemOutcome<T> = Outcome<T>;

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
        createdAt: now,
        idleSince: now,
      };
      this.#records.set(id, record);
    }
    return record;
  }

  /** Applies a read's outcome; returns whether the snapshot changed. */
  apply(record: ItemRecord<K, T>, outcome: ItemOutcome<T>, now: number): boolean {
    if (outcome.kind !== 'error') record.freshAt = now;
    const next = nextSnapshot(record.snapshot, outcome, now);
    if (next === record.snapshot) return false;
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
