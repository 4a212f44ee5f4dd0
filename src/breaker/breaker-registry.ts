import { evict } from '../core/evict.js';
import { type BreakerSettings, type BreakerTransition, CircuitBreaker } from './circuit-breaker.js';

/**
 * The breakers of one poller, one per origin, bounded by evicting the least useful (#evict). The
 * origin being recorded is never evicted: a bound on memory never switches its protection off.
 */
export class BreakerRegistry {
  readonly #breakers = new Map<string, CircuitBreaker>();

  constructor(
    private readonly settings: BreakerSettings,
    private readonly maxOrigins: number,
  ) {}

  blockedUntil(origin: string, now: number): number {
    return this.#breakers.get(origin)?.blockedUntil(now) ?? 0;
  }

  admit(origin: string, now: number): { allowed: boolean; transition?: BreakerTransition } {
    return this.#breakers.get(origin)?.admit(now) ?? { allowed: true };
  }

  record(origin: string, failed: boolean, now: number): BreakerTransition | undefined {
    let breaker = this.#breakers.get(origin);
    if (breaker === undefined) {
      // Room is made before the new breaker joins: a bound on memory never disables its own.
      this.#evict(now);
      // Successes count too: 5 failures after 100 successes are not a 100% failure rate.
      breaker = new CircuitBreaker(origin, this.settings);
    } else this.#breakers.delete(origin); // least recently used first: move it to the end
    this.#breakers.set(origin, breaker);
    return breaker.record(failed, now);
  }

  state(origin: string): CircuitBreaker['state'] {
    return this.#breakers.get(origin)?.state ?? 'closed';
  }

  /**
   * Leaves room for one more breaker: drops closed ones first, then those whose open period
   * ended (they would let a probe through anyway), then the least recently used.
   */
  #evict(now: number): void {
    evict(
      this.#breakers,
      this.maxOrigins - 1,
      (breaker) => breaker.state === 'closed',
      (breaker) => breaker.blockedUntil(now) === 0,
      () => true,
    );
  }

  get size(): number {
    return this.#breakers.size;
  }

  clear(): void {
    this.#breakers.clear();
  }
}
