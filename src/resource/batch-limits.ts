import { BATCH_REGROW_AFTER } from '../defaults.js';

/** A size a 413/414 taught, and the reads with no 413/414 since. */
interface Limit {
  size: number;
  clean: number;
}

/**
 * How many keys a batch endpoint takes, per origin, as its 413/414 answers taught: a 413 storm
 * costs its halving once, not every interval. Reads with no 413/414 let the size grow back,
 * doubling after `BATCH_REGROW_AFTER` of them, until it is `maxSize` again and forgotten.
 */
export class BatchLimits {
  readonly #byOrigin = new Map<string, Limit>();

  constructor(private readonly maxSize: number) {}

  /** Keys per batch request to `origin` now. */
  sizeFor(origin: string): number {
    return this.#byOrigin.get(origin)?.size ?? this.maxSize;
  }

  /** `origin` answered 413/414 to `keys` keys: its batches go out at half that, at most. */
  tooLarge(origin: string, keys: number): void {
    const size = Math.max(1, Math.min(this.sizeFor(origin), Math.ceil(keys / 2)));
    this.#byOrigin.set(origin, { size, clean: 0 });
  }

  /** A read to `origin` got no 413/414. */
  fitted(origin: string): void {
    const limit = this.#byOrigin.get(origin);
    if (limit === undefined || ++limit.clean < BATCH_REGROW_AFTER) return;
    const size = limit.size * 2;
    if (size >= this.maxSize) this.#byOrigin.delete(origin);
    else this.#byOrigin.set(origin, { size, clean: 0 });
  }
}
