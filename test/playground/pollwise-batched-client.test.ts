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

describe('playground: pollwise batched client (createResource over POST /api/get_logs_batch)', () => {
  it('reads 200 tiles with 4 batch requests per sweep (64 + 64 + 64 + 8), the first chunk probing alone', async () => {
    const { clock, server, shown, between, stop } = setup();
    await clock.runUntil(5_000, { inclusive: false });
    expect(timeline(server.requests)).toEqual([
      // First sweep: the probe alone, then the other chunks at once when it answered.
      [0, 'POST', BATCH_PATH, 200, 64],
      [50, 'POST', BATCH_PATH, 200, 64],
      [50, 'POST', BATCH_PATH, 200, 64],
      [50, 'POST', BATCH_PATH, 200, 8],
      // Every 2.5 s after: all four together.
      [2_500, 'POST', BATCH_PATH, 200, 64],
      [2_500, 'POST', BATCH_PATH, 200, 64],
      [2_500, 'POST', BATCH_PATH, 200, 64],
      [2_500, 'POST', BATCH_PATH, 200, 8],
    ]);
    // Every tile got its own run's data once per sweep, when its batch answered.
    const first = shown.filter((s) => s.at < 2_500);
    expect(first.map((s) => s.item.id).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 200 }, (_, id) => id),
    );
    expect(first.filter((s) => s.at === 50).map((s) => s.item.id)).toEqual(
      Array.from({ length: 64 }, (_, id) => id),
    );
    expect(first.filter((s) => s.at === 100)).toHaveLength(136);
    expect(first.every((s) => s.item.version === 0)).toBe(true);
    const second = shown.filter((s) => s.at >= 2_500);
    expect(second).toHaveLength(200);
    expect(second.every((s) => s.at === 2_550 && s.item.version === 2)).toBe(true);
    expect(between(2_550, 5_000)).toEqual([]);
    await stop();
  });

  it('sends nothing while the tab is hidden, and one sweep of 4 requests the moment it returns', async () => {
    const { clock, server, visibility, between, stop } = setup();
    await clock.runUntil(3_000);
    visibility.set(false);
    await clock.runUntil(60_000);
    expect(between(2_600, 60_000)).toEqual([]);
    expect(server.requests.filter((r) => r.hidden)).toEqual([]);
    visibility.set(true);
    await clock.runUntil(60_100);
    expect(timeline(between(60_000, 60_100))).toEqual([
      [60_000, 'POST', BATCH_PATH, 200, 64],
      [60_000, 'POST', BATCH_PATH, 200, 64],
      [60_000, 'POST', BATCH_PATH, 200, 64],
      [60_000, 'POST', BATCH_PATH, 200, 8],
    ]);
    await stop();
  });

  it('old backend: one 404 probe, then every run per item in the same sweep, at most 6 in flight; no batch again', async () => {
    const { clock, server, shown, between, stop } = setup({ oldBackend: true });
    await clock.runUntil(10_000, { inclusive: false });
    const posts = server.requests.filter((r) => r.method === 'POST');
    expect(timeline(posts)).toEqual([[0, 'POST', BATCH_PATH, 404, undefined]]);

    // Sweep 1: from the probe's answer on, 6 GETs every 50 ms (each slot refills when its
    // answer arrives): 33 waves of 6, then 2.
    const sweep = between(50, 2_500);
    expect(sweep).toHaveLength(200);
    expect(sweep.every((r) => r.method === 'GET' && r.status === 200)).toBe(true);
    const perInstant = new Map<number, number>();
    for (const r of sweep) perInstant.set(r.at, (perInstant.get(r.at) ?? 0) + 1);
    expect([...perInstant.keys()]).toEqual(Array.from({ length: 34 }, (_, i) => 50 + 50 * i));
    expect([...perInstant.values()]).toEqual([...Array(33).fill(6), 2]);
    // Stalest first, in subscription order: run 0 first, run 199 last.
    expect(sweep[0]?.path).toBe('/api/get_logs?project=dashboard&run=run-0&run_id=0');
    expect(sweep.at(-1)?.path).toBe('/api/get_logs?project=dashboard&run=run-199&run_id=199');
    expect(shown.filter((s) => s.at < 2_500).map((s) => s.item.id)).toEqual(
      Array.from({ length: 200 }, (_, id) => id),
    );

    // Later sweeps go per item straight away (the batch route is known missing for 10 min).
    expect(between(2_500, 10_000).every((r) => r.method === 'GET')).toBe(true);
    expect(between(2_500, 2_550)).toHaveLength(6);
    await stop();
  });

  it('old backend at 120 requests a minute: the 429 stops the per-item sweep until Retry-After has passed', async () => {
    const { clock, server, shown, between, stop } = setup({ oldBackend: true, limit: 120 });
    await clock.runUntil(60_100, { inclusive: false });
    // The 404 probe used one slot of the budget; 119 runs got through, then the 429s.
    expect(server.count(404)).toBe(1);
    expect(server.count(200)).toBe(119);
    // The six answers of the 1,000 ms wave all arrive at 1,050 ms, the 429 (run 119) last: the
    // 200 of run 114 frees its slot first, and run 120 goes out before the 429 is known (as in
    // a browser, where each response is its own task). It meets the limit too.
    expect(timeline(server.rateLimited)).toEqual([
      [1_000, 'GET', '/api/get_logs?project=dashboard&run=run-119&run_id=119', 429, undefined],
      [1_050, 'GET', '/api/get_logs?project=dashboard&run=run-120&run_id=120', 429, undefined],
    ]);
    expect(server.count()).toBe(122);
    // Retry-After: 59 s from each 429's arrival (1.05 s, then 1.1 s); once the first is known,
    // nothing goes out until the last has passed.
    expect(between(1_051, 60_100)).toEqual([]);
    expect(shown.map((s) => s.item.id)).toEqual(Array.from({ length: 119 }, (_, id) => id));
    // Then the stalest runs first: the ones the 429s left unread.
    await clock.runUntil(60_100);
    expect(between(60_100, 60_101).map((r) => r.path.replace(/.*run_id=/, ''))).toEqual([
      '119',
      '120',
      '121',
      '122',
      '123',
      '124',
    ]);
    await stop();
  });
});
