import { describe, expect, it } from 'vitest';
import type { Snapshot } from '../../../src/index.js';
import { createResource } from '../../../src/resource/index.js';
import { T0 } from '../../support/clock.js';
import { sendJson } from '../../support/loopback-server.js';
import { wire } from './harness.js';

type Doc = { id: string; rev: number };

/**
 * A per-item endpoint with ETags: `"<id>-<rev>"`; a matching If-None-Match gets a 304.
 * `withBatch` adds a batch route answering 404, so the per-item path is the fallback one.
 */
async function etagServer(withBatch: boolean) {
  const w = await wire();
  const revs = new Map<string, number>();
  w.route('GET /doc', (seen, res) => {
    const id = seen.query.get('id') ?? '';
    const rev = revs.get(id) ?? 1;
    const etag = `"${id}-${rev}"`;
    if (seen.headers['if-none-match'] === etag) {
      res.writeHead(304, { etag });
      res.end();
      return;
    }
    sendJson(res, 200, { id, rev }, { etag });
  });
  w.route('POST /docs', (_seen, res) => sendJson(res, 404, {}));
  const docs = createResource<string, Doc>(w.poller, {
    item: { url: (id) => `${w.origin}/doc?id=${id}` },
    ...(withBatch
      ? {
          batch: {
            url: `${w.origin}/docs`,
            body: (ids: readonly string[]) => ({ ids }),
            key: (entry: unknown) => (entry as Doc).id,
          },
        }
      : {}),
    interval: 1000,
  });
  return { w, docs, revs };
}

describe('ETag revalidation on the per-item path against a real server', () => {
  for (const withBatch of [false, true]) {
    it(`${withBatch ? 'after a fallback: ' : ''}the server sees If-None-Match; its 304 keeps the data and snapshot, calls no listener, and is counted`, async () => {
      const { w, docs, revs } = await etagServer(withBatch);
      const ids = ['a', 'b', 'c'];
      const calls = new Map<string, Snapshot<Doc>[]>();
      for (const id of ids) {
        calls.set(id, []);
        docs.subscribe(id, (s) => calls.get(id)?.push(s));
      }
      // Parallel requests arrive in any order: compare them sorted by id.
      const docRequests = () => w.seen('/doc');
      const byId = (rs: ReturnType<typeof docRequests>) =>
        [...rs].sort((x, y) => (x.query.get('id') ?? '').localeCompare(y.query.get('id') ?? ''));

      await w.clock.advance(0);
      expect(docRequests().map((r) => r.headers['if-none-match'])).toEqual([
        undefined,
        undefined,
        undefined,
      ]);
      const first = ids.map((id) => docs.get(id));
      for (const id of ids) {
        expect(docs.get(id)).toEqual({
          status: 'success',
          data: { id, rev: 1 },
          error: undefined,
          updatedAt: T0,
        });
      }

      // Tick 2: every request revalidates; every answer is a 304.
      await w.clock.advance(1000);
      const tick2 = byId(docRequests().slice(3));
      expect(tick2.map((r) => [r.at, r.query.get('id'), r.headers['if-none-match']])).toEqual(
        ids.map((id) => [1000, id, `"${id}-1"`]),
      );
      ids.forEach((id, i) => {
        expect(docs.get(id)).toBe(first[i]);
        expect(docs.get(id).updatedAt).toBe(T0);
        expect(calls.get(id)).toHaveLength(1);
      });
      expect(w.poller.stats()).toMatchObject({ notModified: 3, itemRequests: 6 });

      // b changes on the server: only b's listener hears of it, with the new ETag kept.
      revs.set('b', 2);
      await w.clock.advance(1000);
      expect(calls.get('b')?.map((s) => s.data)).toEqual([
        { id: 'b', rev: 1 },
        { id: 'b', rev: 2 },
      ]);
      expect(docs.get('b').updatedAt).toBe(T0 + 2000);
      expect(calls.get('a')).toHaveLength(1);
      expect(calls.get('c')).toHaveLength(1);
      expect(w.poller.stats().notModified).toBe(5);

      await w.clock.advance(1000);
      const tick4 = byId(docRequests().slice(9));
      expect(tick4.map((r) => r.headers['if-none-match'])).toEqual(['"a-1"', '"b-2"', '"c-1"']);
      expect(calls.get('b')).toHaveLength(2);
      expect(w.poller.stats()).toMatchObject({ notModified: 8, itemRequests: 12 });
      // With a batch route, its one 404 came first and nothing asked it again.
      expect(w.seen('/docs')).toHaveLength(withBatch ? 1 : 0);
    });
  }
});
