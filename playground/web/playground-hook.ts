import type { Poller, PollerInspection } from '../../src/index.js';
import type { BackendSettings } from '../server/settings.js';
import type { PageConfig } from './config.js';
import type { Tile } from './tile-board.js';
import type { WireEntry } from './wire-log.js';

/** What the page exposes as `window.__playground`, for the browser tests and the console. */
export interface PlaygroundHook {
  config(): PageConfig;
  /** The cross-origin API's origin. */
  apiOrigin: string;
  /** Restarts the dashboards with `patch` applied (the URL follows). */
  restart(patch: Partial<PageConfig>): void;
  /** Changes the backend's switches. */
  updateServer(patch: Partial<BackendSettings>): Promise<BackendSettings>;
  pollwise(): {
    stats: ReturnType<Poller['stats']>;
    inspect: PollerInspection;
    wire: readonly WireEntry[];
    refusedAppCalls: number;
    paused: boolean;
    tiles: readonly Tile[];
  };
  naive(): { wire: readonly WireEntry[] };
  pause(): void;
  resume(): void;
  /** Draws every view now (as of `now`, epoch ms, when given) instead of at the next redraw. */
  render(now?: number): void;
  /**
   * The page's load, `visibilitychange` (with the new `state`), `pageshow` and `pagehide` (with
   * `persisted`), in order, stamped with the page's clock.
   */
  lifecycle: { type: string; persisted?: boolean; state?: string; at: number }[];
}

declare global {
  interface Window {
    __playground?: PlaygroundHook;
  }
}
