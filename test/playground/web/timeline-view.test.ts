// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import type { Band } from '../../../playground/web/bands.js';
import { TIMELINE_SPAN_MS, timelineSvg } from '../../../playground/web/timeline-view.js';
import type { WireEntry } from '../../../playground/web/wire-log.js';

const NOW = 1_700_000_000_000;
const PAGE = 'http://127.0.0.1:5173';
const API = 'http://127.0.0.1:5174';
// Geometry at width 800: labels 92 px, right padding 8 px, so 700 px for 60 s; rows of 86 px.
const WIDTH = 800;
const PLOT_LEFT = 92;
const PLOT_RIGHT = 792;
const xOf = (t: number) => PLOT_LEFT + ((t - (NOW - TIMELINE_SPAN_MS)) * 700) / TIMELINE_SPAN_MS;

let seq = 0;
function entry(agoMs: number, patch: Partial<WireEntry> = {}): WireEntry {
  return {
    seq: ++seq,
    at: NOW - agoMs,
    end: NOW - agoMs + 40,
    method: 'GET',
    url: `${PAGE}/c/pollwise/api/items/1`,
    kind: 'item',
    status: 200,
    ...patch,
  };
}

function render(entries: WireEntry[], bands: Band[] = []) {
  const svg = timelineSvg({ entries, bands, now: NOW, width: WIDTH });
  const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
  const root = doc.documentElement;
  // Well-formed XML every time (happy-dom reports a stray quote or `<` as a parsererror).
  expect(root.querySelector('parsererror')).toBeNull();
  const rows = [...root.querySelectorAll('g.row')];
  const marks = (scope: Element = root) =>
    [...scope.querySelectorAll('line.mark')].map((m) => ({
      kind: m.getAttribute('data-kind'),
      at: Number(m.getAttribute('data-at')),
      method: m.getAttribute('data-method'),
      url: m.getAttribute('data-url'),
      status: Number(m.getAttribute('data-status')),
      x: Number(m.getAttribute('x1')),
      stroke: m.getAttribute('stroke'),
      strokeWidth: m.getAttribute('stroke-width'),
      y1: Number(m.getAttribute('y1')),
      y2: Number(m.getAttribute('y2')),
    }));
  const bandsIn = (scope: Element) =>
    [...scope.querySelectorAll('rect.band')].map((b) => ({
      kind: b.getAttribute('data-band'),
      x: Number(b.getAttribute('x')),
      width: Number(b.getAttribute('width')),
    }));
  return { svg, root, rows, marks, bandsIn };
}

describe('timelineSvg', () => {
  it('draws one mark per request of the last 60 s, with its time, method, url and status', () => {
    const entries = [
      entry(60_001),
      entry(60_000, {
        url: `${PAGE}/c/pollwise/api/get_logs_batch`,
        kind: 'batch',
        method: 'POST',
      }),
      entry(30_000, { status: 429 }),
      entry(0, {
        url: `${PAGE}/c/pollwise/api/summary`,
        kind: 'wrapped',
        status: 0,
        end: undefined,
      }),
    ];
    const { marks, root } = render(entries);
    expect(root.getAttribute('data-now')).toBe(String(NOW));
    expect(marks()).toEqual([
      expect.objectContaining({
        kind: 'batch',
        at: NOW - 60_000,
        method: 'POST',
        url: `${PAGE}/c/pollwise/api/get_logs_batch`,
        status: 200,
        x: PLOT_LEFT,
      }),
      expect.objectContaining({
        kind: 'item',
        at: NOW - 30_000,
        method: 'GET',
        url: `${PAGE}/c/pollwise/api/items/1`,
        status: 429,
        x: xOf(NOW - 30_000),
      }),
      expect.objectContaining({
        kind: 'wrapped',
        at: NOW,
        url: `${PAGE}/c/pollwise/api/summary`,
        status: 0,
        x: PLOT_RIGHT,
      }),
    ]);
    expect(xOf(NOW - 30_000)).toBe(442);
  });

  it('draws nothing for requests older than 60 s', () => {
    const { marks, rows } = render([entry(60_001), entry(120_000)]);
    expect(marks()).toEqual([]);
    expect(rows.map((r) => r.getAttribute('data-origin'))).toEqual(['']);
    expect(rows[0]!.querySelector('text.origin')!.textContent).toBe('no requests');
  });

  it('colours by status: 429 red and taller, other errors orange, in flight pale, else by kind', () => {
    const { marks } = render([
      entry(5000, { status: 429 }),
      entry(4000, { status: 500 }),
      entry(3500, { status: -1 }),
      entry(3000, { status: 0 }),
      entry(2000, { status: 200, kind: 'batch' }),
      entry(1000, { status: 304, kind: 'item' }),
      entry(500, { status: 200, kind: 'wrapped' }),
    ]);
    expect(marks().map((m) => [m.status, m.stroke, m.strokeWidth])).toEqual([
      [429, '#dc2626', '2'],
      [500, '#ea580c', '1.2'],
      [-1, '#ea580c', '1.2'],
      [0, '#94a3b8', '1.2'],
      [200, '#2563eb', '1.2'],
      [304, '#475569', '1.2'],
      [200, '#16a34a', '1.2'],
    ]);
    const [limited, failed] = marks();
    // Item lane: y 42, height 20; a 429 sticks out 4 px at each end.
    expect([limited!.y1, limited!.y2]).toEqual([38, 66]);
    expect([failed!.y1, failed!.y2]).toEqual([42, 62]);
  });

  it('draws a row per origin, in order of first request, each with only its own marks', () => {
    const { rows, marks, root } = render([
      entry(3000, { url: `${API}/c/pollwise/api/items/1` }),
      entry(2000, { url: `${PAGE}/c/pollwise/api/items/2` }),
      entry(1000, { url: `${API}/c/pollwise/api/items/3` }),
    ]);
    expect(rows.map((r) => r.getAttribute('data-origin'))).toEqual([API, PAGE]);
    expect(rows.map((r) => r.getAttribute('transform'))).toEqual([
      'translate(0 0)',
      'translate(0 86)',
    ]);
    expect(rows.map((r) => r.querySelector('text.origin')!.textContent)).toEqual([
      '127.0.0.1:5174',
      '127.0.0.1:5173',
    ]);
    expect(marks(rows[0]!).map((m) => m.url)).toEqual([
      `${API}/c/pollwise/api/items/1`,
      `${API}/c/pollwise/api/items/3`,
    ]);
    expect(marks(rows[1]!).map((m) => m.url)).toEqual([`${PAGE}/c/pollwise/api/items/2`]);
    expect(root.getAttribute('height')).toBe(String(2 * 86 + 18));
    expect(root.getAttribute('width')).toBe('800');
  });

  it('an origin with only requests older than 60 s gets no row', () => {
    const { rows } = render([
      entry(90_000, { url: `${API}/c/pollwise/api/items/1` }),
      entry(1000, { url: `${PAGE}/c/pollwise/api/items/1` }),
    ]);
    expect(rows.map((r) => r.getAttribute('data-origin'))).toEqual([PAGE]);
  });

  it('a band of an origin with no recent request adds its row, unless it ended before the span', () => {
    const { rows } = render(
      [entry(1000)],
      [
        { kind: 'cooldown', origin: API, from: NOW - 80_000, to: NOW - 50_000 },
        { kind: 'breaker', origin: 'http://old.example', from: NOW - 90_000, to: NOW - 60_001 },
      ],
    );
    expect(rows.map((r) => r.getAttribute('data-origin'))).toEqual([PAGE, API]);
  });

  it('clips a band that began before the span to its left edge; an open one ends now', () => {
    const { rows, bandsIn } = render(
      [entry(1000)],
      [
        { kind: 'cooldown', origin: PAGE, from: NOW - 90_000, to: NOW - 30_000 },
        { kind: 'paced', origin: PAGE, from: NOW - 12_000 },
      ],
    );
    expect(bandsIn(rows[0]!)).toEqual([
      { kind: 'cooldown', x: PLOT_LEFT, width: 350 },
      { kind: 'paced', x: xOf(NOW - 12_000), width: 140 },
    ]);
  });

  it('leaves out bands that ended before the span; a page-wide band shows in every row', () => {
    const { rows, bandsIn } = render(
      [entry(1000, { url: `${API}/x` }), entry(500)],
      [
        { kind: 'breaker', origin: API, from: NOW - 90_000, to: NOW - 60_001 },
        { kind: 'hidden', origin: '', from: NOW - 6000, to: NOW - 3000 },
      ],
    );
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(bandsIn(row)).toEqual([{ kind: 'hidden', x: xOf(NOW - 6000), width: 35 }]);
    }
  });

  it('draws a band at least 1 px wide', () => {
    const { rows, bandsIn } = render(
      [entry(1000)],
      [{ kind: 'breaker', origin: PAGE, from: NOW - 6000, to: NOW - 6000 }],
    );
    expect(bandsIn(rows[0]!)).toEqual([{ kind: 'breaker', x: xOf(NOW - 6000), width: 1 }]);
  });

  // Cooldown bands end in the future (the page spans them to the cooldown's `until`): drawn
  // unclipped, a 30 s cooldown that started 10 s ago went 58 px past "now", out of the SVG.
  it('clips a band that ends in the future at now', () => {
    const { rows, bandsIn } = render(
      [entry(1000)],
      [{ kind: 'cooldown', origin: PAGE, from: NOW - 10_000, to: NOW + 20_000 }],
    );
    const [band] = bandsIn(rows[0]!);
    expect(band!.x + band!.width).toBeCloseTo(PLOT_RIGHT, 1);
  });

  it('escapes the url in data-url, so the SVG stays well formed', () => {
    const url = `${PAGE}/c/pollwise/api/get_logs?project=a&run="x"<y>&run_id=1`;
    const { marks, svg } = render([entry(1000, { url })]);
    expect(svg).toContain(
      'data-url="http://127.0.0.1:5173/c/pollwise/api/get_logs?project=a&amp;run=&quot;x&quot;&lt;y>&amp;run_id=1"',
    );
    expect(marks()[0]!.url).toBe(url);
  });

  it('draws the axis from −60 s to now every 10 s, under the rows', () => {
    const { root } = render([entry(1000)]);
    const axis = root.querySelector('g.axis')!;
    expect(axis.getAttribute('transform')).toBe('translate(0 86)');
    expect([...axis.querySelectorAll('text')].map((t) => t.textContent)).toEqual([
      '−60 s',
      '−50 s',
      '−40 s',
      '−30 s',
      '−20 s',
      '−10 s',
      'now',
    ]);
    const ticks = [...axis.querySelectorAll('line')].map((l) => Number(l.getAttribute('x1')));
    expect(ticks[0]).toBe(PLOT_LEFT);
    expect(ticks.at(-1)).toBe(PLOT_RIGHT);
  });
});
