import type { Item } from '../sim/simulated-server.js';
import { type DashboardClient, itemUrl } from './dashboard.js';

/**
 * What a dashboard does when left alone: one `setInterval(1000)` per tile, started in tile
 * order. It polls whether the tab is visible or not, and a 429 is just a failed refresh.
 */
export const naiveClient: DashboardClient = {
  name: 'naive',
  deterministic: true,
  description: 'one setInterval(fetch, 1000) per item; ignores hidden tabs and 429s',
  start({ clock, fetch, origin, items, show }) {
    const load = async (id: number) => {
      try {
        const response = await fetch(itemUrl(origin, id));
        if (response.ok) show((await response.json()) as Item);
      } catch {
        // A failed refresh: the tile keeps its old data until the next second.
      }
    };
    const timers = Array.from({ length: items }, (_, id) =>
      clock.setInterval(() => void load(id), 1000),
    );
    return {
      stop() {
        for (const timer of timers) clock.clearInterval(timer);
      },
    };
  },
};
