import {
  environmentManager,
  focusManager,
  notifyManager,
  onlineManager,
  QueryClient,
  QueryObserver,
  timeoutManager,
} from '@tanstack/query-core';
import type { Item } from '../sim/simulated-server.js';
import type { VirtualClock } from '../sim/virtual-clock.js';
import { type DashboardClient, itemUrl } from './dashboard.js';

/** A TanStack timer id that remembers its clock: a stale id never clears another run's timer. */
interface VirtualTimerId {
  clock: VirtualClock;
  handle: unknown;
  [Symbol.toPrimitive](): number;
}

/**
 * query-core's managers are process-wide singletons: its timers and notifications go to the
 * clock of the dashboard started last (late ones of a stopped dashboard land on its own, dead
 * clock). One TanStack dashboard runs at a time.
 */
let current: VirtualClock | null = null;
let running = false;

function timerId(clock: VirtualClock, handle: unknown): VirtualTimerId {
  return { clock, handle, [Symbol.toPrimitive]: () => Number(handle) };
}

function clockOf(): VirtualClock {
  if (current === null) throw new Error('a TanStack timer was set with no dashboard running');
  return current;
}

const clear = (id: unknown) => {
  if (typeof id === 'object' && id !== null && 'clock' in id) {
    const { clock, handle } = id as VirtualTimerId;
    clock.clearTimeout(handle);
  }
};

// Set once, before any query exists: query-core warns when the provider changes after use.
timeoutManager.setTimeoutProvider({
  setTimeout: (callback, ms) => timerId(clockOf(), clockOf().setTimeout(callback, ms ?? 0)),
  clearTimeout: clear,
  setInterval: (callback, ms) => timerId(clockOf(), clockOf().setInterval(callback, ms ?? 0)),
  clearInterval: clear,
});
// Notifications go out in a setTimeout(0), as in a browser, on the virtual clock.
notifyManager.setScheduler((callback) => {
  clockOf().setTimeout(callback, 0);
});
// Without `window`, query-core thinks it runs on a server and never polls (design note 6).
environmentManager.setIsServer(() => false);

/**
 * TanStack Query (`@tanstack/query-core`) as its docs show polling: one `QueryObserver` per tile
 * with `refetchInterval: 1000` and every other option at its default (3 retries after 1, 2 and
 * 4 s; refetch on window focus; no polling in the background). The tab's visibility feeds its
 * `focusManager`, as `visibilitychange` does in a browser.
 */
export const tanstackClient: DashboardClient = {
  name: 'TanStack Query',
  deterministic: true,
  heading: ['TanStack'],
  description:
    'QueryObserver per item, refetchInterval: 1000, default retry (3, after 1, 2, 4 s); stops while unfocused (hidden), refetches all on focus',
  start({ clock, fetch, visibility, origin, items, show }) {
    if (running) throw new Error('one TanStack dashboard at a time');
    running = true;
    current = clock;
    onlineManager.setOnline(true);
    focusManager.setEventListener((setFocused) => {
      setFocused(visibility.isVisible());
      return visibility.subscribe((visible) => setFocused(visible));
    });
    const client = new QueryClient();
    client.mount();
    const unsubscribes = Array.from({ length: items }, (_, id) => {
      const observer = new QueryObserver(client, {
        queryKey: ['item', id],
        queryFn: async ({ signal }) => {
          const response = await fetch(itemUrl(origin, id), { signal });
          if (!response.ok) throw new Error(`HTTP ${response.status}`);
          return (await response.json()) as Item;
        },
        refetchInterval: 1000,
      });
      let shown: Item | undefined;
      return observer.subscribe((result) => {
        if (result.data === undefined || result.data === shown) return;
        shown = result.data;
        show(result.data);
      });
    });
    return {
      stop() {
        for (const unsubscribe of unsubscribes) unsubscribe();
        client.clear();
        client.unmount();
        focusManager.setEventListener(() => undefined);
        focusManager.setFocused(undefined);
        running = false;
      },
    };
  },
};
