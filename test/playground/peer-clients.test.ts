import { afterEach, describe, expect, it } from 'vitest';
import type { DashboardClient } from '../../playground/clients/dashboard.js';
import { handTunedClient } from '../../playground/clients/hand-tuned-client.js';
import { tanstackClient } from '../../playground/clients/tanstack-client.js';
import {
  type Item,
  type ServedRequest,
  SimulatedServer,
} from '../../playground/sim/simulated-server.js';
import { VirtualClock } from '../../playground/sim/virtual-clock.js';
import { manualVisibility } from '../support/fake-environment.js';

/** `client` on a fresh server (50 ms latency, a fixed 60 s window of `limit`), `items` tiles. */
function setup(
  client: DashboardClient,
  options: { items: number; limit?: number; batchEndpoint?: boolean },
) {
  const clock = new VirtualClock(0);
  const visibility = manualVisibility(true);
  const server = new SimulatedServer({
    clock,
    latencyMs: 50,
    limit: options.limit ?? 10_000,
    window: 'fixed',
    items: options.items,
    batchEndpoint: options.batchEndpoint,
    isHidden: () => !visibility.get(),
  });
  const shown: { at: number; item: Item }[] = [];
  const dashboard = client.start({
    clock,
    fetch: server.fetch,
    visibility: visibility.source,
    random: () => 0,
    origin: 'https://demo.hf.space',
    items: options.items,
    show: (item) => shown.push({ at: clock.now(), item }),
  });
  const between = (from: number, to: number) =>
    server.requests.filter((r) => r.at >= from && r.at < to);
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    dashboard.stop();
  };
  running.push(stop);
  return { clock, server, visibility, shown, between, stop };
}

/** Dashboards still running when a test ends (a failed one): stopped after it. */
const running: (() => void)[] = [];
afterEach(() => {
  for (const stop of running.splice(0)) stop();
});

/** [time, method, status, runs] of each request. */
const timeline = (requests: readonly ServedRequest[]) =>
  requests.map((r) => [r.at, r.method, r.status, r.runs]);
const runIds = (requests: readonly ServedRequest[]) =>
  requests.map((r) => Number(r.path.replace(/.*run_id=/, '')));

describe('playground: hand-tuned client (seed 000 fix)', () => {
  it('sends 64-run batches at once every 2.5 s (none at 0), skips while hidden, and waits 12 s after a 429', async () => {
    const { clock, server, visibility, shown, between, stop } = setup(handTunedClient, {
      items: 200,
      limit: 6,
    });
    await clock.runUntil(2_600);
    expect(timeline(server.requests)).toEqual([
      [2_500, 'POST', 200, 64],
      [2_500, 'POST', 200, 64],
      [2_500, 'POST', 200, 64],
      [2_500, 'POST', 200, 8],
    ]);
    expect(shown).toHaveLength(200);
    // Tick at 5 s: two fit the limit of 6, two get 429 (delivered at 5.05 s): no tick before
    // 17.05 s sends anything; the tick of 17.5 s does (and meets the spent window again).
    await clock.runUntil(17_499);
    expect(timeline(between(2_600, 17_500)).map(([at, , status]) => [at, status])).toEqual([
      [5_000, 200],
      [5_000, 200],
      [5_000, 429],
      [5_000, 429],
    ]);
    await clock.runUntil(17_500);
    expect(between(17_500, 17_501)).toHaveLength(4);
    // A hidden tab: ticks do nothing (the tick of 60 s is past the new window's start).
    visibility.set(false);
    await clock.runUntil(70_000);
    expect(server.requests.filter((r) => r.hidden)).toEqual([]);
    visibility.set(true);
    await clock.runUntil(72_500);
    expect(timeline(between(70_000, 72_501))).toEqual([
      [72_500, 'POST', 200, 64],
      [72_500, 'POST', 200, 64],
      [72_500, 'POST', 200, 64],
      [72_500, 'POST', 200, 8],
    ]);
    stop();
  });

  it('after a 404 from the batch route, sweeps GET /api/get_logs run by run from run 0; sweeps overlap, run on through 429s and a hidden tab', async () => {
    const { clock, server, visibility, between, stop } = setup(handTunedClient, {
      items: 200,
      limit: 120,
      batchEndpoint: false,
    });
    await clock.runUntil(5_000, { inclusive: false });
    // Four 404s, then one GET every 50 ms, in run order.
    expect(timeline(between(0, 2_550))).toEqual(Array(4).fill([2_500, 'POST', 404, undefined]));
    const first = between(2_550, 5_000);
    expect(first.map((r) => r.at)).toEqual(Array.from({ length: 49 }, (_, i) => 2_550 + 50 * i));
    expect(runIds(first)).toEqual(Array.from({ length: 49 }, (_, i) => i));
    // At 5 s a second sweep starts from run 0 beside the first: two in flight.
    await clock.runUntil(5_000);
    expect(runIds(between(4_950, 5_001))).toEqual([48, 0, 49]);
    // The budget (120, 4 spent on 404s) runs out; the sweeps go on through the 429s...
    await clock.runUntil(8_000);
    expect(server.count(200)).toBe(116);
    expect(server.rateLimited[0]?.at).toBe(6_650); // known to the client at 6.7 s
    const after = between(6_700, 8_000);
    expect(after).toHaveLength(2 * 26);
    expect(after.every((r) => r.status === 429 && r.method === 'GET')).toBe(true);
    // ...and while the tab is hidden.
    visibility.set(false);
    await clock.runUntil(9_000);
    // Two sweeps in flight (the ticks of 2.5 and 5 s; the 7.5 s tick fell in the cooldown that
    // the first 429 started): 2 requests every 50 ms.
    expect(between(8_001, 9_000).every((r) => r.hidden && r.status === 429)).toBe(true);
    expect(between(8_001, 9_000)).toHaveLength(2 * 19);
    expect(between(7_500, 7_501)).toHaveLength(2);
    stop();
    await clock.runUntil(9_100);
    expect(between(9_050, 9_100)).toEqual([]);
  });
});

describe('playground: TanStack Query client (query-core on the virtual clock)', () => {
  it('fetches every item on mount, then 1 s after each answer; nothing while hidden; all at once on focus', async () => {
    const { clock, server, visibility, shown, between, stop } = setup(tanstackClient, { items: 3 });
    await clock.runUntil(2_200);
    // Each query update re-arms its refetchInterval: the next fetch is 1 s after the answer.
    expect(server.requests.map((r) => [r.at, r.path])).toEqual([
      [0, '/api/items/0'],
      [0, '/api/items/1'],
      [0, '/api/items/2'],
      [1_050, '/api/items/0'],
      [1_050, '/api/items/1'],
      [1_050, '/api/items/2'],
      [2_100, '/api/items/0'],
      [2_100, '/api/items/1'],
      [2_100, '/api/items/2'],
    ]);
    // Shown as the observers hear it: when the answer arrives (+50 ms).
    expect(shown.map((s) => [s.at, s.item.id, s.item.version])).toEqual([
      [50, 0, 0],
      [50, 1, 0],
      [50, 2, 0],
      [1_100, 0, 1],
      [1_100, 1, 1],
      [1_100, 2, 1],
      [2_150, 0, 2],
      [2_150, 1, 2],
      [2_150, 2, 2],
    ]);
    visibility.set(false);
    await clock.runUntil(10_000);
    expect(between(2_200, 10_000)).toEqual([]);
    visibility.set(true); // refetchOnWindowFocus: every stale query at once
    await clock.runUntil(10_010);
    expect(between(10_000, 10_010).map((r) => r.path)).toEqual([
      '/api/items/0',
      '/api/items/1',
      '/api/items/2',
    ]);
    stop();
  });

  it('retries a 429 after 1, 2 and 4 s by default, ignoring Retry-After', async () => {
    const { clock, server, stop } = setup(tanstackClient, { items: 1, limit: 1 });
    await clock.runUntil(9_300);
    // 0: 200. 1.05 s (1 s after the answer): 429, retried 1, 2 and 4 s after each failure; then
    // it gives up (8.25 s), and the interval starts over 1 s later.
    expect(server.requests.map((r) => [r.at, r.status])).toEqual([
      [0, 200],
      [1_050, 429],
      [2_100, 429],
      [4_150, 429],
      [8_200, 429],
      [9_250, 429],
    ]);
    stop();
  });
});
