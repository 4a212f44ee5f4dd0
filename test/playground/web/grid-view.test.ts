// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { gridHtml } from '../../../playground/web/grid-view.js';
import { type Tile, TileBoard } from '../../../playground/web/tile-board.js';

const NOW = 1_700_000_000_000;

function parse(html: string) {
  const box = document.createElement('div');
  box.innerHTML = html;
  return [...box.querySelectorAll('button.tile')].map((b) => ({
    classes: b.className,
    id: b.getAttribute('data-id'),
    age: b.getAttribute('data-age'),
    title: b.getAttribute('title'),
    label: b.querySelector('b')!.textContent,
    value: b.querySelector('span')!.textContent,
    ageText: b.querySelector('i')!.textContent,
  }));
}

const tile = (id: number, ageMs?: number, patch: Partial<Tile> = {}): Tile => ({
  id,
  subscribed: true,
  ...(ageMs === undefined ? {} : { value: 500 + id, step: 1, receivedAt: NOW - ageMs }),
  ...patch,
});

describe('gridHtml', () => {
  it('classes a tile by the age of its data: fresh < 2.5 s ≤ old < 10 s ≤ stale', () => {
    const tiles = [tile(0, 0), tile(1, 2499), tile(2, 2500), tile(3, 9999), tile(4, 10_000)];
    expect(parse(gridHtml(tiles, NOW)).map((t) => [t.classes, t.age, t.ageText])).toEqual([
      ['tile fresh', '0', '0.0 s'],
      ['tile fresh', '2499', '2.5 s'],
      ['tile old', '2500', '2.5 s'],
      ['tile old', '9999', '10.0 s'],
      ['tile stale', '10000', '10.0 s'],
    ]);
  });

  it('a tile with no data yet is "none", with a dash and no age', () => {
    expect(parse(gridHtml([tile(7)], NOW))).toEqual([
      { classes: 'tile none', id: '7', age: '', title: null, label: '7', value: '–', ageText: '' },
    ]);
  });

  it('an unsubscribed tile is "off" whatever its age, and keeps showing its value', () => {
    const tiles = [tile(0, 100, { subscribed: false }), tile(1, undefined, { subscribed: false })];
    expect(parse(gridHtml(tiles, NOW)).map((t) => [t.classes, t.value, t.ageText])).toEqual([
      ['tile off', '500', '0.1 s'],
      ['tile off', '–', ''],
    ]);
  });

  it('escapes the error text in the title', () => {
    const board = new TileBoard();
    board.reset(1);
    board.fail(0, 'a "quoted" <b>&');
    const host = document.createElement('div');
    host.innerHTML = gridHtml(board.tiles, 0);
    expect(host.querySelector('.tile')?.getAttribute('title')).toBe('a "quoted" <b>&');
  });

  it('shows the value, the id, and the last error as the title', () => {
    const tiles = [tile(3, 1000, { error: 'CooldownError' })];
    expect(parse(gridHtml(tiles, NOW))).toEqual([
      {
        classes: 'tile fresh',
        id: '3',
        age: '1000',
        title: 'CooldownError',
        label: '3',
        value: '503',
        ageText: '1.0 s',
      },
    ]);
  });

  it('one button per tile, in order; nothing for no tiles', () => {
    expect(gridHtml([], NOW)).toBe('');
    const html = gridHtml([tile(0, 1), tile(1, 1), tile(2, 1)], NOW);
    expect(parse(html).map((t) => t.id)).toEqual(['0', '1', '2']);
    expect(html.startsWith('<button type="button" class="tile fresh" data-id="0"')).toBe(true);
  });
});
