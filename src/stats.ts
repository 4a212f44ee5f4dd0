export type SkipReason = 'hidden' | 'offline' | 'paused' | 'cooldown' | 'breaker' | 'in-flight';

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
  /** Requests refused before the network (CooldownError, BreakerOpenError). */
  refused: number;
  /** Times an origin's circuit breaker opened. */
  breakerOpened: number;
  /** Poll runs started. */
  runs: number;
  /** Poll runs that delivered data. */
  succeeded: number;
  /** Poll runs that delivered an error. */
  errors: number;
  /** Batch requests sent by resources, and the keys they asked for. */
  batches: number;
  batchedKeys: number;
  /** Per-item requests sent by resources. */
  itemRequests: number;
  /** Per-item reads answered 304 Not Modified (cached data reused). */
  notModified: number;
  /** Times a resource found its batch endpoint missing (404/405/501) and fell back to per-item. */
  fallbacks: number;
  /** Keys a batch response did not answer for. */
  missingItems: number;
  /** Items whose data failed their schema. */
  invalidItems: number;
  /** Times the budget held a paced request back to make it last (a held poll counts each ask). */
  paced: number;
  /** Budgets learned from a 429 that announced none. */
  budgetsLearned: number;
  /** Rate-limit header fields that were present but unusable (ignored). */
  malformedHeaders: number;
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
    breakerOpened: 0,
    runs: 0,
    succeeded: 0,
    errors: 0,
    batches: 0,
    batchedKeys: 0,
    itemRequests: 0,
    notModified: 0,
    fallbacks: 0,
    missingItems: 0,
    invalidItems: 0,
    paced: 0,
    budgetsLearned: 0,
    malformedHeaders: 0,
    skipped: { hidden: 0, offline: 0, paused: 0, cooldown: 0, breaker: 0, 'in-flight': 0 },
  };
}

export function copyStats(stats: PollerStats): PollerStats {
  return { ...stats, skipped: { ...stats.skipped } };
}
