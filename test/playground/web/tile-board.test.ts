import { describe, expect, it } from 'vitest';
import { TileBoard } from '../../../playground/web/tile-board.js';

const T0 = 1_700_000_000_000;

describe('TileBoard', () => {
  it('reset() makes count subscribed, empty tiles, replacing the old ones', () => {
    const board = new TileBoard();
    board.reset(3);
    board.show(1, 10, 5, T0);
    board.reset(2);
    expect(board.tiles).toEqual([
      { id: 0, subscribed: true },
      { id: 1, subscribed: true },
    ]);
  });

  it('show() sets value, step and arrival, and clears the error; fail() records its name', () => {
    const board = new TileBoard();
    board.reset(2);
    board.fail(0, new TypeError('x'));
    board.fail(1, 'boom');
    expect(board.tiles.map((t) => t.error)).toEqual(['TypeError', 'boom']);
    // A plain Error (the naive dashboard's "HTTP 429") by its message.
    board.fail(1, new Error('HTTP 429'));
    expect(board.tiles[1]?.error).toBe('HTTP 429');
    board.fail(1, 'boom');
    board.show(0, 42, 7, T0);
    expect(board.tiles[0]).toEqual({
      id: 0,
      subscribed: true,
      value: 42,
      step: 7,
      receivedAt: T0,
      error: undefined,
    });
  });

  it('ignores ids it has no tile for', () => {
    const board = new TileBoard();
    board.reset(1);
    board.show(5, 1, 1, T0);
    board.fail(-1, new Error('x'));
    expect(board.tiles).toEqual([{ id: 0, subscribed: true }]);
  });

  it('meanAge() averages the subscribed tiles, counting empty ones from since', () => {
    const board = new TileBoard();
    board.reset(4);
    board.show(0, 1, 1, T0 - 1000);
    board.show(1, 1, 1, T0 - 3000);
    board.show(2, 1, 1, T0 - 100_000);
    board.tiles[2]!.subscribed = false;
    // Tile 3 has no data: its age counts from since = T0 - 5000.
    expect(board.meanAge(T0, T0 - 5000)).toBe((1000 + 3000 + 5000) / 3);
  });

  it('meanAge() is 0 with no subscribed tile', () => {
    const board = new TileBoard();
    expect(board.meanAge(T0, T0)).toBe(0);
    board.reset(2);
    for (const tile of board.tiles) tile.subscribed = false;
    expect(board.meanAge(T0, T0 - 9000)).toBe(0);
  });
});
