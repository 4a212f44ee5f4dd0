import type { DashboardClient } from './clients/dashboard.js';
import { mulberry32 } from './sim/random.js';
import { SimulatedServer } from './sim/simulated-server.js';
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
  /** Requests per client per rolling window. */
  limit: number;
  windowMs: number;
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
  /** Most requests that arrived within any 1 s. */
  peakPerSecond: number;
  /** Requests in the first second after the tab became visible again. */
  onReturn: number;
  neverUpdated: number;
  meanStalenessMs: number;
  maxStalenessMs: number;
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
    items: scenario.items,
    isHidden: () => !script.isVisible(),
    ...client.backend,
  });
  const staleness = new StalenessTracker(scenario.items, 0);
  const dashboard = client.start({
    clock,
    fetch: server.fetch,
    visibility: script.source,
    random: mulberry32(scenario.seed),
    origin: scenario.origin,
    items: scenario.items,
    show: (item) => staleness.refreshed(item.id, clock.now()),
  });
  // Half-open session: a timer due exactly at the end belongs to the next session.
  await clock.runUntil(scenario.durationMs, { inclusive: false });
  dashboard.stop();
  script.cancel();
  await clock.runUntil(scenario.durationMs, { inclusive: false }); // settle aborts

  const requests = server.requests.filter((r) => r.at < scenario.durationMs);
  const report = staleness.report(script.visibleSpans(scenario.durationMs));
  const returnAt = scenario.hidden[1];
  return {
    client,
    sent: requests.length,
    ok: requests.filter((r) => r.status === 200).length,
    rateLimited: requests.filter((r) => r.status === 429).length,
    updates: staleness.deliveries,
    sentWhileHidden: requests.filter((r) => r.hidden).length,
    peakPerSecond: peakWithin(
      requests.map((r) => r.at),
      1000,
    ),
    onReturn: requests.filter((r) => r.at >= returnAt && r.at < returnAt + 1000).length,
    neverUpdated: report.neverUpdated,
    meanStalenessMs: report.meanMs,
    maxStalenessMs: report.maxMs,
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
