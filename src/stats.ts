export type SkipReason = 'hidden' | 'offline' | 'paused' | 'cooldown' | 'in-flight';

/** Counters since the poller was created. `stats()` returns a copy. */
export interface PollerStats {
  /** Requests that reached the network (polls, wrapped fetch, ky hooks). */
  sent: number;
  /** Responses received, any status. */
  responses: number;
  /** Responses with status 429. */
  rateLimited: number;
  /** Cooldowns started or extended by a 429/503. */
  cooldowns: number;
  /** Wrapped-fetch calls refused with a CooldownError, without touching the network. */
  refused: number;
  /** Poll runs started. */
  runs: number;
  /** Poll runs that delivered data. */
  succeeded: number;
  /** Poll runs that delivered an error. */
  errors: number;
  /** Due poll runs that did not start, by reason. */
  skipped: Record<SkipReason, number>;
}

export function createStats(): PollerStats {
  return {
    sent: 0,
    responses: 0,
    rateLimited: 0,
    cooldowns: 0,
    refused: 0,
    runs: 0,
    succeeded: 0,
    errors: 0,
    skipped: { hidden: 0, offline: 0, paused: 0, cooldown: 0, 'in-flight': 0 },
  };
}

export function copyStats(stats: PollerStats): PollerStats {
  return { ...stats, skipped: { ...stats.skipped } };
}
