import type { RunResult, Scenario } from './scenario.js';

interface Row {
  label: string;
  value: (r: RunResult) => number;
  format: (n: number) => string;
  /** Whether naive ÷ client makes sense for this row. */
  ratio: boolean;
}

const count = (n: number) => n.toLocaleString('en-US');
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

const ROWS: Row[] = [
  { label: 'requests sent', value: (r) => r.sent, format: count, ratio: true },
  { label: '200 responses (fresh data)', value: (r) => r.ok, format: count, ratio: true },
  { label: '429 responses', value: (r) => r.rateLimited, format: count, ratio: true },
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

function ratio(a: number, b: number): string {
  if (a === 0 && b === 0) return '=';
  if (b === 0) return '∞';
  const x = a / b;
  return `${x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2)}×`;
}

/** A plain-text table: one column per client, then naive ÷ each other client. */
export function formatTable(results: readonly RunResult[]): string {
  const [baseline, ...others] = results;
  if (baseline === undefined) return '(no results)';
  const header = [
    'metric',
    ...results.map((r) => r.client.name),
    ...others.map((r) => `${baseline.client.name} ÷ ${r.client.name}`),
  ];
  const body = ROWS.map((row) => [
    row.label,
    ...results.map((r) => row.format(row.value(r))),
    ...others.map((r) => (row.ratio ? ratio(row.value(baseline), row.value(r)) : '')),
  ]);
  const widths = header.map((_, c) =>
    Math.max(...[header, ...body].map((line) => line[c]!.length)),
  );
  const render = (line: string[]) =>
    line
      .map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
      .join('  ');
  const rule = widths.map((w) => '─'.repeat(w)).join('  ');
  return [render(header), rule, ...body.map(render)].join('\n');
}

export function formatHeader(scenario: Scenario, clients: number): string {
  const min = (ms: number) => `${ms / 60_000}`;
  return [
    `pollwise demo: one dashboard, ${clients} ways of keeping it fresh`,
    '',
    `A dashboard shows ${scenario.items} items, each fetched from GET ${scenario.origin}/api/items/:id.`,
    `The server allows ${scenario.limit} requests per rolling ${scenario.windowMs / 1000} s per client and answers`,
    `429 with Retry-After beyond that; every response takes ${scenario.latencyMs} ms. The session lasts`,
    `${min(scenario.durationMs)} minutes; the user switches to another tab from minute ${min(scenario.hidden[0])} to ${min(scenario.hidden[1])}.`,
    'Everything runs in virtual time against an embedded simulated server (no network), with',
    `a seeded random source (seed ${scenario.seed}), so every run prints the same numbers.`,
    '',
    'Staleness: how old the data on screen is (an item with no data yet counts from the moment',
    'the dashboard opened), averaged over items and visible time.',
  ].join('\n');
}
