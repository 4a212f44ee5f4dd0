/** One item on a dashboard: its latest value and when that arrived. */
export interface Tile {
  id: number;
  value?: number;
  /** The second the value was logged at (the server's step). */
  step?: number;
  /** When the page received the value, epoch ms. */
  receivedAt?: number;
  /** Whether the dashboard still asks for it (clicking a pollwise tile unsubscribes it). */
  subscribed: boolean;
  /** The last error's name, cleared by fresh data. */
  error?: string;
}

/** The tiles of one dashboard. */
export class TileBoard {
  readonly tiles: Tile[] = [];

  /** Starts over with `count` subscribed, empty tiles. */
  reset(count: number): void {
    this.tiles.length = 0;
    for (let id = 0; id < count; id++) this.tiles.push({ id, subscribed: true });
  }

  show(id: number, value: number, step: number, at = Date.now()): void {
    const tile = this.tiles[id];
    if (tile === undefined) return;
    tile.value = value;
    tile.step = step;
    tile.receivedAt = at;
    tile.error = undefined;
  }

  fail(id: number, error: unknown): void {
    const tile = this.tiles[id];
    // A plain Error says what happened in its message ("HTTP 429"); pollwise's errors by name.
    if (tile === undefined) return;
    tile.error =
      error instanceof Error
        ? error.name === 'Error'
          ? error.message
          : error.name
        : String(error);
  }

  /** Mean age of the subscribed tiles' data (ms), counting tiles with no data from `since`. */
  meanAge(now: number, since: number): number {
    const live = this.tiles.filter((t) => t.subscribed);
    if (live.length === 0) return 0;
    const sum = live.reduce((total, t) => total + (now - (t.receivedAt ?? since)), 0);
    return sum / live.length;
  }
}
