import { LEARN_AFTER } from '../defaults.js';
import type { AnnouncedQuota } from './rate-limit-headers.js';

export interface PacingSettings {
  /** Requests per window left unspent by paced traffic, for the app's own calls. */
  reserve: number;
  /** How long an origin with no known budget gets one paced request in flight (ms). */
  discoverMs: number;
  /** Window assumed for a budget learned from a 429 without a readable Retry-After (ms). */
  assumedWindowMs: number;
  /** Added to a reset known only to the second (ms). */
  resetMarginMs: number;
  /** Every this many windows of a learned budget, one request probes beyond it. */
  probeEvery: number;
  /** A learned budget no 429 confirmed for this long (ms) is forgotten. */
  forgetMs: number;
}

/** One quota the pacer enforces for an origin: announced by the server, or learned from a 429. */
export interface Quota {
  readonly policy: string;
  readonly source: 'announced' | 'learned';
  /** Requests per window, when known. */
  limit: number | undefined;
  /** Window length (ms), when known: the quota then renews itself at every reset. */
  windowMs: number | undefined;
  /** Requests left until `resetAt`; every send since the reading is already taken off. */
  remaining: number;
  resetAt: number;
  /** When it was last read or taught (a learned quota is forgotten `forgetMs` after). */
  learnedAt: number;
}

/** A cooldown a 429 started: how long the server asked for, and whether it said so. */
export interface CooldownHint {
  delayMs: number;
  source: 'retry-after' | 'default';
}

/** What pollwise knows of one origin's budget, and what it has sent against it. */
export class OriginBudget {
  readonly quotas = new Map<string, Quota>();
  /** Requests admitted and not yet over. */
  inflight = 0;
  /** Requests admitted and not yet answered (a body still being read is answered). */
  unanswered = 0;
  /** Paced starts not yet admitted at the door (their times, oldest first). */
  pending: number[] = [];
  lastPacedAt = Number.NEGATIVE_INFINITY;
  firstSendAt = Number.NaN;
  /** The counting window a 429 teaches from: its start and the requests it accepted. */
  windowStart = Number.NaN;
  accepted = 0;
  /** A whole discovery period passed with no sign of a limit: full concurrency. */
  free = false;
  /** The last reset a Retry-After named: the next one tells the window's length. */
  lastResetSeen = Number.NaN;
  /**
   * Send times of requests not refused with a 429, while a quota is learned (at most its limit
   * and two more): what a 429 counts to learn the limit again, and what a renewed window owes.
   */
  sends: number[] = [];
  /** Windows of a learned quota since its last probe beyond the limit. */
  windowsSinceProbe = 0;
  probing = false;
}

/** Renews quotas whose reset passed: a known window starts again full; others are forgotten. */
export function roll(budget: OriginBudget, now: number, settings: PacingSettings): void {
  for (const [policy, quota] of budget.quotas) {
    if (quota.source === 'learned' && now - quota.learnedAt >= settings.forgetMs) {
      // Unconfirmed for long: discovered again, one paced request in flight.
      budget.quotas.delete(policy);
      budget.free = false;
      budget.firstSendAt = Number.NaN;
      budget.sends = [];
      continue;
    }
    if (quota.resetAt > now) continue;
    const { limit, windowMs } = quota;
    if (limit === undefined || windowMs === undefined) {
      budget.quotas.delete(policy);
      continue;
    }
    const windows = Math.floor((now - quota.resetAt) / windowMs) + 1;
    // A learned reset is known to a second or two: what went out just before it may have
    // landed in the server's new window, so the new window owes it.
    const owed =
      quota.source === 'learned'
        ? sentSince(budget, quota.resetAt - 2 * settings.resetMarginMs)
        : 0;
    quota.resetAt += windows * windowMs;
    quota.remaining = limit - owed;
    budget.windowStart = quota.resetAt - windowMs;
    budget.accepted = 0;
    budget.probing = false;
    if (quota.source === 'learned' && ++budget.windowsSinceProbe >= settings.probeEvery) {
      // An occasional request beyond the learned limit finds out whether it was raised.
      budget.windowsSinceProbe = 0;
      budget.probing = true;
      quota.remaining = probeLimit(limit);
    }
  }
  // With nothing known, the counting window restarts every assumed window.
  if (budget.quotas.size === 0 && now - budget.windowStart >= settings.assumedWindowMs) {
    budget.windowStart = now;
    budget.accepted = 0;
  }
}

/** A response announced its quotas: they replace what was learned. */
export function announce(budget: OriginBudget, quotas: readonly AnnouncedQuota[], now: number) {
  budget.quotas.delete('learned');
  for (const announced of quotas) {
    const known = budget.quotas.get(announced.policy);
    budget.quotas.set(announced.policy, {
      policy: announced.policy,
      source: 'announced',
      limit: announced.limit ?? known?.limit,
      windowMs: announced.windowMs ?? known?.windowMs,
      // Requests not answered yet may not be counted in it: they are taken off too.
      remaining: Math.max(0, announced.remaining - budget.unanswered),
      resetAt: now + announced.resetMs,
      learnedAt: now,
    });
  }
}

/**
 * A 429 with no quota announced: the requests the window accepted so far are its limit, and the
 * Retry-After instant its reset. Without a readable Retry-After the window is assumed.
 */
export function learn(
  budget: OriginBudget,
  now: number,
  hint: CooldownHint | null,
  settings: PacingSettings,
): Quota {
  const known = budget.quotas.get('learned');
  const wasProbe = budget.probing;
  budget.probing = false;
  let windowMs = known?.windowMs;
  // At least one: a window that other tabs used up still renews.
  let limit = Math.max(1, budget.accepted);
  if (known?.limit !== undefined && windowMs !== undefined) {
    // Known already: the window was misplaced (the reset below puts it right), or the limit
    // fell: what the server's window took so far is the limit now, if that is less.
    const taken = wasProbe ? known.limit : sentSince(budget, now + (hint?.delayMs ?? 0) - windowMs);
    limit = taken < LEARN_AFTER ? known.limit : Math.min(known.limit, taken);
  }
  let resetAt: number;
  if (hint?.source === 'retry-after') {
    const reset = now + hint.delayMs;
    const since = reset - budget.lastResetSeen;
    // The first 429 bounds the window from below (the window may have begun before our first
    // request); a later reset up to two of those away tells it. Only ever longer: a rolling
    // window's resets follow each other closely, and must not shrink it.
    if (!wasProbe && windowMs !== undefined && since > windowMs && since <= 2 * windowMs) {
      windowMs = Math.round(since / 1000) * 1000;
    }
    // Retry-After is rounded up to the second, and windows are whole seconds: round down, or
    // every window would drift later by the rounding.
    windowMs ??= Math.max(1000, Math.floor((reset - budget.windowStart) / 1000) * 1000);
    budget.lastResetSeen = reset;
    // Retry-After is the server's word: its reset is trusted (renewals later keep a margin).
    resetAt = reset;
  } else {
    windowMs ??= settings.assumedWindowMs;
    resetAt = Math.max(budget.windowStart + windowMs, now + (hint?.delayMs ?? 0));
    resetAt += settings.resetMarginMs;
  }
  const quota: Quota = {
    policy: 'learned',
    source: 'learned',
    limit,
    windowMs,
    remaining: 0,
    resetAt,
    learnedAt: now,
  };
  budget.quotas.set('learned', quota);
  budget.windowStart = resetAt - windowMs;
  return quota;
}

/** Requests sent at or after `since` that the server did not refuse (as far as kept). */
export function sentSince(budget: OriginBudget, since: number): number {
  let count = 0;
  for (let i = budget.sends.length - 1; i >= 0 && (budget.sends[i] as number) >= since; i--) {
    count++;
  }
  return count;
}

/** What a probe window allows: a tenth more than the limit (at least one), so a raised limit shows. */
export const probeLimit = (limit: number) => limit + Math.max(1, Math.ceil(limit / 10));
