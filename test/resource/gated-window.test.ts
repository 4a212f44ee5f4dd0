import { describe, expect, it } from 'vitest';
import { createResource } from '../../src/resource/index.js';
import { advance, useFakeClock } from '../support/clock.js';
import { fakeNetwork } from '../support/fake-network.js';
import { fakePoller } from '../support/poller.js';

useFakeClock();

const A = 'http://a.test';

/**
 * A key subscribed while its group's sweep runs goes out with the batcher's window (the sweep
 * may hang on a body until its deadline), but only through the group's gates: a window that
 * closes while offline, hidden or paused sends nothing, and the key waits for the next sweep.
 */
describe('a key made due while its group sweeps', () => {
  const gates = ['offline', 'hidden', 'paused'] as const;
  const cases = gates.flatMap((gate) => [
    [gate, 0, 0],
    [gate, 50, 25],
  ]) as [(typeof gates)[number], number, number][];

  it.each(cases)(
    'is not read while %s (window %i ms, gate closes after %i ms)',
    async (gate, window, after) => {
      const net = fakeNetwork(async (call) => {
        const { keys } = (await call.json()) as { keys: string[] };
        if (keys.includes('k1')) await call.sleep(1000); // k1's sweep runs until 1000
        return Response.json(keys.map((key) => ({ key })));
      });
      const { poller, online, visibility } = fakePoller({}, net);
      const resource = createResource<string>(poller, {
        item: { url: (k) => `${A}/items/${k}` },
        batch: {
          url: `${A}/batch`,
          body: (keys) => ({ keys }),
          key: (e) => (e as { key: string }).key,
        },
        interval: 5000,
        window,
      });
      resource.subscribe('k1', () => {});
      await advance(100);
      const seen: unknown[] = [];
      resource.subscribe('k2', (snapshot) => seen.push(snapshot.data));
      if (after > 0) await advance(after);
      if (gate === 'offline') online.set(false);
      if (gate === 'hidden') visibility.set(false);
      if (gate === 'paused') poller.pause();
      await advance(2000);
      expect(net.calls.map((c) => c.at)).toEqual([0]);

      // Open again: k2 goes out at once with the next sweep.
      if (gate === 'offline') online.set(true);
      if (gate === 'hidden') visibility.set(true);
      if (gate === 'paused') poller.resume();
      await advance(0);
      expect(net.calls.map((c) => c.at)).toEqual([0, 2100 + after]);
      expect(await net.calls[1]!.json()).toEqual({ keys: ['k2'] });
    },
  );

  it('goes out with the window while the gates stay open', async () => {
    const net = fakeNetwork(async (call) => {
      const { keys } = (await call.json()) as { keys: string[] };
      if (keys.includes('k1')) await call.sleep(1000);
      return Response.json(keys.map((key) => ({ key })));
    });
    const { poller } = fakePoller({}, net);
    const resource = createResource<string>(poller, {
      item: { url: (k) => `${A}/items/${k}` },
      batch: {
        url: `${A}/batch`,
        body: (keys) => ({ keys }),
        key: (e) => (e as { key: string }).key,
      },
      interval: 5000,
      window: 50,
    });
    resource.subscribe('k1', () => {});
    await advance(100);
    resource.subscribe('k2', () => {});
    resource.subscribe('k3', () => {});
    await advance(50);
    expect(net.calls.map((c) => c.at)).toEqual([0, 150]);
    expect(await net.calls[1]!.json()).toEqual({ keys: ['k2', 'k3'] });
  });
});
