import { createPoller } from 'pollwise';
import { pollStore } from 'pollwise/svelte';

/** What GET /api/status answers. */
export interface Status {
  ok: boolean;
  /** The server's clock (epoch ms). */
  at: number;
  /** Requests the server has answered. */
  count: number;
}

// One poller for the whole app.
const poller = createPoller();

/**
 * The snapshot of GET /api/status as a Svelte store: `$status` in a component subscribes, and
 * the poll runs while anything does. A relative URL: on localhost it polls every second.
 */
export const status = pollStore<Status>(poller, '/api/status');

export const time = (ms: number) => new Date(ms).toLocaleTimeString();
