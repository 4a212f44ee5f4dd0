import type { Snapshot } from '../../src/index.js';
import type { RunLogs } from '../sim/simulated-server.js';
import { type DashboardClient, type DashboardEnvironment, runRef, tileOf } from './dashboard.js';
import { createDemoPoller } from './demo-poller.js';
import { createRunLogsResource } from './run-logs-resource.js';

/**
 * The same dashboard on one resource (`createResource(poller, …)`, from `pollwise/resource`):
 * every tile subscribes to its run, and each sweep asks `POST /api/get_logs_batch` for up to
 * 64 runs at a time (200 tiles: 4 requests).
 * Where the batch route answers 404, the resource reads those runs from the per-run endpoint
 * instead, and tries the batch route again 10 minutes later.
 */
function startBatched({
  clock,
  fetch,
  visibility,
  random,
  origin,
  items,
  show,
}: DashboardEnvironment) {
  const poller = createDemoPoller({ clock, fetch, visibility, random });
  const logs = createRunLogsResource(poller, origin);
  for (let id = 0; id < items; id++) {
    // A tile counts as refreshed when new data arrives, as with the other clients: every read
    // brings a new `step` (it bumps every second; a run is read at most every 2.25 s), so the
    // snapshot changes, and `updatedAt` says when.
    let shownAt: number | null = null;
    logs.subscribe(runRef(id), (snapshot: Snapshot<RunLogs>) => {
      if (snapshot.status !== 'success' || snapshot.updatedAt === shownAt) return;
      shownAt = snapshot.updatedAt;
      const tile = snapshot.data === undefined ? undefined : tileOf(snapshot.data);
      if (tile !== undefined) show(tile);
    });
  }
  return { stop: () => poller.dispose() };
}

export const pollwiseBatchedClient: DashboardClient = {
  name: 'pollwise (batched)',
  heading: ['pollwise', 'batched'],
  description:
    "createResource(poller) + subscribe per item: POST /api/get_logs_batch, ≤ 64 runs a request; '*.hf.space' → 2.5 s",
  start: startBatched,
};

export const pollwiseBatchedOldBackendClient: DashboardClient = {
  name: 'pollwise (batched, old backend: batch 404)',
  heading: ['pollwise', 'batched,', 'batch 404'],
  description:
    'the same resource against an older backend: the batch route answers 404, so it falls back to GET /api/get_logs per run (≤ 6 in flight), re-probing after 10 min',
  backend: { batchEndpoint: false },
  start: startBatched,
};
