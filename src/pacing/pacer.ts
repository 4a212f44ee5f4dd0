import { evict } from '../core/evict.js';
import { LEARN_AFTER, PACED_START_TTL_MS, STALE_CYCLES } from '../defaults.js';
import type { EventBus } from '../events.js';
import type { PollerStats } from '../stats.js';
import {
  announce,
  type CooldownHint,
  learn,
  OriginBudget,
  type PacingSettings,
  probeLimit,
  type Quota,
  roll,
  sentSince,
} from './origin-budget.js';
import { type HeaderReader, readRateLimit } from './rate-limit-headers.js';

/** What `stats().budgets` shows of one origin. */
export interface BudgetView {
  /** 'unknown' while no quota is known (one paced request in flight while discovering). */
  source: 'announced' | 'learned' | 'unknown';
  /** The binding quota: the one with the least left. */
  limit: number | undefined;
  remaining: number | undefined;
  resetAt: number | undefined;
  windowMs: number | undefined;
  inflight: number;
  discovering: boolean;
}

/**
 * Per-origin budgets, and the spend rule of scheduled traffic. Every request any door admits
 * is counted here; only scheduled polls and resource sweeps are paced (`take`). The app's own
 * calls are never delayed by pacing, and `reserve` leaves them room.
 */
export class Pacer {
  readonly #origins = new Map<string, OriginBudget>();

  constructor(
    private readonly settings: PacingSettings | false,
    private readonly maxOrigins: number,
    private readonly stats: PollerStats,
    private readonly events: EventBus,
    /** A reading let an origin send sooner than before: whatever waits for it asks again. */
    private readonly onRelax: (origin: string) => void = () => {},
  ) {}

  #budget(origin: string, now: number): OriginBudget {
    let budget = this.#origins.get(origin);
    if (budget === undefined) {
      budget = new OriginBudget();
      this.#origins.set(origin, budget);
      // Idle origins with nothing known go first; one that is sending is never dropped.
      evict(
        this.#origins,
        this.maxOrigins,
        (b) => b.inflight === 0 && b.quotas.size === 0 && b !== budget,
        (b) => b.inflight === 0 && b !== budget,
      );
    }
    if (this.settings !== false) roll(budget, now, this.settings);
    return budget;
  }

  /** A request to `origin` was admitted; returns its send time, for `answered`. */
  sent(origin: string, now: number): number {
    const budget = this.#budget(origin, now);
    budget.inflight++;
    budget.unanswered++;
    budget.pending.shift();
    if (Number.isNaN(budget.firstSendAt)) budget.firstSendAt = now;
    if (Number.isNaN(budget.windowStart)) budget.windowStart = now;
    for (const quota of budget.quotas.values()) quota.remaining--;
    const learned = budget.quotas.get('learned');
    if (learned !== undefined) {
      budget.sends.push(now);
      if (budget.sends.length > probeLimit(learned.limit ?? 0) + 2) budget.sends.shift();
    }
    return now;
  }

  /** The request is over; `answered`: a response arrived for it (and was `answered()`). */
  settled(origin: string, answered = true): void {
    const budget = this.#origins.get(origin);
    if (budget === undefined) return;
    if (budget.inflight > 0) budget.inflight--;
    if (!answered && budget.unanswered > 0) budget.unanswered--;
  }

  /** A response arrived: its headers announce quotas, or its 429 teaches one. */
  answered(
    origin: string,
    answer: { status: number; headers: HeaderReader },
    sentAt: number,
    now: number,
    hint: CooldownHint | null,
    counted = true,
  ): void {
    const { settings } = this;
    const budget = this.#budget(origin, now);
    // A redirect's answer was sent (and counted) against the origin first asked.
    if (counted && budget.unanswered > 0) budget.unanswered--;
    if (settings === false) return;
    const reading = readRateLimit(answer.headers, now);
    this.stats.malformedHeaders += reading.malformed;
    if (reading.quotas.length > 0) {
      const before = this.#binding(budget);
      const held = this.#heldUntil(budget, now);
      announce(budget, reading.quotas, now);
      const after = this.#binding(budget);
      if (before?.limit !== after?.limit || before?.windowMs !== after?.windowMs) {
        this.#emit(origin, budget);
      }
      // A budget raised or renewed early (another token, a new window): waiters may go now.
      if (this.#heldUntil(budget, now) < held) this.onRelax(origin);
    } else if (answer.status === 429) {
      // The server did not count it.
      const at = budget.sends.lastIndexOf(sentAt);
      if (at >= 0) budget.sends.splice(at, 1);
      // A 429 after a handful of requests is an overload, not a quota: the cooldown is enough.
      if (budget.accepted < LEARN_AFTER && !budget.quotas.has('learned')) return;
      learn(budget, now, hint, settings);
      this.stats.budgetsLearned++;
      this.#emit(origin, budget);
    } else if (answer.status < 400 && sentAt >= budget.windowStart) {
      budget.accepted++;
      const learned = budget.quotas.get('learned');
      // The server took more than the learned limit (a probe): the limit was raised.
      if (learned?.limit !== undefined && budget.accepted > learned.limit) {
        learned.limit = budget.accepted;
      }
    }
  }

  /** Paced runs in flight at once for `origin`: one while its budget is being discovered. */
  concurrency(origin: string, configured: number, now: number): number {
    return this.#discovering(origin, now) ? 1 : configured;
  }

  #discovering(origin: string, now: number): boolean {
    const { settings } = this;
    if (settings === false) return false;
    const budget = this.#budget(origin, now);
    if (budget.free || budget.quotas.size > 0) return false;
    // A whole discovery period without a sign of a limit: the lane's full concurrency.
    const since = Number.isNaN(budget.firstSendAt) ? 0 : now - budget.firstSendAt;
    if (since >= settings.discoverMs) budget.free = true;
    return !budget.free;
  }

  /**
   * Asks to send one paced request for an item last refreshed `age` ms ago, with `sharing` items
   * sharing its budget. Returns 0 when it may go (it is then counted), else when to ask again.
   */
  take(origin: string, now: number, age: number, sharing: number): number {
    const { settings } = this;
    if (settings === false) return 0;
    const budget = this.#budget(origin, now);
    const { pending } = budget;
    while (pending.length > 0 && (pending[0] as number) <= now - PACED_START_TTL_MS) {
      pending.shift();
    }
    let wake = 0;
    for (const quota of budget.quotas.values()) {
      wake = Math.max(wake, this.#wakeFor(quota, budget, now, age, sharing));
    }
    if (wake > now) {
      this.stats.paced++;
      return wake;
    }
    pending.push(now);
    budget.lastPacedAt = now;
    return 0;
  }

  /** When `quota` lets the next paced request go: spaced to last until its reset. */
  #wakeFor(quota: Quota, budget: OriginBudget, now: number, age: number, sharing: number) {
    const { reserve } = this.settings as PacingSettings;
    const { limit, windowMs } = quota;
    // The reserve is the app's, except in a probe window: the probe must get beyond the limit.
    const probing = budget.probing && quota.source === 'learned';
    // Never the whole of a small limit: at least one stays paced traffic's.
    const kept = probing ? 0 : Math.min(reserve, Math.max(0, (limit ?? reserve + 1) - 1));
    let left = quota.remaining - budget.pending.length - kept;
    if (quota.source === 'learned' && limit !== undefined && windowMs !== undefined) {
      // A learned window may end up to a second or so before we think: what is left of it near
      // its end is spent only in proportion to the time left, not all at once.
      const share = probing ? probeLimit(limit) : limit;
      left = Math.min(left, Math.ceil((share * (quota.resetAt - now)) / windowMs));
    }
    if (left <= 0) return quota.resetAt;
    // A probe window is counted as a window: the sliding count would take its first second
    // from the window before.
    if (quota.source === 'learned' && !probing) {
      const slid = this.#slidingWake(quota, budget, now, kept);
      if (slid > now) return slid;
    }
    // `left` more before the reset, the last one a step before it (one at the reset would fall
    // in the next window).
    const toReset = (quota.resetAt - now) / (left + 1);
    const per = limit !== undefined && probing ? probeLimit(limit) : limit;
    const steady = per !== undefined && windowMs !== undefined ? windowMs / per : toReset;
    // Stale beyond 1.2 cycles of the items sharing the budget (a hidden stretch): spend now.
    if (age > STALE_CYCLES * Math.max(1, sharing) * steady) return 0;
    // Spaced so the budget lasts until the reset. A learned reset is known only to a second or
    // so: never faster than the steady rate there, or the end of a window would burst across it.
    const spacing = quota.source === 'learned' ? Math.max(steady, toReset) : toReset;
    return budget.lastPacedAt + spacing;
  }

  /**
   * A learned window may be fixed or rolling: whichever, no more than its limit may go in any
   * stretch of its length (and the margin). Returns when one more may go; 0 when one may now.
   */
  #slidingWake(quota: Quota, budget: OriginBudget, now: number, kept: number): number {
    const { limit = 0, windowMs = 0 } = quota;
    const span = windowMs + (this.settings as PacingSettings).resetMarginMs;
    const allowed = limit - kept;
    const recent = sentSince(budget, now - span);
    const over = recent + budget.pending.length - allowed;
    if (over < 0) return 0;
    const { sends } = budget;
    const leaving = sends.length - recent + over;
    // Paced starts not yet sent fill the window: ask again one steady step later.
    return leaving < sends.length ? (sends[leaving] as number) + span : now + windowMs / limit;
  }

  /** Until when an exhausted quota holds paced requests back (0: none is exhausted). */
  #heldUntil(budget: OriginBudget, now: number): number {
    let until = 0;
    for (const quota of budget.quotas.values()) {
      if (quota.remaining - budget.pending.length <= 0) until = Math.max(until, quota.resetAt);
    }
    return until > now ? until : 0;
  }

  /** The quota with the least left, for views and events. */
  #binding(budget: OriginBudget): Quota | undefined {
    let binding: Quota | undefined;
    for (const quota of budget.quotas.values()) {
      if (binding === undefined || quota.remaining < binding.remaining) binding = quota;
    }
    return binding;
  }

  view(origin: string, now: number): BudgetView | undefined {
    const budget = this.#origins.get(origin);
    if (budget === undefined || this.settings === false) return undefined;
    roll(budget, now, this.settings);
    const quota = this.#binding(budget);
    return {
      source: quota?.source ?? 'unknown',
      limit: quota?.limit,
      remaining: quota === undefined ? undefined : Math.max(0, quota.remaining),
      resetAt: quota?.resetAt,
      windowMs: quota?.windowMs,
      inflight: budget.inflight,
      discovering: quota === undefined && !budget.free,
    };
  }

  views(now: number): Record<string, BudgetView> {
    const all: Record<string, BudgetView> = {};
    for (const origin of this.#origins.keys()) {
      const view = this.view(origin, now);
      if (view !== undefined) all[origin] = view;
    }
    return all;
  }

  #emit(origin: string, budget: OriginBudget): void {
    if (!this.events.hasListeners('budget')) return;
    const quota = this.#binding(budget);
    if (quota === undefined) return;
    const { source, limit, windowMs, resetAt } = quota;
    const remaining = Math.max(0, quota.remaining);
    this.events.emit('budget', { origin, source, limit, remaining, resetAt, windowMs });
  }

  get size(): number {
    return this.#origins.size;
  }

  clear(): void {
    this.#origins.clear();
  }
}
