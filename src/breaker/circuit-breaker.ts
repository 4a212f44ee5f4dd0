export interface BreakerSettings {
  windowSize: number;
  windowMs: number;
  minRequests: number;
  failureRatio: number;
  openMs: number;
}

export type BreakerState = 'closed' | 'open' | 'half-open';

/** A state change, reported to whoever emits the `breaker:*` events. */
export interface BreakerTransition {
  origin: string;
  state: BreakerState;
  /** While open: when one probe may go out (epoch ms). */
  until?: number;
  /** On open: the failures and outcomes counted in the window. */
  failures?: number;
  samples?: number;
}

/**
 * One origin's breaker. The window is a ring buffer of the last `windowSize` outcomes (time and
 * whether it failed): memory never grows with traffic. It opens when, within `windowMs`, at
 * least `minRequests` outcomes were seen and `failureRatio` of them failed. After `openMs` it lets
 * exactly one probe through (half-open); the probe's outcome closes or reopens it.
 */
export class CircuitBreaker {
  state: BreakerState = 'closed';
  /** Open: when the probe may go; half-open: the probe's deadline (a probe that never answers). */
  until = 0;
  readonly #times: Float64Array;
  readonly #failed: Uint8Array;
  #next = 0;
  #filled = 0;

  constructor(
    readonly origin: string,
    private readonly settings: BreakerSettings,
  ) {
    this.#times = new Float64Array(settings.windowSize);
    this.#failed = new Uint8Array(settings.windowSize);
  }

  /** Epoch ms until which nothing may be sent; 0 when a request may go now. */
  blockedUntil(now: number): number {
    // Open: until the probe may go; half-open: while the probe is still out.
    return this.state !== 'closed' && this.until > now ? this.until : 0;
  }

  /** Asks to send now; returns the transition it caused, and whether the request may go. */
  admit(now: number): { allowed: boolean; transition?: BreakerTransition } {
    if (this.state === 'closed') return { allowed: true };
    if (this.until > now) return { allowed: false };
    // Open and due, or a half-open probe that never answered: this request is the probe.
    this.state = 'half-open';
    this.until = now + this.settings.openMs;
    return { allowed: true, transition: { origin: this.origin, state: 'half-open' } };
  }

  /** Records one outcome; returns the transition it caused, if any. */
  record(failed: boolean, now: number): BreakerTransition | undefined {
    if (this.state === 'half-open') return failed ? this.#open(now) : this.#close();
    if (this.state === 'open') return undefined; // a late answer from before it opened
    this.#times[this.#next] = now;
    this.#failed[this.#next] = failed ? 1 : 0;
    this.#next = (this.#next + 1) % this.settings.windowSize;
    this.#filled = Math.min(this.#filled + 1, this.settings.windowSize);
    if (!failed) return undefined;
    const { samples, failures } = this.#count(now);
    if (samples >= this.settings.minRequests && failures >= samples * this.settings.failureRatio) {
      return { ...this.#open(now), failures, samples };
    }
    return undefined;
  }

  #count(now: number): { samples: number; failures: number } {
    let samples = 0;
    let failures = 0;
    for (let i = 0; i < this.#filled; i++) {
      if (now - (this.#times[i] as number) > this.settings.windowMs) continue;
      samples++;
      failures += this.#failed[i] as number;
    }
    return { samples, failures };
  }

  #open(now: number): BreakerTransition {
    this.state = 'open';
    this.until = now + this.settings.openMs;
    return { origin: this.origin, state: 'open', until: this.until };
  }

  #close(): BreakerTransition {
    this.state = 'closed';
    this.until = 0;
    this.#filled = 0; // a fresh start: old failures do not reopen it at once
    this.#next = 0;
    return { origin: this.origin, state: 'closed' };
  }
}
