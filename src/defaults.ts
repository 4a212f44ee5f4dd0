/**
 * Every default number pollwise uses, in one place. The README's option table mirrors this file.
 */
/** Frozen, nested objects included: a default can be read, never changed at run time. */
export const DEFAULTS = deepFreeze({
  /** Poll interval for any host that no policy matches (seed 000: shared hosts at 2 s). */
  interval: 2000,
  /** Poll interval for loopback hosts: localhost, 127.0.0.0/8, [::1] (seed 000: 1 s locally). */
  loopbackInterval: 1000,
  /** Hidden tabs send nothing unless a poll or policy opts into a background interval. */
  hiddenInterval: false as number | false,
  /** Each tick lands up to this fraction of the interval late, so tabs opened together drift apart. */
  jitter: 0.1,
  /** Deadline (ms) of each exchange pollwise reads itself, body included; at most MAX_TIMER_MS. */
  timeout: 10_000,
  cooldown: {
    /** Cooldown after a 429/503 with no readable Retry-After (CORS may hide it); doubles per strike. */
    defaultMs: 10_000,
    /** No cooldown lasts longer than this, jitter included, whatever the server says. */
    maxMs: 600_000,
    /** Up to this fraction of the delay is added at random; jitter never shortens a cooldown. */
    jitter: 0.1,
  },
  backoff: {
    /** Full-jitter exponential backoff: random(0, min(cap, base * 2^(failures-1))). */
    baseMs: 1000,
    /** 1 → 2 → 4 → 8 → 16 → 30 s (seed 004). */
    capMs: 30_000,
  },
  /**
   * Poll runs in flight at once per origin. Due polls beyond it wait, stalest first, and each
   * start re-checks cooldown and visibility, so one 429 stops the rest of a sweep. 6 is the
   * browsers' HTTP/1.1 connection limit per host.
   */
  maxConcurrent: 6,
  resource: {
    /** fetch() calls collect this long before one request goes out (ms); 0: the same macrotask. */
    window: 0,
    /** Keys per batch request (seed 000: 64 runs per get_logs_batch call). */
    maxSize: 64,
    /** Longest GET batch URL before a batch is split (tRPC uses the same 2048 bytes). */
    maxUrlLength: 2048,
    /** Per-item requests in flight at once when the batch endpoint is missing. */
    concurrency: 6,
    /** A missing batch endpoint (404/405/501) is remembered this long, then probed once (ms). */
    reprobeAfter: 600_000,
    /** Items kept per resource; least recently used unsubscribed items go first. */
    maxItems: 1000,
    /** Unsubscribed items are dropped after this grace period (ms). */
    gcTime: 300_000,
  },
  /**
   * Per-origin circuit breaker (seed 003), sized for a browser tab, which sends a few requests a
   * second at most, not a gateway's thousands.
   */
  breaker: {
    /** Outcomes remembered per origin (a ring buffer): about 20 s of a 1 s poll. */
    windowSize: 20,
    /** Outcomes older than this do not count: a failure a minute ago says little about now. */
    windowMs: 60_000,
    /** Never open on fewer samples: 2 failures out of 3 is noise, not an outage. */
    minRequests: 5,
    /** Open when at least this share of the counted outcomes failed (5xx, timeout, network). */
    failureRatio: 0.5,
    /** Fail fast this long after opening, then let one probe decide (matches the backoff cap). */
    openMs: 30_000,
  },
  /**
   * Budget-aware pacing per origin (IETF RateLimit headers, X-RateLimit-*, and what 429s teach).
   * `pacing: false` turns it off.
   */
  pacing: {
    /** Requests per window the pacer leaves unspent, for the app's own wrapped fetch calls. */
    reserve: 1,
    /**
     * An origin with no known budget gets one paced request in flight at a time, so the first 429
     * is one 429, not six; after this long (ms) with no sign of a limit, the lane's full
     * concurrency returns until a 429 says otherwise.
     */
    discoverMs: 60_000,
    /** Window assumed for a budget learned from a 429 whose Retry-After cannot be read (ms). */
    assumedWindowMs: 60_000,
    /** A reset known only to the second (Retry-After, delta seconds): nothing goes in that second (ms). */
    resetMarginMs: 1000,
    /** Every this many windows of a learned (not announced) budget, one request probes beyond it. */
    probeEvery: 10,
    /**
     * A learned budget no 429 has confirmed for this long (ms) is forgotten and discovered again:
     * a 429 storm that looked like a quota does not pace a healed origin for good.
     */
    forgetMs: 600_000,
  },
  /** Stretching of a poll's interval while its data comes back unchanged (the `stretch` option). */
  stretch: {
    /** Each unchanged answer multiplies the interval by this, up to `maxMs`; a change snaps back. */
    factor: 1.5,
    /** The longest a stretched interval gets (ms). */
    maxMs: 60_000,
  },
  /**
   * Origins the cooldown and breaker registries remember at once; idle entries are evicted
   * first, and an origin that just answered never is.
   */
  maxTrackedOrigins: 256,
} as const);

/**
 * The longest delay a timer takes (2^31-1 ms, about 24.8 days): browsers and Node fire a longer
 * one at once. A platform limit, not a default: longer waits chain, longer timeouts are refused.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Most pairs one deep-equality check walks; past it the data counts as changed. No JSON answer
 * is that large, and a cyclic or self-sharing value (a schema's or `select`'s output) still ends.
 * Internal, not an option.
 */
export const MAX_COMPARED_PAIRS = 1_000_000;

/**
 * Reads with no 413/414 after which a batch size that a 413/414 lowered doubles again (up to
 * `batch.maxSize`): an occasional probe, so a server that takes more again gets bigger batches.
 * Internal, not an option.
 */
export const BATCH_REGROW_AFTER = 10;

/**
 * A paced start counts against its origin's budget until its request is admitted, or this long
 * (ms): a run that sends nothing (a task that skips) must not hold budget for good. Internal.
 */
export const PACED_START_TTL_MS = 1000;

/**
 * Requests a window must have accepted before its 429 teaches a budget: fewer is read as an
 * overload (the cooldown handles it), not as a quota to pace by. Internal.
 */
export const LEARN_AFTER = 4;

/**
 * A paced request skips the spacing when its item is older than this many cycles (the time the
 * budget takes to serve every item sharing it once): after a hidden stretch, everything is stale and
 * the budget is spent at once, stalest first. Internal.
 */
export const STALE_CYCLES = 1.2;

function deepFreeze<T extends object>(value: T): T {
  for (const member of Object.values(value)) {
    if (typeof member === 'object' && member !== null) deepFreeze(member);
  }
  return Object.freeze(value);
}
