// Requests and freshness: every dashboard client on the same simulated server, in virtual time.
//
//   npx tsx bench/requests/run.ts [--quick] [--json <file>]
//
// The matrix (matrix.ts): K ∈ {200, 20} items × batch route on/off × Retry-After readable or
// hidden × RateLimit headers off/on, the combinations that make sense; 5 seeds each (--quick: 1).
// Prints a table per case (medians over seeds; pollwise's ratio to each peer), the versions of
// the libraries, and the GOALS block of issue 9 for pollwise.
import { writeFileSync } from 'node:fs';
import { type RunResult, runScenario } from '../../playground/scenario.js';
import { checkGoals, formatGoals, type GoalCheck } from './goals.js';
import { type BenchCase, CASES, CLIENTS, DROPPED, SUBJECT, scenarioOf } from './matrix.js';
import { medianResult } from './median.js';
import { formatCase, formatIntro } from './tables.js';
import { versions } from './versions.js';

interface Args {
  seeds: number[];
  json?: string;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { seeds: [1, 2, 3, 4, 5] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--quick') args.seeds = [1];
    else if (arg === '--json') {
      const file = argv[++i];
      if (file === undefined || file.startsWith('--')) throw new Error('--json needs a file name');
      args.json = file;
    } else throw new Error(`unknown argument ${arg} (use --quick, --json <file>)`);
  }
  return args;
}

/**
 * Every client with every seed on one case: runs[client][seed]. A client that draws nothing
 * from the seeded random source runs once; that run stands for every seed.
 */
async function runCase(c: BenchCase, seeds: readonly number[]): Promise<RunResult[][]> {
  const runs: RunResult[][] = CLIENTS.map(() => []);
  for (const [s, seed] of seeds.entries()) {
    for (const [i, client] of CLIENTS.entries()) {
      const mine = runs[i]!;
      const once = client.deterministic === true && s > 0;
      mine.push(once ? mine[0]! : await runScenario(client, scenarioOf(c, seed)));
    }
  }
  return runs;
}

/** A run without its client object (JSON). */
const plain = ({ client: _, ...figures }: RunResult) => figures;

async function main(): Promise<void> {
  const startedAt = performance.now();
  const args = parseArgs(process.argv.slice(2));
  const libraries = versions();
  console.log(formatIntro(args.seeds, libraries, DROPPED));
  const checks: GoalCheck[] = [];
  const report: unknown[] = [];
  for (const c of CASES) {
    const caseStart = performance.now();
    const runs = await runCase(c, args.seeds);
    const medians = runs.map(medianResult);
    console.log(`\n${formatCase(c, medians, (performance.now() - caseStart) / 1000)}`);
    checks.push(...checkGoals(c, runs[SUBJECT]!));
    report.push({
      ...c,
      clients: CLIENTS.map((client, i) => ({
        name: client.name,
        deterministic: client.deterministic === true,
        median: plain(medians[i]!),
        runs: runs[i]!.map(plain),
      })),
    });
  }
  console.log(`\n${formatGoals(checks, CASES, args.seeds.length)}`);
  const wallMs = performance.now() - startedAt;
  if (args.json !== undefined) {
    const goals = checks.map(({ format: _, ...check }) => check);
    const json = {
      seeds: args.seeds,
      versions: libraries,
      dropped: DROPPED,
      cases: report,
      goals,
      wallMs,
    };
    writeFileSync(args.json, `${JSON.stringify(json, null, 2)}\n`);
    console.log(`\nWrote ${args.json}.`);
  }
  console.log(
    `\nWall time ${(wallMs / 1000).toFixed(1)} s (${CASES.length} cases × ${CLIENTS.length} clients × ${args.seeds.length} seed${args.seeds.length === 1 ? '' : 's'}).`,
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
