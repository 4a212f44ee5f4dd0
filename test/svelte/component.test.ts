// @vitest-environment happy-dom
// A compiled Svelte 5 component reading a pollStore with `$store` (src/svelte/index.ts): its
// DOM shows the data, components share the poll, and unmounting the last one stops it. Both
// syntaxes: runes ($props) and legacy (`export let`, what Svelte 4 components look like).
import { beforeAll, describe, expect, it } from 'vitest';
import { pollStore, type SnapshotStore } from '../../src/svelte/index.js';
import { advance, useFakeClock } from '../support/clock.js';
import type { FakeCall } from '../support/fake-network.js';
import { fakePoller, held, NOTHING_HELD } from '../support/poller.js';
import { compileComponent, svelteClient } from './compile.js';

useFakeClock();
const A = 'http://a.test';

type Props = { store: SnapshotStore<{ n: number }> };
const markup = `<p>{$store.status}:{$store.data?.n ?? '-'}</p>`;
const RUNES = `<script>\n  let { store } = $props();\n</script>\n${markup}`;
const LEGACY = `<script>\n  export let store;\n</script>\n${markup}`;

let svelte: Awaited<ReturnType<typeof svelteClient>>;
const components = {} as Record<
  'runes' | 'legacy',
  Awaited<ReturnType<typeof compileComponent<Props>>>
>;
beforeAll(async () => {
  svelte = await svelteClient();
  components.runes = await compileComponent<Props>(RUNES, 'Runes.svelte');
  components.legacy = await compileComponent<Props>(LEGACY, 'Legacy.svelte');
});

/** Answers `{ n }`, n counting the calls to the origin. */
const counting = (call: FakeCall) => Response.json({ n: call.n });

/** Mounts `kind` with `store` into a new element of the document. */
function mountWith(kind: keyof typeof components, store: Props['store']) {
  const target = document.createElement('div');
  document.body.append(target);
  const instance = svelte.mount(components[kind], { target, props: { store } });
  svelte.flushSync();
  return {
    text: () => {
      svelte.flushSync();
      return target.textContent;
    },
    unmount: async () => {
      await svelte.unmount(instance);
      target.remove();
    },
  };
}

describe.each(['runes', 'legacy'] as const)('a %s component with $store', (kind) => {
  it('shows pending, then each new answer; unmounting stops the poll', async () => {
    const { poller, net } = fakePoller({}, counting);
    const store = pollStore<{ n: number }>(poller, `${A}/feed`, { interval: 1000 });
    const view = mountWith(kind, store);
    expect(view.text()).toBe('pending:-');
    expect(poller.inspect().entries).toBe(1);
    await advance(0);
    expect(view.text()).toBe('success:1');
    await advance(1000);
    await advance(1000);
    expect(view.text()).toBe('success:3');

    await view.unmount();
    expect(held(poller)).toEqual(NOTHING_HELD);
    await advance(5000);
    expect(net.times()).toEqual([0, 1000, 2000]);
  });

  it('unmounting aborts the request in flight', async () => {
    const { poller, net } = fakePoller({}, () => 'hang');
    const view = mountWith(kind, pollStore(poller, `${A}/feed`, { interval: 1000 }));
    await advance(0);
    expect(net.inFlight).toBe(1);
    await view.unmount();
    await advance(0);
    expect(net.calls[0]?.signal?.aborted).toBe(true);
    expect(net.inFlight).toBe(0);
    expect(held(poller)).toEqual(NOTHING_HELD);
  });
});

describe('components sharing one store', () => {
  it('one poll, one request per tick for both; the poll outlives the first unmount, not the last', async () => {
    const { poller, net } = fakePoller({}, counting);
    const store = pollStore<{ n: number }>(poller, `${A}/feed`, { interval: 1000 });
    const first = mountWith('runes', store);
    const second = mountWith('legacy', store);
    expect(poller.inspect().entries).toBe(1);
    await advance(0);
    await advance(1000);
    expect(net.times()).toEqual([0, 1000]);
    expect([first.text(), second.text()]).toEqual(['success:2', 'success:2']);

    await first.unmount();
    await advance(1000);
    expect(second.text()).toBe('success:3');
    await second.unmount();
    expect(held(poller)).toEqual(NOTHING_HELD);
    await advance(3000);
    expect(net.calls).toHaveLength(3);
  });
});
