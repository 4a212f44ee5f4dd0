import type { Band } from './bands.js';
import { type Counter, countersHtml } from './counters-view.js';
import { gridHtml } from './grid-view.js';
import type { Tile } from './tile-board.js';
import { TIMELINE_SPAN_MS, timelineSvg } from './timeline-view.js';
import type { WireEntry } from './wire-log.js';

/** What one dashboard's section shows. */
export interface DashboardView {
  counters: readonly Counter[];
  entries: readonly WireEntry[];
  bands: readonly Band[];
  tiles: readonly Tile[];
}

/** Draws a dashboard's counters, timeline (the last minute up to `now`) and grid. */
export function drawDashboard(section: Element, view: DashboardView, now: number): void {
  section.querySelector('.counters')!.innerHTML = countersHtml(view.counters);
  const host = section.querySelector<HTMLElement>('.timeline-host')!;
  host.innerHTML = timelineSvg({
    entries: view.entries,
    bands: view.bands.filter((band) => (band.to ?? now) >= now - TIMELINE_SPAN_MS),
    now,
    width: Math.max(360, host.clientWidth),
  });
  section.querySelector('.grid')!.innerHTML = gridHtml(view.tiles, now);
}
