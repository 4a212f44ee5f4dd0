import type http from 'node:http';
import { describe, expect, it } from 'vitest';
import type { PollerEvents } from '../../../src/index.js';
import { createResource } from '../../../src/resource/index.js';
import { T0 } from '../../support/clock.js';
import { sendJson } from '../../support/loopback-server.js';
import { logsOf, type Run, runs, type Seen, wire } from './harness.js';

interface BatchBody {
  project: string;
  runs: Run[];
}

/** The runs a batch request asked for. */
const runsOf = (seen: Seen | undefined): Run[] => (seen?.body as BatchBody | undefined)?.runs ?? [];

const MINUTE = 60_000;

/**
 * The seed's dashboard against an older backend: `POST /api/get_logs_batch` answers `batchStatus`
 * (404 while the route is missing) and `GET /api/get_logs` answers one run.
 */
async function olderBackend(options: { maxSize?: number; concurrency?: number } = {}) {
  const w = await wire();
  const state = { batchStatus: 404, version: 1 };
  w.route('POST /api/get_logs_batch', (seen, res) => {
    if (state.batchStatus !== 200) return sendJson(res, state.batchStatus, { detail: 'Not Found' });
    const body = seen.body as BatchBody;
    sendJson(
      res,
      200,
      body.runs.map((r) => ({ run: r.run, run_id: r.run_id, logs: logsOf(r, state.version) })),
    );
  });
  // Per-run answers wait until every per-run request the client has let out has arrived: the
  // server's peak of open requests is then exactly the client's fan-out, never less.
  let clientSent = 0;
  let arrived = 0;
  w.poller.on('request', ({ url }) => {
    if (new URL(url).pathname === '/api/get_logs') clientSent++;
  });
  let held: { run: Run; res: http.ServerResponse }[] = [];
  w.route('GET /api/get_logs', (seen, res) => {
    arrived++;
    held.push({
      run: { run: seen.query.get('run') ?? '', run_id: seen.query.get('run_id') ?? '' },
      res,
    });
    if (arrived < clientSent) return;
    const batch = held;
    held = [];
    for (const h of batch) sendJson(h.res, 200, logsOf(h.run, state.version));
  });
  const logs = createResource<Run, ReturnType<typeof logsOf>>(w.poller, {
    item: {
      url: (r) => `${w.origin}/api/get_logs?project=p&run=${r.run}&run_id=${r.run_id}`,
    },
    batch: {
      url: `${w.origin}/api/get_logs_batch`,
      body: (keys) => ({ project: 'p', runs: keys }),
      key: (entry) => ({ run: (entry as Run).run, run_id: (entry as Run).run_id }),
      data: (entry) => (entry as { logs: unknown }).logs,
      ...(options.maxSize === undefined ? {} : { maxSize: options.maxSize }),
    },
    interval: MINUTE,
    ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
  });
  const fallbacks: PollerEvents['fallback'][] = [];
  const batches: PollerEvents['batch'][] = [];
  w.poller.on('fallback', (e) => fallbacks.push(e));
  w.poller.on('batch', (e) => batches.push(e));
  /** Paths (batch or item) the server saw at virtual time `at`. */
  const kindsAt = (at: number) =>
    w.log
      .filter((r) => r.at === at)
      .map((r) => (r.path === '/api/get_logs_batch' ? 'batch' : 'item'));
  return { w, logs, state, fallbacks, batches, kindsAt };
}

describe('fallback to per-run requests against a real server', () => {
  it('404: one batch request, then per-run requests in the same tick, at most 6 open at the server; no batch again until the re-probe 10 minutes later; then batching resumes', async () => {
    // 12 runs in 3 chunks of 5: a missing endpoint must cost ONE batch request, not 3.
    const { w, logs, state, fallbacks, batches, kindsAt } = await olderBackend({ maxSize: 5 });
    const all = runs(12);
    const calls = new Map<string, number>();
    for (const r of all)
      logs.subscribe(r, () => calls.set(r.run_id, (calls.get(r.run_id) ?? 0) + 1));

    await w.clock.advance(0);
    expect(kindsAt(0)).toEqual(['batch', ...Array(12).fill('item')]);
    expect(runsOf(w.log[0])).toEqual(all.slice(0, 5));
    expect(w.peakOpen).toBe(6);
    // Every run was read on its own URL, once.
    expect(
      w
        .seen('/api/get_logs')
        .map((r) => r.url)
        .sort(),
    ).toEqual(all.map((r) => `/api/get_logs?project=p&run=${r.run}&run_id=${r.run_id}`));
    for (const r of all) {
      expect(logs.get(r)).toMatchObject({ status: 'success', data: logsOf(r, 1) });
      expect(calls.get(r.run_id)).toBe(1);
    }
    expect(fallbacks).toEqual([{ origin: w.origin, until: T0 + 10 * MINUTE, keys: 12 }]);
    expect(batches).toEqual([{ url: `${w.origin}/api/get_logs_batch`, keys: 5, status: 404 }]);
    expect(w.poller.stats()).toMatchObject({
      batches: 1,
      batchedKeys: 5,
      itemRequests: 12,
      fallbacks: 1,
    });

    // Minutes 1 to 9: per-run requests only, one tick a minute, never more than 6 open.
    for (let minute = 1; minute <= 9; minute++) {
      state.version = minute + 1;
      w.resetPeak();
      await w.clock.advance(MINUTE);
      expect(kindsAt(minute * MINUTE)).toEqual(Array(12).fill('item'));
      expect(w.peakOpen).toBe(6);
      for (const r of all) expect(logs.get(r).data).toEqual(logsOf(r, minute + 1));
    }
    expect(w.seen('/api/get_logs_batch')).toHaveLength(1);
    expect(w.log).toHaveLength(1 + 10 * 12);
    expect(fallbacks).toHaveLength(1);

    // The route came back just before the re-probe time: at minute 10 exactly, one probe chunk,
    // then the other chunks in parallel; no per-run request any more.
    state.batchStatus = 200;
    state.version = 11;
    await w.clock.advance(MINUTE - 1);
    expect(w.log).toHaveLength(1 + 10 * 12);
    await w.clock.advance(1);
    expect(kindsAt(10 * MINUTE)).toEqual(['batch', 'batch', 'batch']);
    const probe = w.seen('/api/get_logs_batch').slice(1);
    expect(runsOf(probe[0])).toEqual(all.slice(0, 5));
    expect(probe.map((r) => (r.body as BatchBody).runs.length).sort()).toEqual([2, 5, 5]);
    for (const r of all) expect(logs.get(r).data).toEqual(logsOf(r, 11));

    // Minute 11: batching goes on.
    state.version = 12;
    await w.clock.advance(MINUTE);
    expect(kindsAt(11 * MINUTE)).toEqual(['batch', 'batch', 'batch']);
    for (const r of all) {
      expect(logs.get(r).data).toEqual(logsOf(r, 12));
      expect(calls.get(r.run_id)).toBe(12);
    }
    expect(fallbacks).toHaveLength(1);
    expect(w.poller.stats()).toMatchObject({ batches: 7, itemRequests: 120, fallbacks: 1 });
  });

  it('a probe that still finds the route missing falls back again in the same tick, for another 10 minutes', async () => {
    const { w, logs, fallbacks, kindsAt } = await olderBackend();
    for (const r of runs(3)) logs.subscribe(r, () => {});
    await w.clock.advance(0);
    expect(kindsAt(0)).toEqual(['batch', 'item', 'item', 'item']);

    await w.clock.advance(10 * MINUTE);
    expect(w.seen('/api/get_logs_batch').map((r) => r.at)).toEqual([0, 10 * MINUTE]);
    expect(kindsAt(10 * MINUTE)).toEqual(['batch', 'item', 'item', 'item']);
    expect(fallbacks.map((f) => f.until - T0)).toEqual([10 * MINUTE, 20 * MINUTE]);

    await w.clock.advance(10 * MINUTE - 1);
    expect(w.seen('/api/get_logs_batch')).toHaveLength(2);
    await w.clock.advance(1);
    expect(w.seen('/api/get_logs_batch').map((r) => r.at)).toEqual([0, 10 * MINUTE, 20 * MINUTE]);
    expect(w.seen('/api/get_logs')).toHaveLength(3 * 21);
  });

  it('405 and 501 are a missing endpoint too; a 400 is not', async () => {
    for (const status of [405, 501]) {
      const { w, logs, state, kindsAt } = await olderBackend();
      state.batchStatus = status;
      logs.subscribe(runs(1)[0] as Run, () => {});
      await w.clock.advance(0);
      expect(kindsAt(0)).toEqual(['batch', 'item']);
      expect(w.poller.stats().fallbacks).toBe(1);
    }
    const { w, logs, state, kindsAt } = await olderBackend();
    state.batchStatus = 400;
    const [r] = runs(1) as [Run];
    logs.subscribe(r, () => {});
    await w.clock.advance(0);
    expect(kindsAt(0)).toEqual(['batch']);
    expect(logs.get(r).status).toBe('error');
    expect(w.poller.stats().fallbacks).toBe(0);
  });

  it('the per-run fan-out honours a custom concurrency', async () => {
    const { w, logs } = await olderBackend({ concurrency: 2 });
    for (const r of runs(6)) logs.subscribe(r, () => {});
    await w.clock.advance(0);
    expect(w.seen('/api/get_logs')).toHaveLength(6);
    expect(w.peakOpen).toBe(2);
  });
});
