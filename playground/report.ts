import type { RunResult, Scenario } from './scenario.js';

/** One line of a table: a measure of every client. */
export interface Row {
  label: string;
  value: (r: RunResult) => number;
  format: (n: number) => string;
  /** Whether the ratio columns make sense for this row. */
  ratio: boolean;
}

export const count = (n: number) => n.toLocaleString('en-US');
export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

const ROWS: Row[] = [
  { label: 'requests sent', value: (r) => r.sent, format: count, ratio: true },
  { label: '200 responses', value: (r) => r.ok, format: count, ratio: true },
  { label: '429 responses', value: (r) => r.rateLimited, format: count, ratio: true },
  { label: 'tile updates (fresh data shown)', value: (r) => r.updates, format: count, ratio: true },
  { label: 'requests while hidden', value: (r) => r.sentWhileHidden, format: count, ratio: true },
  { label: 'peak requests in 1 s', value: (r) => r.peakPerSecond, format: count, ratio: true },
  { label: 'requests 1st s after unhide', value: (r) => r.onReturn, format: count, ratio: true },
  { label: 'items never updated', value: (r) => r.neverUpdated, format: count, ratio: true },
  {
    label: 'mean staleness while visible',
    value: (r) => r.meanStalenessMs,
    format: seconds,
    ratio: true,
  },
  {
    label: 'worst staleness while visible',
    value: (r) => r.maxStalenessMs,
    format: seconds,
    ratio: true,
  },
];

/**
 * `a ÷ b` as `1.23×`: two decimals below 10, one below 100, two significant digits below 0.1,
 * and as `1/150` below 0.01 (one for every 150).
 */
export function ratio(a: number, b: number): string {
  if (a === 0 && b === 0) return '=';
  if (b === 0) return '∞';
  const x = a / b;
  if (x === 0) return '0×';
  if (x < 0.01) return `1/${count(Math.round(1 / x))}`;
  if (x < 0.1) return `${x.toPrecision(2)}×`;
  return `${x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2)}×`;
}

/** A column's heading lines: the client's own, or its name. */
const headingOf = (r: RunResult): readonly string[] => r.client.heading ?? [r.client.name];

export interface TableOptions {
  /** The rows (default: the demo's). */
  rows?: readonly Row[];
  /** Index of the client whose ratio to others is shown (default 0, the first). */
  subject?: number;
  /** Indexes of the clients it is compared with (default: every other one). */
  peers?: readonly number[];
}

/**
 * A plain-text table: one column per client, then the subject ÷ each peer (by default the first
 * client ÷ every other). Headings may span several lines; they sit on the rule, so a column's
 * last heading line names it.
 */
export function formatTable(results: readonly RunResult[], options: TableOptions = {}): string {
  const rows = options.rows ?? ROWS;
  const subject = results[options.subject ?? 0];
  if (subject === undefined) return '(no results)';
  const peers = (
    options.peers ?? results.map((_, i) => i).filter((i) => i !== (options.subject ?? 0))
  )
    .map((i) => results[i])
    .filter((r): r is RunResult => r !== undefined);
  const base = headingOf(subject).join(' ');
  const headings: (readonly string[])[] = [
    ['metric'],
    ...results.map(headingOf),
    ...peers.map((r) => [`${base} ÷`, ...headingOf(r)]),
  ];
  const body = rows.map((row) => [
    row.label,
    ...results.map((r) => row.format(row.value(r))),
    ...peers.map((r) => (row.ratio ? ratio(row.value(subject), row.value(r)) : '')),
  ]);
  const height = Math.max(...headings.map((h) => h.length));
  // Bottom-aligned, except that every ratio column's "subject ÷" sits on the top line.
  const cell = (h: readonly string[], c: number, line: number) => {
    if (c <= results.length) return h[line - (height - h.length)] ?? '';
    return line === 0 ? h[0]! : (h.slice(1)[line - (height - h.length + 1)] ?? '');
  };
  const header = Array.from({ length: height }, (_, line) =>
    headings.map((h, c) => cell(h, c, line)),
  );
  const widths = headings.map((_, c) =>
    Math.max(...[...header, ...body].map((cells) => cells[c]!.length)),
  );
  const render = (cells: string[]) =>
    cells
      .map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '─'.repeat(w)).join('  ');
  return [...header.map(render), rule, ...body.map(render)].join('\n');
}

/**
 * Words of `text` in lines of at most `width` characters (a longer word gets its own line); the
 * first line keeps `text`'s leading spaces, the others start with `indent`.
 */
export function wrap(text: string, width: number, indent = ''): string {
  const lead = /^\s*/.exec(text)?.[0] ?? '';
  const lines: string[] = [];
  let line = lead;
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line.trim() !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = indent + word;
    } else line = line.trim() === '' ? line + word : `${line} ${word}`;
  }
  if (line.trim() !== '') lines.push(line);
  return lines.join('\n');
}

/** A paragraph per client: its name and how it polls, wrapped to `width`. */
export function formatLegend(results: readonly RunResult[], width = 100): string {
  return results
    .map((r) => wrap(`  ${r.client.name}: ${r.client.description}`, width, '      '))
    .join('\n');
}

export function formatHeader(scenario: Scenario, clients: number): string {
  const min = (ms: number) => `${ms / 60_000}`;
  return [
    `pollwise demo: one dashboard, ${clients} ways of keeping it fresh`,
    '',
    `A dashboard shows ${scenario.items} items. Per-item clients fetch each one from`,
    `GET ${scenario.origin}/api/items/:id. Batched clients ask POST /api/get_logs_batch`,
    'for up to 64 runs per request, and fall back to GET /api/get_logs?run=… per run where the',
    'batch route answers 404 (an older backend).',
    `The server allows ${scenario.limit} requests per rolling ${scenario.windowMs / 1000} s per client (a batch is one request) and`,
    `answers 429 with Retry-After beyond that; every response takes ${scenario.latencyMs} ms. The session lasts`,
    `${min(scenario.durationMs)} minutes; the user switches to another tab from minute ${min(scenario.hidden[0])} to ${min(scenario.hidden[1])}.`,
    'Everything runs in virtual time against an embedded simulated server (no network), with',
    `a seeded random source (seed ${scenario.seed}), so every run prints the same numbers.`,
    '',
    'Staleness: how old the data on screen is (an item with no data yet counts from the moment',
    'the dashboard opened), averaged over items and visible time. A tile counts as refreshed',
    'when its fresh data arrives, whichever request brought it.',
  ].join('\n');
}
