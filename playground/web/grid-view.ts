import { escapeHtml } from './escape-html.js';
import type { Tile } from './tile-board.js';

/** Age buckets for the tile colours (ms): fresh, a few ticks old, stale. */
const FRESH_MS = 2500;
const OLD_MS = 10_000;

/** The tiles as HTML: value, age, and a colour by age; unsubscribed tiles are greyed out. */
export function gridHtml(tiles: readonly Tile[], now: number): string {
  return tiles
    .map((tile) => {
      const age = tile.receivedAt === undefined ? undefined : now - tile.receivedAt;
      const freshness = !tile.subscribed
        ? 'off'
        : age === undefined
          ? 'none'
          : age < FRESH_MS
            ? 'fresh'
            : age < OLD_MS
              ? 'old'
              : 'stale';
      const value = tile.value === undefined ? '–' : String(tile.value);
      const ageText = age === undefined ? '' : `${(age / 1000).toFixed(1)} s`;
      const title = tile.error === undefined ? '' : ` title="${escapeHtml(tile.error)}"`;
      return `<button type="button" class="tile ${freshness}" data-id="${tile.id}" data-age="${age ?? ''}"${title}><b>${tile.id}</b><span>${value}</span><i>${ageText}</i></button>`;
    })
    .join('');
}
