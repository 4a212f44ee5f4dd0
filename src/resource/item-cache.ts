import type { Clock } from '../environment/clock.js';
import { isRefusal, PollerDisposedError, ReadSkippedError, ValidationError } from '../errors.js';
import type { EventBus } from '../events.js';
import { type ItemRecord, ItemStore } from '../query/item-store.js';
import { type Outcome, PENDING, type Snapshot } from '../query/snapshot.js';
import { type StandardSchemaV1, validate } from '../query/standard-schema.js';
import type { PollerStats } from '../stats.js';
import { PendingReads } from './pending-reads.js';

export type { ItemRecord };

export interface ItemCacheDeps<K, T> {
  clock: Clock;
  stats: PollerStats;
  events: EventBus;
  maxItems: number;
  gcTime: number;
  schema: StandardSchemaV1<unknown, T> | undefined;
  /** The origin of a key's item, for error events (throws when it cannot be built). */
  originOf: (key: K) => string;
  /** An item left the cache: whatever else was kept for it (its ETag) goes too. */
  forget: (key: K) => void;
}

/**
 * The items of one resource and the reads waiting on them: every read ends here, as data,
 * a 304, an error or a skip, and each key's listeners and `fetch()` callers hear of it once.
 */
export class ItemCache<K, T> {
  readonly store: ItemStore<K, T>;
  readonly pending = new PendingReads<T>();
  #collectedAt = Number.NEGATIVE_INFINITY;
  #disposed = false;

  constructor(private readonly deps: ItemCacheDeps<K, T>) {
    this.store = new ItemStore(deps.maxItems, deps.gcTime, (evicted) => deps.forget(evicted.key));
  }

  /** The record of `key`, created pending if the cache has none (idle items are collected first). */
  ensure(id: string, key: K): ItemRecord<K, T> {
    const now = this.deps.clock.now();
    this.collect(now);
    return this.store.ensure(id, key, now);
  }

  /** Calls `listener` on every change of `record`'s snapshot; returns the function that stops it. */
  listen(record: ItemRecord<K, T>, listener: (snapshot: Snapshot<T>) => void): () => void {
    const own = (snapshot: Snapshot<T>) => listener(snapshot); // the same listener twice: twice
    record.listeners.add(own);
    record.idleSince = null;
    return () => {
      record.listeners.delete(own);
      const now = this.deps.clock.now();
      if (record.listeners.size === 0) record.idleSince = now;
      this.collect(now);
    };
  }

  snapshot(id: string): Snapshot<T> {
    return this.store.get(id)?.snapshot ?? PENDING;
  }

  /** Applies one read's outcome to `record`, then answers whoever waits for it. */
  settle(record: ItemRecord<K, T>, outcome: Outcome<T>): void {
    if (this.#disposed) return;
    if (outcome.kind === 'error' && isRefusal(outcome.error)) {
      // Refused before the network: nothing was learned about the item, which stays due.
      record.requestedAt = Number.NEGATIVE_INFINITY;
    } else {
      let changed: boolean;
      try {
        changed = this.store.apply(record, outcome, this.deps.clock.now());
      } catch (error) {
        // The change check threw (a getter in the data): that key fails, it never stays pending.
        outcome = { kind: 'error', error };
        changed = this.store.apply(record, outcome, this.deps.clock.now());
      }
      if (changed) this.#notify(record);
    }
    if (outcome.kind === 'error') this.pending.reject(record.id, outcome.error);
    else this.pending.resolve(record.id, record.snapshot.data as T);
  }

  /** Settles every record of `records` with `error`. */
  fail(records: readonly ItemRecord<K, T>[], error: unknown): void {
    for (const record of records) this.settle(record, { kind: 'error', error });
  }

  /** Validates one item's data against the schema, then settles it; false when it failed. */
  async deliver(record: ItemRecord<K, T>, data: unknown): Promise<boolean> {
    const { schema, stats } = this.deps;
    const result =
      schema === undefined ? { ok: true as const, value: data as T } : await validate(schema, data);
    if (result.ok) {
      this.settle(record, { kind: 'data', data: result.value });
      return true;
    }
    stats.invalidItems++;
    this.settle(record, { kind: 'error', error: new ValidationError(record.key, result.issues) });
    return false;
  }

  /** Reads that did not go out or were cut short leave the items as they were, and due. */
  skip(records: readonly ItemRecord<K, T>[]): void {
    for (const record of records) {
      record.requestedAt = Number.NEGATIVE_INFINITY;
      this.pending.reject(record.id, new ReadSkippedError(record.key));
    }
  }

  /** Drops items idle past their grace period (at most 4 times per grace period: O(items)). */
  collect(now: number): void {
    if (now - this.#collectedAt < this.deps.gcTime / 4) return;
    this.#collectedAt = now;
    const busy = (id: string) => this.pending.has(id);
    for (const dropped of this.store.collect(now, busy)) this.deps.forget(dropped.key);
  }

  #notify(record: ItemRecord<K, T>): void {
    for (const listener of [...record.listeners]) {
      try {
        listener(record.snapshot);
      } catch (error) {
        let origin = '';
        try {
          origin = this.deps.originOf(record.key);
        } catch {
          // The key's URL itself is broken; the callback error still gets reported.
        }
        this.deps.events.emit('error', { key: record.id, origin, error, source: 'callback' });
      }
    }
  }

  /** The poller is gone: every waiting read rejects, every item goes. */
  dispose(): void {
    this.#disposed = true;
    this.pending.rejectAll(new PollerDisposedError());
    this.store.clear();
  }
}
