// Vue test helpers: a component around one composable call (counting its renders), mounted with
// a poller, and the warm-up that keeps Vue's one-off devtools timer off the fake clock.
import { type ComponentMountingOptions, mount } from '@vue/test-utils';
import { beforeAll } from 'vitest';
import { defineComponent, h } from 'vue';
import type { Poller } from '../../src/index.js';
import { type PollRefs, pollwisePlugin } from '../../src/vue/index.js';

/**
 * Vue's first renderer arms a 3 s timer (waiting for devtools) in a DOM environment. Created
 * here under real timers, once per file, it never shows up as a timer left on the fake clock.
 */
export function warmVueRenderer(): void {
  beforeAll(() => {
    mount(defineComponent({ render: () => null })).unmount();
  });
}

/** What a probe component saw: its renders, and the refs its setup got. */
export interface Probe<T> {
  renders: number;
  refs: PollRefs<T>;
}

/** `status:data` as JSON, what a probe component renders. */
export const shown = <T>(refs: PollRefs<T>) =>
  `${refs.status.value}:${JSON.stringify(refs.data.value) ?? ''}`;

/** A component whose setup calls `use()` and whose render shows its snapshot (and counts). */
export function probeComponent<T>(use: () => PollRefs<T>) {
  const probe = { renders: 0 } as Probe<T>;
  const component = defineComponent({
    setup() {
      probe.refs = use();
      return () => {
        probe.renders++;
        return h('p', shown(probe.refs));
      };
    },
  });
  return { component, probe };
}

/** Mounts a probe of `use()` with `app.use(pollwisePlugin(poller))`. */
export function mountProbe<T>(
  poller: Poller,
  use: () => PollRefs<T>,
  options: ComponentMountingOptions<unknown> = {},
) {
  const { component, probe } = probeComponent(use);
  const wrapper = mount(component, {
    ...options,
    global: { ...options.global, plugins: [pollwisePlugin(poller)] },
  });
  return { wrapper, probe };
}
