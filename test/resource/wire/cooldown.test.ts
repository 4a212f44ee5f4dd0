import { describe, expect, it } from 'vitest';
import { CooldownError, HttpError, type PollerEvents } from '../../../src/index.js';
import { createResource } from '../../../src/resource/index.js';
import { T0 } from '../../support/clock.js';
import { sendJson } from '../../support/loopback-server.js';
import { rejectionOf } from '../../support/promises.js';
import { wire } from './harness.js';

type Item = { id: string; v: number };
const idsOf = (seen: { body: unknown }) => (seen.body as { ids: string[] }).ids;

/** A batch route whose answers follow `script` (status, headers), then 200 with the data. */
async function rateLimitedServer(
  script: { status: number; headers?: Record<string, string> }[],
  options: { concurrency?: number } = {},
) {
  const w = await wire();
  let i = 0;
  w.route('POST /batch', (seen, res) => {
    const step = script[i++];
    if (step !== undefined) return sendJson(res, step.status, { error: step.status }, step.headers);
    sendJson(
      res,
      200,
      idsOf(seen).map((id) => ({ id, v: 1 })),
    );
  });
  w.route('GET /item', (_seen, res) => sendJson(res, 200, { id: 'x', v: 0 }));
  w.route('GET /health', (_seen, res) => sendJson(res, 200, { ok: true }));
  const items = createResource<string, Item>(w.poller, {
    item: { url: (id) => `${w.origin}/item?id=${id}` },
    batch: {
      url: `${w.origin}/batch`,
      body: (ids) => ({ ids }),
      key: (entry) => (entry as Item).id,
      maxSize: 4,
    },
    interval: 1000,
    ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
  });
  const cooldowns: PollerEvents['cooldown'][] = [];
  w.poller.on('cooldown', (e) => cooldowns.push(e));
  return { w, items, cooldowns };
}

describe('a 429 on a batch request against a real server', () => {
  it('cools the whole origin for Retry-After: no poll, no wrapped fetch, no resource request reaches the server; then batching resumes', async () => {
    const { w, items, cooldowns } = await rateLimitedServer([
      { status: 429, headers: { 'retry-after': '7' } },
    ]);
    const ids = Array.from({ length: 10 }, (_, i) => `k${i}`);
    for (const id of ids) items.subscribe(id, () => {});
    // A plain poll of the same origin, first due at 1 s.
    const health: unknown[] = [];
    w.poller.poll(`${w.origin}/health`, { immediate: false, onData: (d) => health.push(d) });

    await w.clock.advance(0);
    expect(w.log.map((r) => [r.at, r.path])).toEqual([[0, '/batch']]);
    expect(cooldowns).toEqual([
      {
        origin: w.origin,
        until: T0 + 7000,
        delayMs: 7000,
        status: 429,
        source: 'retry-after',
        strikes: 1,
      },
    ]);
    expect(w.poller.cooldownUntil(w.origin)).toBe(T0 + 7000);
    for (const id of ids) {
      const { error } = items.get(id);
      expect(error).toBeInstanceOf(HttpError);
      expect((error as HttpError).status).toBe(429);
    }

    for (let second = 1; second <= 6; second++) {
      await w.clock.advance(1000);
      const remaining = 7000 - second * 1000;
      const wrapped = await rejectionOf(w.poller.wrapFetch()(`${w.origin}/item?id=wrapped`));
      const read = rejectionOf(items.fetch(`fetched-${second}`));
      items.refresh();
      items.subscribe(`late-${second}`, () => {});
      await w.clock.advance(0); // the fetch window closes
      for (const error of [wrapped, await read]) {
        expect(error).toBeInstanceOf(CooldownError);
        expect(error).toMatchObject({
          origin: w.origin,
          retryAt: T0 + 7000,
          retryAfterMs: remaining,
        });
      }
      // Nothing reached the server: not the sweep, not the poll, not a fetch, not wrapped fetch.
      expect(w.log).toHaveLength(1);
      // The group sleeps until the cooldown ends.
      expect(w.clock.dueTimes).toEqual([T0 + 7000]);
    }
    expect(health).toEqual([]);

    await w.clock.advance(999); // T0 + 6999
    expect(w.log).toHaveLength(1);
    await w.clock.advance(1); // T0 + 7000: the poll and the sweep, once
    const at7 = w.log.filter((r) => r.at === 7000);
    expect(at7.filter((r) => r.path === '/health')).toHaveLength(1);
    const batches7 = at7.filter((r) => r.path === '/batch');
    // 10 subscribed keys + 6 late ones, stalest first: a probe of 4, then 3 chunks in parallel.
    expect(batches7.map((r) => idsOf(r).length).sort()).toEqual([4, 4, 4, 4]);
    expect(batches7.flatMap(idsOf).sort()).toEqual(
      [...ids, ...Array.from({ length: 6 }, (_, i) => `late-${i + 1}`)].sort(),
    );
    expect(w.log).toHaveLength(1 + at7.length);
    for (const id of ids)
      expect(items.get(id)).toMatchObject({ status: 'success', data: { id, v: 1 } });
    expect(health).toEqual([{ ok: true }]);

    // Batching goes on at the interval; no per-item request ever, no fallback.
    await w.clock.advance(1000);
    expect(w.log.filter((r) => r.at === 8000 && r.path === '/batch')).toHaveLength(4);
    expect(w.seen('/item')).toHaveLength(0);
    expect(w.poller.stats()).toMatchObject({ fallbacks: 0, itemRequests: 0, rateLimited: 1 });
  });

  it('a 429 mid-sweep stops the chunks not yet sent; their keys keep their data', async () => {
    const { w, items } = await rateLimitedServer([], { concurrency: 1 });
    const ids = Array.from({ length: 12 }, (_, i) => `k${i}`);
    for (const id of ids) items.subscribe(id, () => {});
    await w.clock.advance(0);
    expect(w.log.map((r) => idsOf(r).length)).toEqual([4, 4, 4]);

    // Second tick: the first chunk is answered 429, one at a time: the other two never go out.
    w.route('POST /batch', (_seen, res) => sendJson(res, 429, {}, { 'retry-after': '5' }));
    await w.clock.advance(1000);
    expect(w.log.filter((r) => r.at === 1000)).toHaveLength(1);
    const [first] = w.log.slice(3);
    const sent = idsOf(first as { body: unknown });
    for (const id of ids) {
      const s = items.get(id);
      if (sent.includes(id)) expect((s.error as HttpError).status).toBe(429);
      else expect(s).toMatchObject({ status: 'success', error: undefined, data: { id, v: 1 } });
    }
    await w.clock.advance(4999);
    expect(w.log).toHaveLength(4);
  });

  it('stats count only resource requests that reached the server: batches and per-item reads refused by the cooldown are not counted', async () => {
    const { w, items } = await rateLimitedServer([
      { status: 429, headers: { 'retry-after': '7' } },
    ]);
    const perItem = createResource<string, Item>(w.poller, {
      item: { url: (id) => `${w.origin}/item?id=${id}` },
    });
    items.subscribe('k0', () => {});
    await w.clock.advance(0);
    expect(w.poller.stats()).toMatchObject({ sent: 1, batches: 1, batchedKeys: 1 });

    const refused = [rejectionOf(items.fetch('a')), rejectionOf(perItem.fetch('b'))];
    await w.clock.advance(0);
    for (const error of await Promise.all(refused)) expect(error).toBeInstanceOf(CooldownError);
    expect(w.log).toHaveLength(1);
    expect(w.poller.stats()).toMatchObject({
      sent: 1,
      batches: 1,
      batchedKeys: 1,
      itemRequests: 0,
    });
  });
});
