import type { BreakerRegistry } from '../breaker/breaker-registry.js';
import type { BreakerTransition } from '../breaker/circuit-breaker.js';
import type { CooldownRegistry } from '../cooldown/cooldown-registry.js';
import type { Clock } from '../environment/clock.js';
import { BreakerOpenError, CooldownError } from '../errors.js';
import type { EventBus } from '../events.js';
import type { PollerStats } from '../stats.js';

export type BlockReason = 'cooldown' | 'breaker';

/** What the scheduler asks of the gate: a side-effect-free look at whether an origin is closed. */
export interface Gate {
  /** Why and until when nothing may be sent to `origin`; null when a request may go now. */
  blocked(origin: string): { reason: BlockReason; until: number } | null;
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

  /** A response's status and headers: feeds the cooldown registry (429/503, Retry-After). */
  response(origin: string, response: Pick<Response, 'status' | 'headers'>): void {
    const cooldown = this.cooldowns.record(
      origin,
      response.status,
      response.headers,
      this.clock.now(),
    );
    if (cooldown !== null) {
      this.stats.cooldowns++;
      this.events.emit('cooldown', cooldown);
    }
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
