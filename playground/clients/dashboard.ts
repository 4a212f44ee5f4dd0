import type { FetchFunction, VisibilitySource } from '../../src/index.js';
import {
  BATCH_PATH,
  type Item,
  LOGS_PATH,
  type RunLogs,
  type RunRef,
  type SimulatedServerOptions,
} from '../sim/simulated-server.js';
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
  /** Name in the legend; also the column heading unless `heading` is given. */
  name: string;
  /** Column heading in the table, one string per line. Default: `[name]`. */
  heading?: readonly string[];
  /** One line on how it polls, printed under the table. */
  description: string;
  /**
   * True when it draws nothing from `random`: every seed gives the same run, so a bench over
   * seeds may run it once.
   */
  deterministic?: boolean;
  /** The backend it runs against, e.g. `{ batchEndpoint: false }` for an older one. */
  backend?: Pick<SimulatedServerOptions, 'batchEndpoint'>;
  start(environment: DashboardEnvironment): RunningDashboard;
}

export const itemUrl = (origin: string, id: number) => `${origin}/api/items/${id}`;

/** The project every run of the dashboard belongs to (the seed's `project`). */
export const PROJECT = 'dashboard';

/** Tile `id` is run `run-{id}` with `run_id` `id`. */
export const runRef = (id: number): RunRef => ({ run: `run-${id}`, run_id: id });

/** The per-run endpoint: `GET /api/get_logs?project=…&run=…&run_id=…`. */
export const runLogsUrl = (origin: string, ref: RunRef) =>
  `${origin}${LOGS_PATH}?${new URLSearchParams({ project: PROJECT, run: ref.run, run_id: String(ref.run_id) })}`;

/** The batch endpoint: `POST /api/get_logs_batch` with `{ project, runs }`. */
export const batchUrl = (origin: string) => `${origin}${BATCH_PATH}`;

/** A run's latest logged point, as the tile shows it. */
export function tileOf(logs: RunLogs): Item | undefined {
  const last = logs.logs.at(-1);
  return last === undefined
    ? undefined
    : { id: logs.run_id, value: last.value, version: last.step };
}
