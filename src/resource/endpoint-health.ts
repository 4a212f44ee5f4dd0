import type { PollerCore } from '../core/poller-core.js';

/** What is known of a batch endpoint, per origin. Unknown origins have no entry. */
type EndpointState =
  | { value: 'answering' }
  /** Answered 404/405/501: read per item until `until`, then probe again. */
  | { value: 'missing'; until: number };

/** How the keys of one read go out. */
export type BatchRoute =
  /** Nobody knows whether the endpoint exists: one chunk goes alone first, as a probe. */
  | 'probe'
  /** It answered before: every chunk goes, in parallel. */
  | 'batch'
  /** It is missing: per-item requests, until the re-probe time. */
  | 'per-item';

/**
 * Whether each origin's batch endpoint exists. A missing endpoint costs one request (the probe),
 * is remembered for `reprobeAfter`, then probed once again; if it answers, batching resumes.
 */
export class EndpointHealth {
  readonly #byOrigin = new Map<string, EndpointState>();

  constructor(
    private readonly core: Pick<PollerCore, 'clock' | 'stats' | 'events'>,
    private readonly reprobeAfter: number,
  ) {}

  route(origin: string): BatchRoute {
    const state = this.#byOrigin.get(origin);
    if (state === undefined) return 'probe';
    if (state.value === 'answering') return 'batch';
    return state.until <= this.core.clock.now() ? 'probe' : 'per-item';
  }

  answered(origin: string): void {
    this.#byOrigin.set(origin, { value: 'answering' });
  }

  /** The endpoint of `origin` answered 404/405/501 for a read of `keys` keys. */
  missing(origin: string, keys: number): void {
    const { clock, stats, events } = this.core;
    const until = clock.now() + this.reprobeAfter;
    this.#byOrigin.set(origin, { value: 'missing', until });
    stats.fallbacks++;
    events.emit('fallback', { origin, until, keys });
  }

  clear(): void {
    this.#byOrigin.clear();
  }
}
