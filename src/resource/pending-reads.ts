interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {}); // a sweep's reads may have no reader: never an unhandled rejection
  return { promise, resolve, reject };
}

/**
 * The reads queued or under way, by key id: a key is never requested twice at once, and every
 * caller of `fetch()` for it shares one promise.
 */
export class PendingReads<T> {
  readonly #reads = new Map<string, Deferred<T>>();

  has(id: string): boolean {
    return this.#reads.has(id);
  }

  /** The read of `id` under way, or a new one; `created` says which. */
  claim(id: string): { promise: Promise<T>; created: boolean } {
    const existing = this.#reads.get(id);
    if (existing !== undefined) return { promise: existing.promise, created: false };
    const read = deferred<T>();
    this.#reads.set(id, read);
    return { promise: read.promise, created: true };
  }

  resolve(id: string, value: T): void {
    const read = this.#reads.get(id);
    this.#reads.delete(id);
    read?.resolve(value);
  }

  reject(id: string, error: unknown): void {
    const read = this.#reads.get(id);
    this.#reads.delete(id);
    read?.reject(error);
  }

  /** Settles every read with `error` (dispose): nobody waits forever. */
  rejectAll(error: unknown): void {
    for (const read of this.#reads.values()) read.reject(error);
    this.#reads.clear();
  }

  get size(): number {
    return this.#reads.size;
  }
}
