import type { Item } from '../sim/simulated-server.js';
import { type DashboardClient, itemUrl } from './dashboard.js';
import { createDemoPoller } from './demo-poller.js';

/**
 * The same dashboard on pollwise: one `poller.poll(url)` per tile. The `*.hf.space` policy
 * sets the interval (2.5 s); hidden tabs send nothing; a 429 cools the whole origin down for
 * as long as `Retry-After` says.
 */
export const pollwiseClient: DashboardClient = {
  name: 'pollwise',
  description: "poller.poll(url) per item, one request each; host policy '*.hf.space' → 2.5 s",
  start({ clock, fetch, visibility, random, origin, items, show }) {
    const poller = createDemoPoller({ clock, fetch, visibility, random });
    for (let id = 0; id < items; id++) {
      // onData hears changes only; every read brings a new version (it bumps every second).
      poller.poll(itemUrl(origin, id), { key: `item-${id}`, onData: (data) => show(data as Item) });
    }
    return { stop: () => poller.dispose() };
  },
};
