import { describe, expect, it } from 'vitest';
import type { RunningDashboard } from '../../playground/clients/dashboard.js';
import {
  pollwiseBatchedClient,
  pollwiseBatchedOldBackendClient,
} from '../../playground/clients/pollwise-batched-client.js';
import {
  BATCH_PATH,
  type Item,
  type ServedRequest,
  SimulatedServer,
} from '../../playground/sim/simulated-server.js';
import { VirtualClock } from '../../playground/sim/virtual-clock.js';
import { manualVisibility } from '../support/fake-environment.js';

const ORIGIN = 'https://demo.hf.space';

/**
 * One dashboard of 200 tiles on a fresh server. `random: () => 0` makes every tick land exactly
 * on time (no jitter), so request times are exact: sweeps every 2.5 s (the `*.hf.space` policy).
 */
function setup(options: { oldBackend?: boolean; limit?: number } = {}) {
  const clock = new VirtualClock(0);
  const visibility = manualVisibility(true);
  const client = options.oldBackend ? pollwiseBatchedOldBackendClient : pollwiseBatchedClient;
  const server = new SimulatedServer({
    clock,
    latencyMs: 50,
    limit: options.limit ?? 10_000,
    windowMs: 60_000,
    items: 200,
    isHidden: () => !visibility.get(),
    ...client.backend,
  });
  const shown: { at: number; item: Item }[] = [];
  const dashboard: RunningDashboard = client.start({
    clock,
    fetch: server.fetch,
    visibility: visibility.source,
    random: () => 0,
    origin: ORIGIN,
    items: 200,
    show: (item) => shown.push({ at: clock.now(), item }),
  });
  /** Requests that arrived in [from, to). */
  const between = (from: number, to: number) =>
    server.requests.filter((r) => r.at >= from && r.at < to);
  const stop = async () => {
    dashboard.stop();
    await clock.advanceBy(0);
    expect(clock.pending).toBe(0);
  };
  return { clock, server, visibility, shown, between, stop };
}

/** [time, method, path, status, runs] of each request. */
const timeline = (requests: readonly ServedRequest[]) =>
  requests.map((r) => [r.at, r.method, r.path, r.status, r.runs]);

/** The run id a per-item request asked for. */
const runIdOf = (request: ServedRequest) => request.path.replace(/.*run_id=/, '');

/** One sweep of the 4 batch chunks (64 + 64 + 64 + 8) from `at`, each `step` ms after the last. */
const batchSweep = (at: number, step: number) =>
  [64, 64, 64, 8].map((runs, i) => [at + i * step, 'POST', BATCH_PATH, 200, runs]);

/** How many requests arrived at each instant, in time order. */
function perInstant(requests: readonly ServedRequest[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const r of requests) counts.set(r.at, (counts.get(r.at) ?? 0) + 1);
  return counts;
}

/** Time and tile ids of what the dashboard showed, grouped by instant. */
function shownAt(shown: readonly { at: number; item: Item }[]) {
  const groups = new Map<number, number[]>();
  for (const s of shown) groups.set(s.at, [...(groups.get(s.at) ?? []), s.item.id]);
  return groups;
}

const ids = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

// The demo poller keeps pacing's defaults: an origin with no known budget gets one paced
// request in flight for its first minute (`pacing.discoverMs`, 60 s from its first request);
// with no sign of a limit by then, the lane's full concurrency returns. The simulated server
// sends no RateLimit headers, so only a 429 can teach a budget.
describe('playground: pollwise batched client (createResource over POST /api/get_logs_batch)', () => {
  it('reads 200 tiles with 4 batch requests per sweep (64 + 64 + 64 + 8): one at a time while the budget is discovered, all four together after', async () => {
    const { clock, server, shown, between, stop } = setup();
    await clock.runUntil(65_000, { inclusive: false });
    expect(timeline(server.requests)).toEqual([
      // The first minute: each chunk goes when the one before answered (the first also probes
      // the batch route), every 2.5 s.
      ...Array.from({ length: 24 }, (_, i) => batchSweep(i * 2_500, 50)).flat(),
      // A minute with no sign of a limit: all four together.
      ...batchSweep(60_000, 0),
      ...batchSweep(62_500, 0),
    ]);
    // Every tile got its own run's data once per sweep, when its batch answered.
    const first = shownAt(shown.filter((s) => s.at < 2_500));
    expect([...first.keys()]).toEqual([50, 100, 150, 200]);
    expect([...first.values()]).toEqual([ids(0, 64), ids(64, 128), ids(128, 192), ids(192, 200)]);
    expect(shown.filter((s) => s.at < 2_500).every((s) => s.item.version === 0)).toBe(true);
    const second = shown.filter((s) => s.at >= 2_500 && s.at < 5_000);
    expect([...shownAt(second).keys()]).toEqual([2_550, 2_600, 2_650, 2_700]);
    expect(second.map((s) => s.item.id)).toEqual(ids(0, 200));
    expect(second.every((s) => s.item.version === 2)).toBe(true);
    expect(between(2_700, 5_000)).toEqual([]);
    // Once free, a sweep's 200 tiles all arrive together.
    expect(shown.filter((s) => s.at >= 62_500).every((s) => s.at === 62_550)).toBe(true);
    expect(shown.filter((s) => s.at >= 62_500)).toHaveLength(200);
    await stop();
  });

  it('sends nothing while the tab is hidden, and one sweep of 4 requests the moment it returns', async () => {
    const { clock, server, visibility, between, stop } = setup();
    await clock.runUntil(3_000);
    expect(timeline(between(2_500, 3_000))).toEqual(batchSweep(2_500, 50));
    visibility.set(false);
    await clock.runUntil(60_000);
    expect(between(2_700, 60_000)).toEqual([]);
    expect(server.requests.filter((r) => r.hidden)).toEqual([]);
    visibility.set(true);
    await clock.runUntil(60_100);
    // A minute since the first request, with no sign of a limit: all four at once.
    expect(timeline(between(60_000, 60_100))).toEqual(batchSweep(60_000, 0));
    await stop();
  });

  it('returning while the budget is still being discovered: one sweep of 4 requests, one at a time', async () => {
    const { clock, server, visibility, between, stop } = setup();
    await clock.runUntil(3_000);
    visibility.set(false);
    await clock.runUntil(30_000);
    expect(between(2_700, 30_000)).toEqual([]);
    visibility.set(true);
    await clock.runUntil(32_500, { inclusive: false });
    expect(timeline(between(30_000, 32_500))).toEqual(batchSweep(30_000, 50));
    expect(server.requests.filter((r) => r.hidden)).toEqual([]);
    await stop();
  });

  it('old backend: one 404 probe, then every run per item in the same sweep, 1 in flight while discovering and 6 after; no batch again', async () => {
    const { clock, server, shown, between, stop } = setup({ oldBackend: true });
    await clock.runUntil(65_000, { inclusive: false });
    const posts = server.requests.filter((r) => r.method === 'POST');
    expect(timeline(posts)).toEqual([[0, 'POST', BATCH_PATH, 404, undefined]]);
    expect(server.requests.every((r) => r.method === 'GET' || r.path === BATCH_PATH)).toBe(true);
    expect(server.count(200)).toBe(server.count() - 1);

    // Sweep 1, while the budget is discovered: from the probe's answer on, one GET at a time,
    // each when the one before answered (50 ms).
    const sweep = between(50, 10_050);
    expect(sweep.map((r) => r.at)).toEqual(ids(0, 200).map((i) => 50 + 50 * i));
    // Stalest first, in subscription order: run 0 first, run 199 last.
    expect(sweep.map(runIdOf)).toEqual(ids(0, 200).map(String));
    expect(shown.filter((s) => s.at < 10_100).map((s) => s.item.id)).toEqual(ids(0, 200));

    // A sweep takes 10 s then: the ticks that fall inside it are skipped, the next one sweeps.
    const starts = [...perInstant(between(10_050, 62_500)).keys()].filter(
      (at) => at % 12_500 === 0,
    );
    expect(starts).toEqual([12_500, 25_000, 37_500, 50_000]);
    expect(between(10_050, 62_500)).toHaveLength(4 * 200);
    expect(Math.max(...perInstant(between(0, 62_500)).values())).toBe(1);

    // A minute with no sign of a limit: 6 GETs every 50 ms (each slot refills when its
    // answer arrives): 33 waves of 6, then 2.
    const free = perInstant(between(62_500, 65_000));
    expect([...free.keys()]).toEqual(ids(0, 34).map((i) => 62_500 + 50 * i));
    expect([...free.values()]).toEqual([...Array(33).fill(6), 2]);
    expect(between(62_500, 65_000).map(runIdOf)).toEqual(ids(0, 200).map(String));
    await stop();
  });

  it('old backend at 120 requests a minute: the 429 stops the per-item sweep until Retry-After has passed', async () => {
    const { clock, server, shown, between, stop } = setup({ oldBackend: true, limit: 120 });
    await clock.runUntil(60_050, { inclusive: false });
    // One request in flight while the budget is discovered: the 404 probe used one slot of the
    // budget, 119 runs got through, and the 121st request met the limit: one 429, not six.
    expect(server.count(404)).toBe(1);
    expect(server.count(200)).toBe(119);
    expect(timeline(server.rateLimited)).toEqual([
      [6_000, 'GET', '/api/get_logs?project=dashboard&run=run-119&run_id=119', 429, undefined],
    ]);
    expect(server.count()).toBe(121);
    // Retry-After: 54 s from the 429's arrival at 6,050 ms; nothing goes out until it has passed.
    expect(between(6_001, 60_050)).toEqual([]);
    expect(shown.map((s) => s.item.id)).toEqual(ids(0, 119));

    // Then the stalest runs first (the one the 429 left unread, then the never-read ones),
    // paced by the budget the 429 taught (119 requests a window, one kept back for the app):
    // never faster than the server's 120 a minute, and no 429 in the next window. (How exactly
    // the window is learned is the pacer's tests' business.)
    await clock.runUntil(120_050, { inclusive: false });
    const next = between(60_050, 120_050);
    expect(next[0]?.at).toBe(60_050);
    expect(next.slice(0, 6).map(runIdOf)).toEqual(['119', '120', '121', '122', '123', '124']);
    expect(next).toHaveLength(118);
    const gaps = next.slice(1).map((r, i) => r.at - (next[i] as ServedRequest).at);
    expect(Math.min(...gaps)).toBeGreaterThan(60_000 / 120);
    expect(server.count(429)).toBe(1);
    expect(server.insideAnnounced).toBe(0);
    await stop();
  });

  // A rolling window: a learned budget is kept as "at most the limit in any stretch of the
  // window" (it shrank to 1 s with a limit of 21 once, and met the limit every second: 417 × 429).
  it('old backend at 120 requests a minute (rolling window), over 10 minutes: at most 10 × 429', async () => {
    const { clock, server, stop } = setup({ oldBackend: true, limit: 120 });
    try {
      await clock.runUntil(600_000, { inclusive: false });
      expect(server.count(429)).toBeLessThanOrEqual(10);
    } finally {
      await stop();
    }
  });
});
