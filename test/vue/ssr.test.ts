// Server rendering (src/vue/index.ts): a component's composables poll only once it mounts, so
// renderToString subscribes to nothing and sends nothing. Node environment: a server has no DOM.
import { describe, expect, it } from 'vitest';
import { createSSRApp, defineComponent, h, ref } from 'vue';
import { renderToString } from 'vue/server-renderer';
import { createResource } from '../../src/resource/index.js';
import { pollwisePlugin, usePoll, useResource } from '../../src/vue/index.js';
import { advance, useFakeClock } from '../support/clock.js';
import { fakePoller, held, NOTHING_HELD } from '../support/poller.js';
import { shown } from './harness.js';

useFakeClock();
const A = 'http://a.test';

describe('renderToString', () => {
  it('usePoll (plugin, explicit poller, ref URL) and useResource: pending HTML, no subscription, no request', async () => {
    const { poller, net } = fakePoller();
    const resource = createResource<string, unknown>(poller, {
      item: { url: (key) => `${A}/items/${key}` },
    });
    const url = ref(`${A}/b`);
    const Page = defineComponent({
      setup() {
        const a = usePoll(`${A}/a`, { interval: 1000 });
        const b = usePoll(url, { interval: 1000, poller });
        const item = useResource(resource, 'x');
        return () => h('p', [shown(a), shown(b), shown(item)].join('|'));
      },
    });
    const html = await renderToString(createSSRApp(Page).use(pollwisePlugin(poller)));
    expect(html).toBe('<p>pending:|pending:|pending:</p>');
    expect(held(poller)).toEqual(NOTHING_HELD);
    expect(poller.inspect().resources.items).toBe(0);
    await advance(5000);
    expect(net.calls).toHaveLength(0);
    expect(poller.stats().sent).toBe(0);
  });
});
