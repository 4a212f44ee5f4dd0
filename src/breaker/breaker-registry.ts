import { type BreakerSettings, type BreakerTransition, CircuitBreaker } from './circuit-breaker.js';

/** The breakers of one poller, one per origin, bounded: closed ones are evicted first. */
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
      // Successes count too: 5 failures after 100 successes are not a 100% failure rate.
      breaker = new CircuitBreaker(origin, this.settings);
      this.#breakers.set(origin, breaker);
      this.#evict();
    }
    return breaker.record(failed, now);
  }

  state(origin: string): CircuitBreaker['state'] {
    return this.#breakers.get(origin)?.state ?? 'closed';
  }

  #evict(): void {
    if (this.#breakers.size <= this.maxOrigins) return;
    for (const [origin, breaker] of this.#breakers) {
      if (this.#breakers.size <= this.maxOrigins) return;
      if (breaker.state === 'closed') this.#breakers.delete(origin);
    }
  }

  get size(): number {
    return this.#breakers.size;
  }

  clear(): void {
    this.#breakers.clear();
  }
}
