import type http from 'node:http';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { HttpError, type PollerEvents, type Snapshot } from '../../../src/index.js';
import { createResource } from '../../../src/resource/index.js';
import { waitFor } from '../../support/clock.js';
import { sendJson } from '../../support/loopback-server.js';
import { tracked } from '../../support/promises.js';
import { wire } from './harness.js';

const Item = z.object({ id: z.string(), v: z.number() });
type Item = z.infer<typeof Item>;

const idsOf = (seen: { body: unknown }) => (seen.body as { ids: string[] }).ids;

async function itemsResource(w: Awaited<ReturnType<typeof wire>>, interval = 500) {
  w.route('GET /item', (_seen, res) => sendJson(res, 200, { id: 'x', v: 0 }));
  return createResource<string, Item>(w.poller, {
    item: { url: (id) => `${w.origin}/item?id=${id}`, schema: Item },
    batch: {
      url: `${w.origin}/batch`,
      body: (ids) => ({ ids }),
      key: (entry) => (entry as Item).id,
      maxSize: 4,
    },
    interval,
  });
}

describe('whole-batch failures against a real server', () => {
  it('a 500 gives every key of the read the error, backs off per the formula (random 1: 1 s, 2 s, 4 s), never falls back; a success resets it', async () => {
    const w = await wire({ random: () => 1 });
    let failuresLeft = 3;
    w.route('POST /batch', (seen, res) => {
      if (failuresLeft > 0) {
        failuresLeft--;
        return sendJson(res, 500, { error: 'boom' });
      }
      sendJson(
        res,
        200,
        idsOf(seen).map((id) => ({ id, v: 1 })),
      );
    });
    const items = await itemsResource(w, 500);
    const errors: PollerEvents['error'][] = [];
    w.poller.on('error', (e) => errors.push(e));
    const ids = Array.from({ length: 10 }, (_, i) => `k${i}`);
    const calls = new Map<string, Snapshot<Item>[]>();
    for (const id of ids) {
      calls.set(id, []);
      items.subscribe(id, (s) => calls.get(id)?.push(s));
    }

    await w.clock.advance(0);
    // Unknown endpoint: the first chunk of 4 probes alone; its 500 fails all 10 keys of the read.
    expect(w.log.map((r) => [r.at, idsOf(r).length])).toEqual([[0, 4]]);
    for (const id of ids) {
      const s = items.get(id);
      expect(s.status).toBe('error');
      expect(s.error).toBeInstanceOf(HttpError);
      expect((s.error as HttpError).status).toBe(500);
      expect(calls.get(id)).toEqual([s]);
    }
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ source: 'poll', origin: w.origin });

    // Backoff: max(interval 500, 1 * min(30 s, 1 s * 2^(n-1))): 1 s, then 2 s, then 4 s.
    await w.clock.advance(999);
    expect(w.log).toHaveLength(1);
    await w.clock.advance(1); // 1000
    await w.clock.advance(1999);
    expect(w.log).toHaveLength(2);
    await w.clock.advance(1); // 3000
    await w.clock.advance(3999);
    expect(w.log).toHaveLength(3);
    await w.clock.advance(1); // 7000: the endpoint answers; probe, then the other chunks
    expect(w.log.map((r) => r.at)).toEqual([0, 1000, 3000, 7000, 7000, 7000]);
    for (const id of ids) {
      expect(items.get(id)).toMatchObject({ status: 'success', data: { id, v: 1 } });
      // One error notification (equal errors do not notify again), then the data.
      expect(calls.get(id)?.map((s) => s.status)).toEqual(['error', 'success']);
    }
    // The success reset the backoff: back on the 500 ms interval.
    await w.clock.advance(500);
    expect(w.log.map((r) => r.at)).toEqual([0, 1000, 3000, 7000, 7000, 7000, 7500, 7500, 7500]);
    const ticks = [...new Set(w.log.map((r) => r.at))];
    const gaps = ticks.slice(1).map((t, i) => t - (ticks[i] as number));
    expect(gaps).toEqual([1000, 2000, 4000, 500]); // never shorter than the interval

    expect(w.seen('/item')).toHaveLength(0);
    expect(w.poller.stats()).toMatchObject({ errors: 3, itemRequests: 0, fallbacks: 0 });
  });

  it('once the endpoint answers, a 500 on one chunk fails only that chunk’s keys; the others get data; the poll backs off', async () => {
    const w = await wire({ random: () => 1 });
    let version = 1;
    let failFor: string | undefined;
    w.route('POST /batch', (seen, res) => {
      const ids = idsOf(seen);
      if (failFor !== undefined && ids.includes(failFor)) return sendJson(res, 500, {});
      sendJson(
        res,
        200,
        ids.map((id) => ({ id, v: version })),
      );
    });
    const items = await itemsResource(w, 500);
    const ids = Array.from({ length: 10 }, (_, i) => `k${i}`);
    for (const id of ids) items.subscribe(id, () => {});
    await w.clock.advance(0);
    expect(w.log).toHaveLength(3);

    version = 2;
    failFor = 'k5';
    await w.clock.advance(500);
    expect(w.log.slice(3).map((r) => r.at)).toEqual([500, 500, 500]);
    for (const id of ids) {
      const s = items.get(id);
      if (['k4', 'k5', 'k6', 'k7'].includes(id)) {
        expect(s.status).toBe('error');
        expect((s.error as HttpError).status).toBe(500);
        expect(s.data).toEqual({ id, v: 1 }); // the last good data stays
      } else {
        expect(s).toMatchObject({ status: 'success', data: { id, v: 2 } });
      }
    }
    // Backoff after a failure: 1 s, not the 500 ms interval.
    failFor = undefined;
    await w.clock.advance(999);
    expect(w.log).toHaveLength(6);
    await w.clock.advance(1);
    expect(w.log.slice(6).map((r) => r.at)).toEqual([1500, 1500, 1500]);
    for (const id of ids)
      expect(items.get(id)).toMatchObject({ status: 'success', data: { id, v: 2 } });
    expect(w.seen('/item')).toHaveLength(0);
  });
});

describe('dedup against a real server', () => {
  it('fetch(key) while that key is in flight returns the same promise and sends nothing more; a new key in the same window goes out alone', async () => {
    const w = await wire({}, { waitForRuns: false });
    const held: { ids: string[]; res: http.ServerResponse }[] = [];
    w.route('POST /batch', (seen, res) => held.push({ ids: idsOf(seen), res }));
    const items = await itemsResource(w, 1000);
    items.subscribe('a', () => {});
    items.subscribe('b', () => {});
    await w.clock.advance(0);
    await waitFor(() => held.length === 1, 'the sweep reached the server');
    expect(held[0]?.ids).toEqual(['a', 'b']);

    const first = items.fetch('a');
    const second = items.fetch('a');
    expect(second).toBe(first);
    const c = items.fetch('c');
    expect(items.fetch('c')).toBe(c);
    expect(items.fetch('b')).toBe(items.fetch('b'));
    await w.clock.advance(0); // the fetch window closes
    await waitFor(() => held.length === 2, 'the fetch batch reached the server');
    expect(held[1]?.ids).toEqual(['c']);

    const a = tracked(first);
    for (const h of held)
      sendJson(
        h.res,
        200,
        h.ids.map((id) => ({ id, v: id.charCodeAt(0) })),
      );
    await waitFor(() => a.settled, 'fetch(a) settled');
    expect(await first).toEqual({ id: 'a', v: 97 });
    expect(await c).toEqual({ id: 'c', v: 99 });
    expect(items.get('b')).toMatchObject({ status: 'success', data: { id: 'b', v: 98 } });
    expect(w.log.flatMap(idsOf)).toEqual(['a', 'b', 'c']);
    expect(w.log).toHaveLength(2);
    expect(w.poller.stats()).toMatchObject({ batches: 2, batchedKeys: 3 });
  });

  it('a poll tick never asks again for a key a fetch() has in flight', async () => {
    const w = await wire({}, { waitForRuns: false });
    let hold = false;
    const held: { ids: string[]; res: http.ServerResponse }[] = [];
    const answer = (ids: string[], res: http.ServerResponse) =>
      sendJson(
        res,
        200,
        ids.map((id) => ({ id, v: id.charCodeAt(0) })),
      );
    w.route('POST /batch', (seen, res) => {
      if (hold) held.push({ ids: idsOf(seen), res });
      else answer(idsOf(seen), res);
    });
    const items = await itemsResource(w, 1000);
    items.subscribe('a', () => {});
    items.subscribe('b', () => {});
    const runsSettled = () => {
      const s = w.poller.stats();
      return s.runs === s.succeeded + s.errors;
    };
    await w.clock.advance(0);
    await waitFor(() => w.log.length === 1 && runsSettled(), 'the first sweep');

    hold = true;
    const read = tracked(items.fetch('a'));
    await w.clock.advance(500); // the fetch window closes at once
    await waitFor(() => held.length === 1, 'fetch(a) reached the server');
    hold = false;
    await w.clock.advance(500); // T0 + 1000: both keys are due, but a is in flight
    await waitFor(() => w.log.length === 3 && runsSettled(), 'the second sweep');
    expect(w.log.map((r) => [r.at, idsOf(r)])).toEqual([
      [0, ['a', 'b']],
      [0, ['a']],
      [1000, ['b']],
    ]);
    for (const h of held) answer(h.ids, h.res);
    await waitFor(() => read.settled, 'fetch(a) settled');
    expect(read.value).toEqual({ id: 'a', v: 97 });
    expect(w.log).toHaveLength(3);
  });
});
