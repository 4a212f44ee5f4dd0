import type { BreakerRegistry } from '../breaker/breaker-registry.js';
import type { BreakerTransition } from '../breaker/circuit-breaker.js';
import type { CooldownRegistry } from '../cooldown/cooldown-registry.js';
import type { Clock } from '../environment/clock.js';
import { BreakerOpenError, CooldownError } from '../errors.js';
import type { EventBus } from '../events.js';
import type { Pacer } from '../pacing/pacer.js';
import type { PollerStats } from '../stats.js';

export type BlockReason = 'cooldown' | 'breaker';

/** What the scheduler asks of the gate. */
export interface Gate {
  /** Why and until when nothing may be sent to `origin`; null when a request may go now. */
  blocked(origin: string): { reason: BlockReason; until: number } | null;
  /**
   * One paced request for an item `age` ms old with `sharing` items sharing its budget: 0 when it may go
   * (it is then counted against the budget), else when to ask again.
   */
  take(origin: string, age: number, sharing: number): number;
  /** Paced runs in flight at once for `origin`, given the configured number. */
  concurrency(origin: string, configured: number): number;
}

/**
 * Per-origin state between pollwise and the network: the cooldown and breaker registries, read
 * and fed. Every state is keyed by the origin that answered, so a response never affects
 * another origin. Only the door (transport/door.ts) admits and records.
 */
export class OriginGate implements Gate {
  constructor(
    private readonly clock: Clock,
    private readonly cooldowns: CooldownRegistry,
    private readonly breakers: BreakerRegistry,
    private readonly stats: PollerStats,
    private readonly events: EventBus,
    private readonly pacer: Pacer,
    /** An origin's breaker opened or closed: its polls need re-arming. */
    private readonly onBreakerChange: (origin: string) => void,
  ) {}

  blocked(origin: string): { reason: BlockReason; until: number } | null {
    const now = this.clock.now();
    const cooldown = this.cooldowns.until(origin);
    if (cooldown > now) return { reason: 'cooldown', until: cooldown };
    const breaker = this.breakers.blockedUntil(origin, now);
    return breaker > now ? { reason: 'breaker', until: breaker } : null;
  }

  /**
   * The one "may I send?" with side effects: the typed refusal when `origin` is closed, else null
   * (and an open breaker that is due turns half-open: this request is its probe).
   */
  admit(origin: string): CooldownError | BreakerOpenError | null {
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

  take(origin: string, age: number, sharing: number): number {
    return this.pacer.take(origin, this.clock.now(), age, sharing);
  }

  concurrency(origin: string, configured: number): number {
    return this.pacer.concurrency(origin, configured, this.clock.now());
  }

  /** A request to `origin` was admitted: it counts against the budget. Returns its send time. */
  sent(origin: string): number {
    return this.pacer.sent(origin, this.clock.now());
  }

  /** The request admitted for `origin` is over, `answered` or not. */
  settled(origin: string, answered: boolean): void {
    this.pacer.settled(origin, answered);
  }

  /**
   * A response's status and headers: feeds the cooldown registry (429/503, Retry-After) and the
   * budget (RateLimit headers, or what a 429 teaches).
   */
  response(
    origin: string,
    response: Pick<Response, 'status' | 'headers'>,
    sentAt: number,
    /** False for a redirect's answer: the request was counted against the origin asked. */
    counted = true,
  ): void {
    const now = this.clock.now();
    const cooldown = this.cooldowns.record(origin, response.status, response.headers, now);
    if (cooldown !== null) {
      this.stats.cooldowns++;
      this.events.emit('cooldown', cooldown);
    }
    this.pacer.answered(origin, response, sentAt, now, cooldown, counted);
  }

  /** One exchange's outcome for the breaker: failed (5xx, timeout, network) or not. */
  outcome(origin: string, failed: boolean): void {
    const transition = this.breakers.record(origin, failed, this.clock.now());
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
