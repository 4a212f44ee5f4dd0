import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import type { PollerEvents, Snapshot } from '../../../src/index.js';
import { createResource } from '../../../src/resource/index.js';
import { sendJson } from '../../support/loopback-server.js';
import { logsOf, type Run, runs, type Seen, wire } from './harness.js';

const Logs = z.array(z.object({ step: z.number(), metric: z.string(), value: z.number() }));
type Logs = z.infer<typeof Logs>;

interface BatchBody {
  project: string;
  runs: Run[];
}

/** The runs a batch request asked for. */
const runsOf = (seen: Seen | undefined): Run[] => (seen?.body as BatchBody | undefined)?.runs ?? [];

describe('batching against a real server: the seed shape', () => {
  it('polls 200 runs with exactly 4 POST /api/get_logs_batch per tick (64, 64, 64, 8) and no per-run request; each run gets its own logs', async () => {
    const w = await wire();
    let version = 1;
    w.route('POST /api/get_logs_batch', (seen, res) => {
      const body = seen.body as BatchBody;
      // Entries come back reversed: the mapping is by key, never by position.
      sendJson(
        res,
        200,
        body.runs
          .map((r) => ({ run: r.run, run_id: r.run_id, logs: logsOf(r, version) }))
          .reverse(),
      );
    });
    w.route('GET /api/get_logs', (_seen, res) => sendJson(res, 200, []));
    const batchEvents: PollerEvents['batch'][] = [];
    w.poller.on('batch', (e) => batchEvents.push(e));

    const logs = createResource<Run, Logs>(w.poller, {
      item: {
        url: (r) =>
          `${w.origin}/api/get_logs?project=p&run=${encodeURIComponent(r.run)}&run_id=${r.run_id}`,
        schema: Logs,
      },
      batch: {
        url: `${w.origin}/api/get_logs_batch`,
        body: (keys) => ({ project: 'p', runs: keys }),
        key: (entry) => {
          const e = entry as Run;
          return { run: e.run, run_id: e.run_id };
        },
        data: (entry) => (entry as { logs: unknown }).logs,
      },
      interval: 1000,
    });
    const all = runs(200);
    const calls = new Map<string, Snapshot<Logs>[]>();
    for (const r of all) {
      calls.set(r.run_id, []);
      logs.subscribe(r, (s) => calls.get(r.run_id)?.push(s));
    }
    // Nothing goes out synchronously: the subscriptions coalesce into the next tick.
    expect(w.log).toHaveLength(0);

    await w.clock.advance(0);
    const tick1 = w.seen('/api/get_logs_batch');
    expect(tick1.map((r) => r.at)).toEqual([0, 0, 0, 0]);
    expect(tick1.every((r) => r.method === 'POST')).toBe(true);
    const bodies1 = tick1.map((r) => r.body as BatchBody);
    // The first chunk probes the endpoint alone, stalest (first subscribed) first; the rest follow.
    expect(bodies1[0]?.runs).toEqual(all.slice(0, 64));
    expect(bodies1.map((b) => b.runs.length).sort((a, b) => b - a)).toEqual([64, 64, 64, 8]);
    expect(bodies1.every((b) => b.project === 'p')).toBe(true);
    // Every run asked for exactly once.
    expect(
      bodies1
        .flatMap((b) => b.runs.map((r) => r.run_id))
        .sort()
        .join(),
    ).toBe(all.map((r) => r.run_id).join());
    expect(w.seen('/api/get_logs')).toHaveLength(0);
    for (const r of all) {
      expect(calls.get(r.run_id)).toHaveLength(1);
      expect(logs.get(r)).toMatchObject({
        status: 'success',
        data: logsOf(r, 1),
        error: undefined,
      });
      expect(logs.get(r).updatedAt).toBe(w.clock.now());
    }

    // Second tick, new data: again 4 requests (now all in parallel), every run its own new logs.
    version = 2;
    await w.clock.advance(999);
    expect(w.log).toHaveLength(4);
    await w.clock.advance(1);
    const tick2 = w.seen('/api/get_logs_batch').slice(4);
    expect(tick2.map((r) => r.at)).toEqual([1000, 1000, 1000, 1000]);
    expect(tick2.map((r) => (r.body as BatchBody).runs.length).sort((a, b) => b - a)).toEqual([
      64, 64, 64, 8,
    ]);
    expect(w.seen('/api/get_logs')).toHaveLength(0);
    for (const r of all) {
      expect(calls.get(r.run_id)?.map((s) => s.data)).toEqual([logsOf(r, 1), logsOf(r, 2)]);
    }

    // Third tick, same data: 4 requests, no listener call, same snapshots.
    const before = all.map((r) => logs.get(r));
    await w.clock.advance(1000);
    expect(w.seen('/api/get_logs_batch')).toHaveLength(12);
    expect(all.map((r) => logs.get(r))).toEqual(before);
    all.forEach((r, i) => {
      expect(logs.get(r)).toBe(before[i]);
      expect(calls.get(r.run_id)).toHaveLength(2);
    });

    const stats = w.poller.stats();
    expect(stats).toMatchObject({
      batches: 12,
      batchedKeys: 600,
      itemRequests: 0,
      fallbacks: 0,
      missingItems: 0,
      invalidItems: 0,
      sent: 12,
    });
    expect(batchEvents).toHaveLength(12);
    expect(batchEvents.every((e) => e.status === 200)).toBe(true);
    expect(batchEvents.map((e) => e.keys).sort((a, b) => a - b)).toEqual([
      8, 8, 8, 64, 64, 64, 64, 64, 64, 64, 64, 64,
    ]);
  });

  it('fetch() calls made in the same macrotask become one batch request, and keys are deduplicated', async () => {
    const w = await wire();
    w.route('POST /api/get_logs_batch', (seen, res) => {
      const body = seen.body as BatchBody;
      sendJson(
        res,
        200,
        body.runs.map((r) => ({ run: r.run, run_id: r.run_id, logs: logsOf(r) })),
      );
    });
    const logs = createResource<Run, Logs>(w.poller, {
      item: { url: (r) => `${w.origin}/api/get_logs?project=p&run=${r.run}&run_id=${r.run_id}` },
      batch: {
        url: `${w.origin}/api/get_logs_batch`,
        body: (keys) => ({ project: 'p', runs: keys }),
        key: (entry) => ({ run: (entry as Run).run, run_id: (entry as Run).run_id }),
        data: (entry) => (entry as { logs: unknown }).logs,
      },
    });
    const [a, b, c] = runs(3);
    const reads = [a, b, a, c, b].map((r) => logs.fetch(r as Run));
    // The same key twice in one window: the same promise.
    expect(reads[2]).toBe(reads[0]);
    expect(reads[4]).toBe(reads[1]);
    await w.clock.advance(0);
    expect(await Promise.all(reads)).toEqual([a, b, a, c, b].map((r) => logsOf(r as Run)));
    expect(w.log).toHaveLength(1);
    expect(runsOf(w.log[0])).toEqual([a, b, c]);
  });
});

describe('batching against a real server: a GET batch /items?ids=a,b,c', () => {
  const ids = Array.from({ length: 20 }, (_, i) => `k${String(i).padStart(2, '0')}`);

  async function getBatch(maxUrlLength?: (origin: string) => number) {
    const w = await wire();
    w.route('GET /items', (seen, res) => {
      const asked = (seen.query.get('ids') ?? '').split(',');
      sendJson(
        res,
        200,
        asked.map((id) => ({ id, value: `v-${id}` })),
      );
    });
    w.route('GET /item', (_seen, res) => sendJson(res, 200, {}));
    const items = createResource<string, { id: string; value: string }>(w.poller, {
      item: { url: (id) => `${w.origin}/item?id=${id}` },
      batch: {
        url: (keys) => `${w.origin}/items?ids=${keys.join(',')}`,
        method: 'GET',
        key: (entry) => (entry as { id: string }).id,
        maxSize: 64,
        ...(maxUrlLength === undefined ? {} : { maxUrlLength: maxUrlLength(w.origin) }),
      },
      interval: 1000,
    });
    return { w, items };
  }

  it('sends one GET with every id when the URL fits', async () => {
    const { w, items } = await getBatch();
    for (const id of ids) items.subscribe(id, () => {});
    await w.clock.advance(0);
    expect(w.log.map((r) => `${r.method} ${r.url}`)).toEqual([`GET /items?ids=${ids.join(',')}`]);
    expect(w.log[0]?.body).toBeUndefined();
    for (const id of ids)
      expect(items.get(id)).toMatchObject({ status: 'success', data: { id, value: `v-${id}` } });
    expect(w.seen('/item')).toHaveLength(0);
  });

  it('splits by URL length: every URL the server sees is within maxUrlLength, each chunk as full as it fits', async () => {
    // `${origin}/items?ids=` + 6 ids of 3 chars and 5 commas is exactly the limit.
    const limitFor = (origin: string) => `${origin}/items?ids=`.length + 6 * 3 + 5;
    const { w, items } = await getBatch(limitFor);
    const limit = limitFor(w.origin);
    for (const id of ids) items.subscribe(id, () => {});
    await w.clock.advance(0);

    const seen = w.seen('/items');
    const asked = seen.map((r) => (r.query.get('ids') ?? '').split(','));
    // The probe first, then the other chunks in parallel (any arrival order).
    expect(asked[0]).toHaveLength(6);
    expect(asked.map((a) => a.length).sort()).toEqual([2, 6, 6, 6]);
    expect(asked.flat().sort()).toEqual(ids);
    expect(asked[0]).toEqual(ids.slice(0, 6));
    const lengths = seen.map((r) => `${w.origin}${r.url}`.length);
    for (const length of lengths) expect(length).toBeLessThanOrEqual(limit);
    expect(lengths.filter((l) => l === limit)).toHaveLength(3); // no chunk left room for one more id
    expect(seen.every((r) => r.method === 'GET' && r.body === undefined)).toBe(true);
    for (const id of ids)
      expect(items.get(id)).toMatchObject({ status: 'success', data: { id, value: `v-${id}` } });
    expect(w.seen('/item')).toHaveLength(0);
    expect(w.poller.stats()).toMatchObject({ batches: 4, batchedKeys: 20, itemRequests: 0 });
  });
});
