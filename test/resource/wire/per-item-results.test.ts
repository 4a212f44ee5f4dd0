import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import {
  MissingItemError,
  type PollerEvents,
  type Snapshot,
  UnexpectedResponseError,
  ValidationError,
} from '../../../src/index.js';
import { createResource } from '../../../src/resource/index.js';
import { sendJson } from '../../support/loopback-server.js';
import { rejectionOf } from '../../support/promises.js';
import { wire } from './harness.js';

const Item = z.object({ id: z.string(), value: z.number() });
type Item = z.infer<typeof Item>;

/** A POST batch of `{ ids }` answered by `answer`, with a per-item route that must stay unused. */
async function itemsServer(answer: (ids: string[]) => { status: number; body?: unknown }) {
  const w = await wire();
  w.route('POST /batch', (seen, res) => {
    const { status, body } = answer((seen.body as { ids: string[] }).ids);
    sendJson(res, status, body ?? { error: status });
  });
  w.route('GET /item', (_seen, res) => sendJson(res, 200, {}));
  const batches: PollerEvents['batch'][] = [];
  w.poller.on('batch', (e) => batches.push(e));
  const items = createResource<string, Item>(w.poller, {
    item: { url: (id) => `${w.origin}/item?id=${id}`, schema: Item },
    batch: {
      url: `${w.origin}/batch`,
      body: (ids) => ({ ids }),
      select: (body) => (body as { results: unknown[] }).results,
      key: (entry) => (entry as { id: string }).id,
    },
    interval: 1000,
  });
  const askedSizes = () => w.seen('/batch').map((r) => (r.body as { ids: string[] }).ids.length);
  return { w, items, batches, askedSizes };
}

describe('per-item results of a batch against a real server', () => {
  it('a mixed response: a missing key gets MissingItemError, a schema-invalid one ValidationError with its issues, the others their data', async () => {
    const { w, items } = await itemsServer((ids) => ({
      status: 200,
      body: {
        results: [
          ...ids
            .filter((id) => id !== 'missing')
            .map((id) =>
              id === 'invalid' ? { id, value: 'not a number' } : { id, value: id.length },
            ),
          { id: 'never-asked', value: 0 },
        ],
      },
    }));
    const ids = ['alpha', 'missing', 'beta', 'invalid', 'gamma'];
    const seen = new Map<string, Snapshot<Item>[]>();
    for (const id of ids) {
      seen.set(id, []);
      items.subscribe(id, (s) => seen.get(id)?.push(s));
    }
    await w.clock.advance(0);
    expect(w.log.map((r) => r.path)).toEqual(['/batch']);
    expect(w.log[0]?.body).toEqual({ ids });

    for (const id of ['alpha', 'beta', 'gamma']) {
      expect(items.get(id)).toEqual({
        status: 'success',
        data: { id, value: id.length },
        error: undefined,
        updatedAt: w.clock.now(),
      });
      expect(seen.get(id)).toEqual([items.get(id)]);
    }
    const missing = items.get('missing');
    expect(missing).toMatchObject({ status: 'error', data: undefined });
    expect(missing.error).toBeInstanceOf(MissingItemError);
    expect(missing.error).toMatchObject({ key: 'missing', code: 'missing-item' });
    const invalid = items.get('invalid');
    expect(invalid).toMatchObject({ status: 'error', data: undefined });
    expect(invalid.error).toBeInstanceOf(ValidationError);
    const issues = (invalid.error as ValidationError).issues;
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toEqual(['value']);
    expect(invalid.error).toMatchObject({ key: 'invalid', code: 'validation' });
    expect(seen.get('missing')).toEqual([missing]);
    expect(seen.get('invalid')).toEqual([invalid]);
    // A key nobody asked for is ignored; no per-item request, no fallback.
    expect(items.get('never-asked').status).toBe('pending');
    expect(w.poller.stats()).toMatchObject({
      batches: 1,
      batchedKeys: 5,
      missingItems: 1,
      invalidItems: 1,
      itemRequests: 0,
      fallbacks: 0,
    });
    // fetch() reports the same typed errors and the data of the others.
    const reads = [
      rejectionOf(items.fetch('missing')),
      rejectionOf(items.fetch('invalid')),
      items.fetch('beta'),
    ];
    await w.clock.advance(0);
    const [m, v, beta] = await Promise.all(reads);
    expect(m).toBeInstanceOf(MissingItemError);
    expect(v).toBeInstanceOf(ValidationError);
    expect(beta).toEqual({ id: 'beta', value: 4 });
    expect(w.log.map((r) => (r.body as { ids: string[] }).ids)).toEqual([
      ids,
      ['missing', 'invalid', 'beta'],
    ]);
  });

  it('a 413 splits the chunk in halves (64 → 32 + 32) and every key still gets its data', async () => {
    const { w, items, batches, askedSizes } = await itemsServer((ids) =>
      ids.length > 32
        ? { status: 413 }
        : { status: 200, body: { results: ids.map((id) => ({ id, value: Number(id.slice(1)) })) } },
    );
    const ids = Array.from({ length: 64 }, (_, i) => `k${i}`);
    for (const id of ids) items.subscribe(id, () => {});
    await w.clock.advance(0);
    expect(askedSizes()).toEqual([64, 32, 32]);
    const [whole, ...halves] = w.seen('/batch').map((r) => (r.body as { ids: string[] }).ids);
    expect(whole).toEqual(ids);
    expect(halves.flat().sort()).toEqual([...ids].sort());
    for (const id of ids) {
      expect(items.get(id)).toMatchObject({
        status: 'success',
        data: { id, value: Number(id.slice(1)) },
      });
    }
    expect(batches.map((b) => [b.keys, b.status]).sort()).toEqual([
      [32, 200],
      [32, 200],
      [64, 413],
    ]);
    expect(w.poller.stats()).toMatchObject({ batches: 3, itemRequests: 0, fallbacks: 0 });
  });

  it('a 413 splits recursively down to a single key; only a key too large on its own gets an error', async () => {
    const { w, items, askedSizes } = await itemsServer((ids) =>
      ids.length > 16 || ids.includes('huge')
        ? { status: 413 }
        : { status: 200, body: { results: ids.map((id) => ({ id, value: 1 })) } },
    );
    const ids = [...Array.from({ length: 63 }, (_, i) => `k${i}`), 'huge'];
    for (const id of ids) items.subscribe(id, () => {});
    await w.clock.advance(0);
    expect(askedSizes().sort((a, b) => b - a)).toEqual([
      64, 32, 32, 16, 16, 16, 16, 8, 8, 4, 4, 2, 2, 1, 1,
    ]);
    for (const id of ids.slice(0, 63)) expect(items.get(id).status).toBe('success');
    const huge = items.get('huge');
    expect(huge.status).toBe('error');
    expect(huge.error).toBeInstanceOf(UnexpectedResponseError);
    expect(huge.error).toMatchObject({ status: 413 });
    expect(w.poller.stats()).toMatchObject({ itemRequests: 0, fallbacks: 0 });
  });

  it('a 414 on a GET batch splits it too', async () => {
    const w = await wire();
    w.route('GET /items', (seen, res) => {
      const ids = (seen.query.get('ids') ?? '').split(',');
      if (ids.length > 2) return sendJson(res, 414, { error: 'URI Too Long' });
      sendJson(
        res,
        200,
        ids.map((id) => ({ id, value: id.length })),
      );
    });
    const items = createResource<string, Item>(w.poller, {
      item: { url: (id) => `${w.origin}/item?id=${id}`, schema: Item },
      batch: {
        url: (ids) => `${w.origin}/items?ids=${ids.join(',')}`,
        method: 'GET',
        key: (entry) => (entry as { id: string }).id,
      },
    });
    for (const id of ['a', 'bb', 'ccc', 'dddd']) items.subscribe(id, () => {});
    await w.clock.advance(0);
    expect(w.log.map((r) => r.url).sort()).toEqual(
      ['/items?ids=a,bb', '/items?ids=a,bb,ccc,dddd', '/items?ids=ccc,dddd'].sort(),
    );
    expect(items.get('dddd')).toMatchObject({ status: 'success', data: { id: 'dddd', value: 4 } });
    expect(items.get('a')).toMatchObject({ status: 'success', data: { id: 'a', value: 1 } });
  });
});
