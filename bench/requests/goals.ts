import type { RunResult } from '../../playground/scenario.js';
import { type BenchCase, batchFloor, type CaseKind, kindOf } from './matrix.js';
import { median } from './median.js';

/** One goal of issue 9: a figure of pollwise's runs that must stay at or under `limit`. */
export interface Goal {
  label: string;
  limit: number;
  figure: (r: RunResult, c: BenchCase) => number;
  format: (n: number) => string;
}

/** A goal checked on one case: the median over seeds and the worst seed. */
export interface GoalCheck {
  caseId: string;
  label: string;
  limit: number;
  median: number;
  worst: number;
  met: boolean;
  /** e.g. `met (0.03 s to spare)`, `missed by 32 (4.2× the goal)`. */
  verdict: string;
  format: (n: number) => string;
}

const count = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const times = (x: number) => `${x.toFixed(3)}×`;

const requests429: Goal['figure'] = (r) => r.rateLimited;
const meanStaleness: Goal['figure'] = (r) => r.meanStalenessMs;

function goalsOf(c: BenchCase): Goal[] {
  const kind: CaseKind = kindOf(c);
  const goals: Goal[] = [];
  /** The mean staleness goal for this K, when issue 9 sets one. */
  const staleness = (limits: Record<number, number>) => {
    const limit = limits[c.items];
    if (limit !== undefined) {
      goals.push({ label: 'mean staleness', limit, figure: meanStaleness, format: secs });
    }
  };
  if (kind === 'batch-on') {
    goals.push({
      label: 'requests ÷ physical limit',
      limit: 1.05,
      figure: (r, bc) => r.sent / batchFloor(bc.items, r.visibleMs),
      format: times,
    });
    goals.push({ label: '429 responses', limit: 0, figure: requests429, format: count });
    staleness({ 200: 2_000, 20: 2_000 });
  } else if (kind === 'retry-after') {
    goals.push({ label: '429 responses', limit: 10, figure: requests429, format: count });
    staleness({ 200: 58_000, 20: 7_000 });
  } else if (kind === 'headers') {
    goals.push({ label: '429 responses', limit: 0, figure: requests429, format: count });
    staleness({ 200: 56_000, 20: 5_700 });
  } else {
    goals.push({ label: '429 responses', limit: 20, figure: requests429, format: count });
  }
  goals.push({
    label: 'requests while hidden',
    limit: 0,
    figure: (r) => r.sentWhileHidden,
    format: count,
  });
  goals.push({
    // Without a readable Retry-After nothing is announced: 0 by construction.
    label:
      kind === 'no-retry-after'
        ? 'inside an announced window (none is)'
        : 'requests inside an announced window',
    limit: 0,
    figure: (r) => r.insideAnnounced,
    format: count,
  });
  return goals;
}

/** Every goal of `c`, judged on the median of pollwise's `runs` (one per seed). */
export function checkGoals(c: BenchCase, runs: readonly RunResult[]): GoalCheck[] {
  return goalsOf(c).map((goal) => {
    const figures = runs.map((r) => goal.figure(r, c));
    const mid = median(figures);
    const worst = Math.max(...figures);
    const met = mid <= goal.limit + 1e-9;
    return {
      caseId: c.id,
      label: goal.label,
      limit: goal.limit,
      median: mid,
      worst,
      met,
      verdict: verdictOf(mid, goal),
      format: goal.format,
    };
  });
}

function verdictOf(figure: number, goal: Goal): string {
  const gap = figure - goal.limit;
  if (gap <= 1e-9) {
    return gap < -1e-9 ? `met (${goal.format(-gap)} to spare)` : 'met';
  }
  const factor = goal.limit > 0 ? ` (${(figure / goal.limit).toFixed(2)}× the goal)` : '';
  return `MISSED by ${goal.format(gap)}${factor}`;
}

/** The GOALS block: one line per goal, grouped by case. */
export function formatGoals(
  checks: readonly GoalCheck[],
  cases: readonly BenchCase[],
  seeds: number,
): string {
  const lines = [
    `GOALS (issue 9), pollwise resource client: median of ${seeds} seed${seeds === 1 ? '' : 's'}` +
      (seeds > 1 ? '; worst seed in brackets' : ''),
  ];
  const width = Math.max(...checks.map((c) => c.label.length));
  for (const c of cases) {
    const mine = checks.filter((check) => check.caseId === c.id);
    if (mine.length === 0) continue;
    lines.push(`  ${c.title}`);
    for (const check of mine) {
      const worst = seeds > 1 ? ` [${check.format(check.worst)}]` : '';
      const figure = `${check.format(check.median)}${worst}`;
      lines.push(
        `    ${check.label.padEnd(width)}  ${figure.padStart(18)}  goal ≤ ${check.format(check.limit).padEnd(8)}  ${check.verdict}`,
      );
    }
  }
  const missed = checks.filter((c) => !c.met).length;
  lines.push(`  ${checks.length - missed} of ${checks.length} goals met, ${missed} missed.`);
  return lines.join('\n');
}
