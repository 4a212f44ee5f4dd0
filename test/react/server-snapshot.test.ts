// The server snapshot (src/react/use-source.ts): rendered on the server, the hooks give the
// pending snapshot and neither subscribe nor send. Node environment: no DOM, as on a server.
import { createElement as h } from 'react';
import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { createResource } from '../../src/resource/index.js';
import { advance, useFakeClock } from '../support/clock.js';
import { fakePoller, held, NOTHING_HELD } from '../support/poller.js';
import { thrownBy } from '../support/promises.js';
import { A, countedPolls, countedSubscribe, Feed, Item, provided, type Render } from './harness.js';

// biome-ignore lint/correctness/useHookAtTopLevel: vitest's fake timers per test, no React hook
useFakeClock();

const PENDING = { status: 'pending', data: undefined, error: undefined, updatedAt: null };

describe('renderToString', () => {
  it('usePoll: the pending snapshot, no poll() call, no request, nothing held', async () => {
    expect(typeof document).toBe('undefined');
    const { poller: real, net } = fakePoller({}, () => Response.json({ v: 1 }));
    const { poller, counts } = countedPolls(real);
    const log: Render[] = [];
    const html = renderToString(provided(poller, h(Feed, { url: `${A}/feed`, log })));
    await advance(5000);

    expect(html).toBe('<p>pending</p>');
    expect(log.map((r) => r.snapshot)).toEqual([PENDING]);
    expect(counts.calls).toBe(0);
    expect(net.calls).toHaveLength(0);
    expect(held(real)).toEqual(NOTHING_HELD);
  });

  it('usePoll: pending even when the poller already has the data (the client hydrates from pending)', async () => {
    const { poller, net } = fakePoller({}, () => Response.json({ v: 1 }));
    const running = poller.poll(`${A}/feed`, { interval: 1000 });
    await advance(0);
    expect(running.getSnapshot().data).toEqual({ v: 1 });
    expect(renderToString(provided(poller, h(Feed, { url: `${A}/feed` })))).toBe('<p>pending</p>');
    expect(net.calls).toHaveLength(1);
  });

  it('useResource: the pending snapshot, no subscription, no request', async () => {
    const { poller, net } = fakePoller({}, () => Response.json({ v: 1 }));
    const { resource, counts } = countedSubscribe(
      createResource(poller, {
        item: { url: (key: { id: number }) => `${A}/items/${key.id}` },
        interval: 1000,
      }),
    );
    const log: Render[] = [];
    expect(renderToString(h(Item, { resource, id: 1, log }))).toBe('<p>pending</p>');
    await advance(5000);
    expect(log.map((r) => r.snapshot)).toEqual([PENDING]);
    expect(counts.calls).toBe(0);
    expect(net.calls).toHaveLength(0);
    expect(held(poller)).toEqual(NOTHING_HELD);
  });

  it('without a poller it throws the adapter’s error on the server too', () => {
    const error = thrownBy(() => renderToString(h(Feed, { url: `${A}/feed` })));
    expect((error as Error).message).toBe('pollwise/react: no poller');
  });
});
