import type { DashboardClient } from './clients/dashboard.js';
import { naiveClient } from './clients/naive-client.js';
import {
  pollwiseBatchedClient,
  pollwiseBatchedOldBackendClient,
} from './clients/pollwise-batched-client.js';
import { pollwiseClient } from './clients/pollwise-client.js';
import { formatHeader, formatLegend, formatTable, wrap } from './report.js';
import { defaultScenario, type RunResult, runScenario, type Scenario } from './scenario.js';

/**
 * Clients compared, first one is the baseline of the ratio columns. Each runs on its own fresh
 * server (shaped by its `backend`), clock and visibility script. To compare another, add it here.
 */
const CLIENTS: DashboardClient[] = [
  naiveClient,
  pollwiseClient,
  pollwiseBatchedClient,
  pollwiseBatchedOldBackendClient,
];

function parseSeed(argv: readonly string[]): number | undefined {
  const at = argv.indexOf('--seed');
  const raw = at >= 0 ? argv[at + 1] : argv.find((a) => a.startsWith('--seed='))?.slice(7);
  if (raw === undefined) return undefined;
  const seed = Number(raw);
  if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer, got ${raw}`);
  return seed;
}

async function main(): Promise<void> {
  const seed = parseSeed(process.argv.slice(2));
  const scenario: Scenario = { ...defaultScenario, ...(seed === undefined ? {} : { seed }) };
  console.log(formatHeader(scenario, CLIENTS.length));
  console.log('');
  const results: RunResult[] = [];
  for (const client of CLIENTS) results.push(await runScenario(client, scenario));
  console.log(formatTable(results));
  console.log('');
  console.log(formatLegend(results));
  const real = results.map((r) => `${r.client.name} ${(r.realMs / 1000).toFixed(1)} s`).join(', ');
  const minutes = scenario.durationMs / 60_000;
  console.log(
    `\n${wrap(`Simulated ${minutes} virtual minutes per client in real time: ${real}.`, 100)}`,
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
