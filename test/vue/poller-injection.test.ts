// @vitest-environment happy-dom
// Which poller a composable uses (src/vue/index.ts): the plugin's, the nearest providePoller's,
// or { poller } given, in that order of strength; none at all is a clear error.
import { mount } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import { defineComponent, effectScope, h, inject } from 'vue';
import { POLLER_KEY, pollwisePlugin, providePoller, usePoll } from '../../src/vue/index.js';
import { advance, useFakeClock } from '../support/clock.js';
import { fakePoller } from '../support/poller.js';
import { mountProbe, probeComponent, warmVueRenderer } from './harness.js';

warmVueRenderer();
useFakeClock();
const A = 'http://a.test';
const NO_POLLER =
  /^pollwise\/vue: no poller\. Use app\.use\(pollwisePlugin\(poller\)\) or pass \{ poller \}\.$/;

describe('where the poller comes from', () => {
  it('the plugin: every component of the app gets it (POLLER_KEY holds it)', async () => {
    const { poller, net } = fakePoller();
    let injected: unknown;
    const { wrapper } = mountProbe(poller, () => {
      injected = inject(POLLER_KEY);
      return usePoll(`${A}/feed`);
    });
    expect(injected).toBe(poller);
    await advance(0);
    expect(net.calls).toHaveLength(1);
    expect(wrapper.text()).toBe('success:{"ok":true}');
  });

  it('providePoller: the components below use it, over the plugin', async () => {
    const app = fakePoller();
    const own = fakePoller();
    const child = probeComponent(() => usePoll(`${A}/feed`));
    const Parent = defineComponent({
      setup() {
        providePoller(own.poller);
        return () => h(child.component);
      },
    });
    const wrapper = mount(Parent, { global: { plugins: [pollwisePlugin(app.poller)] } });
    await advance(0);
    expect(own.net.calls).toHaveLength(1);
    expect(app.net.calls).toHaveLength(0);
    expect(wrapper.text()).toBe('success:{"ok":true}');
  });

  it('{ poller } given: used over the plugin, and not passed on to poll() as an option', async () => {
    const app = fakePoller();
    const own = fakePoller();
    const { wrapper } = mountProbe(app.poller, () =>
      usePoll(`${A}/feed`, { poller: own.poller, interval: 1000 }),
    );
    await advance(0);
    await advance(1000);
    expect(own.net.times()).toEqual([0, 1000]);
    expect(app.poller.inspect().entries).toBe(0);
    expect(app.net.calls).toHaveLength(0);
    wrapper.unmount();
    expect(own.poller.inspect().entries).toBe(0);
  });
});

describe('no poller', () => {
  it('in a component: setup throws the error that says how to give one', () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { component } = probeComponent(() => usePoll(`${A}/feed`));
    expect(() => mount(component)).toThrow(NO_POLLER);
  });

  // Outside a component `inject(POLLER_KEY, null)` returns undefined, not the default: without
  // a check for both, the watcher threw "Cannot read properties of undefined (reading 'poll')".
  it('in a bare effect scope: the same clear error', () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const scope = effectScope();
    try {
      expect(() => scope.run(() => usePoll(`${A}/feed`))).toThrow(NO_POLLER);
    } finally {
      scope.stop();
    }
  });
});
