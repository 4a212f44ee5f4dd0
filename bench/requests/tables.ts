import { count, formatTable, type Row, wrap } from '../../playground/report.js';
import type { RunResult } from '../../playground/scenario.js';
import { type BenchCase, batchFloor, CLIENTS, PEERS, SUBJECT } from './matrix.js';

const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const times = (x: number) => `${x.toFixed(2)}×`;

/** The rows of a case's table; batch-on cases add the requests ÷ physical limit row. */
function rowsOf(c: BenchCase): Row[] {
  const rows: Row[] = [
    { label: 'requests', value: (r) => r.sent, format: count, ratio: true },
    { label: '429 responses', value: (r) => r.rateLimited, format: count, ratio: true },
    { label: 'requests while hidden', value: (r) => r.sentWhileHidden, format: count, ratio: true },
    {
      label: 'inside an announced Retry-After window',
      value: (r) => r.insideAnnounced,
      format: count,
      ratio: true,
    },
    { label: 'requests 1st s after unhide', value: (r) => r.onReturn, format: count, ratio: true },
    { label: 'mean staleness', value: (r) => r.meanStalenessMs, format: secs, ratio: true },
    { label: 'p95 staleness', value: (r) => r.p95StalenessMs, format: secs, ratio: true },
    { label: 'items never got data', value: (r) => r.neverUpdated, format: count, ratio: true },
  ];
  if (c.batchEndpoint) {
    rows.splice(1, 0, {
      label: 'requests ÷ physical limit',
      value: (r) => r.sent / batchFloor(c.items, r.visibleMs),
      format: times,
      ratio: true,
    });
  }
  return rows;
}

/** One case: its title, the table of medians, and how long its runs took. */
export function formatCase(c: BenchCase, medians: readonly RunResult[], seconds: number): string {
  const table = formatTable(medians, { rows: rowsOf(c), subject: SUBJECT, peers: PEERS });
  const floor = c.batchEndpoint
    ? `\nPhysical limit: ceil(${c.items}/64) = ${Math.ceil(c.items / 64)} requests per 2.5 s of visible time = ${count(batchFloor(c.items, medians[0]?.visibleMs ?? 0))} requests.`
    : '';
  return `── ${c.title} (${seconds.toFixed(1)} s) ──\n${table}${floor}`;
}

/** What the bench runs and how it measures, the versions, and the left-out combinations. */
export function formatIntro(
  seeds: readonly number[],
  versions: Record<string, string>,
  dropped: readonly string[],
): string {
  const lines = [
    'Requests and freshness: one dashboard, every client on the same simulated server',
    '',
    wrap(
      'K items, 10 virtual minutes, the tab hidden from minute 4 to 7, 50 ms latency; the server ' +
        'allows 120 requests per client per fixed minute window ([k·60 s, (k+1)·60 s)) and answers ' +
        '429 beyond it. A batch request (POST /api/get_logs_batch, ≤ 64 runs) counts as one. ' +
        'Staleness: the age of the point on screen (now − the second it was logged; an item with ' +
        'no data counts from the start), over items × visible time; its p95 is exact (the age is ' +
        'piecewise linear). "Inside an announced window": requests that arrived after a 429 had ' +
        'reached the client and before its Retry-After ran out (a fixed window: its end). ' +
        `Medians of ${seeds.length} seed${seeds.length === 1 ? '' : 's'} (${seeds.join(', ')}); ` +
        'the seed drives every random source. Only pollwise draws any (jitter); naive, TanStack ' +
        'and hand-tuned draw none, give the same run for every seed, and run once.',
      100,
    ),
    '',
    'Clients:',
    ...CLIENTS.map((c) => wrap(`  ${c.name}: ${c.description}`, 100, '      ')),
    '',
    `Versions: ${Object.entries(versions)
      .map(([name, version]) => `${name} ${version}`)
      .join(', ')}`,
    '',
    'Combinations left out:',
    ...dropped.map((d) => wrap(`  - ${d}`, 100, '    ')),
  ];
  return lines.join('\n');
}
