// Server rendering (src/vue/index.ts): a component's composables poll only once it mounts, so
// renderToString subscribes to nothing and sends nothing. Node environment: a server has no DOM.
import { describe, expect, it, vi } from 'vitest';
import { createSSRApp, defineComponent, h, ref } from 'vue';
import { renderToString } from 'vue/server-renderer';
import type { Poller } from '../../src/index.js';
import { createResource, type Resource } from '../../src/resource/index.js';
import { pollwisePlugin, usePoll, useResource } from '../../src/vue/index.js';
import { advance, useFakeClock } from '../support/clock.js';
import { fakePoller, held, NOTHING_HELD } from '../support/poller.js';
import { shown } from './harness.js';

useFakeClock();
const A = 'http://a.test';

describe('renderToString', () => {
  it('usePoll (plugin, explicit poller, ref URL) and useResource: pending HTML, no subscription, no request', async () => {
    const { poller: real, net } = fakePoller();
    const created = createResource<string, unknown>(real, {
      item: { url: (key) => `${A}/items/${key}` },
    });
    // Counted: a subscription opened and closed at once during the render sends nothing, but
    // it is still one too many (Vue runs an immediate watcher once on the server).
    const poll = vi.fn();
    const subscribe = vi.fn(created.subscribe);
    const poller: Poller = {
      ...real,
      poll: ((url: string, options?: object) => {
        poll(url, options);
        return real.poll(url, options);
      }) as Poller['poll'],
    };
    const resource: Resource<string, unknown> = { ...created, subscribe };
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
    expect(poll).not.toHaveBeenCalled();
    expect(subscribe).not.toHaveBeenCalled();
    expect(held(real)).toEqual(NOTHING_HELD);
    expect(real.inspect().resources.items).toBe(0);
    await advance(5000);
    expect(net.calls).toHaveLength(0);
    expect(real.stats().sent).toBe(0);
  });
});
