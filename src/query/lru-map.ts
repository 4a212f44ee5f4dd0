/** A Map bounded to `limit` entries, evicting the least recently used (Map keeps order). */
export class LruMap<K, V> {
  readonly #map = new Map<K, V>();

  constructor(
    private readonly limit: number,
    /** Says whether an entry may be evicted (e.g. nobody subscribes to it). */
    private readonly evictable: (value: V) => boolean = () => true,
    /** Told about each entry the bound evicts (not about explicit deletes). */
    private readonly onEvict: (value: V) => void = () => {},
  ) {}

  get(key: K): V | undefined {
    const value = this.#map.get(key);
    if (value !== undefined) {
      this.#map.delete(key);
      this.#map.set(key, value);
    }
    return value;
  }

  peek(key: K): V | undefined {
    return this.#map.get(key);
  }

  set(key: K, value: V): void {
    this.#map.delete(key);
    this.#map.set(key, value);
    if (this.#map.size <= this.limit) return;
    for (const [oldKey, oldValue] of this.#map) {
      if (this.#map.size <= this.limit) break;
      if (oldKey !== key && this.evictable(oldValue)) {
        this.#map.delete(oldKey);
        this.onEvict(oldValue);
      }
    }
  }

  delete(key: K): boolean {
    return this.#map.delete(key);
  }

  values(): IterableIterator<V> {
    return this.#map.values();
  }

  entries(): IterableIterator<[K, V]> {
    return this.#map.entries();
  }

  clear(): void {
    this.#map.clear();
  }

  get size(): number {
    return this.#map.size;
  }
}
