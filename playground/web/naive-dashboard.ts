import { runLogsUrl, runRef, tileOf } from '../clients/dashboard.js';
import type { RunLogs } from '../sim/simulated-server.js';
import type { DashboardSetup } from './pollwise-dashboard.js';

export interface NaiveDashboard {
  stop(): void;
}

/**
 * The same dashboard as it is usually written: one `setInterval(fetch)` per tile, and the
 * app's own summary call on its own timer. It polls in hidden tabs and treats a 429 as one
 * more failed refresh.
 */
export function startNaiveDashboard(setup: Omit<DashboardSetup, 'bands'>): NaiveDashboard {
  const { base, config, wire, board } = setup;
  board.reset(config.items);
  const load = async (id: number) => {
    try {
      const response = await wire.fetch(runLogsUrl(base, runRef(id)));
      if (!response.ok) return board.fail(id, new Error(`HTTP ${response.status}`));
      const tile = tileOf((await response.json()) as RunLogs);
      if (tile !== undefined) board.show(id, tile.value, tile.version);
    } catch (error) {
      board.fail(id, error);
    }
  };
  const timers = board.tiles.map((tile) => setInterval(() => void load(tile.id), config.interval));
  for (const tile of board.tiles) void load(tile.id);
  if (config.summaryEvery > 0) {
    timers.push(
      setInterval(
        () => void wire.fetch(`${base}/api/summary`).catch(() => {}),
        config.summaryEvery,
      ),
    );
  }
  return {
    stop() {
      for (const timer of timers) clearInterval(timer);
    },
  };
}
