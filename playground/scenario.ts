import type { DashboardClient } from './clients/dashboard.js';
import { mulberry32 } from './sim/random.js';
import type { WindowMode } from './sim/rate-limiter.js';
import { type Item, SimulatedServer } from './sim/simulated-server.js';
import { StalenessTracker } from './sim/staleness.js';
import { VirtualClock } from './sim/virtual-clock.js';
import { hiddenBetween } from './sim/visibility-script.js';

/** One simulated session, identical for every client. */
export interface Scenario {
  items: number;
  /** The session is [0, durationMs) of virtual time. */
  durationMs: number;
  /** The tab is hidden on [from, to). */
  hidden: readonly [from: number, to: number];
  latencyMs: number;
  /** Requests per client per window. */
  limit: number;
  windowMs: number;
  /** How the server counts the window (default rolling). */
  window?: WindowMode;
  /** Whether 429s carry a readable Retry-After (default true). */
  retryAfter?: boolean;
  /** Whether every answer carries draft-11 RateLimit headers (default false). */
  rateLimitHeaders?: false | 'draft-11';
  /** Whether the batch route exists (default true); a client's `backend` overrides it. */
  batchEndpoint?: boolean;
  /**
   * What staleness counts from: `arrival` (default) of the data, or `data`: when it was
   * produced, the second its point was logged (`version`), so the point's own age counts too.
   */
  staleness?: 'arrival' | 'data';
  origin: string;
  seed: number;
}

export const MINUTE = 60_000;

export const defaultScenario: Scenario = {
  items: 200,
  durationMs: 10 * MINUTE,
  hidden: [4 * MINUTE, 7 * MINUTE],
  latencyMs: 50,
  limit: 120,
  windowMs: MINUTE,
  origin: 'https://demo.hf.space',
  seed: 42,
};

export interface RunResult {
  client: DashboardClient;
  /** Requests that reached the server. */
  sent: number;
  /** Answered 200. */
  ok: number;
  /** Answered 429. */
  rateLimited: number;
  /** Fresh data shown on a tile, all tiles together (a batch answer refreshes many). */
  updates: number;
  sentWhileHidden: number;
  /** Requests that arrived inside a Retry-After window announced by a 429 already delivered. */
  insideAnnounced: number;
  /** Most requests that arrived within any 1 s. */
  peakPerSecond: number;
  /** Requests in the first second after the tab became visible again. */
  onReturn: number;
  neverUpdated: number;
  meanStalenessMs: number;
  /** 95th percentile of staleness over items × visible time (exact). */
  p95StalenessMs: number;
  maxStalenessMs: number;
  /** Visible time of the session (ms). */
  visibleMs: number;
  /** Virtual timer callbacks fired (a measure of simulation work). */
  timersFired: number;
  /** Real time the simulation took. */
  realMs: number;
}

/**
 * Runs `client` against a fresh server (shaped by `client.backend`), clock and visibility
 * script; returns the measures.
 */
export async function runScenario(client: DashboardClient, scenario: Scenario): Promise<RunResult> {
  const startedAt = performance.now();
  const clock = new VirtualClock(0);
  const script = hiddenBetween(clock, scenario.hidden[0], scenario.hidden[1]);
  const server = new SimulatedServer({
    clock,
    latencyMs: scenario.latencyMs,
    limit: scenario.limit,
    windowMs: scenario.windowMs,
    window: scenario.window,
    retryAfter: scenario.retryAfter,
    rateLimitHeaders: scenario.rateLimitHeaders,
    batchEndpoint: scenario.batchEndpoint,
    items: scenario.items,
    isHidden: () => !script.isVisible(),
    ...client.backend,
  });
  const producedAt =
    scenario.staleness === 'data' ? (item: Item) => item.version * 1000 : () => clock.now();
  const staleness = new StalenessTracker(scenario.items, 0);
  const dashboard = client.start({
    clock,
    fetch: server.fetch,
    visibility: script.source,
    random: mulberry32(scenario.seed),
    origin: scenario.origin,
    items: scenario.items,
    show: (item) => staleness.refreshed(item.id, clock.now(), producedAt(item)),
  });
  // Half-open session: a timer due exactly at the end belongs to the next session.
  await clock.runUntil(scenario.durationMs, { inclusive: false });
  dashboard.stop();
  script.cancel();
  await clock.runUntil(scenario.durationMs, { inclusive: false }); // settle aborts

  const requests = server.requests.filter((r) => r.at < scenario.durationMs);
  const spans = script.visibleSpans(scenario.durationMs);
  const report = staleness.report(spans);
  const returnAt = scenario.hidden[1];
  return {
    client,
    sent: requests.length,
    ok: requests.filter((r) => r.status === 200).length,
    rateLimited: requests.filter((r) => r.status === 429).length,
    updates: staleness.deliveries,
    sentWhileHidden: requests.filter((r) => r.hidden).length,
    insideAnnounced: requests.filter((r) => r.insideAnnounced).length,
    peakPerSecond: peakWithin(
      requests.map((r) => r.at),
      1000,
    ),
    onReturn: requests.filter((r) => r.at >= returnAt && r.at < returnAt + 1000).length,
    neverUpdated: report.neverUpdated,
    meanStalenessMs: report.meanMs,
    p95StalenessMs: report.p95Ms,
    maxStalenessMs: report.maxMs,
    visibleMs: spans.reduce((sum, [from, to]) => sum + (to - from), 0),
    timersFired: clock.fired,
    realMs: performance.now() - startedAt,
  };
}

/** Largest number of sorted times within any span of `windowMs`. */
function peakWithin(times: readonly number[], windowMs: number): number {
  let peak = 0;
  let start = 0;
  for (let end = 0; end < times.length; end++) {
    while (times[end]! - times[start]! >= windowMs) start++;
    peak = Math.max(peak, end - start + 1);
  }
  return peak;
}
