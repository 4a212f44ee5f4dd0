import type { DashboardClient } from './clients/dashboard.js';
import { naiveClient } from './clients/naive-client.js';
import { pollwiseClient } from './clients/pollwise-client.js';
import { formatHeader, formatTable } from './report.js';
import { defaultScenario, type RunResult, runScenario, type Scenario } from './scenario.js';

/**
 * Clients compared, first one is the baseline of the ratio columns. Each runs on its own fresh
 * server, clock and visibility script. To compare another client (e.g. "pollwise (batched)"
 * once batching lands), add it here.
 */
const CLIENTS: DashboardClient[] = [naiveClient, pollwiseClient];

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
  for (const r of results) console.log(`  ${r.client.name.padEnd(10)} ${r.client.description}`);
  const real = results.map((r) => `${r.client.name} ${(r.realMs / 1000).toFixed(1)} s`).join(', ');
  console.log(
    `\nSimulated ${scenario.durationMs / 60_000} virtual minutes per client in real time: ${real}.`,
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
