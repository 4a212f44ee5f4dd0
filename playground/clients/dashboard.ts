import type { FetchFunction, VisibilitySource } from '../../src/index.js';
import type { Item } from '../sim/simulated-server.js';
import type { VirtualClock } from '../sim/virtual-clock.js';

/** What a dashboard gets from the simulation: the same for every client under comparison. */
export interface DashboardEnvironment {
  clock: VirtualClock;
  /** The simulated server's fetch. */
  fetch: FetchFunction;
  visibility: VisibilitySource;
  /** Seeded random source in [0, 1). */
  random: () => number;
  /** Page origin of the API, e.g. `https://demo.hf.space`. */
  origin: string;
  /** Item ids 0 … items-1, each shown as one tile. */
  items: number;
  /** Call when fresh data for a tile arrives. */
  show(item: Item): void;
}

export interface RunningDashboard {
  /** Stops every timer and request of the dashboard. */
  stop(): void;
}

/** One way of keeping the dashboard fresh; the demo compares several side by side. */
export interface DashboardClient {
  /** Column title in the table. */
  name: string;
  /** One line on how it polls, printed under the table. */
  description: string;
  start(environment: DashboardEnvironment): RunningDashboard;
}

export const itemUrl = (origin: string, id: number) => `${origin}/api/items/${id}`;
