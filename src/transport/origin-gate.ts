import { isTimeoutError } from 'ky';
import type { BreakerRegistry } from '../breaker/breaker-registry.js';
import type { BreakerTransition } from '../breaker/circuit-breaker.js';
import type { CooldownRegistry } from '../cooldown/cooldown-registry.js';
import type { Clock } from '../environment/clock.js';
import { BreakerOpenError, CooldownError } from '../errors.js';
import type { EventBus } from '../events.js';
import type { PollerStats } from '../stats.js';

export type BlockReason = 'cooldown' | 'breaker';

/**
 * The single choke point between pollwise and the network, per origin: it says whether a
 * request may go out, and it learns from every outcome. Polls, wrapped fetch, ky hooks and
 * resources all pass through it, so one 429 or one failing host pauses all of them. Every
 * state is keyed by the request's own origin: a response never affects another origin.
 */
export class OriginGate {
  /** Called when an origin's breaker closes or opens, so the scheduler re-arms its timers. */
  onBreakerChange: (origin: string) => void = () => {};

  constructor(
    private readonly clock: Clock,
    private readonly cooldowns: CooldownRegistry,
    private readonly breakers: BreakerRegistry,
    private readonly stats: PollerStats,
    private readonly events: EventBus,
  ) {}

  /** Why and until when nothing may be sent to `origin`; null when a request may go now. */
  blocked(origin: string): { reason: BlockReason; until: number } | null {
    const now = this.clock.now();
    const cooldown = this.cooldowns.until(origin);
    if (cooldown > now) return { reason: 'cooldown', until: cooldown };
    const breaker = this.breakers.blockedUntil(origin, now);
    return breaker > now ? { reason: 'breaker', until: breaker } : null;
  }

  /** Epoch ms until which nothing may be sent to `origin` (0 or past: open). */
  blockedUntil(origin: string): number {
    return this.blocked(origin)?.until ?? 0;
  }

  /** The typed refusal when `origin` is closed now; null when a request may go out. */
  refusal(origin: string): CooldownError | BreakerOpenError | null {
    const now = this.clock.now();
    const cooldown = this.cooldowns.until(origin);
    if (cooldown > now) {
      this.stats.refused++;
      return new CooldownError(origin, cooldown, now);
    }
    const { allowed, transition } = this.breakers.admit(origin, now);
    if (transition) this.#transition(transition);
    if (allowed) return null;
    this.stats.refused++;
    return new BreakerOpenError(origin, this.breakers.blockedUntil(origin, now), now);
  }

  /** Call right before a request reaches the network. */
  sending(origin: string, url: string, method: string): void {
    this.stats.sent++;
    if (this.events.hasListeners('request')) this.events.emit('request', { origin, url, method });
  }

  /** Call with every response that arrives, whatever its status. */
  received(origin: string, url: string, response: Pick<Response, 'status' | 'headers'>): void {
    this.stats.responses++;
    const { status } = response;
    const now = this.clock.now();
    if (status === 429) this.stats.rateLimited++;
    const cooldown = this.cooldowns.record(origin, status, response.headers, now);
    if (this.events.hasListeners('response')) this.events.emit('response', { origin, url, status });
    if (cooldown !== null) {
      this.stats.cooldowns++;
      this.events.emit('cooldown', cooldown);
    }
    // 429 is the cooldown's business; other 4xx are the caller's fault, not the host's.
    if (status !== 429 && status !== 0) this.#record(origin, status >= 500, now);
  }

  /** Call when a request failed without a response (network error, reset, abort). */
  failed(origin: string, error: unknown): void {
    // An abort is the caller's decision (or a timeout, which noteError records): not the host's.
    if ((error as { name?: unknown } | null)?.name === 'AbortError') return;
    this.#record(origin, true, this.clock.now());
  }

  /** Call with an error a request through ky ended with: a timeout counts against the host. */
  noteError(origin: string, error: unknown): void {
    if (isTimeoutError(error)) this.#record(origin, true, this.clock.now());
  }

  #record(origin: string, failed: boolean, now: number): void {
    const transition = this.breakers.record(origin, failed, now);
    if (transition) this.#transition(transition);
  }

  #transition(transition: BreakerTransition): void {
    const { origin, state } = transition;
    if (state === 'open') {
      this.stats.breakerOpened++;
      this.events.emit('breaker:open', {
        origin,
        until: transition.until ?? 0,
        failures: transition.failures ?? 1,
        samples: transition.samples ?? 1,
      });
    } else if (state === 'half-open') this.events.emit('breaker:half-open', { origin });
    else this.events.emit('breaker:close', { origin });
    if (state !== 'half-open') this.onBreakerChange(origin);
  }
}
