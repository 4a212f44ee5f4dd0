// @vitest-environment happy-dom
// usePoll under <KeepAlive>: a deactivated component (cached, off screen) polls nothing; shown
// again, it polls again at once; unmounted, it holds nothing.
import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { defineComponent, h, KeepAlive, nextTick, ref } from 'vue';
import { pollwisePlugin, usePoll } from '../../src/vue/index.js';
import { advance, useFakeClock } from '../support/clock.js';
import type { FakeCall } from '../support/fake-network.js';
import { fakePoller, held, NOTHING_HELD } from '../support/poller.js';
import { shown, warmVueRenderer } from './harness.js';

warmVueRenderer();
useFakeClock();
const A = 'http://a.test';
const counting = (call: FakeCall) => Response.json({ path: call.path, n: call.n });

async function ticks(count: number, ms = 1000) {
  for (let i = 0; i < count; i++) await advance(ms);
  await nextTick();
}

const Feed = defineComponent({
  setup() {
    const refs = usePoll(`${A}/feed`, { interval: 1000 });
    return () => h('p', shown(refs));
  },
});
const Other = defineComponent({ render: () => h('p', 'other') });

describe('usePoll under KeepAlive', () => {
  it('polls nothing while deactivated, again at once when shown, nothing after unmount', async () => {
    const { poller, net } = fakePoller({}, counting);
    const showFeed = ref(true);
    const App = defineComponent({
      setup: () => () => h(KeepAlive, null, [showFeed.value ? h(Feed) : h(Other)]),
    });
    const wrapper = mount(App, { global: { plugins: [pollwisePlugin(poller)] } });
    await ticks(1, 0);
    await ticks(2);
    expect(net.times()).toEqual([0, 1000, 2000]);

    showFeed.value = false; // Feed is cached, deactivated
    await nextTick();
    expect(wrapper.text()).toBe('other');
    expect(held(poller)).toEqual(NOTHING_HELD);
    await ticks(5);
    expect(net.times()).toEqual([0, 1000, 2000]);

    showFeed.value = true; // the same instance, activated again
    await nextTick();
    await ticks(1, 0);
    expect(net.times()).toEqual([0, 1000, 2000, 7000]);
    expect(wrapper.text()).toBe('success:{"path":"/feed","n":4}');
    await ticks(1);
    expect(net.times()).toEqual([0, 1000, 2000, 7000, 8000]);

    wrapper.unmount();
    expect(held(poller)).toEqual(NOTHING_HELD);
    await ticks(3);
    expect(net.calls).toHaveLength(5);
  });
});
