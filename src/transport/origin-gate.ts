import type { CooldownRegistry } from '../cooldown/cooldown-registry.js';
import type { Clock } from '../environment/clock.js';
import { CooldownError } from '../errors.js';
import type { EventBus } from '../events.js';
import type { PollerStats } from '../stats.js';

/**
 * The single choke point between pollwise and the network, per origin: it says whether a
 * request may go out, and it learns from every response. Polls, wrapped fetch, ky hooks and
 * batches all pass through it, so one 429 pauses all of them.
 */
export class OriginGate {
  constructor(
    private readonly clock: Clock,
    private readonly cooldowns: CooldownRegistry,
    private readonly stats: PollerStats,
    private readonly events: EventBus,
  ) {}

  /** Epoch ms until which nothing may be sent to `origin` (0 or past: open). */
  blockedUntil(origin: string): number {
    return this.cooldowns.until(origin);
  }

  /** A CooldownError when `origin` is closed now; null when a request may go out. */
  refusal(origin: string): CooldownError | null {
    const now = this.clock.now();
    const until = this.blockedUntil(origin);
    if (until <= now) return null;
    this.stats.refused++;
    return new CooldownError(origin, until, now);
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
    if (status === 429) this.stats.rateLimited++;
    const cooldown = this.cooldowns.record(origin, status, response.headers, this.clock.now());
    if (this.events.hasListeners('response')) this.events.emit('response', { origin, url, status });
    if (cooldown !== null) {
      this.stats.cooldowns++;
      this.events.emit('cooldown', cooldown);
    }
  }
}
